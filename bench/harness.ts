/**
 * What the benchmark scripts share (`npm run bench`, `npm run bench:compare`, and in part `npm run soak`): starting the
 * simulators, gateways and baselines as child processes of one tree, reading their CPU time and
 * resident set from /proc, the gateway's production environment, and seeding the fan-out's
 * redemptions. Importing it makes every child die with the importing process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Client, Dispatcher } from 'undici';
import { SANDBOX_OAUTH_KEY, SANDBOX_OAUTH_SECRET, DEMO_CUSTOMER_A } from '../src/providers/capillary/simulator.js';
import { FRESH_VOUCHER_PREFIX, SANDBOX_SECRET_KEY } from '../src/providers/moment/simulator.js';
import { SANDBOX_PROJECT_KEY } from '../src/providers/pers/simulator.js';
import { SANDBOX_API_KEY } from '../src/providers/returning-ai/simulator.js';
import { SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET, TOKEN_PATH } from '../src/providers/triple/simulator.js';

/** The compiled tree (dist/) when run as `node dist/bench/<script>.js`; the sources under tsx. */
export const TREE = fileURLToPath(new URL('../', import.meta.url));
export const COMPILED = import.meta.url.endsWith('.js');
export const ROOT = COMPILED ? join(TREE, '..') : TREE;

export interface Child { process: ChildProcess; line(): Promise<string>; send(line: string): void }

/** Every child dies with this process, however it ends. */
const children: ChildProcess[] = [];
process.on('exit', () => children.forEach((child) => child.kill('SIGTERM')));
process.on('uncaughtException', (error) => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exit(1);
});

/**
 * Starts `<tree>/<script>.js` with plain node (compiled), or the .ts source under tsx when this
 * file itself runs under tsx. `stdout` is 'pipe' (lines readable) or a file descriptor. `tree`
 * defaults to this build; another compiled build inside the project (so that its imports resolve
 * to the project's node_modules) may be named instead.
 */
export function start(script: string, env: Record<string, string>, stdout: 'pipe' | number = 'pipe', nodeArgs: string[] = [], tree = TREE): Child {
  const compiled = COMPILED || tree !== TREE;
  const entry = join(tree, compiled ? `${script}.js` : `${script}.ts`);
  const child = spawn(process.execPath, [...(compiled ? [] : ['--import', 'tsx']), ...nodeArgs, entry], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['pipe', stdout, 'inherit'],
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

/** Stops a child with SIGTERM and waits for it to exit (a CPU profile is written on exit). */
export const stop = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });

