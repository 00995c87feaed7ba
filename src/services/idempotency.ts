/**
 * The gateway's idempotency contract for mutations, over the store's claim protocol
 * (see src/store/types.ts):
 *
 * - same key, same input within the TTL: the stored outcome is replayed, no upstream call;
 * - same key, other input: IDEMPOTENCY_KEY_REUSED, no upstream call;
 * - same key while the first is running: IDEMPOTENCY_IN_PROGRESS, no upstream call;
 * - a call that may have reached the provider but whose answer was not seen (a timeout, a reset,
 *   a 5xx, a body that could not be read, anything unexpected) is recorded as unknown and answered
 *   with OUTCOME_UNKNOWN; the next call with the key settles it first and calls the provider again
 *   only when the operation is certain nothing happened. A settled outcome is answered as a replay.
 *
 * Provider refusals are outcomes too: they are stored and replayed like successes. Failures that
 * certainly left nothing behind (the request never left, the provider rate-limited us or refused
 * our credentials, a precondition refused before any write) release the key so a retry runs afresh.
 *
 * The lock outlives the work: everything done under a claim (settle, precondition, provider call)
 * gets a signal that aborts a margin before the lock expires, so a slow holder gives up (its
 * outcome becomes unknown) before another request can recover the key and call again.
 */
import { GatewayError, isGatewayError, isUserErrorCode, type UserErrorView } from '../domain/errors.js';
import type { ProviderName } from '../domain/provider.js';
import { inputHash } from '../store/hash.js';
import type { IdempotencyRecord, JournalEntry, Store } from '../store/types.js';
import type { Logger } from '../logger.js';

export interface Outcome<T> {
  result: T | null;
  userErrors: UserErrorView[];
}

export interface IdempotentOperation<T> {
  /** Name of the mutation and provider operation, e.g. 'executeRedeem:moment'. */
  operation: string;
  provider: ProviderName;
  /** The validated input, hashed canonically to detect key reuse. */
  input: unknown;
  /**
   * The reference the provider knows this call by before it answers (Moment's Idempotency-Key,
   * Capillary's external_reference_number), derived from the key. Journaled with the attempt and
   * kept on an unknown record for settling.
   */
  providerKey?: string;
  /**
   * Checked under the claim before the first provider write (e.g. an optimistic version). A
   * refusal is answered as a userError and releases the key: nothing was written.
   */
  precondition?(signal: AbortSignal): Promise<UserErrorView | undefined>;
  /** Performs the provider call. */
  run(signal: AbortSignal): Promise<T>;
  /**
   * Settles an unknown outcome: the result if the provider holds one, `null` when it is certain
   * nothing happened (the gateway then calls `run` again). Throw to keep it unknown.
   */
  settle(record: IdempotencyRecord, signal: AbortSignal): Promise<T | null>;
  /** The provider reference to keep for settling and tracing, taken from a result. */
  refOf?(result: T): string;
  /** Recorded once a result is known (ownership). */
  onResult?(result: T): Promise<void>;
}

export interface IdempotencyDeps {
  store: Store;
  logger: Logger;
  ttlMs: number;
  /** How long a claim is held; the work under it is aborted a margin before (see LOCK_MARGIN). */
  lockMs: number;
}

export interface Executed<T> extends Outcome<T> {
  replayed: boolean;
}

/** Codes that prove the request changed nothing at the provider: the key is released. */
const NOTHING_HAPPENED: ReadonlySet<string> = new Set(['RATE_LIMITED', 'PROVIDER_AUTH_FAILED']);

/** Share of the lock kept free after the work's deadline for storing the outcome (at most 1 s). */
const LOCK_MARGIN = { share: 0.1, maxMs: 1_000 } as const;

export const toUserError = (error: GatewayError): UserErrorView => ({
  code: error.code as UserErrorView['code'],
  message: error.message,
  field: error.field,
  provider: error.provider,
  providerCode: error.providerCode,
});

/** Bigints (money in minor units) survive the round trip through the store as tagged strings. */
const serialize = (value: unknown) =>
  JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? { $bigint: v.toString() } : v));
const deserialize = <T>(text: string): T =>
  JSON.parse(text, (_k, v: unknown) =>
    v && typeof v === 'object' && '$bigint' in v ? BigInt((v as { $bigint: string }).$bigint) : v,
  ) as T;

/** Whether a failed provider call certainly left nothing behind, so its key may be released. */
const leftNothing = (error: unknown): error is GatewayError =>
  isGatewayError(error) && (!error.requestSent || NOTHING_HAPPENED.has(error.code));

