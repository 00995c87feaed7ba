/**
 * The claim and rate-limit decisions shared by the memory and SQLite stores. The Redis store
 * runs the same rules inside Lua (see redis.ts); the shared suite keeps them in step.
 */
import type {
  ClaimRequest,
  ClaimStatus,
  CompleteResult,
  IdempotencyRecord,
  JournalEntry,
  JournalFilter,
  Owner,
  RateLimitResult,
} from './types.js';

export interface ClaimDecision {
  status: ClaimStatus;
  record: IdempotencyRecord;
  /** What the store must persist: a new record, a changed one, or nothing. */
  write: 'insert' | 'update' | 'none';
}

export const isLive = (record: IdempotencyRecord, now: number): boolean => now < record.expiresAt;

export function decideClaim(existing: IdempotencyRecord | undefined, request: ClaimRequest, now: number): ClaimDecision {
  if (!existing || !isLive(existing, now)) {
    const record: IdempotencyRecord = {
      scope: request.scope,
      key: request.key,
      operation: request.operation,
      inputHash: request.inputHash,
      state: 'in_progress',
      attempts: 1,
      createdAt: now,
      updatedAt: now,
      expiresAt: now + request.ttlMs,
      lockedUntil: now + request.lockMs,
    };
    return { status: 'claimed', record, write: 'insert' };
  }
  // A different input is refused whatever the state, so a reused key never reveals or
  // disturbs the original request's outcome.
  if (existing.operation !== request.operation || existing.inputHash !== request.inputHash) {
    return { status: 'mismatch', record: existing, write: 'none' };
  }
  if (existing.state === 'succeeded' || existing.state === 'failed') {
    return { status: 'replay', record: existing, write: 'none' };
  }
  if (existing.lockedUntil > now) return { status: 'in_progress', record: existing, write: 'none' };
  const record: IdempotencyRecord = {
    ...existing,
    attempts: existing.attempts + 1,
    updatedAt: now,
    lockedUntil: now + request.lockMs,
  };
  return { status: 'recover', record, write: 'update' };
}

/** Why a holder's finishing call is refused, or undefined when it may proceed. */
export function finishRefusal(
  existing: IdempotencyRecord | undefined,
  scope: string,
  key: string,
  now: number,
  action: 'complete' | 'markUnknown',
): Error | undefined {
  if (!existing || !isLive(existing, now)) {
    return new Error(`store.${action}: no live idempotency record for scope '${scope}' key '${key}' (released or expired)`);
  }
  if (existing.state === 'succeeded' || existing.state === 'failed') {
    return new Error(
      `store.${action}: idempotency record for scope '${scope}' key '${key}' is already ${existing.state}; a finished result is never overwritten`,
    );
  }
  return undefined;
}

export function completed(existing: IdempotencyRecord, result: CompleteResult, now: number): IdempotencyRecord {
  const record: IdempotencyRecord = {
    ...existing,
    state: result.state,
    response: result.response,
    updatedAt: now,
    lockedUntil: 0,
  };
  if (result.providerRef !== undefined) record.providerRef = result.providerRef;
  return record;
}

export function unknownOutcome(existing: IdempotencyRecord, providerRef: string | undefined, now: number): IdempotencyRecord {
  const record: IdempotencyRecord = { ...existing, state: 'unknown', updatedAt: now, lockedUntil: 0 };
  if (providerRef !== undefined) record.providerRef = providerRef;
  return record;
}

/** Start of the fixed window containing `now`. */
export const windowStart = (now: number, windowMs: number): number => Math.floor(now / windowMs) * windowMs;

/** The result of the `count`-th hit in the window starting at `start`. */
export function rateLimitResult(count: number, limit: number, start: number, windowMs: number, now: number): RateLimitResult {
  const allowed = count <= limit;
  return {
    allowed,
    remaining: Math.max(0, limit - count),
    retryAfterMs: allowed ? 0 : start + windowMs - now,
  };
}

export function assertRateLimitArgs(limit: number, windowMs: number): void {
  if (!Number.isInteger(limit) || limit < 0) throw new RangeError(`store.hit: limit must be an integer >= 0, received ${limit}`);
  if (!Number.isInteger(windowMs) || windowMs <= 0) {
    throw new RangeError(`store.hit: windowMs must be a positive integer, received ${windowMs}`);
  }
}

export function assertClaimArgs(request: ClaimRequest): void {
  if (!Number.isInteger(request.ttlMs) || request.ttlMs <= 0) {
    throw new RangeError(`store.claim: ttlMs must be a positive integer, received ${request.ttlMs}`);
  }
  if (!Number.isInteger(request.lockMs) || request.lockMs <= 0) {
    throw new RangeError(`store.claim: lockMs must be a positive integer, received ${request.lockMs}`);
  }
}

export function matchesJournal(entry: JournalEntry, filter: JournalFilter | undefined): boolean {
  if (!filter) return true;
  return (
    (filter.scope === undefined || entry.scope === filter.scope) &&
    (filter.idempotencyKey === undefined || entry.idempotencyKey === filter.idempotencyKey) &&
    (filter.providerRef === undefined || entry.providerRef === filter.providerRef)
  );
}

/** A journal entry with only the contract's fields, undefined ones left out. */
export function journalEntry(entry: JournalEntry, id: number): JournalEntry {
  const out: JournalEntry = {
    id,
    at: entry.at,
    scope: entry.scope,
    operation: entry.operation,
    provider: entry.provider,
    inputHash: entry.inputHash,
    outcome: entry.outcome,
  };
  if (entry.idempotencyKey !== undefined) out.idempotencyKey = entry.idempotencyKey;
  if (entry.providerRef !== undefined) out.providerRef = entry.providerRef;
  if (entry.detail !== undefined) out.detail = entry.detail;
  return out;
}

export function ownerOf(owner: Owner): Owner {
  return owner.businessId === undefined ? { subject: owner.subject } : { subject: owner.subject, businessId: owner.businessId };
}
