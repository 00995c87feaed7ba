/** Pure conversions between PERS wire bodies and the gateway's domain models. */
import { compact } from '../../domain/objects.js';
import type { RedemptionOffer, TokenRedeem, TokenTransaction } from '../../domain/redemption.js';
import { toStatus, type StatusLogger } from '../../domain/status.js';
import { persStatusMap } from './tables.js';
import type { PersExecuteRedeem, PersOffer, PersRedeem, PersTransaction } from './wire.js';

const opt = <T>(value: T | null | undefined): T | undefined => value ?? undefined;

/** A wire amount (number or decimal string, already checked by the schema) as a decimal string. */
export const toDecimalString = (value: string | number): string => String(value);

export function toTokenTransaction(wire: PersTransaction): TokenTransaction {
  return compact({
    id: wire.id,
    amount: toDecimalString(wire.amount),
    tokenAddress: opt(wire.tokenAddress),
    type: opt(wire.type),
    status: wire.status,
    transactionHash: opt(wire.transactionHash),
  });
}

export interface TokenRedeemExtras {
  /** The business the redeem was made for, when the call knew it (the wire redeem omits it). */
  businessId?: string;
  transaction?: PersTransaction | null;
}

export function toTokenRedeem(wire: PersRedeem, logger?: StatusLogger, extras: TokenRedeemExtras = {}): TokenRedeem {
  return compact({
    kind: 'TokenRedeem',
    provider: 'pers',
    nativeId: wire.id,
    ref: wire.id,
    status: toStatus(persStatusMap, wire.status, { provider: 'pers', logger }),
    createdAt: opt(wire.createdAt),
    updatedAt: opt(wire.updatedAt),
    redemptionId: wire.redemptionId,
    userId: wire.userId,
    businessId: extras.businessId ?? opt(wire.businessId),
    userCountryCode: opt(wire.userCountryCode),
    failureReason: opt(wire.failureReason),
    message: opt(wire.message),
    transaction: extras.transaction ? toTokenTransaction(extras.transaction) : undefined,
  });
}

/** The answer of an executed redeem: the redeem plus the sender's token transaction. */
export function fromExecuteRedeem(wire: PersExecuteRedeem, businessId: string | undefined, logger?: StatusLogger): TokenRedeem {
  return toTokenRedeem(wire.redeem, logger, { businessId, transaction: wire.senderTransaction?.transaction });
}

export function toRedemptionOffer(wire: PersOffer): RedemptionOffer {
  return compact({
    id: wire.id,
    name: wire.name,
    description: opt(wire.description),
    isActive: wire.isActive,
    creditTokenAmount: toDecimalString(wire.creditTokenAmount),
    supplyAvailable: opt(wire.supply?.available),
    supplyTotal: opt(wire.supply?.total),
    maxPerUser: opt(wire.maxPerUser),
  });
}

/** The body of an execute-redeem call: `businessId` is documented as required and nullable. */
export const toExecuteRedeemBody = (redemptionId: string, businessId: string | undefined) => ({
  redemptionId,
  businessId: businessId ?? null,
});
