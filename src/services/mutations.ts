/**
 * The four mutations: validate the input (meaning, not just shape), check what the caller may
 * do, then call the provider under the idempotency contract. Resolvers only shape payloads.
 */
import type { Caller } from '../domain/caller.js';
import { GatewayError, type UserErrorView } from '../domain/errors.js';
import { fromGlobalId } from '../domain/ids.js';
import type { ProviderName } from '../domain/provider.js';
import type { PointsRedemption, Redemption, RedemptionOrder, Reward } from '../domain/redemption.js';
import { InputError, validateInput } from '../domain/validation.js';
import type { Logger } from '../logger.js';
import { redeemPointsInputSchema, updateRedemptionMetadataInputSchema } from '../providers/capillary/input.js';
import { createVoucherRedemptionInputSchema } from '../providers/moment/input.js';
import { executeRedeemInputSchema } from '../providers/pers/input.js';
import { updateOrderStatusInputSchema } from '../providers/returning-ai/input.js';
import { updateRewardStatusInputSchema } from '../providers/triple/input.js';
import { checkTransition } from '../providers/triple/tables.js';
import type { TripleRole } from '../providers/types.js';
import { deriveProviderKey } from '../store/hash.js';
import { executeIdempotently, type Executed, type IdempotentOperation } from './idempotency.js';
import type { Services } from './types.js';

export interface MutationRequest {
  services: Services;
  caller: Caller;
  logger: Logger;
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

/** Runs an operation under its idempotency key, or directly when the mutation has none. */
async function guarded<T>(request: MutationRequest, op: IdempotentOperation<T>): Promise<Executed<T>> {
  const { services, caller } = request;
  if (!request.idempotencyKey) {
    const result = await op.run();
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
async function asPayload<T>(work: () => Promise<Executed<T>>): Promise<Executed<T>> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof InputError) {
      return { result: null, userErrors: error.problems.map((p) => ({ code: 'BAD_USER_INPUT', message: p.message, field: p.field })), replayed: false };
    }
    if (error instanceof GatewayError && error.code === 'INVALID_TRANSITION') {
      return { result: null, userErrors: [userError(error)], replayed: false };
    }
    throw error;
  }
}

const userError = (error: GatewayError): UserErrorView => ({
  code: error.code as UserErrorView['code'],
  message: error.message,
  field: error.field,
  provider: error.provider,
  providerCode: error.providerCode,
});

const own = (request: MutationRequest, provider: ProviderName) => async (redemption: Redemption) => {
  await request.services.store.setOwner(`${provider}:${redemption.ref}`, {
    subject: request.caller.subject,
    businessId: request.caller.businessId,
  });
};

// ---------------------------------------------------------------- Returning.AI

export function updateRedemptionStatus(request: MutationRequest, rawInput: unknown): Promise<Executed<RedemptionOrder>> {
  return asPayload(() => {
    const input = validateInput(updateOrderStatusInputSchema, rawInput);
    const adapter = request.services.adapters.returningai;
    const run = () => adapter.updateOrderStatus(input);
    // Setting a status is naturally idempotent: settling an unknown outcome repeats it.
    return guarded(request, { operation: 'updateRedemptionStatus', provider: 'returningai', input, run, settle: run });
  });
}

// ---------------------------------------------------------------- Capillary metadata

export function updateRedemptionMetadata(request: MutationRequest, rawInput: unknown): Promise<Executed<PointsRedemption>> {
  return asPayload(() => {
    const input = validateInput(updateRedemptionMetadataInputSchema, rawInput);
    const adapter = request.services.adapters.capillary;
    const run = () => adapter.updateRedemptionMetadata(input);
    // Writing the same metadata twice leaves the same record: settling repeats it.
    return guarded(request, { operation: 'updateRedemptionMetadata', provider: 'capillary', input, run, settle: run });
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
    const refusal = checkTransition(TRIPLE_ROLES[request.caller.role], current.rewardStatus, input.status, input.notes);
    if (refusal) {
      return { result: null, userErrors: [{ code: refusal.code, message: refusal.message, field: refusal.field ? ['input', ...refusal.field] : ['input', 'status'] }], replayed: false };
    }
    const run = () => adapter.updateRewardStatus(input);
    // Triple accepts repeating a status: settling repeats it.
    return guarded(request, { operation: 'updateRewardStatus', provider: 'triple', input, run, settle: run });
  });
}

// ---------------------------------------------------------------- executeRedeem

type RedeemInput = { pers?: unknown; capillary?: unknown; moment?: unknown };

export function executeRedeem(request: MutationRequest, rawInput: RedeemInput): Promise<Executed<Redemption>> {
  return asPayload(async () => {
    if (!request.idempotencyKey) {
      throw new InputError([{ field: ['idempotencyKey'], message: 'executeRedeem requires an idempotency key (Idempotency-Key header or idempotencyKey argument)' }]);
    }
    const limit = request.services.config.rateLimit.redeemsPerMinute;
    const hit = await request.services.store.hit(`redeem:${scopeOf(request.caller)}`, limit, 60_000);
    if (!hit.allowed) {
      throw new GatewayError('RATE_LIMITED', 'Too many redemptions; retry later', { retryable: true, retryAfterMs: hit.retryAfterMs, requestSent: false });
    }
    const op = rawInput.pers !== undefined && rawInput.pers !== null
      ? persRedeem(request, rawInput.pers)
      : rawInput.capillary !== undefined && rawInput.capillary !== null
        ? capillaryRedeem(request, rawInput.capillary)
        : momentRedeem(request, rawInput.moment);
    const prepared = await op;
    if ('userErrors' in prepared) return prepared;
    return guarded<Redemption>(request, prepared);
  });
}

