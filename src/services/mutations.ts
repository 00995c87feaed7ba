/**
 * The four mutations: validate the input (meaning, not just shape), check what the caller may
 * do, then call the provider under the idempotency contract. Resolvers only shape payloads.
 */
import { canSee } from '../auth/rules.js';
import type { Caller } from '../domain/caller.js';
import { GatewayError, isUserErrorCode } from '../domain/errors.js';
import { fromGlobalId } from '../domain/ids.js';
import type { ProviderName } from '../domain/provider.js';
import type { PointsRedemption, Redemption, RedemptionOrder, Reward } from '../domain/redemption.js';
import { InputError, validateInput } from '../domain/validation.js';
import type { RequestLogger } from '../logger.js';
import { redeemPointsInputSchema, updateRedemptionMetadataInputSchema } from '../providers/capillary/input.js';
import { createVoucherRedemptionInputSchema } from '../providers/moment/input.js';
import { executeRedeemInputSchema } from '../providers/pers/input.js';
import { updateOrderStatusInputSchema } from '../providers/returning-ai/input.js';
import { updateRewardStatusInputSchema } from '../providers/triple/input.js';
import { checkTransition } from '../providers/triple/tables.js';
import type { TripleRole } from '../providers/types.js';
import { deriveProviderKey } from '../store/hash.js';
import { executeIdempotently, toUserError, type Executed, type IdempotentOperation } from './idempotency.js';
import type { Services } from './types.js';

export interface MutationRequest {
  services: Services;
  caller: Caller;
  logger: RequestLogger;
  /** The key from the argument or the Idempotency-Key header (already reconciled). */
  idempotencyKey?: string;
}

/** Idempotency keys are scoped to the caller: two callers never share one. */
export const scopeOf = (caller: Caller) => `${caller.role}:${caller.businessId ?? ''}:${caller.subject}`;

/** Reconciles the argument and the header; both may be given if they agree. */
export function resolveIdempotencyKey(argument: string | null | undefined, header: string | undefined): string | undefined {
  const key = argument ?? header;
  if (argument != null && header !== undefined && argument !== header) {
    throw new InputError([{ field: ['idempotencyKey'], message: 'differs from the Idempotency-Key header; send one or make them equal' }]);
  }
  if (key !== undefined && !/^[\x21-\x7e]{1,255}$/.test(key)) {
    throw new InputError([{ field: ['idempotencyKey'], message: 'must be 1 to 255 visible ASCII characters' }]);
  }
  return key;
}

/** The signal of work not bounded by a claim's lock. */
const NEVER = new AbortController().signal;

/** Runs an operation under its idempotency key, or directly when the mutation has none. */
async function guarded<T>(request: MutationRequest, op: IdempotentOperation<T>): Promise<Executed<T>> {
  const { services, caller } = request;
  if (!request.idempotencyKey) {
    const refused = await op.precondition?.(NEVER);
    if (refused) return { result: null, userErrors: [refused], replayed: false };
    const result = await op.run(NEVER);
    await op.onResult?.(result);
    return { result, userErrors: [], replayed: false };
  }
  const { store, config, logger } = services;
  return executeIdempotently(
    { store, logger, ttlMs: config.store.idempotencyTtlMs, lockMs: config.store.lockMs },
    scopeOf(caller),
    request.idempotencyKey,
    op,
  );
}

/** Input and rule errors become userErrors; everything else propagates as a GraphQL error. */
export async function asPayload<T>(work: () => Promise<Executed<T>>): Promise<Executed<T>> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof InputError) {
      return { result: null, userErrors: error.problems.map((p) => ({ code: 'BAD_USER_INPUT', message: p.message, field: p.field })), replayed: false };
    }
    if (error instanceof GatewayError && isUserErrorCode(error.code)) {
      return { result: null, userErrors: [toUserError(error)], replayed: false };
    }
    throw error;
  }
}

async function spendRedeemAllowance({ services, caller }: MutationRequest): Promise<void> {
  const hit = await services.store.hit(`redeem:${scopeOf(caller)}`, services.config.rateLimit.redeemsPerMinute, 60_000);
  if (!hit.allowed) {
    throw new GatewayError('RATE_LIMITED', 'Too many redemptions; retry later', { retryable: true, retryAfterMs: hit.retryAfterMs, requestSent: false });
  }
}

