/**
 * `npm run soak`: mixed traffic with injected provider faults against the gateway as production
 * runs it, for a fixed time; then a report and a verdict. Not part of `npm test`.
 *
 * Two processes. This one holds the load driver and the five provider simulators (each provider
 * module's createSimulator(), `--latency-ms` per request, faults injected in-process). The gateway
 * runs in a child process exactly as `npm run start:dist` runs it: `node <its flags>
 * dist/src/main.js` (compiled by `npm run build`, which `npm run soak` runs first),
 * GATEWAY_MODE=production, JWT auth with a secret made per run, info logging to a file in a
 * temporary directory (production logs at info; the log is kept when the run fails), a SQLite store
 * in the same directory, every provider pointed at its simulator. So the gateway's RSS, read from
 * /proc/<pid>/status every 5 s, is the gateway's alone: the simulators' state (they keep every
 * redemption) and the driver live here.
 *
 * `--concurrency` closed-loop workers send, until the time is up: single reads to each provider,
 * fan-out reads (`redemptions(ids:)` across all five), and mutations with fresh idempotency keys
 * (now and then repeating one, which must replay). Every `--fault-every` ms one provider gets a
 * fault from FAULTS for a bounded number of calls.
 *
 * Memory verdict (issue 8: peak RSS <= 150 MB, flat within 10% over 10 minutes): the warm-up is the
 * first 60 s or the first 10% of the run, whichever is longer; the baseline is the median RSS
 * sampled in the minute after it; every sample after the warm-up must be at most 1.10 x the
 * baseline. A run shorter than warm-up + 60 s is not judged for flatness (it says so). The peak is
 * the higher of the samples and the kernel's high-water mark (VmHWM) read before the gateway is
 * stopped, so a spike between two samples counts too (VmHWM alone can lag a recent sample).
 *
 * It prints requests, outcomes and errors by code, p50/p99 latency, the gateway's RSS (start,
 * baseline, highest after warm-up, peak, end, one value per minute) and provider health from its
 * /readyz, and exits non-zero if the RSS is not flat or its peak is above 150 MB, any request was
 * left hanging (client side, or still holding a provider's bulkhead once faults are cleared), any
 * request failed below GraphQL (no JSON answer), anything was masked as INTERNAL_SERVER_ERROR, a
 * replay was not a replay, a promise rejection went unhandled here, or the gateway did not exit 0
 * on SIGTERM (drain).
 *
 *   npm run soak -- --seconds 60 [--concurrency 16] [--latency-ms 5] [--fault-every 1500] [--no-faults]
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { gatewayEnv, ROOT, START_DIST_FLAGS } from '../bench/harness.js';
import { mintToken } from '../src/auth/tokens.js';
import { toGlobalId } from '../src/domain/ids.js';
import { PROVIDER_NAMES, type ProviderName } from '../src/domain/provider.js';
import { DEMO_CUSTOMER_A, DEMO_CUSTOMER_B, DEMO_REDEMPTION_A } from '../src/providers/capillary/simulator.js';
import { FRESH_VOUCHER_PREFIX, SEEDED_REDEMPTION_ID } from '../src/providers/moment/simulator.js';
import { DEMO_REDEEM_IDS } from '../src/providers/pers/simulator.js';
import { providerModules } from '../src/providers/registry.js';
import type { ProviderHealthView } from '../src/resolvers/providers.js';
import type { Fault, Simulator } from '../src/sim/kit.js';

const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string', default: '60' },
    concurrency: { type: 'string', default: '16' },
    'latency-ms': { type: 'string', default: '5' },
    'fault-every': { type: 'string', default: '1500' },
    'no-faults': { type: 'boolean', default: false },
  },
});
const positive = (name: string, text: string, min = 1) => {
  const value = Number(text);
  if (!Number.isInteger(value) || value < min) {
    process.stderr.write(`--${name} must be an integer >= ${min}\n`);
    process.exit(2);
  }
  return value;
};
const SECONDS = positive('seconds', args.seconds);
const CONCURRENCY = positive('concurrency', args.concurrency);
const LATENCY_MS = positive('latency-ms', args['latency-ms'], 0);
const FAULT_EVERY_MS = positive('fault-every', args['fault-every'], 100);
/** A client-side bound on one request: far above any gateway timeout, so hitting it means a hang. */
const REQUEST_DEADLINE_MS = 30_000;
const WARM_UP_S = Math.max(60, SECONDS / 10);
const BASELINE_S = 60;
const SAMPLE_EVERY_MS = 5_000;
const MAX_GROWTH = 1.1;
const PEAK_LIMIT_MB = 150;

