/**
 * The behaviour every Store implementation must show. Each implementation's test file calls
 * `describeStoreBehaviour` with a factory; the factory builds a fresh, empty store on the given
 * clock.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ClaimRequest, JournalEntry, Store } from '../../src/store/types.js';
import { manualClock } from '../support/deps.js';

export type StoreFactory = (now: () => number) => Promise<Store> | Store;

const SECOND = 1_000;
const DAY = 24 * 60 * 60 * SECOND;

export function describeStoreBehaviour(name: string, makeStore: StoreFactory): void {
  describe(`${name} store behaviour`, () => {
    let clock: ReturnType<typeof manualClock>;
    let store: Store;
    const request = (overrides: Partial<ClaimRequest> = {}): ClaimRequest => ({
      scope: 'partner-1',
      key: 'key-1',
      operation: 'redeemPoints',
      inputHash: 'hash-a',
      ttlMs: DAY,
      lockMs: 30 * SECOND,
      ...overrides,
    });

    beforeEach(async () => {
      clock = manualClock();
      store = await makeStore(clock.now);
    });
    afterEach(async () => {
      await store.close();
    });

    describe('claim', () => {
      it('claims a new key, takes the lock and starts the record lifetime', async () => {
        const t0 = clock.now();
        const result = await store.claim(request());
        expect(result).toStrictEqual({
          status: 'claimed',
          record: {
            scope: 'partner-1',
            key: 'key-1',
            operation: 'redeemPoints',
            inputHash: 'hash-a',
            state: 'in_progress',
            attempts: 1,
            createdAt: t0,
            updatedAt: t0,
            expiresAt: t0 + DAY,
            lockedUntil: t0 + 30 * SECOND,
          },
        });
        expect(await store.get('partner-1', 'key-1')).toStrictEqual(result.record);
      });

      it('answers in_progress while another request holds a live lock, and changes nothing', async () => {
        const first = await store.claim(request());
        clock.advance(30 * SECOND - 1);
        const second = await store.claim(request());
        expect(second).toStrictEqual({ status: 'in_progress', record: first.record });
        expect(await store.get('partner-1', 'key-1')).toStrictEqual(first.record);
      });

      it('answers mismatch for a different input hash, whatever the state, and changes nothing', async () => {
        const first = await store.claim(request());
        expect(await store.claim(request({ inputHash: 'hash-b' }))).toStrictEqual({ status: 'mismatch', record: first.record });
        await store.complete('partner-1', 'key-1', { state: 'succeeded', response: '{"ok":true}' });
        const finished = await store.get('partner-1', 'key-1');
        expect(await store.claim(request({ inputHash: 'hash-b' }))).toStrictEqual({ status: 'mismatch', record: finished });
        expect(await store.get('partner-1', 'key-1')).toStrictEqual(finished);
      });

      it('answers mismatch for the same key used for a different operation', async () => {
        await store.claim(request());
        expect((await store.claim(request({ operation: 'cancelRedemption' }))).status).toBe('mismatch');
      });

      it('keeps keys apart per scope, even when scope or key contain separators', async () => {
        expect((await store.claim(request({ scope: 'a:b', key: 'c' }))).status).toBe('claimed');
        expect((await store.claim(request({ scope: 'a', key: 'b:c' }))).status).toBe('claimed');
        expect((await store.claim(request({ scope: 'partner-2', key: 'c' }))).status).toBe('claimed');
        expect((await store.claim(request({ scope: 'a:b', key: 'c' }))).status).toBe('in_progress');
      });

      it('recovers a lock left by a crash once lockedUntil has passed (via the request clock)', async () => {
        const t0 = clock.now();
        await store.claim(request());
        const result = await store.claim(request({ now: t0 + 30 * SECOND }));
        expect(result.status).toBe('recover');
        expect(result.record).toMatchObject({
          state: 'in_progress',
          attempts: 2,
          createdAt: t0,
          updatedAt: t0 + 30 * SECOND,
          expiresAt: t0 + DAY,
          lockedUntil: t0 + 60 * SECOND,
        });
        // The recovering caller now holds the lock.
        expect((await store.claim(request({ now: t0 + 31 * SECOND }))).status).toBe('in_progress');
      });

      it('treats a record as absent once its ttl has passed, and claims the key afresh', async () => {
        const t0 = clock.now();
        await store.claim(request());
        await store.complete('partner-1', 'key-1', { state: 'succeeded', response: '{}' });
        clock.advance(DAY - 1);
        expect((await store.claim(request())).status).toBe('replay');
        clock.advance(1);
        expect(await store.get('partner-1', 'key-1')).toBeUndefined();
        const result = await store.claim(request({ inputHash: 'hash-b' }));
        expect(result.status).toBe('claimed');
        expect(result.record).toMatchObject({ inputHash: 'hash-b', attempts: 1, createdAt: t0 + DAY, state: 'in_progress' });
        expect(result.record.response).toBeUndefined();
      });

      it('hands exactly one of 50 concurrent claims of one key the claim', async () => {
        const results = await Promise.all(Array.from({ length: 50 }, () => store.claim(request())));
        const statuses = results.map((result) => result.status);
        expect(statuses.filter((status) => status === 'claimed')).toHaveLength(1);
        expect(statuses.filter((status) => status === 'in_progress')).toHaveLength(49);
      });

      it('rejects a non-positive ttl or lock', async () => {
        await expect(store.claim(request({ ttlMs: 0 }))).rejects.toThrow(/ttlMs must be a positive integer, received 0/);
        await expect(store.claim(request({ lockMs: -1 }))).rejects.toThrow(/lockMs must be a positive integer, received -1/);
      });
    });

    describe('complete', () => {
      it('stores the response, releases the lock, and later claims replay it', async () => {
        const t0 = clock.now();
        await store.claim(request());
        clock.advance(2 * SECOND);
        await store.complete('partner-1', 'key-1', { state: 'succeeded', response: '{"id":"r1"}', providerRef: 'rgabc' });
        clock.advance(SECOND);
        const replay = await store.claim(request());
        expect(replay).toStrictEqual({
          status: 'replay',
          record: {
            scope: 'partner-1',
            key: 'key-1',
            operation: 'redeemPoints',
            inputHash: 'hash-a',
            state: 'succeeded',
            response: '{"id":"r1"}',
            providerRef: 'rgabc',
            attempts: 1,
            createdAt: t0,
            updatedAt: t0 + 2 * SECOND,
            expiresAt: t0 + DAY,
            lockedUntil: 0,
          },
        });
      });

      it('replays a failed result as well', async () => {
        await store.claim(request());
        await store.complete('partner-1', 'key-1', { state: 'failed', response: '{"code":"INSUFFICIENT_BALANCE"}' });
        const replay = await store.claim(request());
        expect(replay.status).toBe('replay');
        expect(replay.record).toMatchObject({ state: 'failed', response: '{"code":"INSUFFICIENT_BALANCE"}' });
        expect(replay.record.providerRef).toBeUndefined();
      });

      it('refuses to complete a key nobody claimed', async () => {
        await expect(store.complete('partner-1', 'nobody', { state: 'succeeded', response: '{}' })).rejects.toThrow(
          "store.complete: no live idempotency record for scope 'partner-1' key 'nobody'",
        );
      });

      it('never overwrites a finished result', async () => {
        await store.claim(request());
        await store.complete('partner-1', 'key-1', { state: 'succeeded', response: '"first"' });
        await expect(store.complete('partner-1', 'key-1', { state: 'failed', response: '"second"' })).rejects.toThrow(
          /is already succeeded/,
        );
        await expect(store.markUnknown('partner-1', 'key-1', 'ref')).rejects.toThrow(/store.markUnknown: .* is already succeeded/);
        expect(await store.get('partner-1', 'key-1')).toMatchObject({ state: 'succeeded', response: '"first"' });
      });
    });

    describe('markUnknown', () => {
      it('keeps the provider reference and releases the lock; the next claim recovers it', async () => {
        const t0 = clock.now();
        await store.claim(request());
        clock.advance(SECOND);
        await store.markUnknown('partner-1', 'key-1', 'rg0123');
        expect(await store.get('partner-1', 'key-1')).toMatchObject({
          state: 'unknown',
          providerRef: 'rg0123',
          lockedUntil: 0,
          updatedAt: t0 + SECOND,
        });
        const recovered = await store.claim(request());
        expect(recovered.status).toBe('recover');
        expect(recovered.record).toMatchObject({
          state: 'unknown',
          providerRef: 'rg0123',
          attempts: 2,
          lockedUntil: t0 + SECOND + 30 * SECOND,
        });
        // Only one request settles it at a time.
        expect((await store.claim(request())).status).toBe('in_progress');
      });

      it('keeps an earlier provider reference when a later call gives none', async () => {
        await store.claim(request());
        await store.markUnknown('partner-1', 'key-1', 'rg0123');
        await store.claim(request());
        await store.markUnknown('partner-1', 'key-1');
        expect(await store.get('partner-1', 'key-1')).toMatchObject({ state: 'unknown', providerRef: 'rg0123' });
        await store.claim(request());
        await store.complete('partner-1', 'key-1', { state: 'succeeded', response: '{}' });
        expect(await store.claim(request())).toMatchObject({
          status: 'replay',
          record: { state: 'succeeded', providerRef: 'rg0123', attempts: 3 },
        });
      });

      it('may be called without any provider reference', async () => {
        await store.claim(request());
        await store.markUnknown('partner-1', 'key-1');
        const record = await store.get('partner-1', 'key-1');
        expect(record?.state).toBe('unknown');
        expect(record?.providerRef).toBeUndefined();
      });

      it('refuses a key nobody claimed', async () => {
        await expect(store.markUnknown('partner-1', 'nobody', 'ref')).rejects.toThrow(/store.markUnknown: no live idempotency record/);
      });
    });

    describe('release', () => {
      it('deletes the claim so the next claim starts afresh', async () => {
        await store.claim(request());
        await store.release('partner-1', 'key-1');
        expect(await store.get('partner-1', 'key-1')).toBeUndefined();
        const result = await store.claim(request({ inputHash: 'hash-b' }));
        expect(result.status).toBe('claimed');
        expect(result.record.attempts).toBe(1);
      });

      it('is a no-op for an unknown key', async () => {
        await expect(store.release('partner-1', 'nobody')).resolves.toBeUndefined();
      });
    });

    describe('journal', () => {
      const entry = (overrides: Partial<JournalEntry>): JournalEntry => ({
        at: clock.now(),
        scope: 'partner-1',
        operation: 'redeemPoints',
        provider: 'moment',
        inputHash: 'hash-a',
        outcome: 'started',
        ...overrides,
      });

      it('appends entries and returns them in order with increasing ids, optional fields left out', async () => {
        await store.journal(entry({ idempotencyKey: 'key-1' }));
        await store.journal(entry({ idempotencyKey: 'key-1', outcome: 'unknown', providerRef: 'rg1', detail: 'PROVIDER_TIMEOUT' }));
        await store.journal(entry({ outcome: 'failed', id: 999 }));
        const all = await store.journalEntries();
        expect(all.map(({ id: _id, ...rest }) => rest)).toStrictEqual([
          entry({ idempotencyKey: 'key-1' }),
          entry({ idempotencyKey: 'key-1', outcome: 'unknown', providerRef: 'rg1', detail: 'PROVIDER_TIMEOUT' }),
          entry({ outcome: 'failed' }),
        ]);
        const ids = all.map((e) => e.id as number);
        expect(ids.every((id) => Number.isInteger(id))).toBe(true);
        expect([...ids].sort((a, b) => a - b)).toStrictEqual(ids);
        expect(new Set(ids).size).toBe(3);
        expect(ids).not.toContain(999);
      });

      it('filters by scope, idempotency key and provider reference, together or alone', async () => {
        await store.journal(entry({ scope: 'p1', idempotencyKey: 'k1', detail: 'a' }));
        await store.journal(entry({ scope: 'p2', idempotencyKey: 'k1', detail: 'b' }));
        await store.journal(entry({ scope: 'p1', idempotencyKey: 'k1', providerRef: 'ref-1', outcome: 'succeeded', detail: 'c' }));
        await store.journal(entry({ scope: 'p1', idempotencyKey: 'k2', detail: 'd' }));
        await store.journal(entry({ scope: 'p2', providerRef: 'ref-1', outcome: 'settled', detail: 'e' }));
        const details = async (filter: Parameters<Store['journalEntries']>[0]) =>
          (await store.journalEntries(filter)).map((e) => e.detail);
        expect(await details({})).toStrictEqual(['a', 'b', 'c', 'd', 'e']);
        expect(await details({ scope: 'p1' })).toStrictEqual(['a', 'c', 'd']);
        expect(await details({ idempotencyKey: 'k1' })).toStrictEqual(['a', 'b', 'c']);
        expect(await details({ providerRef: 'ref-1' })).toStrictEqual(['c', 'e']);
        expect(await details({ scope: 'p1', idempotencyKey: 'k1' })).toStrictEqual(['a', 'c']);
        expect(await details({ scope: 'p2', providerRef: 'ref-1' })).toStrictEqual(['e']);
        expect(await details({ scope: 'p3' })).toStrictEqual([]);
      });
    });

    describe('owners', () => {
      it('returns owners in the order asked, undefined where unknown', async () => {
        await store.setOwner('moment:r1', { subject: 'alice', businessId: 'b1' });
        await store.setOwner('capillary:r2', { subject: 'bob' });
        expect(await store.getOwners(['capillary:r2', 'pers:missing', 'moment:r1'])).toStrictEqual([
          { subject: 'bob' },
          undefined,
          { subject: 'alice', businessId: 'b1' },
        ]);
        expect(await store.getOwners([])).toStrictEqual([]);
      });

      it('replaces an owner that is set again', async () => {
        await store.setOwner('moment:r1', { subject: 'alice', businessId: 'b1' });
        await store.setOwner('moment:r1', { subject: 'carol' });
        expect(await store.getOwners(['moment:r1'])).toStrictEqual([{ subject: 'carol' }]);
      });
    });

    describe('hit', () => {
      it('allows `limit` hits per window, then says how long until the window resets', async () => {
        const start = Math.ceil(clock.now() / 60_000) * 60_000;
        const at = start + 15 * SECOND;
        expect(await store.hit('caller-1', 3, 60_000, at)).toStrictEqual({ allowed: true, remaining: 2, retryAfterMs: 0 });
        expect(await store.hit('caller-1', 3, 60_000, at)).toStrictEqual({ allowed: true, remaining: 1, retryAfterMs: 0 });
        expect(await store.hit('caller-1', 3, 60_000, at + SECOND)).toStrictEqual({ allowed: true, remaining: 0, retryAfterMs: 0 });
        expect(await store.hit('caller-1', 3, 60_000, at + 5 * SECOND)).toStrictEqual({
          allowed: false,
          remaining: 0,
          retryAfterMs: 40 * SECOND,
        });
        expect(await store.hit('caller-2', 3, 60_000, at + 5 * SECOND)).toMatchObject({ allowed: true, remaining: 2 });
        expect(await store.hit('caller-1', 3, 60_000, start + 60_000)).toStrictEqual({ allowed: true, remaining: 2, retryAfterMs: 0 });
      });

      it('uses the store clock when no time is given', async () => {
        expect((await store.hit('caller-1', 1, 60_000)).allowed).toBe(true);
        expect((await store.hit('caller-1', 1, 60_000)).allowed).toBe(false);
      });

      it('counts concurrent hits exactly', async () => {
        const results = await Promise.all(Array.from({ length: 20 }, () => store.hit('caller-1', 5, 60_000)));
        expect(results.filter((result) => result.allowed)).toHaveLength(5);
      });

      it('rejects a bad limit or window', async () => {
        await expect(store.hit('k', -1, 1000)).rejects.toThrow(/limit must be an integer >= 0, received -1/);
        await expect(store.hit('k', 1, 0)).rejects.toThrow(/windowMs must be a positive integer, received 0/);
      });
    });

    it('answers ping', async () => {
      await expect(store.ping()).resolves.toBeUndefined();
    });

    it('returns undefined for a key never claimed', async () => {
      expect(await store.get('partner-1', 'nobody')).toBeUndefined();
    });
  });
}
