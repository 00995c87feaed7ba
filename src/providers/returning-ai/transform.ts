/** Pure conversions between Returning.AI wire bodies and the domain models. */
import type { MerchantStatus, RedemptionOrder } from '../../domain/redemption.js';
import { toStatus, type RedemptionStatus, type StatusLogger } from '../../domain/status.js';
import { categoryStateMap } from './tables.js';
import type { ReturningAiOrder, ReturningAiStatus } from './wire.js';

export interface TransformContext {
  logger?: StatusLogger;
}

/**
 * The canonical status of a merchant status record: the state comes from its category (an
 * unknown category is PENDING and logged); `raw` is the record's id, with its name, category
 * and color beside it.
 */
export function toRedemptionStatus(status: ReturningAiStatus, context: TransformContext = {}): RedemptionStatus {
  const extra = { name: status.name, category: status.category, ...(status.color ? { color: status.color } : {}) };
  const mapped = toStatus(categoryStateMap, status.category, { provider: 'returningai', logger: context.logger }, extra);
  return { ...mapped, raw: status._id };
}

/** An order; its transaction id is both the native id and the ref used to read it back. */
export function toRedemptionOrder(order: ReturningAiOrder, context: TransformContext = {}): RedemptionOrder {
  return {
    kind: 'RedemptionOrder',
    provider: 'returningai',
    nativeId: order.transactionId,
    ref: order.transactionId,
    transactionId: order.transactionId,
    statusId: order.statusId,
    status: toRedemptionStatus(order.status, context),
    ...(order.createdAt ? { createdAt: order.createdAt } : {}),
    ...(order.updatedAt ? { updatedAt: order.updatedAt } : {}),
  };
}

export function toMerchantStatus(status: ReturningAiStatus): MerchantStatus {
  return {
    id: status._id,
    name: status.name,
    category: status.category,
    ...(status.color ? { color: status.color } : {}),
  };
}

/** The body of the documented status update. */
export const fromUpdateOrderStatusInput = (input: { transactionId: string; statusId: string }) => ({
  transactionId: input.transactionId,
  statusId: input.statusId,
});
