import {
  assertClaimArgs,
  assertRateLimitArgs,
  completed,
  decideClaim,
  finishRefusal,
  isLive,
  journalEntry,
  matchesJournal,
  ownerOf,
  rateLimitResult,
  unknownOutcome,
  windowStart,
} from './rules.js';
import type { ClaimResult, IdempotencyRecord, JournalEntry, Owner, Store } from './types.js';

export interface MemoryStoreOptions {
  /** Clock (epoch ms); Date.now by default. */
  now?: () => number;
}

/** A process-local Store with the same semantics as the durable ones, for tests of other code. */
export function createMemoryStore(options: MemoryStoreOptions = {}): Store {
  const clock = options.now ?? Date.now;
  const records = new Map<string, IdempotencyRecord>();
  const entries: JournalEntry[] = [];
  const owners = new Map<string, Owner>();
  const windows = new Map<string, { start: number; count: number }>();
  // JSON.stringify keeps (scope, key) pairs apart even when either contains a separator.
  const id = (scope: string, key: string) => JSON.stringify([scope, key]);
  const live = (scope: string, key: string, now: number) => {
    const record = records.get(id(scope, key));
    return record && isLive(record, now) ? record : undefined;
  };

  return {
    kind: 'memory',
    async claim(request): Promise<ClaimResult> {
      assertClaimArgs(request);
      const now = request.now ?? clock();
      const decision = decideClaim(records.get(id(request.scope, request.key)), request, now);
      if (decision.write !== 'none') records.set(id(request.scope, request.key), decision.record);
      return { status: decision.status, record: { ...decision.record } };
    },
    async complete(scope, key, result) {
      const now = clock();
      const existing = live(scope, key, now);
      const refusal = finishRefusal(existing, scope, key, now, 'complete');
      if (refusal || !existing) throw refusal;
      records.set(id(scope, key), completed(existing, result, now));
    },
    async markUnknown(scope, key, providerRef) {
      const now = clock();
      const existing = live(scope, key, now);
      const refusal = finishRefusal(existing, scope, key, now, 'markUnknown');
      if (refusal || !existing) throw refusal;
      records.set(id(scope, key), unknownOutcome(existing, providerRef, now));
    },
    async release(scope, key) {
      records.delete(id(scope, key));
    },
    async get(scope, key) {
      const record = live(scope, key, clock());
      return record && { ...record };
    },
    async journal(entry) {
      entries.push(journalEntry(entry, entries.length + 1));
    },
    async journalEntries(filter) {
      return entries.filter((entry) => matchesJournal(entry, filter)).map((entry) => ({ ...entry }));
    },
    async setOwner(resource, owner) {
      owners.set(resource, ownerOf(owner));
    },
    async getOwners(resources) {
      return resources.map((resource) => {
        const owner = owners.get(resource);
        return owner && { ...owner };
      });
    },
    async hit(key, limit, windowMs, now = clock()) {
      assertRateLimitArgs(limit, windowMs);
      const start = windowStart(now, windowMs);
      const current = windows.get(key);
      const count = current && current.start === start ? current.count + 1 : 1;
      windows.set(key, { start, count });
      return rateLimitResult(count, limit, start, windowMs, now);
    },
    async ping() {},
    async close() {},
  };
}
