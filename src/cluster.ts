/**
 * Cluster mode: `WORKERS=n` (n >= 2) runs n gateway processes that share the listening port
 * (node:cluster hands connections out round-robin), for machines with cores to spare. Unset or 1:
 * one process, as before.
 *
 * What workers share and what they do not: the store (SQLite file or Redis) is shared, so
 * idempotency, rate limits and owners hold across workers; the verified-token cache, in-flight read
 * sharing, upstream pools and circuit breakers are per worker. Sandbox mode keeps its simulators'
 * state in memory, which workers would not share, so a sandbox worker refuses to start.
 *
 * The primary only supervises: it loads none of the gateway, restarts a worker that dies (at most
 * MAX_RESTARTS a minute, then gives up and exits 1), and on SIGTERM/SIGINT passes the signal on,
 * waits for every worker to drain and exits with the worst exit code.
 */
import cluster, { type Worker } from 'node:cluster';

/** At most this many worker restarts per minute; a crash loop beyond that stops the gateway. */
export const MAX_RESTARTS = 5;

/** The WORKERS setting: 1 when unset; an integer from 1 to 64 otherwise. */
export function workerCount(value: string | undefined): number {
  if (value === undefined || value === '') return 1;
  const count = Number(value);
  if (!Number.isInteger(count) || count < 1 || count > 64) {
    throw new Error(`Invalid configuration:\n  - WORKERS: must be an integer from 1 to 64 (got "${value}")`);
  }
  return count;
}

/** True in the process that should run the gateway itself: no cluster, or a cluster worker. */
export const runsGateway = (workers: number): boolean => workers === 1 || cluster.isWorker;

/** Forks and supervises `count` workers (this process's own script and node flags). */
export function superviseWorkers(count: number, log: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): void {
  let stopping = false;
  let worst = 0;
  const restarts: number[] = [];
  const fork = () => cluster.fork();

  cluster.on('exit', (worker: Worker, code: number | null, signal: string | null) => {
    worst = Math.max(worst, code ?? 1);
    if (!stopping) {
      const now = Date.now();
      while (restarts.length && now - restarts[0]! > 60_000) restarts.shift();
      if (restarts.length >= MAX_RESTARTS) {
        log(`worker ${worker.process.pid} exited (${signal ?? code}); ${MAX_RESTARTS} restarts in a minute, stopping`);
        stop('crash loop');
        return;
      }
      restarts.push(now);
      log(`worker ${worker.process.pid} exited (${signal ?? code}); starting another`);
      fork();
      return;
    }
    if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(worst);
  });

  const stop = (reason: string) => {
    if (stopping) return;
    stopping = true;
    worst = Math.max(worst, reason === 'crash loop' ? 1 : 0);
    const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined);
    if (workers.length === 0) process.exit(worst);
    for (const worker of workers) worker.process.kill('SIGTERM');
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));

  for (let i = 0; i < count; i++) fork();
}
