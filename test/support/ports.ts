/**
 * Loopback ports that refuse connections, for the "provider cannot be reached" tests.
 *
 * A port freed after `listen(0)` is back in the kernel's ephemeral range, where any parallel test
 * file's `listen(0)` (a simulator, a gateway) may be given it before the test uses it: the
 * "refused" call then reaches a stranger and gets a 404. These ports come from below the ephemeral
 * range instead, which the kernel never hands out on its own, in a block of its own per test worker.
 */
import { createServer } from 'node:net';

const FIRST_PORT = 20_000;
const PORTS_PER_WORKER = 400;
/** Workers beyond this share blocks; 30 blocks end at 32,000, below Linux's default 32,768. */
const BLOCKS = 30;

let nextInBlock = 0;

/** A loopback port nothing listens on and no other test worker will pick; a test may listen on it later. */
export async function refusedPort(): Promise<number> {
  const worker = Number(process.env.VITEST_POOL_ID ?? 1);
  const block = FIRST_PORT + ((worker - 1) % BLOCKS) * PORTS_PER_WORKER;
  for (let tried = 0; tried < PORTS_PER_WORKER; tried++) {
    const port = block + (nextInBlock++ % PORTS_PER_WORKER);
    if (await isFree(port)) return port;
  }
  throw new Error(`no free loopback port in ${block}-${block + PORTS_PER_WORKER - 1}`);
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
