/**
 * Object and enum resolvers: how domain models show in the schema. Pure mappings, no I/O except
 * `TokenRedeem.offer` (through the request's offer loader).
 */
import { toGlobalId } from '../domain/ids.js';
import { minorToDecimal } from '../domain/money.js';
import type { Redemption } from '../domain/redemption.js';
import type { Resolvers } from '../generated/resolvers.js';

const ENUMS = {
  Provider: { RETURNING_AI: 'returningai', CAPILLARY: 'capillary', PERS: 'pers', TRIPLE: 'triple', MOMENT: 'moment' },
  VoucherType: { ONE_VOUCHER: 'vouchers.one_voucher', OTT: 'vouchers.ott', BLU: 'vouchers.blu' },
  CustomerIdentifierType: { MOBILE: 'mobile', EMAIL: 'email', EXTERNAL_ID: 'external_id', ID: 'id' },
  Role: { USER: 'user', BUSINESS: 'business', ADMIN: 'admin' },
  BreakerState: { CLOSED: 'closed', OPEN: 'open', HALF_OPEN: 'half-open' },
  ProviderMode: { SIMULATOR: 'simulator', LIVE: 'live' },
} as const satisfies Resolvers;

/** Fields every Redemption shares. */
const common = {
  id: (r: Redemption) => toGlobalId(r.provider, r.ref),
  providerId: (r: Redemption) => r.nativeId,
  amount: (r: Redemption) => ('amount' in r ? r.amount ?? null : null),
};

export const typeResolvers: Resolvers = {
  ...ENUMS,
  Node: { __resolveType: (r) => r.kind },
  Redemption: { __resolveType: (r) => r.kind },
  RedemptionOrder: common,
  PointsRedemption: {
    ...common,
    amount: () => null,
    customFields: (r) => r.customFields.map(({ name, value }) => ({ key: name, value })),
  },
  TokenRedeem: {
    ...common,
    amount: () => null,
    offer: (r, _args, context) => context.loaders.offer(r.redemptionId),
  },
  Reward: { ...common, updatedAt: (r) => r.statusUpdatedAt ?? r.updatedAt ?? null },
  VoucherRedemption: {
    ...common,
    type: (r) => r.type as never,
    metadata: (r) => Object.entries(r.metadata).map(([key, value]) => ({ key, value })),
  },
  ChangeVoucher: { pinLast4: (v) => (v.pin ? v.pin.slice(-4) : null) },
  Money: {
    amount: (m) => minorToDecimal(m.minor, m.currency),
    currencyCode: (m) => m.currency,
  },
  VoucherTypeInfo: {
    type: (t) => t.type as never,
    canReserve: (t) => t.capabilities.reserve,
    canRefund: (t) => t.capabilities.refund,
    canLookup: (t) => t.capabilities.lookup,
    changeVoucherDelivery: (t) => t.capabilities.changeVoucher ?? null,
  },
};