export async function executeIdempotently<T>(
  deps: IdempotencyDeps,
  scope: string,
  key: string,
  op: IdempotentOperation<T>,
): Promise<Executed<T>> {
  const { store, logger } = deps;
  const hash = inputHash(op.operation, op.input);
  const claim = await store.claim({ scope, key, operation: op.operation, inputHash: hash, ttlMs: deps.ttlMs, lockMs: deps.lockMs });
  const append = (outcome: JournalEntry['outcome'], providerRef?: string, detail?: string) =>
    store.journal({ at: Date.now(), scope, operation: op.operation, provider: op.provider, idempotencyKey: key, inputHash: hash, providerRef, outcome, detail });
  /**
   * Once the provider may have acted, a store failure must not replace the answer: it is logged,
   * and the record, left claimed, is recovered and settled by a later retry after its lock.
   */
  const safely = async (what: string, work: () => Promise<void>) => {
    try {
      await work();
    } catch (error) {
      logger.error({ err: error, operation: op.operation, provider: op.provider }, `idempotency store: ${what} failed; a retry with the key settles it`);
    }
  };
  const journal = (outcome: JournalEntry['outcome'], providerRef?: string, detail?: string) =>
    safely(`journal ${outcome}`, () => append(outcome, providerRef, detail));

  switch (claim.status) {
    case 'replay':
      return { ...deserialize<Outcome<T>>(claim.record.response ?? '{"result":null,"userErrors":[]}'), replayed: true };
    case 'mismatch':
      return refusal('IDEMPOTENCY_KEY_REUSED', 'This idempotency key was already used with a different input');
    case 'in_progress':
      return refusal('IDEMPOTENCY_IN_PROGRESS', 'A request with this idempotency key is still running; retry shortly with the same key');
    case 'claimed':
    case 'recover':
      break;
  }

  const signal = AbortSignal.timeout(Math.max(1, deps.lockMs - Math.min(deps.lockMs * LOCK_MARGIN.share, LOCK_MARGIN.maxMs)));
  const providerRef = claim.record.providerRef ?? op.providerKey;

  if (claim.status === 'recover') {
    let settled: T | null;
    try {
      settled = await op.settle(claim.record, signal);
    } catch (error) {
      throw await unknown(error, `settling failed: ${codeOf(error)}`);
    }
    if (settled !== null) {
      await journal('settled', op.refOf?.(settled), 'the provider holds the outcome');
      return finish(settled, true);
    }
    await journal('settled', providerRef, 'nothing happened at the provider; calling again');
  }

  const refused = await checkPrecondition();
  if (refused) return refused;

  try {
    // The trail comes first: no money moves without a journaled attempt.
    await append('started', op.providerKey);
  } catch (error) {
    await store.release(scope, key);
    throw error;
  }
  let result: T;
  try {
    result = await op.run(signal);
  } catch (error) {
    if (isGatewayError(error) && isUserErrorCode(error.code)) {
      const outcome: Outcome<T> = { result: null, userErrors: [toUserError(error)] };
      await safely('complete', () => store.complete(scope, key, { state: 'failed', response: serialize(outcome) }));
      await journal('failed', op.providerKey, `${error.code} ${error.providerCode ?? ''}`.trim());
      return { ...outcome, replayed: false };
    }
    if (leftNothing(error)) {
      await safely('release', () => store.release(scope, key));
      await journal('failed', op.providerKey, `${error.code} (nothing happened; key released)`);
      throw error;
    }
    throw await unknown(error, codeOf(error));
  }
  await journal('succeeded', op.refOf?.(result));
  return finish(result, false);

  /** Records the outcome as unknown and returns the error to answer with. */
  async function unknown(error: unknown, detail: string): Promise<GatewayError> {
    await safely('markUnknown', () => store.markUnknown(scope, key, providerRef));
    await journal('unknown', providerRef, detail);
    return outcomeUnknown(op.provider, key, error);
  }

  /** Runs the precondition; a refusal (or a failure that left nothing) releases the key. */
  async function checkPrecondition(): Promise<Executed<T> | undefined> {
    if (!op.precondition) return undefined;
    let problem: UserErrorView | undefined;
    try {
      problem = await op.precondition(signal);
    } catch (error) {
      await store.release(scope, key);
      throw error;
    }
    if (!problem) return undefined;
    await store.release(scope, key);
    return { result: null, userErrors: [problem], replayed: false };
  }

  /** Stores a known result; the caller gets it even when storing fails (see `safely`). */
  async function finish(value: T, replayed: boolean): Promise<Executed<T>> {
    const outcome: Outcome<T> = { result: value, userErrors: [] };
    await safely('onResult', async () => op.onResult?.(value));
    await safely('complete', () => store.complete(scope, key, { state: 'succeeded', response: serialize(outcome), providerRef: op.refOf?.(value) }));
    return { ...outcome, replayed };
  }

  function refusal(code: 'IDEMPOTENCY_KEY_REUSED' | 'IDEMPOTENCY_IN_PROGRESS', message: string): Executed<T> {
    return { result: null, userErrors: [{ code, message, field: ['idempotencyKey'] }], replayed: false };
  }
}

const codeOf = (error: unknown) => (isGatewayError(error) ? error.code : 'unexpected error');

function outcomeUnknown(provider: ProviderName, key: string, cause: unknown): GatewayError {
  if (isGatewayError(cause) && (cause.code === 'INTEGRITY_ERROR' || cause.code === 'OUTCOME_UNKNOWN')) return cause;
  return new GatewayError(
    'OUTCOME_UNKNOWN',
    'The provider may have processed this request but its answer was not received. Retry with the same idempotency key to settle it; do not treat it as failed.',
    { provider, retryable: true, idempotencyKey: key, cause },
  );
}
