/**
 * Who may run what: one row per root field, as data. The schema's field descriptions and the
 * README's table say the same; a test keeps them in step.
 */
import type { Caller, Role } from '../domain/caller.js';
import type { Owner } from '../store/types.js';
import type { Redemption } from '../domain/redemption.js';

const ALL = ['user', 'business', 'admin'] as const satisfies readonly Role[];
const STAFF = ['business', 'admin'] as const satisfies readonly Role[];

export const OPERATION_RULES = {
  Query: {
    node: ALL,
    redemption: ALL,
    redemptions: ALL,
    persRedeems: ALL,
    myRedeems: ['user'],
    redemptionOffer: ALL,
    customerRedemptions: STAFF,
    voucherTypes: ALL,
    reward: STAFF,
    rewards: STAFF,
    orderStatuses: STAFF,
    providers: ['admin'],
    viewer: ALL,
  },
  Mutation: {
    updateRedemptionStatus: STAFF,
    updateRedemptionMetadata: STAFF,
    executeRedeem: ALL,
    updateRewardStatus: STAFF,
  },
} as const satisfies Record<'Query' | 'Mutation', Record<string, readonly Role[]>>;

export type RootType = keyof typeof OPERATION_RULES;

export const allowedRoles = (type: RootType, field: string): readonly Role[] | undefined =>
  (OPERATION_RULES[type] as Record<string, readonly Role[]>)[field];

/**
 * Whether the caller may see a redemption. Admins see everything. Fulfilment-side records
 * (Returning.AI orders, Triple rewards) belong to the businesses fulfilling them. Debit-side
 * records belong to the user and business recorded when the gateway created them (PERS also
 * reports its own userId and businessId). Anything else is invisible, and reported exactly like a
 * record that does not exist.
 */
export function canSee(caller: Caller, redemption: Redemption, owner: Owner | undefined): boolean {
  if (caller.role === 'admin') return true;
  if (redemption.kind === 'RedemptionOrder' || redemption.kind === 'Reward') return caller.role === 'business';
  const userId = owner?.subject ?? (redemption.kind === 'TokenRedeem' ? redemption.userId : undefined);
  const businessId = owner?.businessId ?? (redemption.kind === 'TokenRedeem' ? redemption.businessId : undefined);
  if (caller.role === 'business') return businessId !== undefined && businessId === caller.businessId;
  return userId !== undefined && userId === caller.subject;
}
