/**
 * Root writes: reconcile the idempotency key, run the mutation service, shape the payload.
 */
import { requireCaller, type GatewayContext } from '../context.js';
import type { Resolvers } from '../generated/resolvers.js';
import * as mutations from '../services/mutations.js';

const requestOf = (context: GatewayContext, idempotencyKey: string | null | undefined): mutations.MutationRequest => ({
  services: context.services,
  caller: requireCaller(context),
  logger: context.logger,
  idempotencyKey: mutations.resolveIdempotencyKey(idempotencyKey, context.idempotencyKeyHeader),
});

export const mutationResolvers: Resolvers = {
  Mutation: {
    async updateRedemptionStatus(_p, { input, idempotencyKey }, context) {
      const { result, userErrors, replayed } = await mutations.updateRedemptionStatus(requestOf(context, idempotencyKey), input);
      return { order: result, userErrors, replayed };
    },
    async updateRedemptionMetadata(_p, { input, idempotencyKey }, context) {
      const { result, userErrors, replayed } = await mutations.updateRedemptionMetadata(requestOf(context, idempotencyKey), input);
      return { redemption: result, userErrors, replayed };
    },
    async executeRedeem(_p, { input, idempotencyKey }, context) {
      const { result, userErrors, replayed } = await mutations.executeRedeem(requestOf(context, idempotencyKey), input);
      return { redemption: result, userErrors, replayed };
    },
    async updateRewardStatus(_p, { input, idempotencyKey }, context) {
      const { result, userErrors, replayed } = await mutations.updateRewardStatus(requestOf(context, idempotencyKey), input);
      return { reward: result, userErrors, replayed };
    },
  },
};
