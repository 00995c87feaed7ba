/** Pure conversions between Moment's wire bodies and the gateway's domain models. */
import { GatewayError } from '../../domain/errors.js';
import { money, type Money } from '../../domain/money.js';
import { compact } from '../../domain/objects.js';
import type { ChangeVoucher, VoucherRedemption, VoucherTypeInfo } from '../../domain/redemption.js';
import { toStatus, type StatusLogger } from '../../domain/status.js';
import type { CreateVoucherRedemptionInput } from '../types.js';
import { momentStatusMap } from './tables.js';
import type { MomentCreateRedemptionBody, MomentRedemption, MomentType } from './wire.js';

/** The only currency Moment documents; assumed when a body leaves `currency` out [I]. */
export const MOMENT_CURRENCY = 'ZAR';

const toMoney = (cents: number | null | undefined, currency: string): Money | undefined =>
  cents === null || cents === undefined ? undefined : money(cents, currency);

export function toVoucherRedemption(wire: MomentRedemption, logger?: StatusLogger): VoucherRedemption {
  const currency = wire.currency ?? MOMENT_CURRENCY;
  const change = wire.change_voucher;
  const changeVoucher: ChangeVoucher | undefined = change
    ? compact({
        pin: change.pin ?? undefined,
        serialNumber: change.serial_number ?? undefined,
        barcode: change.barcode ?? undefined,
        instructions: change.instructions ?? undefined,
        amount: toMoney(change.amount, currency),
      })
    : undefined;
  return compact({
    kind: 'VoucherRedemption',
    provider: 'moment',
    nativeId: wire.id,
    ref: wire.id,
    status: toStatus(momentStatusMap, wire.status, { provider: 'moment', logger }),
    createdAt: wire.created_at ?? undefined,
    updatedAt: wire.updated_at ?? undefined,
    type: wire.type,
    version: wire.version,
    amount: toMoney(wire.amount, currency),
    reservedAmount: toMoney(wire.reserved_amount, currency),
    redeemedAmount: toMoney(wire.redeemed_amount, currency),
    reversedAmount: toMoney(wire.reversed_amount, currency),
    changeVoucher,
    operations: (wire.operations ?? []).map((op) =>
      compact({
        id: op.id,
        type: op.type,
        status: op.status,
        amount: toMoney(op.amount, currency),
        createdAt: op.created_at ?? undefined,
      }),
    ),
    metadata: wire.metadata ?? {},
    externalReference: wire.external_reference ?? undefined,
    errorCode: (wire.last_error ?? wire.error)?.code ?? undefined,
    errorMessage: (wire.last_error ?? wire.error)?.message ?? undefined,
  } satisfies VoucherRedemption);
}

export function toVoucherTypeInfo(wire: MomentType): VoucherTypeInfo {
  const changeVoucher = wire.capabilities.change_voucher;
  return compact({
    type: wire.type,
    category: wire.category,
    name: wire.name,
    description: wire.description ?? undefined,
    capabilities: compact({
      reserve: wire.capabilities.reserve,
      redeem: wire.capabilities.redeem,
      refund: wire.capabilities.refund,
      lookup: wire.capabilities.lookup,
      changeVoucher: typeof changeVoucher === 'string' ? changeVoucher : undefined,
    }),
    requiredFields: wire.required_fields.map((field) =>
      compact({
        name: field.name,
        type: field.type,
        required: field.required,
        sensitive: field.sensitive,
        description: field.description ?? undefined,
      }),
    ),
  });
}

/**
 * Builds the create body. Amounts go out as integer cents; one that does not fit a JSON integer
 * is refused before any call (the input schema already prevents it). The currency is Moment's
 * to judge.
 */
export function fromCreateVoucherRedemptionInput(input: CreateVoucherRedemptionInput): MomentCreateRedemptionBody {
  const { pin, token, phoneNumber, serialNumber } = input.source;
  return compact({
    type: input.type,
    source: compact({ pin, token, phone_number: phoneNumber, serial_number: serialNumber }),
    amount: input.amount ? toCents(input.amount) : undefined,
    currency: input.amount?.currency,
    external_reference: input.externalReference,
    metadata: input.metadata,
  });
}

function toCents(amount: Money): number {
  const cents = Number(amount.minor);
  if (!Number.isSafeInteger(cents)) {
    throw new GatewayError('BAD_USER_INPUT', `amount must be at most ${Number.MAX_SAFE_INTEGER} cents`, {
      provider: 'moment', retryable: false, requestSent: false, field: ['input', 'amount'],
    });
  }
  return cents;
}
