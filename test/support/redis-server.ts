/**
 * A throwaway redis-server for tests: a free loopback port, no persistence, stopped by `stop()`
 * (and killed if the test process exits first).
 *
 * Resolves undefined when no `redis-server` binary is installed, so suites can skip themselves:
 *
 * ```ts
 * const redis = await startRedisServer();
 * describe.skipIf(!redis)('...', () => { ... });
 * ```
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { delimiter, join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

export interface RedisServer {
  url: string;
  stop(): Promise<void>;
}

export const REDIS_MISSING_MESSAGE = 'redis-server not installed: apt-get install -y redis-server';

const READY_DEADLINE_MS = 10_000;
const PORT_ATTEMPTS = 3;

export function findRedisServer(): string | undefined {
  const candidates = [
    ...(process.env.PATH ?? '').split(delimiter).filter(Boolean).map((dir) => join(dir, 'redis-server')),
    '/usr/bin/redis-server',
  ];
  return candidates.find((file) => {
    try {
      accessSync(file, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

export async function startRedisServer(): Promise<RedisServer | undefined> {
  const binary = findRedisServer();
  if (!binary) return undefined;
  let lastError: unknown;
  // Another process may take the free port between probing and binding: try a fresh one.
  for (let attempt = 0; attempt < PORT_ATTEMPTS; attempt++) {
    try {
      return await startOn(binary, await freePort());
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError;
}

async function startOn(binary: string, port: number): Promise<RedisServer> {
  const child = spawn(binary, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => void (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => void (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  const stop = async () => {
    process.off('exit', killOnExit);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await exited;
    }
  };

  const deadline = Date.now() + READY_DEADLINE_MS;
  for (let wait = 5; ; wait = Math.min(wait * 2, 100)) {
    if (await answersPing(port)) return { url: `redis://127.0.0.1:${port}`, stop };
    if (isDone(child)) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`redis-server on port ${port} did not answer PING within ${READY_DEADLINE_MS} ms:\n${output}`);
    }
    // Bounded back-off between connection polls, not a synchronisation sleep: readiness is the PING.
    await Promise.race([delay(wait), exited]);
  }
  await stop();
  throw new Error(`redis-server exited before answering PING (port ${port}):\n${output}`);
}

const isDone = (child: ChildProcess) => child.exitCode !== null || child.signalCode !== null;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** One raw RESP round trip: true when the server answers +PONG. */
function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let reply = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString();
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
    });
  });
}
