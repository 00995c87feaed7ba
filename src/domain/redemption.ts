/**
 * Provider-neutral redemption models. Each provider's adapter returns one of these; the GraphQL
 * layer maps them one-to-one onto the concrete types implementing `Redemption`. Identifiers are
 * opaque strings, never parsed.
 */
import type { Money, Points } from './money.js';
import type { ProviderName } from './provider.js';
import type { RedemptionStatus } from './status.js';

interface RedemptionBase {
  provider: ProviderName;
  /** The provider's own id for this record, verbatim. */
  nativeId: string;
  /**
   * What the gateway needs to read the record back from the provider. Usually the native id;
   * Capillary also needs the customer (`<customerId>/<redemptionId>`). Encoded in the global id.
   */
  ref: string;
  status: RedemptionStatus;
  /** ISO-8601 timestamps, where the provider reports them. */
  createdAt?: string;
  updatedAt?: string;
}

/** Returning.AI: a store order whose status the merchant moves through its own status records. */
export interface RedemptionOrder extends RedemptionBase {
  kind: 'RedemptionOrder';
  provider: 'returningai';
  transactionId: string;
  statusId: string;
}

/** A merchant-defined Returning.AI order status. */
export interface MerchantStatus {
  id: string;
  name: string;
  category: string;
  color?: string;
}

export interface CustomField {
  name: string;
  value: string;
}

export interface ProviderNotice {
  code: string;
  message: string;
}

/** Capillary: loyalty points redeemed by a customer, optionally against a bill. */
export interface PointsRedemption extends RedemptionBase {
  kind: 'PointsRedemption';
  provider: 'capillary';
  redemptionId: string;
  /** Capillary's numeric customer id, as a string. */
  customerId: string;
  points: Points;
  /** Currency value of the redeemed points, where Capillary reports it (`redeemed_value`). */
  redeemedValue?: string;
  /** The customer's points balance after the redemption, where reported. */
  balance?: Points;
  billNumber?: string;
  /** Positive integer of at most 19 digits, as a string (it does not fit a JS number). */
  billId?: string;
  purpose?: string;
  notes?: string;
  validationCode?: string;
  externalReferenceNumber?: string;
  customFields: CustomField[];
  warnings: ProviderNotice[];
}

/** PERS: a redeem of a redemption offer, with the token transaction it produced. */
export interface TokenRedeem extends RedemptionBase {
  kind: 'TokenRedeem';
  provider: 'pers';
  /** The offer redeemed (PERS `redemptionId`). */
  redemptionId: string;
  userId: string;
  businessId?: string;
  userCountryCode?: string;
  failureReason?: string;
  message?: string;
  transaction?: TokenTransaction;
}

export interface TokenTransaction {
  id: string;
  /** Token amount as a decimal string (ERC-20 amounts exceed 53 bits). */
  amount: string;
  tokenAddress?: string;
  type?: string;
  status: string;
  transactionHash?: string;
}

/** A PERS redemption offer: what a user can redeem and what it costs. */
export interface RedemptionOffer {
  id: string;
  name: string;
  description?: string;
  isActive: boolean;
  /** Credit tokens required, as a decimal string. */
  creditTokenAmount: string;
  supplyAvailable?: number;
  supplyTotal?: number;
  maxPerUser?: number;
}

export const REWARD_STATUSES = [
  'REJECTED',
  'PENDING_REVIEW',
  'PENDING_MERCHANT_APPROVAL',
  'DENIED_BY_MERCHANT',
  'PENDING_MERCHANT_FUNDING',
  'PENDING_TRANSFER_TO_PUBLISHER',
  'DISTRIBUTED_TO_PUBLISHER',
  'DISTRIBUTED_TO_CARDHOLDER',
] as const;
export type RewardStatus = (typeof REWARD_STATUSES)[number];

export const REWARD_REJECTIONS = [
  'PURCHASE_AMOUNT_TOO_LOW',
  'ACTIVATION_REQUIRED',
  'MAX_USES_MET',
  'MAX_REWARD_MET',
  'DAY_OF_WEEK_RESTRICTION',
  'TIME_OF_WEEK_RESTRICTION',
  'EXCLUDED_DATE',
  'NON_PARTICIPATING_LOCATION',
  'OTHER',
] as const;
export type RewardRejection = (typeof REWARD_REJECTIONS)[number];

/** Triple: a card-linked offer reward moving through its funding lifecycle. */
export interface Reward extends RedemptionBase {
  kind: 'Reward';
  provider: 'triple';
  rewardId: string;
  offerId: string;
  transactionId: string;
  /** Triple's status; undefined when Triple sent a value outside the eight documented ones (`status.raw` keeps it). */
  rewardStatus?: RewardStatus;
  /** The reward's value (may be negative for returns). */
  amount?: Money;
  /** The card transaction that earned it. */
  transactionAmount?: Money;
  merchantName?: string;
  rejection?: RewardRejection;
  notes?: string;
  statusUpdatedAt?: string;
}

export const VOUCHER_TYPES = ['vouchers.one_voucher', 'vouchers.ott', 'vouchers.blu'] as const;
export type VoucherType = (typeof VOUCHER_TYPES)[number];

export interface VoucherOperation {
  id: string;
  type: string;
  status: string;
  amount?: Money;
  createdAt?: string;
}

/** A replacement voucher issued on a partial redemption. The PIN is a secret: never logged. */
export interface ChangeVoucher {
  pin?: string;
  serialNumber?: string;
  barcode?: string;
  instructions?: string;
  amount?: Money;
}

/** Moment: a voucher redeemed in one create call, with a version counter for concurrency. */
export interface VoucherRedemption extends RedemptionBase {
  kind: 'VoucherRedemption';
  provider: 'moment';
  type: string;
  /** Starts at 1, +1 on every state change. */
  version: number;
  amount?: Money;
  reservedAmount?: Money;
  redeemedAmount?: Money;
  reversedAmount?: Money;
  changeVoucher?: ChangeVoucher;
  operations: VoucherOperation[];
  metadata: Record<string, string>;
  externalReference?: string;
  /** Moment's code for why the redemption failed (`last_error.code`), verbatim. */
  errorCode?: string;
  errorMessage?: string;
}

/** What a voucher type needs and can do, from Moment's types endpoint. */
export interface VoucherTypeInfo {
  type: string;
  category: string;
  name: string;
  description?: string;
  capabilities: { reserve: boolean; redeem: boolean; refund: boolean; lookup: boolean; changeVoucher?: string };
  requiredFields: { name: string; type: string; required: boolean; sensitive: boolean; description?: string }[];
}

export type Redemption = RedemptionOrder | PointsRedemption | TokenRedeem | Reward | VoucherRedemption;
export type RedemptionKind = Redemption['kind'];

/** A key-value pair as the GraphQL layer shows metadata and custom fields. */
export interface KeyValue {
  key: string;
  value: string;
}
