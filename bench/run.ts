/**
 * `npm run bench`: the gateway's cost over its providers, measured side by side in one run.
 *
 * One process tree: this process (orchestrator and autocannon load generator), the provider
 * simulators (bench/simulators.ts), the gateway in production mode (auth, limits, validation and
 * logging on) and the naive Apollo Server baseline (bench/naive-server.ts). For each scenario it
 * measures the direct call to the simulator (the floor), the gateway and the naive baseline:
 * requests/s, p50 and p99 under load, p50 unloaded (one connection) and the peak RSS of the
 * server process, and prints the ratios. Every response is checked (2xx and no `errors`).
 *
 * Options: --duration <s> (10) --warmup <s> (3) --connections <n> (32) --unloaded <s> (3)
 *          --out <file> (bench/results/<date>.md)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { mintToken } from '../src/auth/tokens.js';
import { toGlobalId } from '../src/domain/ids.js';
import { SANDBOX_OAUTH_KEY, SANDBOX_OAUTH_SECRET, DEMO_CUSTOMER_A } from '../src/providers/capillary/simulator.js';
import { FRESH_VOUCHER_PREFIX, SANDBOX_SECRET_KEY, SEEDED_REDEMPTION_ID } from '../src/providers/moment/simulator.js';
import { SANDBOX_PROJECT_KEY } from '../src/providers/pers/simulator.js';
import { SANDBOX_API_KEY } from '../src/providers/returning-ai/simulator.js';
import { SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET } from '../src/providers/triple/simulator.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '3' },
    connections: { type: 'string', default: '32' },
    unloaded: { type: 'string', default: '3' },
    out: { type: 'string' },
  },
});
const DURATION = Number(args.duration);
const WARMUP = Number(args.warmup);
const CONNECTIONS = Number(args.connections);
const UNLOADED = Number(args.unloaded);
const SECRET = randomBytes(32).toString('hex');

// ---------------------------------------------------------------- processes

interface Child { process: ChildProcess; line(): Promise<string>; send(line: string): void }

/** Every child dies with this process, however it ends. */
const children: ChildProcess[] = [];
process.on('exit', () => children.forEach((child) => child.kill('SIGTERM')));
process.on('uncaughtException', (error) => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exit(1);
});

function start(script: string, env: Record<string, string>, output: 'pipe' | 'ignore' = 'pipe'): Child {
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['pipe', output, 'inherit'],
  });
  children.push(child);
  const lines: string[] = [];
  const waiting: ((line: string) => void)[] = [];
  if (child.stdout) {
    createInterface({ input: child.stdout }).on('line', (line) => {
      const next = waiting.shift();
      if (next) next(line);
      else lines.push(line);
    });
  }
  return {
    process: child,
    line: () => new Promise((resolve) => (lines.length ? resolve(lines.shift()!) : waiting.push(resolve))),
    send: (line) => void child.stdin!.write(`${line}\n`),
  };
}

