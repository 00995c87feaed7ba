/**
 * `npm run bench`: the gateway's cost over its providers, measured side by side in one run.
 *
 * One process tree: this process (orchestrator and autocannon load generator), the provider
 * simulators (bench/simulators.ts), the gateway as production runs it (compiled JS, `node
 * dist/src/main.js`, GATEWAY_MODE=production: auth, limits, validation and info logging on, logs
 * written to a file) and the naive Apollo Server baseline (bench/naive-server.ts), all compiled by
 * `npm run bench` first. For each scenario it measures the direct call to the simulator (the
 * floor), the gateway and the naive baseline: requests/s, p50 and p99 under load (fixed
 * connections and duration, after a warm-up), p50 unloaded (sequential requests over one
 * keep-alive connection, timed with performance.now(), fractional ms) and the peak RSS of the
 * serving process tree. Every response is checked (2xx, `data` and no `errors`); it prints the
 * table with the ratios and the targets of issue 8, and writes it to bench/results/<date>.md.
 *
 * Options: --duration <s> (10) --warmup <s> (3) --connections <n> (32) --unloaded <s> (3)
 *          --out <file> (bench/results/<date>.md) --workers <n> (gateway WORKERS, unset by default)
 *          --only <text> (scenarios whose name contains it) --cpu-prof <dir> (profile the gateway)
 *          --node-options=<flags> (the gateway's node flags; by default those of `npm run start:dist`)
 */
import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { Client } from 'undici';
import { mintToken } from '../src/auth/tokens.js';
import { toGlobalId } from '../src/domain/ids.js';
import { SANDBOX_SECRET_KEY, SEEDED_REDEMPTION_ID } from '../src/providers/moment/simulator.js';
import {
  auth, FAN_OUT, fresh, gatewayEnv, graphql, noErrors, peakRss, READ, ROOT, seedFanOut, setLatency, start,
  START_DIST_FLAGS, stop, timedRequest, treeCpuMs, until,
} from './harness.js';

const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '3' },
    connections: { type: 'string', default: '32' },
    unloaded: { type: 'string', default: '3' },
    out: { type: 'string' },
    workers: { type: 'string' },
    only: { type: 'string' },
    'cpu-prof': { type: 'string' },
    'node-options': { type: 'string' },
  },
});
const DURATION = Number(args.duration);
const WARMUP = Number(args.warmup);
const CONNECTIONS = Number(args.connections);
const UNLOADED = Number(args.unloaded);
const SECRET = randomBytes(32).toString('hex');

// ---------------------------------------------------------------- load

interface Target {
  name: 'direct' | 'gateway' | 'naive';
  url: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  /** A fixed body, or one made afresh for every request (fresh voucher PINs and keys). */
  body?: string | (() => string);
  pid: number;
  /** A 2xx body must satisfy this (GraphQL: `data` and no `errors`). */
  verify: (body: string) => boolean;
}

interface Figures {
  rps: number;
  p50: number;
  p99: number;
  unloadedP50: number;
  rssMb: number;
  /** CPU time of the serving process tree per request under load, in ms. */
  cpuMsPerRequest: number;
  /** Responses checked (loaded and unloaded) and how many failed the checks. */
  checked: number;
  bad: number;
}

const run = (target: Target, connections: number, seconds: number) => {
  const { body } = target;
  return autocannon({
    url: target.url,
    method: target.method,
    headers: target.headers,
    connections,
    duration: seconds,
    verifyBody: (body) => target.verify(String(body ?? '')),
    ...(typeof body === 'function'
      ? { requests: [{ setupRequest: (request: Record<string, unknown>) => ({ ...request, body: body() }) }] }
      : { body }),
  } as autocannon.Options);
};

/**
 * The unloaded latency: requests one after another over one keep-alive connection for `seconds`
 * (at least 50), each timed with performance.now() and checked. Returns the median in ms.
 */
async function sequential(target: Target, seconds: number): Promise<{ p50: number; count: number; bad: number }> {
  const url = new URL(target.url);
  const client = new Client(url.origin, { pipelining: 1 });
  const times: number[] = [];
  let bad = 0;
  const end = performance.now() + seconds * 1000;
  try {
    while (performance.now() < end || times.length < 50) {
      const body = typeof target.body === 'function' ? target.body() : target.body;
      const { ms, ok } = await timedRequest(client, { path: url.pathname + url.search, method: target.method, headers: target.headers, body }, target.verify);
      times.push(ms);
      if (!ok) bad++;
    }
  } finally {
    await client.close();
  }
  times.sort((a, b) => a - b);
  return { p50: times[Math.floor(times.length / 2)]!, count: times.length, bad };
}

