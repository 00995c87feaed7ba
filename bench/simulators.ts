/**
 * The benchmark's provider simulators, in a process of their own so that neither the load
 * generator nor the gateway shares their event loop. Prints one JSON line with the base URLs, then
 * takes commands on stdin: `latency <ms>` sets every simulator's per-request latency and answers
 * `ok`. The simulators record every request (tests read the records); here the records are dropped
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

setInterval(() => {
  for (const simulator of Object.values(simulators)) simulator.requests.length = 0;
}, 100);

createInterface({ input: process.stdin }).on('line', (line) => {
  const [command, value] = line.trim().split(/\s+/);
  if (command === 'latency') {
    for (const simulator of Object.values(simulators)) {
      simulator.latencyMs = Number(value);
    }
    process.stdout.write('ok\n');
  }
});
