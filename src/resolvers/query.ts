/**
 * Root reads. Thin: decode ids, check visibility rules, call loaders or adapters.
 */
import { canSee } from '../auth/rules.js';
import { requireCaller, type GatewayContext } from '../context.js';
import type { TokenRedeem } from '../domain/redemption.js';
import { fromGlobalId } from '../domain/ids.js';
import { toStatus } from '../domain/status.js';
import { InputError, validateInput } from '../domain/validation.js';
import type { QueryResolvers, Resolvers } from '../generated/resolvers.js';
import { notFound } from '../loaders/redemptions.js';
import { redeemFilterSchema } from '../providers/pers/input.js';
import { categoryStateMap } from '../providers/returning-ai/tables.js';
import { providerHealth } from './providers.js';

/** Reads one redemption by global id through the request's loaders; NOT_FOUND when absent or not the caller's. */
const loadRedemption: NonNullable<QueryResolvers['redemption']> = (_parent, { id }, context) => {
  const ref = fromGlobalId(id);
  return ref ? context.loaders.redemption(ref) : Promise.reject(notFound());
};

export const MAX_IDS = 100;

export const queryResolvers: Resolvers = {
  Query: {
    viewer: (_p, _a, context) => requireCaller(context),
    node: loadRedemption,
    redemption: loadRedemption,
    redemptions(_parent, { ids }, context) {
      if (ids.length > MAX_IDS) throw validationError(['ids'], `at most ${MAX_IDS} ids per request`);
      return ids.map((id) => {
        const ref = fromGlobalId(id);
        return ref ? context.loaders.redemption(ref) : Promise.reject(notFound());
      });
    },
    async persRedeems(_parent, { filter, page, pageSize }, context) {
      const caller = requireCaller(context);
      const parsed = validateInput(redeemFilterSchema, { ...filter, page, limit: pageSize }, []);
      // PERS visibility is the gateway's to enforce: only admins choose the user and business.
      const scoped = caller.role === 'admin'
        ? parsed
        : caller.role === 'business'
          ? { ...parsed, userId: undefined, businessId: caller.businessId }
          : { ...parsed, userId: caller.subject, businessId: undefined };
      return visibleOnly(context, await context.services.adapters.pers.listRedeems(scoped, { caller }));
    },
    async myRedeems(_parent, { redemptionId }, context) {
      const caller = requireCaller(context);
      return visibleOnly(context, await context.services.adapters.pers.myRedeems(redemptionId ? { redemptionId } : {}, { caller }));
    },
    redemptionOffer: (_p, { id }, context) => context.services.adapters.pers.getOffer(id),
    async customerRedemptions(_parent, { customer, first, offset }, context) {
      if (first < 1 || first > 500) throw validationError(['first'], 'must be between 1 and 500');
      if (offset < 0 || offset % first !== 0) throw validationError(['offset'], 'must be a non-negative multiple of first');
      const page = await context.services.adapters.capillary.listCustomerRedemptions({ customer, limit: first, offset });
      return { items: page.items, total: page.total ?? null };
    },
    voucherTypes: (_p, _a, context) => context.services.adapters.moment.listTypes(),
    reward: (_p, { rewardId }, context) => context.services.adapters.triple.getReward(rewardId),
    rewards: (_p, { status }, context) => context.services.adapters.triple.listRewards(status ? { status } : {}),
    orderStatuses: (_p, _a, context) => context.services.adapters.returningai.listStatuses(),
    providers: (_p, _a, context) => providerHealth(context.services),
  },
  MerchantStatus: {
    state: (status, _a, context) => toStatus(categoryStateMap, status.category, { provider: 'returningai', logger: context.logger }).state,
  },
};

/**
 * Keeps the redeems the caller may see, whatever PERS answered: PERS reports no businessId on
 * redeems, so a business sees those the gateway recorded as made at its business.
 */
async function visibleOnly(context: GatewayContext, redeems: TokenRedeem[]): Promise<TokenRedeem[]> {
  const caller = requireCaller(context);
  const owners = await context.services.store.getOwners(redeems.map((r) => `pers:${r.ref}`));
  return redeems.filter((redeem, i) => canSee(caller, redeem, owners[i]));
}

const validationError = (field: string[], message: string) => new InputError([{ field, message }]);