async function measure(target: Target): Promise<Figures> {
  await run(target, CONNECTIONS, WARMUP);
  const cpuBefore = treeCpuMs(target.pid);
  const [loaded, rssMb] = await peakRss(target.pid, () => run(target, CONNECTIONS, DURATION));
  const cpuMs = treeCpuMs(target.pid) - cpuBefore;
  const unloaded = await sequential(target, UNLOADED);
  const bad = loaded.non2xx + loaded.errors + loaded.timeouts + (loaded.mismatches ?? 0) + unloaded.bad;
  return {
    rps: loaded.requests.total / DURATION,
    p50: loaded.latency.p50,
    p99: loaded.latency.p99,
    unloadedP50: unloaded.p50,
    rssMb,
    cpuMsPerRequest: cpuMs / Math.max(1, loaded.requests.total),
    checked: loaded.requests.total + unloaded.count,
    bad,
  };
}


// ---------------------------------------------------------------- main

const sims = start('bench/simulators', {});
const urls = JSON.parse(await sims.line()) as Record<string, string>;
const dataDir = mkdtempSync(join(tmpdir(), 'bench-'));
/** The gateway logs as in production (info, one JSON line per request), to a file. */
const logFile = join(dataDir, 'gateway.log');
const logFd = openSync(logFile, 'w');

/**
 * The gateway runs with the node flags of `npm run start:dist` (V8 heap sizing), so that the gateway
 * measured is the gateway `start:dist` runs; --node-options replaces them. They go on the command
 * line, as in `start:dist`: NODE_OPTIONS refuses most V8 flags.
 */
const GATEWAY_NODE_FLAGS = args['node-options']?.split(' ').filter(Boolean) ?? START_DIST_FLAGS;

const gateway = start(
  'src/main',
  gatewayEnv(urls, { port: 4500, secret: SECRET, sqlitePath: join(dataDir, 'gateway.db'), workers: args.workers }),
  logFd,
  [...GATEWAY_NODE_FLAGS, ...(args['cpu-prof'] ? ['--cpu-prof', '--cpu-prof-dir', args['cpu-prof']] : [])],
);
closeSync(logFd);
const naive = start('bench/naive-server', { NODE_ENV: 'production', PORT: '4501', MOMENT_URL: urls.moment!, CAPILLARY_URL: urls.capillary!, PERS_URL: urls.pers! });
await naive.line();
const GATEWAY = 'http://127.0.0.1:4500';
const NAIVE = 'http://127.0.0.1:4501/';
await until(`${GATEWAY}/readyz`);

const userToken = await mintToken({ subject: 'bench-user', role: 'user' }, { secret: SECRET });
const adminToken = await mintToken({ subject: 'bench-admin', role: 'admin' }, { secret: SECRET });

/** The simulators' own arrival-to-answer times since the previous call (see bench/simulators.ts). */
const simulatedLatency = async (): Promise<{ n: number; p50: number; p99: number }> => {
  sims.send('stats');
  return JSON.parse(await sims.line()) as { n: number; p50: number; p99: number };
};

const REDEEM = 'mutation($key: String!) { executeRedeem(idempotencyKey: $key, input: { moment: { type: ONE_VOUCHER, source: { pin: "PIN" }, amount: { amount: "1.00", currencyCode: "ZAR" } } }) { redemption { id providerId status { state raw } } userErrors { code message } replayed } }';
const seededId = toGlobalId('moment', SEEDED_REDEMPTION_ID);
const momentGet = (ref: string): Omit<Target, 'name' | 'pid'> => ({
  url: `${urls.moment}/collect/redemptions/${ref}`,
  method: 'GET',
  headers: { authorization: `Bearer ${SANDBOX_SECRET_KEY}` },
  verify: (body) => body.includes('"id"'),
});
const gql = (name: 'gateway' | 'naive', token: string, body: string): Target => ({
  name, url: name === 'gateway' ? `${GATEWAY}/graphql` : NAIVE, method: 'POST', headers: auth(token), body,
  pid: (name === 'gateway' ? gateway : naive).process.pid!, verify: noErrors,
});

interface Scenario { key: 'read0' | 'read5' | 'fanout' | 'redeem'; name: string; latencyMs: number; targets: () => Promise<Target[]> }

