import { createRedisStore } from './redis.js';
import { createSqliteStore } from './sqlite.js';
import type { Store } from './types.js';

export type * from './types.js';
export { canonicalJson, deriveProviderKey, inputHash } from './hash.js';
export { createMemoryStore, type MemoryStoreOptions } from './memory.js';
export { createRedisStore, type RedisStoreOptions } from './redis.js';
export { createSqliteStore, type SqliteStoreOptions } from './sqlite.js';

export interface StoreConfig {
  /** Set when several replicas share one Redis; takes precedence over sqlitePath. */
  redisUrl?: string;
  /** SQLite file used when no redisUrl is set. */
  sqlitePath: string;
  /** Clock (epoch ms); Date.now by default. */
  now?: () => number;
}

/** Redis when `redisUrl` is set, otherwise SQLite at `sqlitePath`. */
export function createStore(config: StoreConfig): Store {
  const clock = config.now ? { now: config.now } : {};
  return config.redisUrl
    ? createRedisStore({ url: config.redisUrl, ...clock })
    : createSqliteStore({ path: config.sqlitePath, ...clock });
}
