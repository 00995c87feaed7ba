/**
 * `npm run soak`: mixed traffic with injected provider faults against an in-process gateway, for a
 * fixed time; then a report and a verdict. Not part of `npm test`.
 *
 * The gateway runs in sandbox mode on loopback with its five embedded simulators (SQLite store in a
 * temporary directory). `--concurrency` closed-loop workers send, until the time is up: single reads
 * to each provider, fan-out reads (`redemptions(ids:)` across all five), and mutations with fresh
 * idempotency keys (now and then repeating one, which must replay). Every `--fault-every` ms one
 * provider gets a fault from FAULTS for a bounded number of calls.
 *
 * It prints requests, outcomes and errors by code, p50/p99 latency and RSS at start and end, and
 * exits non-zero if any request was left hanging (client side, or still holding a provider's
 * bulkhead), any request failed below GraphQL (no JSON answer), anything was masked as
 * INTERNAL_SERVER_ERROR, a replay was not a replay, or an unhandled rejection happened.
 *
 *   npm run soak -- --seconds 60 [--concurrency 16] [--latency-ms 5] [--fault-every 1500] [--no-faults]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { mintToken } from '../src/auth/tokens.js';
import { loadConfig } from '../src/config.js';
import { toGlobalId } from '../src/domain/ids.js';
import { PROVIDER_NAMES, type ProviderName } from '../src/domain/provider.js';
import { startGateway } from '../src/gateway.js';
import { createLogger } from '../src/logger.js';
import { DEMO_CUSTOMER_A, DEMO_CUSTOMER_B, DEMO_REDEMPTION_A } from '../src/providers/capillary/simulator.js';
import { FRESH_VOUCHER_PREFIX, SEEDED_REDEMPTION_ID } from '../src/providers/moment/simulator.js';
import { DEMO_REDEEM_IDS } from '../src/providers/pers/simulator.js';
import type { Fault } from '../src/sim/kit.js';

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

// A full GC before each heap reading, so that start and end compare live memory, not garbage.
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;
const liveHeap = () => {
  collectGarbage();
  return process.memoryUsage().heapUsed;
};

const unhandled: unknown[] = [];
process.on('unhandledRejection', (reason) => void unhandled.push(reason));

// ---------------------------------------------------------------- gateway

const dir = mkdtempSync(join(tmpdir(), 'gateway-soak-'));
const config = loadConfig({
  GATEWAY_MODE: 'sandbox',
  HOST: '127.0.0.1',
  PORT: '0',
  LOG_LEVEL: 'silent',
  SQLITE_PATH: join(dir, 'soak.db'),
  SIMULATOR_LATENCY_MS: String(LATENCY_MS),
  RATE_LIMIT_REDEEMS_PER_MINUTE: '100000',
  UPSTREAM_TIMEOUT_MS: '1000',
  RESILIENCE_BREAKER_MIN_CALLS: '10',
  RESILIENCE_BREAKER_HALF_OPEN_AFTER_MS: '2000',
});
const rssAtStart = process.memoryUsage().rss;
const gateway = await startGateway(config, { logger: createLogger('silent'), port: 0 });
const auth = { secret: config.auth.secret!, issuer: config.auth.issuer, audience: config.auth.audience };
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
    const response = await fetch(`${gateway.url}/graphql`, {
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
  while (performance.now() < deadline) {
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

process.stdout.write(`soak: ${SECONDS}s, ${CONCURRENCY} workers, simulator latency ${LATENCY_MS} ms, faults ${args['no-faults'] ? 'off' : `every ${FAULT_EVERY_MS} ms`}, gateway ${gateway.url}\n`);
const rssAfterBoot = process.memoryUsage().rss;
const heapAtStart = liveHeap();
const startedAt = performance.now();
const deadline = startedAt + SECONDS * 1000;

const injector = args['no-faults']
  ? undefined
  : setInterval(() => {
      const provider = pick(PROVIDER_NAMES);
      const { fault, times } = pick(FAULTS);
      gateway.simulators[provider]?.faults.inject({ fault, times });
      count(faultsInjected, `${provider} ${fault.kind}${fault.kind === 'status' ? ` ${fault.status}` : ''}`);
    }, FAULT_EVERY_MS);
// The simulators record every request for tests; here that log would only grow.
const trim = setInterval(() => {
  for (const simulator of Object.values(gateway.simulators)) simulator.requests.length = 0;
}, 5_000);
const progress = setInterval(() => {
  const elapsed = Math.round((performance.now() - startedAt) / 1000);
  process.stdout.write(`  ${elapsed}s: ${latencies.length} answered, ${inFlight.size} in flight, RSS ${mb(process.memoryUsage().rss)}\n`);
}, 10_000);

await Promise.all(Array.from({ length: CONCURRENCY }, () => worker(deadline)));
clearInterval(injector);
clearInterval(progress);
clearInterval(trim);
const elapsedS = (performance.now() - startedAt) / 1000;

// Every worker has returned, so no client request can still be open; check the gateway's side too.
for (const simulator of Object.values(gateway.simulators)) simulator.faults.clear();
const providers = gateway.services.providers;
const holding = PROVIDER_NAMES.map((name) => [name, providers[name].health()] as const).filter(([, h]) => h.inFlight > 0 || h.queued > 0);
const rssAtEnd = process.memoryUsage().rss;
const heapAtEnd = liveHeap();
const health = PROVIDER_NAMES.map((name) => {
  const h = providers[name].health();
  return `    ${name.padEnd(12)} breaker ${h.breaker.padEnd(9)} error rate ${h.errorRate.toFixed(2)}  p50 ${h.latencyMs.p50.toFixed(1)} ms  p99 ${h.latencyMs.p99.toFixed(1)} ms`;
});
await gateway.stop();
rmSync(dir, { recursive: true, force: true });

const sorted = [...latencies].sort((a, b) => a - b);
const masked = errorCodes.INTERNAL_SERVER_ERROR ?? 0;
const failures = [
  ...(inFlight.size > 0 ? [`${inFlight.size} client requests still in flight`] : []),
  ...holding.map(([name, h]) => `${name}: ${h.inFlight} calls holding a bulkhead slot, ${h.queued} queued`),
  ...(problems.length > 0 ? [`${problems.length} requests failed below GraphQL, e.g. ${problems.slice(0, 3).join('; ')}`] : []),
  ...(masked > 0 ? [`${masked} errors masked as INTERNAL_SERVER_ERROR`] : []),
  ...(notReplayed.length > 0 ? [`${notReplayed.length} repeated keys with a stored result ran again, e.g. ${notReplayed.slice(0, 3).join(', ')}`] : []),
  ...(unhandled.length > 0 ? [`${unhandled.length} unhandled rejections, e.g. ${String(unhandled[0])}`] : []),
];

process.stdout.write(`
requests            ${latencies.length + problems.length} in ${elapsedS.toFixed(1)} s (${((latencies.length + problems.length) / elapsedS).toFixed(0)}/s)
latency             p50 ${percentile(sorted, 0.5).toFixed(1)} ms, p99 ${percentile(sorted, 0.99).toFixed(1)} ms, max ${(sorted.at(-1) ?? 0).toFixed(1)} ms
RSS                 start ${mb(rssAtStart)}, after boot ${mb(rssAfterBoot)}, end ${mb(rssAtEnd)}
live heap (after GC) start ${mb(heapAtStart)}, end ${mb(heapAtEnd)} (simulator state included: it grows with every redemption)
outcomes
${table(outcomes)}
errors by code
${table(errorCodes)}
userErrors by code
${table(userErrorCodes)}
faults injected
${table(faultsInjected)}
providers at the end
${health.join('\n')}
unhandled rejections ${unhandled.length}
left hanging        ${inFlight.size} client requests, ${holding.length} providers with calls still held
verdict             ${failures.length === 0 ? 'PASS' : `FAIL\n${failures.map((f) => `  - ${f}`).join('\n')}`}
`);
process.exit(failures.length === 0 ? 0 : 1);
