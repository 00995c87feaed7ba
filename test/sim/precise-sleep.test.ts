/**
 * The simulators' latency sleep: never ends before its deadline, wakes sleepers in deadline order
 * whatever order they were started in, wakes for an earlier deadline while a later one is pending,
 * keeps the process alive while a sleep is pending and not after. How close to the deadline it
 * wakes is a benchmark figure (`npm run bench` prints the simulators' measured latency), not
 * asserted here.
 */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { sleepUntil } from '../../src/sim/precise-sleep.js';
import { ROOT } from '../support/process.js';

/** Runs a module body in a fresh Node process (tsx loader) and resolves with its exit code and output. */
function runScript(body: string): Promise<{ code: number | null; out: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', body], { cwd: ROOT });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => void (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => void (out += chunk.toString()));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, out })));
}

describe('sleepUntil', () => {
  it('resolves at once for a deadline that has passed', async () => {
    let resolved = false;
    const sleeping = sleepUntil(performance.now() - 1).then(() => void (resolved = true));
    await Promise.resolve();
    expect(resolved).toBe(true);
    await sleeping;
  });

  it('never wakes a sleeper before its deadline, and wakes them in deadline order', async () => {
    await sleepUntil(performance.now() + 1); // the worker is up
    // Started in reverse order of their deadlines, some sharing one; all in the future when started.
    const start = performance.now() + 20;
    const offsets = [40, 35, 30, 30, 25, 20, 15, 10, 10, 5, 1];
    const woke: { offset: number; early: number }[] = [];
    await Promise.all(
      offsets.map((offset) =>
        sleepUntil(start + offset).then(() => void woke.push({ offset, early: start + offset - performance.now() })),
      ),
    );
    expect(woke.map((w) => w.offset)).toEqual([...offsets].sort((a, b) => a - b));
    for (const { early } of woke) expect(early).toBeLessThanOrEqual(0);
  });

  it('wakes sleepers started in deadline order, each after its own deadline', async () => {
    await sleepUntil(performance.now() + 1);
    // Each deadline is later than one the worker already holds: none of them wakes the worker.
    const start = performance.now() + 10;
    const woke: number[] = [];
    await Promise.all(
      [0, 2, 4, 6, 8, 10].map((offset) =>
        sleepUntil(start + offset).then(() => void woke.push(performance.now() - (start + offset))),
      ),
    );
    expect(woke).toHaveLength(6);
    for (const late of woke) expect(late).toBeGreaterThanOrEqual(0);
  });

  it('wakes a short sleep started while a long one is pending at its own deadline, not the long one', async () => {
    await sleepUntil(performance.now() + 1);
    const long = performance.now() + 1_000;
    const longSleep = sleepUntil(long);
    await sleepUntil(performance.now() + 10);
    // Had the worker not been woken for the earlier deadline, this would resolve with the long one.
    expect(performance.now()).toBeLessThan(long);
    await longSleep;
  });

  it('keeps the process alive while a sleep is pending, and lets it exit afterwards', async () => {
    const { code, out } = await runScript(`
      const { sleepUntil } = await import('./src/sim/precise-sleep.ts');
      // Nothing else keeps this process alive.
      const deadline = performance.now() + 50;
      await sleepUntil(deadline);
      console.log(performance.now() >= deadline ? 'woke after the deadline' : 'woke early');
    `);
    expect({ code, out: out.trim() }).toEqual({ code: 0, out: 'woke after the deadline' });
  });
});
