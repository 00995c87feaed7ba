/**
 * Pure conversions between Triple's wire bodies and the domain `Reward`.
 */
import { GatewayError } from '../../domain/errors.js';
import { decimalToMinor, money, type Money } from '../../domain/money.js';
import {
  REWARD_REJECTIONS,
  REWARD_STATUSES,
  type Reward,
  type RewardRejection,
  type RewardStatus,
} from '../../domain/redemption.js';
import { toStatus, type StatusLogger } from '../../domain/status.js';
import type { UpdateRewardStatusInput } from '../types.js';
import { TRIPLE_STATUS_MAP } from './tables.js';
import type { TriplePatchRewardBody, TripleReward, TripleUpdateStatusBody } from './wire.js';

/** Triple supports USD only [D]; an amount without a currency code is taken as USD [I]. */
export const TRIPLE_DEFAULT_CURRENCY = 'USD';

const isRewardStatus = (value: string): value is RewardStatus => (REWARD_STATUSES as readonly string[]).includes(value);
const isRejection = (value: string): value is RewardRejection => (REWARD_REJECTIONS as readonly string[]).includes(value);

/**
 * Converts a major-unit amount exactly. More fraction digits than the currency allows, or a
 * non-decimal value, is PROVIDER_BAD_RESPONSE: an amount is never rounded.
 */
export function toMoney(
  value: number | string | null | undefined,
  currency: string | null | undefined,
  field: string,
): Money | undefined {
  if (value === null || value === undefined) return undefined;
  const code = (currency ?? TRIPLE_DEFAULT_CURRENCY).toUpperCase();
  const minor = decimalToMinor(value, code);
  if (minor === undefined) {
    throw new GatewayError('PROVIDER_BAD_RESPONSE', `triple sent ${field} that is not an exact ${code} amount`, {
      provider: 'triple',
      retryable: false,
    });
  }
  return money(minor, code);
}

/**
 * A wire reward as the domain `Reward`. An unknown status is PENDING (logged) with the raw value
 * kept in `status.raw`, and `rewardStatus` is left out: it is never guessed, so that no unknown
 * status passes for a documented one (nor for a transition's starting point). An unknown
 * rejection reason reads OTHER.
 */
export function toReward(wire: TripleReward, logger?: StatusLogger): Reward {
  const status = toStatus(TRIPLE_STATUS_MAP, wire.status, { provider: 'triple', logger });
  const reward: Reward = {
    kind: 'Reward',
    provider: 'triple',
    nativeId: wire.reward_id,
    ref: wire.reward_id,
    status,
    rewardId: wire.reward_id,
    offerId: wire.offer_id,
    transactionId: wire.transaction_id,
  };
  if (isRewardStatus(wire.status)) reward.rewardStatus = wire.status;
  const amount =
    toMoney(wire.reward_amount, wire.reward_currency_code, 'reward_amount') ??
    toMoney(wire.amount, wire.currency_code ?? wire.reward_currency_code, 'amount');
  const transactionAmount = toMoney(wire.transaction_amount, wire.transaction_currency_code, 'transaction_amount');
  if (amount) reward.amount = amount;
  if (transactionAmount) reward.transactionAmount = transactionAmount;
  if (wire.merchant_name) reward.merchantName = wire.merchant_name;
  if (wire.rejection) reward.rejection = isRejection(wire.rejection) ? wire.rejection : 'OTHER';
  if (wire.notes) reward.notes = wire.notes;
  // The reward comes into being with its card transaction [I].
  if (wire.transaction_timestamp) reward.createdAt = wire.transaction_timestamp;
  if (wire.status_updated_at) {
    reward.statusUpdatedAt = wire.status_updated_at;
    reward.updatedAt = wire.status_updated_at;
  }
  return reward;
}

/** POST /partner/rewards.update_status body [D]. */
export const fromUpdateInput = (input: UpdateRewardStatusInput): TripleUpdateStatusBody => ({
  status: input.status,
  offer_id: input.offerId,
  transaction_id: input.transactionId,
});

/** PATCH /partner/rewards/{id} body, used when notes are given [D]. */
export const fromPatchInput = (input: UpdateRewardStatusInput & { notes: string }): TriplePatchRewardBody => ({
  status: input.status,
  notes: input.notes,
});
