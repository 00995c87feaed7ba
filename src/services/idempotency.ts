/**
 * The gateway's idempotency contract for mutations, over the store's claim protocol
 * (see src/store/types.ts):
 *
 * - same key, same input within the TTL: the stored outcome is replayed, no upstream call;
 * - same key, other input: IDEMPOTENCY_KEY_REUSED, no upstream call;
 * - same key while the first is running: IDEMPOTENCY_IN_PROGRESS, no upstream call;
 * - a call that may have reached the provider but whose answer was not seen is recorded as
 *   unknown and answered with OUTCOME_UNKNOWN; the next call with the key settles it first and
 *   calls the provider again only when the operation says that is safe.
 *
 * Provider refusals are outcomes too: they are stored and replayed like successes. Failures that
 * certainly left nothing behind (connect refused, rate limited, our credentials refused) release
 * the key so that a retry runs afresh.
 */
import { GatewayError, isGatewayError, isUserErrorCode, type UserErrorView } from '../domain/errors.js';
import type { ProviderName } from '../domain/provider.js';
import { inputHash } from '../store/hash.js';
import type { IdempotencyRecord, Store } from '../store/types.js';
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
  /** Performs the provider call. */
  run(): Promise<T>;
  /**
   * Settles an unknown outcome: the result if the provider holds one, `null` when it is certain
   * nothing happened (the gateway then calls `run` again). Throw to keep it unknown.
   */
  settle(record: IdempotencyRecord): Promise<T | null>;
  /** The provider reference to keep for settling, taken from a result. */
  refOf?(result: T): string;
  /** Recorded once a result is known (ownership). */
  onResult?(result: T): Promise<void>;
}

export interface IdempotencyDeps {
  store: Store;
  logger: Logger;
  ttlMs: number;
  lockMs: number;
}

export interface Executed<T> extends Outcome<T> {
  replayed: boolean;
}

/** Codes that prove the request changed nothing at the provider: the key is released. */
const NOTHING_HAPPENED = new Set(['RATE_LIMITED', 'PROVIDER_AUTH_FAILED']);

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

export async function executeIdempotently<T>(
  deps: IdempotencyDeps,
  scope: string,
  key: string,
  op: IdempotentOperation<T>,
): Promise<Executed<T>> {
  const { store } = deps;
  const hash = inputHash(op.operation, op.input);
  const claim = await store.claim({ scope, key, operation: op.operation, inputHash: hash, ttlMs: deps.ttlMs, lockMs: deps.lockMs });
  const journal = (outcome: 'started' | 'succeeded' | 'failed' | 'unknown' | 'settled', providerRef?: string, detail?: string) =>
    store.journal({ at: Date.now(), scope, operation: op.operation, provider: op.provider, idempotencyKey: key, inputHash: hash, providerRef, outcome, detail });

  switch (claim.status) {
    case 'replay':
      return { ...deserialize<Outcome<T>>(claim.record.response ?? '{"result":null,"userErrors":[]}'), replayed: true };
    case 'mismatch':
      return refusal('IDEMPOTENCY_KEY_REUSED', 'This idempotency key was already used with a different input');
    case 'in_progress':
      return refusal('IDEMPOTENCY_IN_PROGRESS', 'A request with this idempotency key is still running; retry shortly with the same key');
    case 'recover': {
      let settled: T | null;
      try {
        settled = await op.settle(claim.record);
      } catch (error) {
        await store.markUnknown(scope, key, claim.record.providerRef);
        throw outcomeUnknown(op.provider, key, error);
      }
      if (settled !== null) {
        await journal('settled', op.refOf?.(settled));
        return finish(settled);
      }
      break;
    }
    case 'claimed':
      break;
  }

  await journal('started');
  let result: T;
  try {
    result = await op.run();
  } catch (error) {
    if (isGatewayError(error) && isUserErrorCode(error.code)) {
      const outcome: Outcome<T> = { result: null, userErrors: [toUserError(error)] };
      await store.complete(scope, key, { state: 'failed', response: serialize(outcome) });
      await journal('failed', undefined, `${error.code} ${error.providerCode ?? ''}`.trim());
      return { ...outcome, replayed: false };
    }
    if (isGatewayError(error) && (!error.requestSent || NOTHING_HAPPENED.has(error.code))) {
      await store.release(scope, key);
      await journal('failed', undefined, `${error.code} (nothing sent)`);
      throw error;
    }
    await store.markUnknown(scope, key);
    await journal('unknown', undefined, isGatewayError(error) ? error.code : 'unexpected error');
    throw outcomeUnknown(op.provider, key, error);
  }
  await journal('succeeded', op.refOf?.(result));
  return finish(result);

  async function finish(value: T): Promise<Executed<T>> {
    await op.onResult?.(value);
    const outcome: Outcome<T> = { result: value, userErrors: [] };
    await store.complete(scope, key, { state: 'succeeded', response: serialize(outcome), providerRef: op.refOf?.(value) });
    return { ...outcome, replayed: false };
  }

  function refusal(code: 'IDEMPOTENCY_KEY_REUSED' | 'IDEMPOTENCY_IN_PROGRESS', message: string): Executed<T> {
    return { result: null, userErrors: [{ code, message, field: ['idempotencyKey'] }], replayed: false };
  }
}

function outcomeUnknown(provider: ProviderName, key: string, cause: unknown): GatewayError {
  if (isGatewayError(cause) && cause.code === 'INTEGRITY_ERROR') return cause;
  return new GatewayError(
    'OUTCOME_UNKNOWN',
    'The provider may have processed this request but its answer was not received. Retry with the same idempotency key to settle it; do not treat it as failed.',
    { provider, retryable: true, idempotencyKey: key, cause },
  );
}
