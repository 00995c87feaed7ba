/**
 * The only file with side effects: configuration -> gateway -> listen -> signals. With WORKERS=n
 * (n >= 2) this process only supervises n workers, each of which runs all of that (src/cluster.ts).
 */
import cluster from 'node:cluster';
import type { Config } from './config.js';
import { runsGateway, superviseWorkers, workerCount } from './cluster.js';

/** The demo callers whose tokens sandbox mode prints. */
export const DEMO_CALLERS = [
  { subject: 'user-1', role: 'user' },
  { subject: 'biz-admin-1', role: 'business', businessId: 'biz-1' },
  { subject: 'admin-1', role: 'admin' },
] as const;

async function demoTokens(config: Config) {
  const { mintToken } = await import('./auth/tokens.js');
  const secret = config.auth.secret!;
  return Promise.all(
    DEMO_CALLERS.map(async (caller) => ({
      ...caller,
      token: await mintToken(caller, { secret, issuer: config.auth.issuer, audience: config.auth.audience, expiresIn: '12h' }),
    })),
  );
}

/** Runs the gateway in this process. Modules load here, so that a cluster primary loads none of them. */
async function main() {
  const [{ ConfigError, loadConfig }, { startGateway }, { createLogger }] = await Promise.all([
    import('./config.js'),
    import('./gateway.js'),
    import('./logger.js'),
  ]);
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const logger = createLogger(config.logLevel);
  if (cluster.isWorker && config.mode === 'sandbox') {
    process.stderr.write('WORKERS needs production mode: sandbox simulators keep their state in one process\n');
    process.exit(1);
  }
  const tokens = config.mode === 'sandbox' && config.auth.secret ? await demoTokens(config) : [];
  const admin = tokens.find((t) => t.role === 'admin');
  const gateway = await startGateway(config, {
    logger,
    sandboxHeaders: admin ? { Authorization: `Bearer ${admin.token}` } : undefined,
  });

  if (config.mode === 'sandbox') {
    const simulated = Object.keys(gateway.simulators);
    process.stdout.write(
      [
        '',
        `redemption-gateway (sandbox mode) listening on ${gateway.url}`,
        `  GraphQL endpoint: ${gateway.url}/graphql`,
        `  Apollo Sandbox:   ${gateway.url}/  (or https://studio.apollographql.com/sandbox/explorer?endpoint=${encodeURIComponent(`${gateway.url}/graphql`)})`,
        `  Health:           ${gateway.url}/healthz   Readiness: ${gateway.url}/readyz`,
        `  Simulated providers: ${simulated.join(', ') || 'none'}`,
        '',
        'Demo credentials (send as the Authorization header; valid 12 h):',
        ...tokens.map((t) => `  ${t.role.padEnd(8)} ${t.subject}${'businessId' in t ? ` (businessId ${t.businessId})` : ''}\n    Bearer ${t.token}`),
        '',
      ].join('\n'),
    );
  }

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'draining');
    const force = setTimeout(() => {
      logger.error('drain took too long; exiting');
      process.exit(1);
    }, config.shutdownGraceMs);
    force.unref();
    gateway.stop().then(
      () => {
        logger.info('stopped');
        process.exit(0);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'error while stopping');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

let workers: number;
try {
  workers = workerCount(process.env.WORKERS);
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(1);
}
if (runsGateway(workers)) await main();
else superviseWorkers(workers);
