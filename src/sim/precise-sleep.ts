/**
 * Sleeps until a `performance.now()` deadline to within a few tenths of a millisecond, without
 * spinning: the simulators' added latency is what was asked, not what Node's timers round it to.
 *
 * Node's timers fire on millisecond ticks of a cached clock, so a 20 ms sleep ends anywhere from
 * ~19 to ~22 ms after the request arrived. A fan-out waits for the slowest of its calls, so the
 * jitter alone made 11 parallel calls ~1 ms slower than one, which a benchmark would blame on the
 * caller. Here one worker thread keeps every pending deadline and blocks in `Atomics.wait` (a
 * futex with a nanosecond timeout) until the earliest one, then posts back the ids that are due.
 * Both threads read the same monotonic clock (`process.hrtime`).
 *
 * The worker publishes the deadline it sleeps until, and is woken only for an earlier one: a later
 * deadline is read at that wake-up anyway, so calls arriving together (a fan-out) cost the worker
 * one wake-up, not one each.
 */
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';

/** The published deadline (µs) while the worker holds none. */
const NOTHING_PENDING = 2n ** 62n;

/** The worker: pending deadlines sorted by time; wakes on a deadline or when the main thread bumps `signal[0]`. */
const WORKER = `
const { workerData, receiveMessageOnPort } = require('node:worker_threads');
const { port, signal } = workerData;
const flag = new Int32Array(signal, 0, 1);
const target = new BigInt64Array(signal, 8, 1);
const nowMs = () => { const [s, ns] = process.hrtime(); return s * 1e3 + ns / 1e6; };
const pending = [];
for (;;) {
  const seen = Atomics.load(flag, 0);
  for (let received; (received = receiveMessageOnPort(port)); ) {
    const [id, at] = received.message;
    let i = pending.length;
    while (i > 0 && pending[i - 1][1] > at) i--;
    pending.splice(i, 0, [id, at]);
  }
  const now = nowMs();
  let due = 0;
  while (due < pending.length && pending[due][1] <= now) due++;
  if (due > 0) port.postMessage(pending.splice(0, due).map(([id]) => id));
  Atomics.store(target, 0, pending.length ? BigInt(Math.ceil(pending[0][1] * 1000)) : ${NOTHING_PENDING}n);
  Atomics.wait(flag, 0, seen, pending.length ? pending[0][1] - now : 1000);
}
`;

interface Sleeper {
  port: MessagePort;
  /** Bumped for every new deadline: a worker about to wait goes round again instead. */
  flag: Int32Array;
  /** The deadline (µs of hrtime) the worker sleeps until. */
  target: BigInt64Array;
  waiting: Map<number, () => void>;
  next: number;
}

let sleeper: Sleeper | undefined;

const nowMs = () => {
  const [s, ns] = process.hrtime();
  return s * 1e3 + ns / 1e6;
};

function start(): Sleeper {
  const { port1, port2 } = new MessageChannel();
  const signal = new SharedArrayBuffer(16);
  // No inherited flags: the worker is plain CommonJS whatever loader or profiler the process runs with.
  const worker = new Worker(WORKER, { eval: true, execArgv: [], workerData: { port: port2, signal }, transferList: [port2] });
  const target = new BigInt64Array(signal, 8, 1);
  target[0] = NOTHING_PENDING;
  const started: Sleeper = { port: port1, flag: new Int32Array(signal, 0, 1), target, waiting: new Map(), next: 0 };
  port1.on('message', (ids: number[]) => {
    for (const id of ids) {
      started.waiting.get(id)?.();
      started.waiting.delete(id);
    }
    if (started.waiting.size === 0) port1.unref();
  });
  // The worker never keeps the process alive; the port does while a sleep is pending.
  worker.unref();
  return started;
}

/** Resolves once `performance.now()` has reached `until` (at once if it has). */
export function sleepUntil(until: number): Promise<void> {
  const left = until - performance.now();
  if (left <= 0) return Promise.resolve();
  const s = (sleeper ??= start());
  const id = s.next++;
  return new Promise((resolve) => {
    if (s.waiting.size === 0) s.port.ref();
    s.waiting.set(id, resolve);
    const at = nowMs() + left;
    s.port.postMessage([id, at]);
    Atomics.add(s.flag, 0, 1);
    if (BigInt(Math.floor(at * 1000)) < Atomics.load(s.target, 0)) Atomics.notify(s.flag, 0);
  });
}