const unhandled: unknown[] = [];
process.on('unhandledRejection', (reason) => void unhandled.push(reason));

// ---------------------------------------------------------------- simulators and gateway

const simulators = {} as Record<ProviderName, Simulator>;
for (const name of PROVIDER_NAMES) {
  const simulator = providerModules[name].createSimulator();
  simulator.latencyMs = LATENCY_MS;
  await simulator.listen();
  simulators[name] = simulator;
}

/** A port free now; the gateway prints no URL in production mode, so it cannot be told PORT=0. */
const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer().once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

const dir = mkdtempSync(join(tmpdir(), 'gateway-soak-'));
const logFile = join(dir, 'gateway.log');
const secret = randomBytes(32).toString('hex');
const port = await freePort();
const url = `http://127.0.0.1:${port}`;
const logFd = openSync(logFile, 'w');
const child = spawn(process.execPath, [...START_DIST_FLAGS, 'dist/src/main.js'], {
  cwd: ROOT,
  env: {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    ...gatewayEnv(Object.fromEntries(PROVIDER_NAMES.map((name) => [name, simulators[name].url])), { port, secret, sqlitePath: join(dir, 'soak.db') }),
    // Faults must resolve within the run: short timeouts, a breaker that opens and probes quickly.
    UPSTREAM_TIMEOUT_MS: '1000',
    RESILIENCE_BREAKER_MIN_CALLS: '10',
    RESILIENCE_BREAKER_HALF_OPEN_AFTER_MS: '2000',
  },
  stdio: ['ignore', logFd, 'inherit'],
});
closeSync(logFd);
const pid = child.pid!;
let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
const exit = new Promise<void>((resolve) =>
  child.once('exit', (code, signal) => {
    exited = { code, signal };
    resolve();
  }));
// The gateway never outlives this process, however it ends.
process.on('exit', () => void (exited ?? child.kill('SIGKILL')));
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(1));

interface Readiness { status: string; providers: ProviderHealthView[] }
const readiness = () => fetch(`${url}/readyz`).then(async (r) => ({ ok: r.ok, body: (await r.json()) as Readiness })).catch(() => undefined);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
for (let attempt = 0; !(await readiness())?.ok; attempt++) {
  if (exited || attempt === 300) throw new Error(`the gateway ${exited ? `exited (${exited.code ?? exited.signal})` : 'was not ready after 30 s'}; log: ${logFile}`);
  await sleep(100);
}

/** Resident set now, or its high-water mark (VmHWM), of the gateway process, in bytes (0 once gone). */
function memory(field: 'VmRSS' | 'VmHWM' = 'VmRSS'): number {
  try {
    return Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;
  } catch {
    return 0;
  }
}

const auth = { secret };
const admin = await mintToken({ subject: 'soak-admin', role: 'admin' }, auth);
const users = await Promise.all(Array.from({ length: 8 }, (_, i) => mintToken({ subject: `soak-user-${i}`, role: 'user' }, auth)));

// ---------------------------------------------------------------- traffic

interface Operation {
  name: string;
  query: string;
  variables?: () => Record<string, unknown>;
  token: () => string;
  /** For mutations: the idempotency key sent, to repeat it later. */
  key?: (variables: Record<string, unknown>) => string;
}

const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)]!;
let sequence = 0;
const next = () => ++sequence;