/** Records who a redemption made through the gateway belongs to: the caller, at the business it was made at. */
const own = (request: MutationRequest, provider: ProviderName) => async (redemption: Redemption) => {
  await request.services.store.setOwner(`${provider}:${redemption.ref}`, {
    subject: request.caller.subject,
    businessId: (redemption.kind === 'TokenRedeem' ? redemption.businessId : undefined) ?? request.caller.businessId,
  });
};

// ---------------------------------------------------------------- Returning.AI

export function updateRedemptionStatus(request: MutationRequest, rawInput: unknown): Promise<Executed<RedemptionOrder>> {
  return asPayload(() => {
    const input = validateInput(updateOrderStatusInputSchema, rawInput);
    const adapter = request.services.adapters.returningai;
    const run = (signal: AbortSignal) => adapter.updateOrderStatus(input, { signal });
    // Setting a status is naturally idempotent: settling an unknown outcome repeats it.
    return guarded(request, { operation: 'updateRedemptionStatus', provider: 'returningai', input, run, settle: (_record, signal) => run(signal) });
  });
}

// ---------------------------------------------------------------- Capillary metadata

export function updateRedemptionMetadata(request: MutationRequest, rawInput: unknown): Promise<Executed<PointsRedemption>> {
  return asPayload(() => {
    const input = validateInput(updateRedemptionMetadataInputSchema, rawInput);
    const adapter = request.services.adapters.capillary;
    const run = (signal: AbortSignal) => adapter.updateRedemptionMetadata(input, { signal });
    // Writing the same metadata twice leaves the same record: settling repeats it.
    return guarded(request, { operation: 'updateRedemptionMetadata', provider: 'capillary', input, run, settle: (_record, signal) => run(signal) });
  });
}

// ---------------------------------------------------------------- Triple

/** The Triple partner roles each gateway role acts in. */
const TRIPLE_ROLES: Record<Caller['role'], readonly TripleRole[]> = {
  user: [],
  business: ['content_provider'],
  admin: ['content_provider', 'publisher'],
};

export function updateRewardStatus(request: MutationRequest, rawInput: unknown): Promise<Executed<Reward>> {
  return asPayload(async () => {
    const input = validateInput(updateRewardStatusInputSchema, rawInput);
    const adapter = request.services.adapters.triple;
    const current = await adapter.findReward(input.offerId, input.transactionId);
    if (!current) return { result: null, userErrors: [{ code: 'NOT_FOUND', message: 'No reward for that offer and transaction', field: ['input', 'transactionId'] }], replayed: false };
    // A status outside Triple's documented eight has no documented transitions.
    if (current.rewardStatus === undefined) {
      return { result: null, userErrors: [{ code: 'INVALID_TRANSITION', message: `The reward is in an undocumented status (${current.status.raw}); no transition is allowed from it`, field: ['input', 'status'] }], replayed: false };
    }
    const refusal = checkTransition(TRIPLE_ROLES[request.caller.role], current.rewardStatus, input.status, input.notes);
    if (refusal) {
      return { result: null, userErrors: [{ code: refusal.code, message: refusal.message, field: refusal.field ? ['input', ...refusal.field] : ['input', 'status'] }], replayed: false };
    }
    const run = (signal: AbortSignal) => adapter.updateRewardStatus(input, { signal });
    // Triple accepts repeating a status: settling repeats it.
    return guarded(request, { operation: 'updateRewardStatus', provider: 'triple', input, run, settle: (_record, signal) => run(signal) });
  });
}

// ---------------------------------------------------------------- executeRedeem

type RedeemInput = { pers?: unknown; capillary?: unknown; moment?: unknown };