/** Polls until the URL answers 200 (bounded). */
async function until(url: string) {
  for (let attempt = 0; attempt < 300; attempt++) {
    const ok = await fetch(url).then((r) => r.ok, () => false);
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} never became ready`);
}

/** Samples a process's resident set while `work` runs; returns the peak in MB. */
async function peakRss<T>(pid: number, work: () => Promise<T>): Promise<[T, number]> {
  let peak = 0;
  const sample = () => {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    peak = Math.max(peak, Number(match?.[1] ?? 0) / 1024);
  };
  sample();
  const timer = setInterval(sample, 50);
  try {
    return [await work(), peak];
  } finally {
    clearInterval(timer);
    sample();
  }
}

// ---------------------------------------------------------------- load

interface Target {
  name: 'direct' | 'gateway' | 'naive';
  url: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  /** A fixed body, or one made afresh for every request (fresh voucher PINs and keys). */
  body?: string | (() => string);
  pid: number;
  /** A 2xx body must satisfy this (GraphQL: no `errors`). */
  verify: (body: string) => boolean;
}

interface Figures { rps: number; p50: number; p99: number; unloadedP50: number; rssMb: number; bad: number }

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

async function measure(target: Target): Promise<Figures> {
  await run(target, CONNECTIONS, WARMUP);
  const [loaded, rssMb] = await peakRss(target.pid, () => run(target, CONNECTIONS, DURATION));
  const unloaded = await run(target, 1, UNLOADED);
  const bad = loaded.non2xx + loaded.errors + loaded.timeouts + (loaded.mismatches ?? 0) + unloaded.non2xx + (unloaded.mismatches ?? 0);
  return { rps: loaded.requests.average, p50: loaded.latency.p50, p99: loaded.latency.p99, unloadedP50: unloaded.latency.p50, rssMb, bad };
}

const graphql = (query: string, variables: Record<string, unknown>) => JSON.stringify({ query, variables });
const noErrors = (body: string) => !body.includes('"errors"') && !body.includes('"userErrors":[{');

// ---------------------------------------------------------------- main

const sims = start('bench/simulators.ts', {});
const urls = JSON.parse(await sims.line()) as Record<string, string>;
const dataDir = mkdtempSync(join(tmpdir(), 'bench-'));

const gateway = start('src/main.ts', {
  GATEWAY_MODE: 'production',
  NODE_ENV: 'production',
  PORT: '4500',
  HOST: '127.0.0.1',
  LOG_LEVEL: 'info',
  AUTH_JWT_SECRET: SECRET,
  SQLITE_PATH: join(dataDir, 'gateway.db'),
  RATE_LIMIT_REDEEMS_PER_MINUTE: '100000',
  RETURNINGAI_BASE_URL: urls.returningai!,
  RETURNINGAI_API_KEY: SANDBOX_API_KEY,
  CAPILLARY_BASE_URL: urls.capillary!,
  CAPILLARY_OAUTH_KEY: SANDBOX_OAUTH_KEY,
  CAPILLARY_OAUTH_SECRET: SANDBOX_OAUTH_SECRET,
  PERS_BASE_URL: urls.pers!,
  PERS_PROJECT_KEY: SANDBOX_PROJECT_KEY,
  TRIPLE_BASE_URL: urls.triple!,
  TRIPLE_TOKEN_URL: `${urls.triple}/oauth2/token`,
  TRIPLE_CLIENT_ID: SANDBOX_CLIENT_ID,
  TRIPLE_CLIENT_SECRET: SANDBOX_CLIENT_SECRET,
  MOMENT_BASE_URL: urls.moment!,
  MOMENT_SECRET_KEY: SANDBOX_SECRET_KEY,
}, 'ignore');
const naive = start('bench/naive-server.ts', { PORT: '4501', MOMENT_URL: urls.moment!, CAPILLARY_URL: urls.capillary!, PERS_URL: urls.pers! });
await naive.line();
const GATEWAY = 'http://127.0.0.1:4500';
const NAIVE = 'http://127.0.0.1:4501/';
await until(`${GATEWAY}/readyz`);

const userToken = await mintToken({ subject: 'bench-user', role: 'user' }, { secret: SECRET });
const adminToken = await mintToken({ subject: 'bench-admin', role: 'admin' }, { secret: SECRET });
const auth = (token: string) => ({ 'content-type': 'application/json', authorization: `Bearer ${token}` });

const setLatency = async (ms: number) => {
  sims.send(`latency ${ms}`);
  await sims.line();
};

/** Creates the user's redemptions the fan-out reads: 5 each at Moment, Capillary and PERS. */
async function seedFanOut(): Promise<string[]> {
  const ids: string[] = [];
  const inputs = [
    ...Array.from({ length: 5 }, () => ({ moment: { type: 'ONE_VOUCHER', source: { pin: fresh().pin }, amount: { amount: '1.00', currencyCode: 'ZAR' } } })),
    ...Array.from({ length: 5 }, () => ({ capillary: { customer: { type: 'MOBILE', value: DEMO_CUSTOMER_A.mobile }, points: '1' } })),
    ...Array.from({ length: 5 }, () => ({ pers: { redemptionId: 'red-coffee' } })),
  ];
  for (const [index, input] of inputs.entries()) {
    const response = await fetch(`${GATEWAY}/graphql`, {
      method: 'POST',
      headers: auth(userToken),
      body: graphql('mutation($input: ExecuteRedeemInput!, $key: String!) { executeRedeem(input: $input, idempotencyKey: $key) { redemption { id } userErrors { code message } } }', { input, key: `seed-${index}` }),
    });
    const body = (await response.json()) as { data?: { executeRedeem: { redemption: { id: string } | null; userErrors: unknown[] } }; errors?: unknown };
    const id = body.data?.executeRedeem.redemption?.id;
    if (!id) throw new Error(`seeding failed: ${JSON.stringify(body)}`);
    ids.push(id);
  }
  return ids;
}

const READ = 'query($id: ID!) { redemption(id: $id) { id providerId status { state raw } } }';
const FAN_OUT = 'query($ids: [ID!]!) { redemptions(ids: $ids) { id providerId status { state raw } } }';
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

interface Scenario { name: string; latencyMs: number; targets: () => Promise<Target[]> }

/** A fresh 1Voucher PIN (the simulator's fresh prefix) and idempotency key for every request. */
let sequence = 0;
const fresh = () => {
  sequence += 1;
  return { key: `bench-${sequence}`, pin: `${FRESH_VOUCHER_PREFIX}${String(sequence).padStart(14, '0')}` };
};
const REDEEM_WITH_PIN = REDEEM.replace('"PIN"', '$pin').replace('mutation($key: String!)', 'mutation($key: String!, $pin: String!)');
const freshRedeem = (target: 'gateway' | 'naive'): Target => ({ ...gql(target, userToken, ''), body: () => graphql(REDEEM_WITH_PIN, fresh()) });

const scenarios: Scenario[] = [
  ...[0, 5].map((latencyMs) => ({
    name: `one read, ${latencyMs} ms upstream`,
    latencyMs,
    targets: async () => [
      { name: 'direct' as const, ...momentGet(SEEDED_REDEMPTION_ID), pid: sims.process.pid! },
      gql('gateway', adminToken, graphql(READ, { id: seededId })),
      gql('naive', adminToken, graphql(READ, { id: seededId })),
    ],
  })),
  {
    name: 'fan-out: 15 redemptions over 3 providers, 20 ms upstream',
    latencyMs: 20,
    targets: async () => {
      const ids = await seedFanOut();
      return [
        { name: 'direct', ...momentGet(SEEDED_REDEMPTION_ID), pid: sims.process.pid! },
        gql('gateway', userToken, graphql(FAN_OUT, { ids })),
        gql('naive', userToken, graphql(FAN_OUT, { ids })),
      ];
    },
  },
  {
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

const rows: string[] = [];
const ratio = (a: number, b: number) => (b === 0 ? '-' : (a / b).toFixed(2));
let failures = 0;
try {
  for (const scenario of scenarios) {
    await setLatency(scenario.latencyMs);
    const targets = await scenario.targets();
    const figures: Partial<Record<Target['name'], Figures>> = {};
    for (const target of targets) {
      process.stderr.write(`${scenario.name}: ${target.name}...\n`);
      figures[target.name] = await measure(target);
    }
    const g = figures.gateway!;
    const d = figures.direct!;
    const n = figures.naive!;
    for (const [name, f] of Object.entries(figures)) {
      failures += f.bad;
      rows.push(`| ${scenario.name} | ${name} | ${f.rps.toFixed(0)} | ${f.p50} | ${f.p99} | ${f.unloadedP50} | ${f.rssMb.toFixed(0)} | ${f.bad} |`);
    }
    rows.push(`| ${scenario.name} | **gateway ratios** | ${ratio(g.rps, n.rps)}× naive rps | ${ratio(g.p50, d.p50)}× direct | ${ratio(g.p99, d.p99)}× direct | +${(g.unloadedP50 - d.unloadedP50).toFixed(2)} ms, ${ratio(g.unloadedP50, d.unloadedP50)}× direct | | |`);
  }
} finally {
  for (const child of children) child.kill('SIGTERM');
}

const date = new Date().toISOString().slice(0, 10);
const table = [
  `# Benchmark ${new Date().toISOString()}`,
  '',
  `Node ${process.version}, ${(await import('node:os')).cpus().length} cores; ${CONNECTIONS} connections, ${WARMUP} s warm-up, ${DURATION} s measured; unloaded = 1 connection for ${UNLOADED} s.`,
  'Gateway in production mode (JWT auth, graphql-armor limits, zod validation, pino info logging, SQLite store).',
  'Latencies in ms (autocannon p50/p99); RSS = peak resident set of the serving process during the loaded run (for `direct`, the simulators process).',
  '',
  '| scenario | target | req/s | p50 | p99 | unloaded p50 | peak RSS MB | bad responses |',
  '|---|---|---|---|---|---|---|---|',
  ...rows,
  '',
  'Reproduce: `npm run bench` (options: --duration, --warmup, --connections, --unloaded).',
].join('\n');
const out = args.out ?? join(ROOT, 'bench', 'results', `${date}.md`);
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${table}\n`);
process.stdout.write(`${table}\n\nwritten to ${out}\n`);
if (failures > 0) {
  process.stderr.write(`${failures} responses failed the checks\n`);
  process.exitCode = 1;
}
