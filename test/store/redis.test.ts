import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { createRedisStore } from '../../src/store/redis.js';
import type { ClaimRequest } from '../../src/store/types.js';
import { REDIS_MISSING_MESSAGE, startRedisServer } from '../support/redis-server.js';
import { describeStoreBehaviour } from './store-behaviour.js';

const redis = await startRedisServer();
if (!redis) console.warn(`Skipping the Redis store suites: ${REDIS_MISSING_MESSAGE}`);
afterAll(async () => {
  await redis?.stop();
});

// Each store gets its own prefix, so tests share one server without seeing each other's keys.
const freshPrefix = () => `test:${randomUUID()}:`;
const claimRequest: ClaimRequest = { scope: 's', key: 'k', operation: 'redeemPoints', inputHash: 'h', ttlMs: 60_000, lockMs: 10_000 };

describe.skipIf(!redis)('redis', () => {
  const url = redis?.url ?? '';

  describeStoreBehaviour('redis', (now) => createRedisStore({ url, prefix: freshPrefix(), now }));

  describe('redis store', () => {
    it('hands exactly one claim to 50 concurrent claims over two clients', async () => {
      const prefix = freshPrefix();
      const a = createRedisStore({ url, prefix });
      const b = createRedisStore({ url, prefix });
      const results = await Promise.all(Array.from({ length: 50 }, (_, i) => (i % 2 ? a : b).claim(claimRequest)));
      expect(results.filter((result) => result.status === 'claimed')).toHaveLength(1);
      expect(results.filter((result) => result.status === 'in_progress')).toHaveLength(49);
      await Promise.all([a.close(), b.close()]);
    });

    it('lets Redis expire records and rate-limit windows by themselves', async () => {
      const prefix = freshPrefix();
      const store = createRedisStore({ url, prefix });
      const raw = new Redis(url);
      await store.claim(claimRequest);
      await store.hit('caller', 1, 60_000);
      const keys = (await raw.keys(`${prefix}*`)).sort();
      expect(keys).toHaveLength(2);
      expect(keys[0]).toBe(`${prefix}idem:s:k`);
      expect(keys[1]).toMatch(new RegExp(`^${prefix}rl:caller:\\d+$`));
      for (const key of keys) {
        const ttl = await raw.pttl(key);
        expect(ttl).toBeGreaterThan(0);
        expect(ttl).toBeLessThanOrEqual(60_000);
      }
      await store.close();
      await raw.quit();
    });

    it('keeps deployments with different prefixes apart', async () => {
      const a = createRedisStore({ url, prefix: freshPrefix() });
      const b = createRedisStore({ url, prefix: freshPrefix() });
      expect((await a.claim(claimRequest)).status).toBe('claimed');
      expect((await b.claim(claimRequest)).status).toBe('claimed');
      await a.setOwner('moment:r1', { subject: 'alice' });
      expect(await b.getOwners(['moment:r1'])).toStrictEqual([undefined]);
      await Promise.all([a.close(), b.close()]);
    });

    it('rejects ping when Redis does not answer', async () => {
      const store = createRedisStore({
        url: 'redis://127.0.0.1:1',
        redis: { maxRetriesPerRequest: 0, retryStrategy: () => null },
        onError: () => {},
      });
      await expect(store.ping()).rejects.toThrow();
      await store.close();
    });
  });
});
