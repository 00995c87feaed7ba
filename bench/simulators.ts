/**
 * The benchmark's provider simulators, in a process of their own so that neither the load
 * generator nor the gateway shares their event loop. Prints one JSON line with the base URLs, then
 * takes commands on stdin, each answered with one line:
 * - `latency <ms>` sets every simulator's per-request latency and answers `ok`;
 * - `stats` answers `{"n":..,"p50":..,"p99":..}`, the time from each request's arrival to its answer
 *   being written (ms) since the previous `stats`: what the simulated latency really was.
 * The simulators record every request (tests read the records); here the records are dropped
 * every 100 ms, or a run of 200k requests would leave the simulators collecting garbage for the
 * scenarios after it.
 */
import { createInterface } from 'node:readline';
import { providerModules } from '../src/providers/registry.js';
import type { Simulator } from '../src/sim/kit.js';

const simulators: Record<string, Simulator> = {};
for (const [name, module] of Object.entries(providerModules)) {
  const simulator = module.createSimulator();
  await simulator.listen();
  simulators[name] = simulator;
}
process.stdout.write(`${JSON.stringify(Object.fromEntries(Object.entries(simulators).map(([n, s]) => [n, s.url])))}\n`);

/** Arrival-to-answer times (ms) of the requests answered since the last `stats`. */
let spans: number[] = [];
const collect = () => {
  for (const simulator of Object.values(simulators)) {
    for (const { receivedAt, respondedAt } of simulator.requests) if (respondedAt !== undefined) spans.push(respondedAt - receivedAt);
    simulator.requests.length = 0;
  }
};
setInterval(collect, 100);

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;

createInterface({ input: process.stdin }).on('line', (line) => {
  const [command, value] = line.trim().split(/\s+/);
  if (command === 'latency') {
    for (const simulator of Object.values(simulators)) simulator.latencyMs = Number(value);
    process.stdout.write('ok\n');
  } else if (command === 'stats') {
    collect();
    const sorted = spans.sort((a, b) => a - b);
    spans = [];
    process.stdout.write(`${JSON.stringify({ n: sorted.length, p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99) })}\n`);
  }
});
