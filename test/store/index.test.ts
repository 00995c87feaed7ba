import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createStore } from '../../src/store/index.js';
import { REDIS_MISSING_MESSAGE, startRedisServer } from '../support/redis-server.js';

const redis = await startRedisServer();
if (!redis) console.warn(`Skipping createStore's Redis case: ${REDIS_MISSING_MESSAGE}`);
const dir = mkdtempSync(join(tmpdir(), 'rg-store-index-'));
afterAll(async () => {
  await redis?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('createStore', () => {
  it('picks SQLite when no Redis URL is configured', async () => {
    const store = createStore({ sqlitePath: join(dir, 'gateway.db') });
    expect(store.kind).toBe('sqlite');
    await store.ping();
    await store.close();
  });

  it.skipIf(!redis)('picks Redis when a Redis URL is configured', async () => {
    const store = createStore({ redisUrl: redis?.url, sqlitePath: join(dir, 'unused.db') });
    expect(store.kind).toBe('redis');
    await store.ping();
    await store.close();
  });
});