export function executeRedeem(request: MutationRequest, rawInput: RedeemInput): Promise<Executed<Redemption>> {
  return asPayload(async () => {
    if (!request.idempotencyKey) {
      throw new InputError([{ field: ['idempotencyKey'], message: 'executeRedeem requires an idempotency key (Idempotency-Key header or idempotencyKey argument)' }]);
    }
    const op = rawInput.pers !== undefined && rawInput.pers !== null
      ? persRedeem(request, rawInput.pers)
      : rawInput.capillary !== undefined && rawInput.capillary !== null
        ? capillaryRedeem(request, rawInput.capillary)
        : momentRedeem(request, rawInput.moment);
    const prepared = await op;
    if ('userErrors' in prepared) return prepared;
    // The rate limit counts calls that will reach a provider, not replays or refusals; a limited
    // call releases its key (nothing was sent), so the retry runs afresh.
    const run = prepared.run;
    return guarded<Redemption>(request, {
      ...prepared,
      run: async (signal) => {
        await spendRedeemAllowance(request);
        return run(signal);
      },
    });
  });
}

type Prepared = IdempotentOperation<Redemption> | Executed<Redemption>;

/** Journal outcomes whose provider reference is the result of that key's call. */
const SETTLED_OUTCOMES: ReadonlySet<string> = new Set(['succeeded', 'settled']);

async function persRedeem(request: MutationRequest, raw: unknown): Promise<Prepared> {
  const input = validateInput(executeRedeemInputSchema, raw, ['input', 'pers']);
  const { caller, services } = request;
  if (caller.role === 'business' && input.businessId !== undefined && input.businessId !== caller.businessId) {
    return { result: null, userErrors: [{ code: 'FORBIDDEN', message: 'A business redeems only at its own businessId', field: ['input', 'pers', 'businessId'] }], replayed: false };
  }
  const businessId = input.businessId ?? caller.businessId;
  const adapter = services.adapters.pers;
  /** Whether a redeem is already the outcome of another of the caller's keys (per the journal). */
  const takenByAnotherKey = async (ref: string) =>
    (await services.store.journalEntries({ scope: scopeOf(caller), providerRef: ref }))
      .some((entry) => entry.operation === 'executeRedeem:pers' && SETTLED_OUTCOMES.has(entry.outcome) && entry.idempotencyKey !== request.idempotencyKey);
  return {
    operation: 'executeRedeem:pers',
    provider: 'pers',
    input: { ...input, businessId },
    run: (signal) => adapter.executeRedeem({ redemptionId: input.redemptionId, businessId }, { caller, signal }),
    refOf: (r) => r.ref,
    onResult: own(request, 'pers'),
    // PERS has no idempotency key. The outcome is the caller's redeem of this offer created since
    // the key's first attempt (allowing for clock skew) that no other key of theirs accounts for;
    // when there is none, the attempt did not land. Admins list every user's redeems: filter.
    async settle(record, signal) {
      const since = record.createdAt - PERS_CLOCK_SKEW_MS;
      const filter = { redemptionId: input.redemptionId, limit: PERS_PAGE_MAX, ...(caller.role === 'admin' && { userId: caller.subject }) };
      const candidates = (await adapter.listRedeems(filter, { caller, signal }))
        .filter((r) => r.userId === caller.subject && r.createdAt !== undefined && Date.parse(r.createdAt) >= since)
        .sort((a, b) => Date.parse(a.createdAt!) - Date.parse(b.createdAt!));
      for (const candidate of candidates) {
        if (!(await takenByAnotherKey(candidate.ref))) return candidate;
      }
      // An abandoned write may still land at PERS until its whole-call timeout has passed since
      // the last attempt began (the journal's last 'started'): only then does "not found" mean
      // it never happened.
      const journal = await request.services.store.journalEntries({ scope: record.scope, idempotencyKey: record.key });
      const lastAttempt = Math.max(record.createdAt, ...journal.filter((e) => e.outcome === 'started').map((e) => e.at));
      const wait = lastAttempt + request.services.config.upstream.totalMs - Date.now();
      if (wait > 0) {
        throw new GatewayError('OUTCOME_UNKNOWN', 'PERS has not recorded this redeem yet; retry with the same key later', {
          provider: 'pers', retryable: true, retryAfterMs: wait, idempotencyKey: request.idempotencyKey,
        });
      }
      return null;
    },
  };
}

/** How far PERS's clock may be behind ours when matching a redeem to an attempt. */
const PERS_CLOCK_SKEW_MS = 1_000;
/** The largest page PERS lists. */
const PERS_PAGE_MAX = 100;