/** Polls until the URL answers 200 (bounded). */
export async function until(url: string) {
  for (let attempt = 0; attempt < 300; attempt++) {
    const ok = await fetch(url).then((r) => r.ok, () => false);
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} never became ready`);
}

/** Resident set of a process and its descendants (cluster workers), in MB; 0 once gone. */
export function treeRssMb(pid: number): number {
  try {
    const rss = Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
    const kids = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
    return kids.reduce((sum, kid) => sum + treeRssMb(kid), rss);
  } catch {
    return 0;
  }
}

/** CPU time (user + system) a process and its descendants have used so far, in ms. */
export function treeCpuMs(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15 of stat)
    const kids = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
    return kids.reduce((sum, kid) => sum + treeCpuMs(kid), (ticks * 1000) / CLOCK_TICKS);
  } catch {
    return 0;
  }
}
/** USER_HZ: /proc/<pid>/stat counts CPU time in these (100 on Linux everywhere in practice). */
const CLOCK_TICKS = 100;

/** Samples a process tree's resident set while `work` runs; returns the peak in MB. */
export async function peakRss<T>(pid: number, work: () => Promise<T>): Promise<[T, number]> {
  let peak = 0;
  const sample = () => void (peak = Math.max(peak, treeRssMb(pid)));
  sample();
  const timer = setInterval(sample, 50);
  try {
    return [await work(), peak];
  } finally {
    clearInterval(timer);
    sample();
  }
}

/** The node flags `npm run start:dist` runs the gateway with (V8 heap sizing), as an argument list. */
export const START_DIST_FLAGS = (/^node (.*?) ?dist\/src\/main\.js$/.exec(
  (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts['start:dist'] ?? '',
)?.[1] ?? '').split(' ').filter(Boolean);

/** The gateway's environment as production runs it, pointed at the benchmark's simulators. */
export const gatewayEnv = (urls: Record<string, string>, options: { port: number; secret: string; sqlitePath: string; workers?: string }) => ({
  GATEWAY_MODE: 'production',
  NODE_ENV: 'production',
  PORT: String(options.port),
  HOST: '127.0.0.1',
  LOG_LEVEL: 'info',
  AUTH_JWT_SECRET: options.secret,
  SQLITE_PATH: options.sqlitePath,
  RATE_LIMIT_REDEEMS_PER_MINUTE: '100000',
  ...(options.workers ? { WORKERS: options.workers } : {}),
  RETURNINGAI_BASE_URL: urls.returningai!,
  RETURNINGAI_API_KEY: SANDBOX_API_KEY,
  CAPILLARY_BASE_URL: urls.capillary!,
  CAPILLARY_OAUTH_KEY: SANDBOX_OAUTH_KEY,
  CAPILLARY_OAUTH_SECRET: SANDBOX_OAUTH_SECRET,
  PERS_BASE_URL: urls.pers!,
  PERS_PROJECT_KEY: SANDBOX_PROJECT_KEY,
  TRIPLE_BASE_URL: urls.triple!,
  TRIPLE_TOKEN_URL: `${urls.triple}${TOKEN_PATH}`,
  TRIPLE_CLIENT_ID: SANDBOX_CLIENT_ID,
  TRIPLE_CLIENT_SECRET: SANDBOX_CLIENT_SECRET,
  MOMENT_BASE_URL: urls.moment!,
  MOMENT_SECRET_KEY: SANDBOX_SECRET_KEY,
});

/**
 * One request over `client` (a keep-alive connection), timed with performance.now() from the send
 * to the whole body; `ok` when the answer is 2xx and its body satisfies `verify`.
 */
export async function timedRequest(client: Client, request: Dispatcher.RequestOptions, verify: (body: string) => boolean) {
  const begun = performance.now();
  const response = await client.request(request);
  const text = await response.body.text();
  const ms = performance.now() - begun;
  return { ms, ok: response.statusCode >= 200 && response.statusCode < 300 && verify(text), status: response.statusCode, text };
}

export const graphql = (query: string, variables: Record<string, unknown>) => JSON.stringify({ query, variables });
/** A GraphQL answer with data, no errors and no userErrors. */
export const noErrors = (body: string) => body.includes('"data":{') && !body.includes('"errors"') && !body.includes('"userErrors":[{');
export const auth = (token: string) => ({ 'content-type': 'application/json', authorization: `Bearer ${token}` });
export const READ = 'query($id: ID!) { redemption(id: $id) { id providerId status { state raw } } }';
export const FAN_OUT = 'query($ids: [ID!]!) { redemptions(ids: $ids) { id providerId status { state raw } } }';

/** A fresh 1Voucher PIN (the simulator's fresh prefix) and idempotency key for every request. */
let sequence = 0;
export const fresh = () => {
  sequence += 1;
  return { key: `bench-${sequence}`, pin: `${FRESH_VOUCHER_PREFIX}${String(sequence).padStart(14, '0')}` };
};

/** Sets every simulator's per-request latency (see bench/simulators.ts). */
export async function setLatency(sims: Child, ms: number) {
  sims.send(`latency ${ms}`);
  await sims.line();
}

/**
 * Creates the fan-out's redemptions through a gateway, for the token's user: 5 each at Moment,
 * Capillary and PERS (whose offer allows 5 per user). Returns their ids.
 */
export async function seedFanOut(gateway: string, token: string): Promise<string[]> {
  const ids: string[] = [];
  const inputs = [
    ...Array.from({ length: 5 }, () => ({ moment: { type: 'ONE_VOUCHER', source: { pin: fresh().pin }, amount: { amount: '1.00', currencyCode: 'ZAR' } } })),
    ...Array.from({ length: 5 }, () => ({ capillary: { customer: { type: 'MOBILE', value: DEMO_CUSTOMER_A.mobile }, points: '1' } })),
    ...Array.from({ length: 5 }, () => ({ pers: { redemptionId: 'red-coffee' } })),
  ];
  for (const input of inputs) {
    const response = await fetch(`${gateway}/graphql`, {
      method: 'POST',
      headers: auth(token),
      body: graphql('mutation($input: ExecuteRedeemInput!, $key: String!) { executeRedeem(input: $input, idempotencyKey: $key) { redemption { id } userErrors { code message } } }', { input, key: fresh().key }),
    });
    const body = (await response.json()) as { data?: { executeRedeem: { redemption: { id: string } | null; userErrors: unknown[] } }; errors?: unknown };
    const id = body.data?.executeRedeem.redemption?.id;
    if (!id) throw new Error(`seeding failed: ${JSON.stringify(body)}`);
    ids.push(id);
  }
  return ids;
}
