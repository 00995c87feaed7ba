/**
 * Assembles a running gateway from a Config: simulators (sandbox providers), adapters with their
 * resilience policies, the store, the authenticator, the HTTP app. Tests start gateways through
 * this too, so they exercise exactly what `npm start` runs.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { createApp, type App, type AppOptions } from './app.js';
import { createAuthenticator } from './auth/tokens.js';
import type { Config } from './config.js';
import { PROVIDER_NAMES, type ProviderName } from './domain/provider.js';
import { createLogger, type Logger } from './logger.js';
import { providerModules, type Adapters } from './providers/registry.js';
import type { AnyProviderModule } from './providers/types.js';
import { createProviderResilience } from './resilience/policy.js';
import type { Simulator } from './sim/kit.js';
import type { Store } from './store/types.js';
import type { ProviderRuntime, Services } from './services/types.js';

export interface Gateway {
  app: App;
  services: Services;
  /** The simulators started for providers in sandbox mode, by provider. */
  simulators: Partial<Record<ProviderName, Simulator>>;
  /** Base URL once listening, e.g. http://127.0.0.1:4000 */
  url: string;
  /** Drains in-flight requests, then closes pools, the store and the simulators. */
  stop(): Promise<void>;
}

export interface GatewayOptions extends AppOptions {
  logger?: Logger;
  /** Use this store instead of the configured one (tests). */
  store?: Store;
  /** Listen on this port instead of config.port (0: any free port). */
  port?: number;
}

/**
 * The configured store, as `createStore` in store/index.ts picks it: Redis when `redisUrl` is set,
 * otherwise SQLite. Only the chosen driver is loaded (ioredis alone is ~20 MB resident).
 */
async function openStore({ redisUrl, sqlitePath }: Config['store']): Promise<Store> {
  return redisUrl
    ? (await import('./store/redis.js')).createRedisStore({ url: redisUrl })
    : (await import('./store/sqlite.js')).createSqliteStore({ path: sqlitePath });
}

export async function startGateway(config: Config, options: GatewayOptions = {}): Promise<Gateway> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const simulators: Partial<Record<ProviderName, Simulator>> = {};
  const adapters: Partial<Record<ProviderName, unknown>> = {};
  const providers = {} as Record<ProviderName, ProviderRuntime>;
  const disposers: (() => void)[] = [];

  await Promise.all(
    config.providers.map(async (setting) => {
      const module = providerModules[setting.name] as unknown as AnyProviderModule;
      let providerConfig = setting.mode === 'live' ? setting.config : undefined;
      if (setting.mode === 'simulator') {
        const simulator = module.createSimulator();
        simulator.latencyMs = config.simulatorLatencyMs;
        simulators[setting.name] = simulator;
        const sandbox = module.sandboxConfig(await simulator.listen()) as object;
        providerConfig = setting.timeoutMs === undefined ? sandbox : { ...sandbox, timeoutMs: setting.timeoutMs };
      }
      const resilience = createProviderResilience(setting.name, config.resilience, { logger });
      disposers.push(() => resilience.dispose());
      adapters[setting.name] = module.createAdapter(providerConfig, {
        logger: logger.child({ provider: setting.name }),
        timeouts: config.upstream,
        execute: resilience.execute,
      });
      providers[setting.name] = { mode: setting.mode, health: resilience.health };
    }),
  );

  if (!options.store && !config.store.redisUrl && config.store.sqlitePath !== ':memory:') {
    mkdirSync(dirname(config.store.sqlitePath), { recursive: true });
  }
  const store = options.store ?? (await openStore(config.store));
  const services: Services = {
    config,
    logger,
    adapters: adapters as Adapters,
    providers,
    store,
    authenticator: createAuthenticator(config.auth),
  };

  const app = await createApp(services, options);
  const address = await app.fastify.listen({ port: options.port ?? config.port, host: config.host });
  const url = address.replace('[::1]', '127.0.0.1');

  return {
    app,
    services,
    simulators,
    url,
    async stop() {
      await app.drain();
      await Promise.all(PROVIDER_NAMES.map((name) => (adapters[name] as { close(): Promise<void> } | undefined)?.close()));
      disposers.forEach((dispose) => dispose());
      await store.close();
      await Promise.all(Object.values(simulators).map((simulator) => simulator.close()));
    },
  };
}