async function capillaryRedeem(request: MutationRequest, raw: unknown): Promise<Prepared> {
  const input = validateInput(redeemPointsInputSchema, raw, ['input', 'capillary']);
  const adapter = request.services.adapters.capillary;
  const externalReferenceNumber = deriveProviderKey(scopeOf(request.caller), request.idempotencyKey!, 'capillary');
  const verify = (result: PointsRedemption) => {
    // Both sides are canonical decimals (the input schema canonicalises with toPoints).
    if (result.points.amount !== input.points) {
      throw new GatewayError('INTEGRITY_ERROR', 'Capillary redeemed a different number of points than requested', { provider: 'capillary', retryable: false });
    }
    return result;
  };
  return {
    operation: 'executeRedeem:capillary',
    provider: 'capillary',
    input,
    providerKey: externalReferenceNumber,
    run: async (signal) => verify(await adapter.redeemPoints({ ...input, externalReferenceNumber }, { signal })),
    refOf: (r) => r.ref,
    onResult: own(request, 'capillary'),
    // The external reference number is Capillary's idempotency check: look it up first.
    async settle(_record, signal) {
      const found = await adapter.findByExternalReference(input.customer, externalReferenceNumber, { signal });
      return found ? verify(found) : null;
    },
  };
}

async function momentRedeem(request: MutationRequest, raw: unknown): Promise<Prepared> {
  const input = validateInput(createVoucherRedemptionInputSchema, raw, ['input', 'moment']);
  const extra = (raw ?? {}) as { previousRedemptionId?: string | null; expectedVersion?: number | null };
  const adapter = request.services.adapters.moment;
  const previous = extra.previousRedemptionId ? fromGlobalId(extra.previousRedemptionId) : undefined;
  if (extra.expectedVersion != null && (!previous || previous.provider !== 'moment')) {
    throw new InputError([{ field: ['input', 'moment', 'previousRedemptionId'], message: 'expectedVersion needs previousRedemptionId: the global id of a Moment redemption' }]);
  }
  const expectedVersion = extra.expectedVersion;
  const providerKey = deriveProviderKey(scopeOf(request.caller), request.idempotencyKey!, 'moment');
  const verify = (result: Redemption) => {
    if (result.kind === 'VoucherRedemption' && input.amount && result.amount
      && (result.amount.minor !== input.amount.minor || result.amount.currency !== input.amount.currency)) {
      throw new GatewayError('INTEGRITY_ERROR', 'Moment echoed a different amount or currency than requested', { provider: 'moment', retryable: false });
    }
    return result;
  };
  const run = async (signal: AbortSignal) => verify(await adapter.createRedemption(input, { idempotencyKey: providerKey, signal }));
  return {
    operation: 'executeRedeem:moment',
    provider: 'moment',
    input: { ...input, previousRedemptionId: extra.previousRedemptionId ?? undefined, expectedVersion: expectedVersion ?? undefined },
    providerKey,
    // Optimistic concurrency: checked under the claim, so a replay of a finished key is never
    // refused because the previous redemption has moved on since.
    precondition: expectedVersion == null || !previous ? undefined : async (signal) => {
      const [current, [owner]] = await Promise.all([
        adapter.getRedemption(previous.ref, { signal }),
        request.services.store.getOwners([`moment:${previous.ref}`]),
      ]);
      // Someone else's redemption is reported exactly like one that does not exist.
      if (!current || !canSee(request.caller, current, owner)) {
        return { code: 'NOT_FOUND', message: 'No redemption with that id', field: ['input', 'moment', 'previousRedemptionId'] };
      }
      if (current.version === expectedVersion) return undefined;
      return {
        code: 'VERSION_CONFLICT',
        message: `The redemption is at version ${current.version}, not ${expectedVersion}; read it again`,
        field: ['input', 'moment', 'expectedVersion'],
        provider: 'moment',
      };
    },
    run,
    refOf: (r) => r.ref,
    onResult: own(request, 'moment'),
    // Moment replays a create with the same Idempotency-Key for 24 h: repeating it settles.
    settle: (_record, signal) => run(signal),
  };
}