const REDEEM_WITH_PIN = REDEEM.replace('"PIN"', '$pin').replace('mutation($key: String!)', 'mutation($key: String!, $pin: String!)');
const freshRedeem = (target: 'gateway' | 'naive'): Target => ({ ...gql(target, userToken, ''), body: () => graphql(REDEEM_WITH_PIN, fresh()) });

const scenarios: Scenario[] = [
  ...([0, 5] as const).map((latencyMs) => ({
    key: `read${latencyMs}` as const,
    name: `one read, ${latencyMs} ms upstream`,
    latencyMs,
    targets: async () => [
      { name: 'direct' as const, ...momentGet(SEEDED_REDEMPTION_ID), pid: sims.process.pid! },
      gql('gateway', adminToken, graphql(READ, { id: seededId })),
      gql('naive', adminToken, graphql(READ, { id: seededId })),
    ],
  })),
  {
    key: 'fanout',
    name: 'fan-out: 15 redemptions over 3 providers, 20 ms upstream',
    latencyMs: 20,
    targets: async () => {
      const ids = await seedFanOut(GATEWAY, userToken);
      return [
        { name: 'direct', ...momentGet(SEEDED_REDEMPTION_ID), pid: sims.process.pid! },
        gql('gateway', userToken, graphql(FAN_OUT, { ids })),
        gql('naive', userToken, graphql(FAN_OUT, { ids })),
      ];
    },
  },
  {
    key: 'redeem',
    name: 'executeRedeem, fresh idempotency key each time, 5 ms upstream',
    latencyMs: 5,
    targets: async () => [
      {
        name: 'direct',
        url: `${urls.moment}/collect/redemptions`,
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${SANDBOX_SECRET_KEY}` },
        body: () => JSON.stringify({ type: 'vouchers.one_voucher', source: { pin: fresh().pin }, amount: 100, currency: 'ZAR' }),
        pid: sims.process.pid!,
        verify: (body) => body.includes('"id"'),
      },
      freshRedeem('gateway'),
      freshRedeem('naive'),
    ],
  },
];

type Scored = Record<Target['name'], Figures>;
const ratio = (a: number, b: number) => (b === 0 ? '-' : (a / b).toFixed(2));

/** Issue 8's targets, each a ratio within one run: [scenario, what, measured, passes]. */
const TARGETS: { key: Scenario['key']; what: string; check: (f: Scored) => [string, boolean] }[] = [
  { key: 'read5', what: 'unloaded p50 <= direct + 1 ms', check: ({ gateway: g, direct: d }) => [`+${(g.unloadedP50 - d.unloadedP50).toFixed(2)} ms`, g.unloadedP50 <= d.unloadedP50 + 1] },
  { key: 'read5', what: 'loaded p99 <= 2x direct', check: ({ gateway: g, direct: d }) => [`${ratio(g.p99, d.p99)}x`, g.p99 <= 2 * d.p99] },
  { key: 'fanout', what: 'unloaded p50 <= 1.1x one direct round trip', check: ({ gateway: g, direct: d }) => [`${ratio(g.unloadedP50, d.unloadedP50)}x`, g.unloadedP50 <= 1.1 * d.unloadedP50] },
  { key: 'fanout', what: 'req/s >= 3x naive', check: ({ gateway: g, naive: n }) => [`${ratio(g.rps, n.rps)}x`, g.rps >= 3 * n.rps] },
  { key: 'read0', what: 'req/s >= 1.2x naive', check: ({ gateway: g, naive: n }) => [`${ratio(g.rps, n.rps)}x`, g.rps >= 1.2 * n.rps] },
];

const ms = (value: number) => value.toFixed(2);
const rows: string[] = [];
const verdicts: string[] = [];
const fidelity: string[] = [];
let failures = 0;
let gatewayPeakMb = 0;
try {
  for (const scenario of scenarios.filter((s) => !args.only || s.name.includes(args.only))) {
    await setLatency(sims, scenario.latencyMs);
    const targets = await scenario.targets();
    await simulatedLatency(); // from here on: the measured requests only
    const figures = {} as Scored;
    for (const target of targets) {
      process.stderr.write(`${scenario.name}: ${target.name}...\n`);
      figures[target.name] = await measure(target);
    }
    const simulated = await simulatedLatency();
    fidelity.push(`| ${scenario.name} | ${scenario.latencyMs} | ${ms(simulated.p50)} | ${ms(simulated.p99)} | ${simulated.n} |`);
    const { gateway: g, direct: d, naive: n } = figures;
    gatewayPeakMb = Math.max(gatewayPeakMb, g.rssMb);
    for (const [name, f] of Object.entries(figures)) {
      failures += f.bad;
      rows.push(`| ${scenario.name} | ${name} | ${f.rps.toFixed(0)} | ${f.p50} | ${f.p99} | ${ms(f.unloadedP50)} | ${f.rssMb.toFixed(0)} | ${ms(f.cpuMsPerRequest)} | ${f.checked} / ${f.bad} |`);
    }
    rows.push(`| ${scenario.name} | **gateway ratios** | ${ratio(g.rps, n.rps)}x naive, ${ratio(g.rps, d.rps)}x direct | ${ratio(g.p50, d.p50)}x direct | ${ratio(g.p99, d.p99)}x direct | +${ms(g.unloadedP50 - d.unloadedP50)} ms, ${ratio(g.unloadedP50, d.unloadedP50)}x direct | | ${ratio(g.cpuMsPerRequest, d.cpuMsPerRequest)}x direct | |`);
    for (const target of TARGETS.filter((t) => t.key === scenario.key)) {
      const [measured, passes] = target.check(figures);
      verdicts.push(`| ${scenario.name} | ${target.what} | ${measured} | ${passes ? 'met' : '**missed**'} |`);
    }
  }
  verdicts.push(`| all scenarios | gateway peak RSS under load <= 150 MB | ${gatewayPeakMb.toFixed(0)} MB | ${gatewayPeakMb <= 150 ? 'met' : '**missed**'} |`);
} finally {
  await Promise.all([gateway, naive, sims].map((child) => stop(child.process)));
}

const logLines = readFileSync(logFile, 'utf8').split('\n').length - 1;
const table = [
  `# Benchmark ${new Date().toISOString()}`,
  '',
  `Node ${process.version}, ${cpus().length} cores (${cpus()[0]?.model.trim()}) shared by the load generator, the simulators, the gateway${args.workers ? ` (WORKERS=${args.workers})` : ''} and the naive baseline.`,
  `${CONNECTIONS} connections, ${WARMUP} s warm-up, ${DURATION} s measured; unloaded = sequential requests over one keep-alive connection for ${UNLOADED} s, timed with performance.now().`,
  `Gateway as production runs it (\`npm run start:dist\`): \`node ${GATEWAY_NODE_FLAGS.length ? `${GATEWAY_NODE_FLAGS.join(' ')} ` : ''}dist/src/main.js\`, GATEWAY_MODE=production (JWT auth, graphql-armor limits, zod validation, pino info logging to a file, SQLite store).`,
  `Latencies in ms (loaded: autocannon, whole ms); RSS = peak resident set of the serving process tree during the loaded run (for \`direct\`, the simulators process); CPU ms / req = user + system CPU of that process tree over the loaded run / requests answered (the simulators' own share is in the \`direct\` row only). Gateway log lines written: ${logLines}.`,
  'Every response is checked: 2xx, and for GraphQL `data` with no `errors` and no `userErrors`.',
  '',
  '| scenario | target | req/s | p50 | p99 | unloaded p50 | peak RSS MB | CPU ms / req | checked / bad |',
  '|---|---|---|---|---|---|---|---|---|',
  ...rows,
  '',
  'The floor itself: the simulators\' own time from a request\'s arrival to its answer being written, every request of the scenario (direct, gateway and naive, loaded and unloaded), in ms.',
  '',
  '| scenario | latency asked | simulator p50 | simulator p99 | requests |',
  '|---|---|---|---|---|',
  ...fidelity,
  '',
  '| scenario | target (issue 8) | measured | |',
  '|---|---|---|---|',
  ...verdicts,
  '',
  `Reproduce: \`npm run bench\` (options after \`--\`: --duration ${DURATION} --warmup ${WARMUP} --connections ${CONNECTIONS} --unloaded ${UNLOADED}${args.workers ? ` --workers ${args.workers}` : ''}).`,
].join('\n');
const date = new Date().toISOString().slice(0, 10);
const out = args.out ?? join(ROOT, 'bench', 'results', `${date}.md`);
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${table}\n`);
process.stdout.write(`${table}\n\nwritten to ${out}\n`);
if (failures > 0) {
  process.stderr.write(`${failures} responses failed the checks\n`);
  process.exitCode = 1;
}
process.exit();
