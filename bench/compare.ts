/**
 * `npm run bench:compare`: two gateways side by side against one simulators process, to judge a
 * change within one run. This box's speed drifts by up to 1.6x within minutes, more than most
 * changes move the figures, so one `npm run bench` before and one after cannot tell them apart.
 * Here the drift hits both sides alike:
 * - unloaded: sequential requests rotate direct -> A -> B (A and B swapping turns every round),
 *   each over its own keep-alive connection, timed with performance.now();
 * - loaded: A and B take turns at bursts of fixed connections; each side's requests/s, CPU per
 *   request (its process tree, from /proc), p50/p99 and peak RSS are summed over its bursts.
 * Every response is checked (2xx, `data`, no `errors`).
 *
 * A side is a compiled tree and node flags. To compare against an earlier build, keep a copy of
 * its compiled tree inside the project (its imports then resolve to node_modules; `dist-*` is
 * ignored by git):
 *   git checkout <ref> && npm run build && rm -rf dist-old && cp -r dist dist-old && git checkout -
 *   npm run bench:compare -- --a-tree dist-old
 *
 * Options: --scenario fanout|read (fanout) --latency <ms> (20 fan-out, 5 read) --requests <n> (400
 *          sequential per target) --bursts <n> (4 per side) --burst-seconds <s> (5)
 *          --connections <n> (32) --a-tree/--b-tree <dir> (this build)
 *          --a-flags="<node flags>"/--b-flags="..." (those of `npm run start:dist`)
 */
import { randomBytes } from 'node:crypto';
import { closeSync, mkdtempSync, openSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Client } from 'undici';
import { mintToken } from '../src/auth/tokens.js';
import { toGlobalId } from '../src/domain/ids.js';
import { SANDBOX_SECRET_KEY, SEEDED_REDEMPTION_ID } from '../src/providers/moment/simulator.js';
import {
  auth, FAN_OUT, gatewayEnv, graphql, noErrors, peakRss, READ, ROOT, seedFanOut, setLatency, start, START_DIST_FLAGS, TREE,
  timedRequest, treeCpuMs, until,
} from './harness.js';

const { values: args } = parseArgs({
  options: {
    scenario: { type: 'string', default: 'fanout' },
    latency: { type: 'string' },
    requests: { type: 'string', default: '400' },
    bursts: { type: 'string', default: '4' },
    'burst-seconds': { type: 'string', default: '5' },
    connections: { type: 'string', default: '32' },
    'a-tree': { type: 'string' },
    'b-tree': { type: 'string' },
    'a-flags': { type: 'string' },
    'b-flags': { type: 'string' },
  },
});
const FAN = args.scenario === 'fanout';
if (!FAN && args.scenario !== 'read') throw new Error(`--scenario must be fanout or read (got ${args.scenario})`);
const LATENCY = Number(args.latency ?? (FAN ? 20 : 5));
const REQUESTS = Number(args.requests);
const BURSTS = Number(args.bursts);
const BURST_MS = Number(args['burst-seconds']) * 1000;
const CONNECTIONS = Number(args.connections);
const SECRET = randomBytes(32).toString('hex');

interface Target { name: string; origin: string; path: string; method: 'GET' | 'POST'; headers: Record<string, string>; body?: string; pid?: number; verify(body: string): boolean }
interface Side { name: 'A' | 'B'; tree: string; flags: string[] }

const sides: Side[] = (['a', 'b'] as const).map((key) => ({
  name: key === 'a' ? 'A' : 'B',
  tree: args[`${key}-tree`] ? resolve(ROOT, args[`${key}-tree`]!) : TREE,
  flags: args[`${key}-flags`]?.split(' ').filter(Boolean) ?? START_DIST_FLAGS,
}));

const sims = start('bench/simulators', {});
const urls = JSON.parse(await sims.line()) as Record<string, string>;
await setLatency(sims, LATENCY);
const dataDir = mkdtempSync(join(tmpdir(), 'bench-compare-'));

const targets: Target[] = [{
  name: 'direct',
  origin: urls.moment!,
  path: `/collect/redemptions/${SEEDED_REDEMPTION_ID}`,
  method: 'GET',
  headers: { authorization: `Bearer ${SANDBOX_SECRET_KEY}` },
  verify: (body) => body.includes('"id"'),
}];
for (const [index, side] of sides.entries()) {
  const port = 4600 + index;
  const logFd = openSync(join(dataDir, `gateway-${side.name}.log`), 'w');
  const gateway = start('src/main', gatewayEnv(urls, { port, secret: SECRET, sqlitePath: join(dataDir, `gateway-${side.name}.db`) }), logFd, side.flags, side.tree);
  closeSync(logFd);
  const origin = `http://127.0.0.1:${port}`;
  await until(`${origin}/readyz`);
  // Each side seeds its own fan-out for a user of its own (the PERS offer allows 5 per user).
  const token = await mintToken({ subject: `bench-user-${side.name}`, role: FAN ? 'user' : 'admin' }, { secret: SECRET });
  const body = FAN ? graphql(FAN_OUT, { ids: await seedFanOut(origin, token) }) : graphql(READ, { id: toGlobalId('moment', SEEDED_REDEMPTION_ID) });
  targets.push({ name: side.name, origin, path: '/graphql', method: 'POST', headers: auth(token), body, pid: gateway.process.pid!, verify: noErrors });
}
const [direct, a, b] = targets as [Target, Target, Target];

