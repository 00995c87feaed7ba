/**
 * The durable store behind every money-moving call: idempotency claims, the call journal,
 * ownership of redemptions and rate-limit counters.
 *
 * One contract, three implementations with identical semantics (the shared suite in
 * test/store/ runs over all of them):
 * - `sqlite`: one file, safe for several processes on one host (production default);
 * - `redis`: several gateway replicas sharing one Redis;
 * - `memory`: unit tests of other code.
 *
 * The idempotency protocol, for one `(scope, key)`:
 *
 * ```
 * claim() ── claimed ──> call the provider ──> complete(succeeded | failed)  -> later claims: replay
 *                                          └─> markUnknown(providerRef)    -> next claim: recover
 *                                          └─> release() (request never left) -> next claim: claimed
 *         ── replay      -> return record.response, do not call the provider
 *         ── mismatch    -> IDEMPOTENCY_KEY_REUSED, do not call the provider
 *         ── in_progress -> IDEMPOTENCY_IN_PROGRESS, do not call the provider
 *         ── recover     -> settle through a status look-up by record.providerRef (or a retry with
 *                           the same provider key), then complete() or markUnknown() again
 * ```
 *
 * Times are epoch milliseconds. A record is alive while `now < expiresAt`; an expired record is
 * treated as absent everywhere (`get` returns undefined, `claim` replaces it).
 */

/**
 * Where a claimed operation stands.
 * - `in_progress`: a caller holds the lock and may be calling the provider right now.
 * - `succeeded` / `failed`: finished; `response` holds what to replay.
 * - `unknown`: the provider may or may not have acted (timeout, reset, 5xx on a write). Never
 *   reported as failed; the next claim gets `recover` and must settle it.
 */
export type IdempotencyState = 'in_progress' | 'succeeded' | 'failed' | 'unknown';

/** One idempotency key's record, as stored. */
export interface IdempotencyRecord {
  /** Namespace of the key, normally the caller (subject or business) so callers never collide. */
  scope: string;
  /** The caller's idempotency key. */
  key: string;
  /** The operation the key was first used for (e.g. 'redeemPoints'). */
  operation: string;
  /** `inputHash(operation, input)` of the first request; a different hash is a mismatch. */
  inputHash: string;
  state: IdempotencyState;
  /** Stored result (opaque JSON text) for replays. */
  response?: string;
  /** Provider-side reference used to settle an unknown outcome (Moment id, Capillary ERN...). */
  providerRef?: string;
  /** How many times the key has been claimed or recovered (1 after the first claim). */
  attempts: number;
  createdAt: number;
  updatedAt: number;
  /** The record is treated as absent from this instant on. */
  expiresAt: number;
  /**
   * The current holder's lock lasts until this instant; 0 when nobody holds it. A lock that has
   * passed was left by a crashed or stuck holder and the next claim recovers it.
   */
  lockedUntil: number;
}

/** What `claim` decided. `record` is the stored record after the decision (lock included). */
export type ClaimResult =
  /** New key (or an expired one): the caller owns it now and holds the lock. */
  | { status: 'claimed'; record: IdempotencyRecord }
  /** Finished (succeeded or failed) with the same input hash: replay `record.response`. */
  | { status: 'replay'; record: IdempotencyRecord }
  /** Same key, different operation or input hash. Nothing was changed. */
  | { status: 'mismatch'; record: IdempotencyRecord }
  /** Another request holds a live lock. Nothing was changed. */
  | { status: 'in_progress'; record: IdempotencyRecord }
  /**
   * The outcome is unknown (`record.state === 'unknown'`), or a lock was left by a crash
   * (`record.state === 'in_progress'`, lockedUntil passed). The caller now holds the lock and
   * must settle (complete / markUnknown / release) before calling again.
   */
  | { status: 'recover'; record: IdempotencyRecord };

export type ClaimStatus = ClaimResult['status'];

export interface ClaimRequest {
  scope: string;
  key: string;
  operation: string;
  inputHash: string;
  /** Record lifetime from its creation (24 h is the usual window). */
  ttlMs: number;
  /**
   * Lock lifetime (crash recovery): longer than the slowest provider call plus its retries,
   * or a slow holder's lock is recovered by another request while it is still running.
   */
  lockMs: number;
  /** Overrides the store's clock for this call (tests). */
  now?: number;
}

/** The result a lock holder stores when it finishes. */
export interface CompleteResult {
  state: 'succeeded' | 'failed';
  /** Opaque JSON text replayed to later requests with the same key. */
  response: string;
  /** Kept from an earlier `markUnknown` when omitted. */
  providerRef?: string;
}

/** One line of the append-only journal of money-moving calls. */
export interface JournalEntry {
  /** Assigned by the store on append: increasing in append order. Ignored on input. */
  id?: number;
  at: number;
  scope: string;
  operation: string;
  provider: string;
  idempotencyKey?: string;
  inputHash: string;
  providerRef?: string;
  outcome: 'started' | 'succeeded' | 'failed' | 'unknown' | 'settled';
  /** Free text (error code, settlement note); never secrets. */
  detail?: string;
}

/** Filter for `journalEntries`; all given fields must match. */
export interface JournalFilter {
  scope?: string;
  idempotencyKey?: string;
  providerRef?: string;
}

/** Who created a redemption through the gateway. */
export interface Owner {
  subject: string;
  businessId?: string;
}

export interface RateLimitResult {
  allowed: boolean;
  /** Hits left in the current window (0 once the limit is reached). */
  remaining: number;
  /** 0 when allowed; otherwise how long until the window resets (for Retry-After). */
  retryAfterMs: number;
}

export interface Store {
  readonly kind: 'sqlite' | 'redis' | 'memory';
  /**
   * Atomically decides what a request with this key may do (see ClaimResult), across every
   * process sharing the store.
   */
  claim(request: ClaimRequest): Promise<ClaimResult>;
  /**
   * Finishes a claim the caller holds: stores the response, releases the lock.
   * Throws when the record is missing or expired, or already finished (a replayed result
   * is never overwritten).
   */
  complete(scope: string, key: string, result: CompleteResult): Promise<void>;
  /**
   * Marks the outcome unknown (keeps an earlier providerRef when none is given) and releases
   * the lock, so a retry gets `recover` and can settle it. Throws like `complete`.
   */
  markUnknown(scope: string, key: string, providerRef?: string): Promise<void>;
  /** Deletes a claim when it is certain nothing reached the provider. No-op when absent. */
  release(scope: string, key: string): Promise<void>;
  /** The live record, or undefined when absent or expired. */
  get(scope: string, key: string): Promise<IdempotencyRecord | undefined>;
  /** Appends to the journal of every money-moving call. Entries are never changed or removed. */
  journal(entry: JournalEntry): Promise<void>;
  /** Matching entries in append order, each with its `id`. */
  journalEntries(filter?: JournalFilter): Promise<JournalEntry[]>;
  /** Records who owns a redemption created through the gateway, keyed by `${provider}:${ref}`. */
  setOwner(resource: string, owner: Owner): Promise<void>;
  /** Owners in the same order as `resources`; undefined where unknown. */
  getOwners(resources: readonly string[]): Promise<(Owner | undefined)[]>;
  /**
   * Counts one hit on `key` in a fixed window of `windowMs` (aligned to multiples of
   * windowMs): at most `limit` hits are allowed per window. Atomic across processes.
   */
  hit(key: string, limit: number, windowMs: number, now?: number): Promise<RateLimitResult>;
  /** Resolves when the backing store answers; rejects otherwise (health checks). */
  ping(): Promise<void>;
  close(): Promise<void>;
}