const READS: Record<ProviderName, string> = {
  returningai: '{ orderStatuses { id name } }',
  capillary: `{ customerRedemptions(customer: { type: MOBILE, value: "${DEMO_CUSTOMER_A.mobile}" }) { total } }`,
  pers: '{ redemptionOffer(id: "red-coffee") { id name } }',
  triple: '{ rewards { id rewardStatus } }',
  moment: '{ voucherTypes { type name } }',
};
const FAN_OUT_IDS = [
  toGlobalId('returningai', 'ORD202507013831'),
  toGlobalId('capillary', `${DEMO_CUSTOMER_A.id}/${DEMO_REDEMPTION_A}`),
  toGlobalId('pers', DEMO_REDEEM_IDS[0]),
  toGlobalId('triple', 'rwd-1001'),
  toGlobalId('moment', SEEDED_REDEMPTION_ID),
];
const REDEEM_VOUCHER = `mutation($key: String!, $pin: String!) {
  executeRedeem(idempotencyKey: $key, input: { moment: { type: ONE_VOUCHER, source: { pin: $pin }, amount: { amount: "1.00", currencyCode: "ZAR" } } }) {
    replayed redemption { id } userErrors { code }
  }
}`;
// Customer B redeems: customer A's seeded redemption, read by the fan-out, must stay on the first
// page of A's history (Capillary lists a customer's newest 500 redemptions at most).
const REDEEM_POINTS = `mutation($key: String!) {
  executeRedeem(idempotencyKey: $key, input: { capillary: { customer: { type: MOBILE, value: "${DEMO_CUSTOMER_B.mobile}" }, points: "0.001" } }) {
    replayed redemption { id } userErrors { code }
  }
}`;
const REDEEM_OFFER = `mutation($key: String!) {
  executeRedeem(idempotencyKey: $key, input: { pers: { redemptionId: "red-coffee" } }) { replayed redemption { id } userErrors { code } }
}`;

const keyOf = (variables: Record<string, unknown>) => String(variables.key);
const user = () => pick(users);
const OPERATIONS: { weight: number; operation: Operation }[] = [
  ...PROVIDER_NAMES.map((provider) => ({ weight: 8, operation: { name: `read ${provider}`, query: READS[provider], token: () => admin } })),
  {
    weight: 15,
    operation: { name: 'fan-out read', query: 'query($ids: [ID!]!) { redemptions(ids: $ids) { id provider status { state } } }', variables: () => ({ ids: FAN_OUT_IDS }), token: () => admin },
  },
  {
    weight: 15,
    operation: {
      name: 'redeem voucher',
      query: REDEEM_VOUCHER,
      variables: () => { const n = next(); return { key: `soak-v-${n}`, pin: `${FRESH_VOUCHER_PREFIX}${String(n).padStart(14, '0')}` }; },
      token: user,
      key: keyOf,
    },
  },
  { weight: 15, operation: { name: 'redeem points', query: REDEEM_POINTS, variables: () => ({ key: `soak-p-${next()}` }), token: user, key: keyOf } },
  { weight: 5, operation: { name: 'redeem offer', query: REDEEM_OFFER, variables: () => ({ key: `soak-o-${next()}` }), token: user, key: keyOf } },
];
const TOTAL_WEIGHT = OPERATIONS.reduce((sum, o) => sum + o.weight, 0);
function chooseOperation(): Operation {
  let roll = Math.random() * TOTAL_WEIGHT;
  for (const { weight, operation } of OPERATIONS) if ((roll -= weight) < 0) return operation;
  return OPERATIONS[0]!.operation;
}

// ---------------------------------------------------------------- faults

/** Each fault applies to a bounded number of calls to one provider, so every provider recovers. */
const FAULTS: { fault: Fault; times: number }[] = [
  { fault: { kind: 'status', status: 503 }, times: 20 },
  { fault: { kind: 'status', status: 500 }, times: 10 },
  { fault: { kind: 'status', status: 429, headers: { 'retry-after': '1' } }, times: 5 },
  { fault: { kind: 'latency', ms: 1_500 }, times: 10 },
  { fault: { kind: 'hang' }, times: 10 },
  { fault: { kind: 'reset' }, times: 10 },
  { fault: { kind: 'commit-then-reset' }, times: 5 },
  { fault: { kind: 'malformed' }, times: 5 },
  { fault: { kind: 'truncated' }, times: 5 },
];
const faultsInjected: Record<string, number> = {};

// ---------------------------------------------------------------- measurement

