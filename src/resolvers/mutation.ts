/**
 * Root writes: reconcile the idempotency key, run the mutation service, shape the payload.
 */
import { requireCaller, type GatewayContext } from '../context.js';
import type { UserErrorView } from '../domain/errors.js';
import type { Redemption } from '../domain/redemption.js';
import type { Resolvers } from '../generated/resolvers.js';
import type { Executed } from '../services/idempotency.js';
import * as mutations from '../services/mutations.js';

/**
 * A redemption the provider recorded as FAILED (Moment answers a refused voucher with a created,
 * failed redemption rather than an error) is a refusal: it comes back with a PROVIDER_REJECTED
 * userError carrying the provider's code, beside the redemption itself.
 */
const refusalOf = (redemption: Redemption | null): UserErrorView[] =>
  redemption?.kind === 'VoucherRedemption' && redemption.status.state === 'FAILED'
    ? [{
        code: 'PROVIDER_REJECTED',
        message: redemption.errorMessage ?? 'Moment recorded the redemption as failed',
        provider: redemption.provider,
        providerCode: redemption.errorCode,
      }]
    : [];

const requestOf = (context: GatewayContext, idempotencyKey: string | null | undefined): mutations.MutationRequest => ({
  services: context.services,
  caller: requireCaller(context),
  logger: context.logger,
  idempotencyKey: mutations.resolveIdempotencyKey(idempotencyKey, context.idempotencyKeyHeader),
});

/** Runs a mutation; a conflicting key or invalid input becomes userErrors like any other refusal. */
const run = <T>(
  context: GatewayContext,
  idempotencyKey: string | null | undefined,
  mutation: (request: mutations.MutationRequest, input: never) => Promise<Executed<T>>,
  input: unknown,
) => mutations.asPayload(() => mutation(requestOf(context, idempotencyKey), input as never));

export const mutationResolvers: Resolvers = {
  Mutation: {
    async updateRedemptionStatus(_p, { input, idempotencyKey }, context) {
      const { result, userErrors, replayed } = await run(context, idempotencyKey, mutations.updateRedemptionStatus, input);
      return { order: result, userErrors, replayed };
    },
    async updateRedemptionMetadata(_p, { input, idempotencyKey }, context) {
      const { result, userErrors, replayed } = await run(context, idempotencyKey, mutations.updateRedemptionMetadata, input);
      return { redemption: result, userErrors, replayed };
    },
    async executeRedeem(_p, { input, idempotencyKey }, context) {
      const { result, userErrors, replayed } = await run(context, idempotencyKey, mutations.executeRedeem, input);
      return { redemption: result, userErrors: [...userErrors, ...refusalOf(result)], replayed };
    },
    async updateRewardStatus(_p, { input, idempotencyKey }, context) {
      const { result, userErrors, replayed } = await run(context, idempotencyKey, mutations.updateRewardStatus, input);
      return { reward: result, userErrors, replayed };
    },
  },
};