type Prepared = IdempotentOperation<Redemption> | Executed<Redemption>;

async function persRedeem(request: MutationRequest, raw: unknown): Promise<Prepared> {
  const input = validateInput(executeRedeemInputSchema, raw, ['input', 'pers']);
  const { caller } = request;
  if (caller.role === 'business' && input.businessId !== undefined && input.businessId !== caller.businessId) {
    return { result: null, userErrors: [{ code: 'FORBIDDEN', message: 'A business redeems only at its own businessId', field: ['input', 'pers', 'businessId'] }], replayed: false };
  }
  const businessId = input.businessId ?? caller.businessId;
  const adapter = request.services.adapters.pers;
  const startedAt = Date.now();
  return {
    operation: 'executeRedeem:pers',
    provider: 'pers',
    input: { ...input, businessId },
    run: () => adapter.executeRedeem({ redemptionId: input.redemptionId, businessId }, { caller }),
    refOf: (r) => r.ref,
    onResult: own(request, 'pers'),
    // PERS has no idempotency key. A redeem of this offer by this caller created since the
    // attempt began is the outcome; when there is none, the first attempt did not land.
    async settle(record) {
      const since = Math.min(startedAt, record.createdAt) - 1_000;
      const redeems = await adapter.listRedeems({ redemptionId: input.redemptionId }, { caller });
      return redeems.find((r) => r.userId === caller.subject && r.createdAt !== undefined && Date.parse(r.createdAt) >= since) ?? null;
    },
  };
}

async function capillaryRedeem(request: MutationRequest, raw: unknown): Promise<Prepared> {
  const input = validateInput(redeemPointsInputSchema, raw, ['input', 'capillary']);
  const adapter = request.services.adapters.capillary;
  const externalReferenceNumber = deriveProviderKey(scopeOf(request.caller), request.idempotencyKey!, 'capillary');
  const verify = (result: PointsRedemption) => {
    if (result.points.amount !== canonicalPoints(input.points)) {
      throw new GatewayError('INTEGRITY_ERROR', 'Capillary redeemed a different number of points than requested', { provider: 'capillary', retryable: false });
    }
    return result;
  };
  return {
    operation: 'executeRedeem:capillary',
    provider: 'capillary',
    input,
    run: async () => verify(await adapter.redeemPoints({ ...input, externalReferenceNumber })),
    refOf: (r) => r.ref,
    onResult: own(request, 'capillary'),
    // The external reference number is Capillary's idempotency check: look it up first.
    async settle() {
      const found = await adapter.findByExternalReference(input.customer, externalReferenceNumber);
      return found ? verify(found) : null;
    },
  };
}

const canonicalPoints = (points: string) => points.replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '');

async function momentRedeem(request: MutationRequest, raw: unknown): Promise<Prepared> {
  const input = validateInput(createVoucherRedemptionInputSchema, raw, ['input', 'moment']);
  const extra = (raw ?? {}) as { previousRedemptionId?: string | null; expectedVersion?: number | null };
  const adapter = request.services.adapters.moment;
  if (extra.expectedVersion != null) {
    const previous = extra.previousRedemptionId ? fromGlobalId(extra.previousRedemptionId) : undefined;
    if (!previous || previous.provider !== 'moment') {
      throw new InputError([{ field: ['input', 'moment', 'previousRedemptionId'], message: 'expectedVersion needs previousRedemptionId: the global id of a Moment redemption' }]);
    }
    const current = await request.services.adapters.moment.getRedemption(previous.ref);
    if (!current) return { result: null, userErrors: [{ code: 'NOT_FOUND', message: 'No redemption with that id', field: ['input', 'moment', 'previousRedemptionId'] }], replayed: false };
    if (current.version !== extra.expectedVersion) {
      return {
        result: null,
        userErrors: [{ code: 'VERSION_CONFLICT', message: `The redemption is at version ${current.version}, not ${extra.expectedVersion}; read it again`, field: ['input', 'moment', 'expectedVersion'], provider: 'moment' }],
        replayed: false,
      };
    }
  }
  const providerKey = deriveProviderKey(scopeOf(request.caller), request.idempotencyKey!, 'moment');
  const verify = (result: Redemption) => {
    if (result.kind === 'VoucherRedemption' && input.amount && result.amount
      && (result.amount.minor !== input.amount.minor || result.amount.currency !== input.amount.currency)) {
      throw new GatewayError('INTEGRITY_ERROR', 'Moment echoed a different amount or currency than requested', { provider: 'moment', retryable: false });
    }
    return result;
  };
  const run = async () => verify(await adapter.createRedemption(input, { idempotencyKey: providerKey }));
  return {
    operation: 'executeRedeem:moment',
    provider: 'moment',
    input: { ...input, previousRedemptionId: extra.previousRedemptionId ?? undefined, expectedVersion: extra.expectedVersion ?? undefined },
    run,
    refOf: (r) => r.ref,
    onResult: own(request, 'moment'),
    // Moment replays a create with the same Idempotency-Key for 24 h: repeating it settles.
    settle: run,
  };
}