const latencies: number[] = [];
const outcomes: Record<string, number> = {};
const errorCodes: Record<string, number> = {};
const userErrorCodes: Record<string, number> = {};
const problems: string[] = [];
const inFlight = new Set<Promise<unknown>>();
const notReplayed: string[] = [];
const issuedKeys: { key: string; token: string; operation: Operation; variables: Record<string, unknown> }[] = [];
const count = (table: Record<string, number>, key: string) => void (table[key] = (table[key] ?? 0) + 1);

interface Answer {
  data?: Record<string, { replayed?: boolean; userErrors?: { code: string }[] } | null> | null;
  errors?: { extensions?: { code?: string } }[];
}

async function send(operation: Operation, variables: Record<string, unknown> | undefined, token: string): Promise<Answer | undefined> {
  const started = performance.now();
  try {
    const response = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: operation.query, variables }),
      signal: AbortSignal.timeout(REQUEST_DEADLINE_MS),
    });
    const answer = (await response.json()) as Answer;
    latencies.push(performance.now() - started);
    for (const error of answer.errors ?? []) count(errorCodes, error.extensions?.code ?? 'NO_CODE');
    for (const payload of Object.values(answer.data ?? {})) {
      for (const userError of (payload && typeof payload === 'object' && 'userErrors' in payload ? payload.userErrors : undefined) ?? []) {
        count(userErrorCodes, userError.code);
      }
    }
    count(outcomes, answer.errors?.length ? (answer.data && Object.values(answer.data).some((v) => v !== null) ? 'partial' : 'error') : 'ok');
    return answer;
  } catch (error) {
    count(outcomes, 'transport failure');
    problems.push(`${operation.name}: ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  }
}

function tracked<T>(promise: Promise<T>): Promise<T> {
  inFlight.add(promise);
  return promise.finally(() => inFlight.delete(promise));
}

async function worker(deadline: number) {
  // A gateway that died would only be refused, as fast as the workers can ask: stop instead.
  while (performance.now() < deadline && !exited) {
    // One request in ten repeats an earlier key whose outcome was stored: it must be a replay.
    if (issuedKeys.length > 0 && Math.random() < 0.1) {
      const earlier = pick(issuedKeys);
      const answer = await tracked(send(earlier.operation, earlier.variables, earlier.token));
      const payload = answer?.data?.executeRedeem;
      count(outcomes, payload?.replayed ? 'repeat: replayed' : 'repeat: not replayed');
      if (payload && !payload.replayed && payload.userErrors?.length === 0) notReplayed.push(earlier.key);
      continue;
    }
    const operation = chooseOperation();
    const variables = operation.variables?.();
    const token = operation.token();
    const answer = await tracked(send(operation, variables, token));
    const payload = answer?.data?.executeRedeem;
    // Only outcomes the gateway stored (a result or a provider's refusal) are repeated later.
    if (operation.key && variables && payload && !payload.replayed && !payload.userErrors?.some((e) => e.code.startsWith('IDEMPOTENCY_'))) {
      issuedKeys.push({ key: operation.key(variables), token, operation, variables });
      if (issuedKeys.length > 500) issuedKeys.shift();
    }
  }
}

// ---------------------------------------------------------------- run

const percentile = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]! : 0);
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
const table = (rows: Record<string, number>) =>
  Object.entries(rows).sort(([, a], [, b]) => b - a).map(([key, value]) => `    ${key.padEnd(28)} ${value}`).join('\n') || '    (none)';
const clock = (seconds: number) => {
  const s = Math.round(seconds);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
};

process.stdout.write(`soak: ${SECONDS}s, ${CONCURRENCY} workers, simulator latency ${LATENCY_MS} ms, faults ${args['no-faults'] ? 'off' : `every ${FAULT_EVERY_MS} ms`}, gateway pid ${pid} (node ${START_DIST_FLAGS.join(' ')} dist/src/main.js, production) at ${url}\n`);
const startedAt = performance.now();
const deadline = startedAt + SECONDS * 1000;
/** The gateway's resident set every SAMPLE_EVERY_MS, `at` in seconds since the load began. */
const samples: { at: number; rss: number }[] = [];
const sample = () => samples.push({ at: (performance.now() - startedAt) / 1000, rss: memory() });
sample();

const injector = args['no-faults']
  ? undefined
  : setInterval(() => {
      const provider = pick(PROVIDER_NAMES);
      const { fault, times } = pick(FAULTS);
      simulators[provider].faults.inject({ fault, times });
      count(faultsInjected, `${provider} ${fault.kind}${fault.kind === 'status' ? ` ${fault.status}` : ''}`);
    }, FAULT_EVERY_MS);
// The simulators record every request for tests; here that log would only grow.
const trim = setInterval(() => {
  for (const simulator of Object.values(simulators)) simulator.requests.length = 0;
}, 5_000);
const sampler = setInterval(sample, SAMPLE_EVERY_MS);
const progress = setInterval(() => {
  const elapsed = Math.round((performance.now() - startedAt) / 1000);
  process.stdout.write(`  ${elapsed}s: ${latencies.length} answered, ${inFlight.size} in flight, gateway RSS ${mb(samples.at(-1)!.rss)}\n`);
}, 10_000);

await Promise.all(Array.from({ length: CONCURRENCY }, () => worker(deadline)));
clearInterval(injector);
clearInterval(progress);
clearInterval(sampler);
clearInterval(trim);
sample();
const elapsedS = (performance.now() - startedAt) / 1000;
const diedDuringRun = exited;

// Every worker has returned, so no client request can still be open. On the gateway's side, once the
// faults are cleared every provider call must let go of its bulkhead slot: poll /readyz (bounded).
for (const simulator of Object.values(simulators)) simulator.faults.clear();
let ready = await readiness();
for (let waited = 0; waited < 5_000 && ready?.body.providers.some((p) => p.inFlight > 0 || p.queued > 0); waited += 100) {
  await sleep(100);
  ready = await readiness();
}
const holding = ready?.body.providers.filter((p) => p.inFlight > 0 || p.queued > 0) ?? [];
const health = (ready?.body.providers ?? []).map((p) =>
  `    ${p.provider.padEnd(12)} breaker ${p.breaker.padEnd(9)} error rate ${p.errorRate.toFixed(2)}  p50 ${p.latencyP50Ms.toFixed(1)} ms  p99 ${p.latencyP99Ms.toFixed(1)} ms`);
const peak = Math.max(memory('VmHWM'), ...samples.map((s) => s.rss));

// SIGTERM: the gateway drains and must exit 0 (main.ts exits 1 when the drain fails or overruns).
child.kill('SIGTERM');
await Promise.race([exit, sleep(20_000)]);
const drained = exited && !diedDuringRun && exited.code === 0;
await Promise.all(Object.values(simulators).map((simulator) => simulator.close()));

const afterWarmUp = samples.filter((s) => s.at >= WARM_UP_S);
const baselineSamples = afterWarmUp.filter((s) => s.at < WARM_UP_S + BASELINE_S).map((s) => s.rss).sort((a, b) => a - b);
const judged = SECONDS >= WARM_UP_S + BASELINE_S && baselineSamples.length > 0;
const baseline = baselineSamples[Math.floor(baselineSamples.length / 2)] ?? 0;
const highest = Math.max(0, ...afterWarmUp.map((s) => s.rss));
const flat = highest <= MAX_GROWTH * baseline;
// The sample nearest each whole minute before the last, then the last.
const timeline = [
  ...Array.from({ length: Math.ceil(elapsedS / 60 - 0.1) }, (_, minute) =>
    samples.reduce((best, s) => (Math.abs(s.at - minute * 60) < Math.abs(best.at - minute * 60) ? s : best))),
  samples.at(-1)!,
];
const timelineLines = timeline.map((s) => `${clock(s.at)} ${(s.rss / 1024 / 1024).toFixed(0)}`)
  .reduce<string[][]>((lines, entry, i) => (i % 8 === 0 ? lines.push([entry]) : lines.at(-1)!.push(entry), lines), [])
  .map((line) => `    ${line.join('  ')}`);

const sorted = [...latencies].sort((a, b) => a - b);
const masked = errorCodes.INTERNAL_SERVER_ERROR ?? 0;
const failures = [
  ...(diedDuringRun ? [`the gateway exited during the run (${diedDuringRun.code ?? diedDuringRun.signal})`] : []),
  ...(judged && !flat ? [`gateway RSS not flat: ${mb(highest)} after warm-up > ${MAX_GROWTH} x baseline ${mb(baseline)}`] : []),
  ...(peak > PEAK_LIMIT_MB * 1024 * 1024 ? [`gateway peak RSS ${mb(peak)} > ${PEAK_LIMIT_MB} MB`] : []),
  ...(inFlight.size > 0 ? [`${inFlight.size} client requests still in flight`] : []),
  ...(ready ? [] : ['/readyz did not answer after the run']),
  ...holding.map((p) => `${p.provider}: ${p.inFlight} calls holding a bulkhead slot, ${p.queued} queued, 5 s after the faults were cleared`),
  ...(problems.length > 0 ? [`${problems.length} requests failed below GraphQL, e.g. ${problems.slice(0, 3).join('; ')}`] : []),
  ...(masked > 0 ? [`${masked} errors masked as INTERNAL_SERVER_ERROR`] : []),
  ...(notReplayed.length > 0 ? [`${notReplayed.length} repeated keys with a stored result ran again, e.g. ${notReplayed.slice(0, 3).join(', ')}`] : []),
  ...(unhandled.length > 0 ? [`${unhandled.length} unhandled rejections, e.g. ${String(unhandled[0])}`] : []),
  ...(drained || diedDuringRun ? [] : [`the gateway did not drain on SIGTERM: ${exited ? `exit ${exited.code ?? exited.signal}` : 'still running after 20 s'}`]),
];
const logLines = readFileSync(logFile, 'utf8').split('\n').filter(Boolean);
const logLevels = { warn: 0, error: 0 };
for (const line of logLines) {
  if (line.includes('"level":40')) logLevels.warn++;
  else if (/"level":[56]0/.test(line)) logLevels.error++;
}
if (failures.length === 0) rmSync(dir, { recursive: true, force: true });

process.stdout.write(`
requests            ${latencies.length + problems.length} in ${elapsedS.toFixed(1)} s (${((latencies.length + problems.length) / elapsedS).toFixed(0)}/s)
latency             p50 ${percentile(sorted, 0.5).toFixed(1)} ms, p99 ${percentile(sorted, 0.99).toFixed(1)} ms, max ${(sorted.at(-1) ?? 0).toFixed(1)} ms
gateway RSS         start ${mb(samples[0]!.rss)}, ${judged ? `baseline ${mb(baseline)} (median ${clock(WARM_UP_S)}-${clock(WARM_UP_S + BASELINE_S)}), highest after warm-up ${mb(highest)}, ` : ''}peak ${mb(peak)}, end ${mb(samples.at(-1)!.rss)}
RSS timeline (m:ss MB)
${timelineLines.join('\n')}
flat within 10%     ${judged ? `${flat ? 'yes' : 'NO'}: ${(highest / baseline).toFixed(3)} x baseline after a ${WARM_UP_S.toFixed(0)} s warm-up` : `not judged: needs --seconds >= ${WARM_UP_S + BASELINE_S} (${WARM_UP_S.toFixed(0)} s warm-up + ${BASELINE_S} s baseline)`}
peak <= ${PEAK_LIMIT_MB} MB       ${peak <= PEAK_LIMIT_MB * 1024 * 1024 ? 'yes' : 'NO'}
outcomes
${table(outcomes)}
errors by code
${table(errorCodes)}
userErrors by code
${table(userErrorCodes)}
faults injected
${table(faultsInjected)}
providers at the end (/readyz)
${health.join('\n')}
gateway log         ${logLines.length} lines (${logLevels.warn} warn, ${logLevels.error} error)${failures.length > 0 ? `, kept: ${logFile}` : ''}
gateway stop        ${exited ? `exit ${exited.code ?? exited.signal}` : 'did not exit'} on SIGTERM
unhandled rejections ${unhandled.length}
left hanging        ${inFlight.size} client requests, ${holding.length} providers with calls still held
verdict             ${failures.length === 0 ? 'PASS' : `FAIL\n${failures.map((f) => `  - ${f}`).join('\n')}`}
`);
process.exit(failures.length === 0 ? 0 : 1);