/** One request over `client`; its time in ms. Throws on an answer that fails the target's check. */
async function timed(client: Client, target: Target): Promise<number> {
  const { ms, ok, status, text } = await timedRequest(client, { path: target.path, method: target.method, headers: target.headers, body: target.body }, target.verify);
  if (!ok) throw new Error(`${target.name} answered ${status}: ${text.slice(0, 300)}`);
  return ms;
}

const percentile = (values: number[], p: number) => [...values].sort((x, y) => x - y)[Math.min(values.length - 1, Math.floor(values.length * p))] ?? 0;

interface Burst { requests: number; cpuMs: number; times: number[]; peakRssMb: number }

/** Fixed connections on one gateway for BURST_MS. */
async function burst(target: Target): Promise<Burst> {
  const clients = Array.from({ length: CONNECTIONS }, () => new Client(target.origin));
  const times: number[] = [];
  const cpuBefore = treeCpuMs(target.pid!);
  const end = performance.now() + BURST_MS;
  const load = () => Promise.all(clients.map(async (client) => {
    while (performance.now() < end) times.push(await timed(client, target));
  }));
  try {
    const [, peakRssMb] = await peakRss(target.pid!, load);
    return { requests: times.length, cpuMs: treeCpuMs(target.pid!) - cpuBefore, times, peakRssMb };
  } finally {
    await Promise.all(clients.map((client) => client.close()));
  }
}

// Warm-up: one burst each (the JIT and pools as under load), then sequential rounds.
for (const side of [a, b]) await burst(side);
const clients = new Map(targets.map((target) => [target, new Client(target.origin, { pipelining: 1 })]));
const unloaded = new Map<Target, number[]>(targets.map((target) => [target, []]));
for (let round = 0; round < REQUESTS + 20; round++) {
  for (const target of round % 2 ? [direct, a, b] : [direct, b, a]) {
    const ms = await timed(clients.get(target)!, target);
    if (round >= 20) unloaded.get(target)!.push(ms);
  }
}
await Promise.all([...clients.values()].map((client) => client.close()));

const loaded = new Map<Target, Burst[]>([[a, []], [b, []]]);
for (let round = 0; round < BURSTS; round++) for (const side of round % 2 ? [a, b] : [b, a]) loaded.get(side)!.push(await burst(side));

const directP50 = percentile(unloaded.get(direct)!, 0.5);
const rows = targets.map((target) => {
  const p50 = percentile(unloaded.get(target)!, 0.5);
  const over = target === direct ? '' : `+${(p50 - directP50).toFixed(2)} ms, ${(p50 / directP50).toFixed(3)}x`;
  const bursts = loaded.get(target);
  if (!bursts) return `| ${target.name} | ${p50.toFixed(2)} | ${over} | | | | | |`;
  const requests = bursts.reduce((sum, x) => sum + x.requests, 0);
  const times = bursts.flatMap((x) => x.times);
  const cpuMs = bursts.reduce((sum, x) => sum + x.cpuMs, 0);
  const peak = Math.max(...bursts.map((x) => x.peakRssMb));
  return `| ${target.name} | ${p50.toFixed(2)} | ${over} | ${(requests / ((BURSTS * BURST_MS) / 1000)).toFixed(0)} | ${(cpuMs / requests).toFixed(3)} | ${percentile(times, 0.5).toFixed(2)} | ${percentile(times, 0.99).toFixed(2)} | ${peak.toFixed(0)} |`;
});
process.stdout.write([
  `${FAN ? 'fan-out (15 redemptions over 3 providers)' : 'one read'}, ${LATENCY} ms upstream; ${REQUESTS} sequential requests per target, ${BURSTS} x ${BURST_MS / 1000} s bursts of ${CONNECTIONS} connections per gateway`,
  ...sides.map((side) => `${side.name}: ${side.tree} with node ${side.flags.join(' ')}`),
  '',
  '| target | unloaded p50 ms | over direct | loaded req/s | CPU ms / req | loaded p50 ms | loaded p99 ms | peak RSS MB |',
  '|---|---|---|---|---|---|---|---|',
  ...rows,
  '',
].join('\n'));
process.exit(0);
