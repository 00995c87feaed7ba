/**
 * Pure conversions between Capillary bodies and the domain's PointsRedemption. No I/O; the
 * adapter parses bodies with the wire schemas first, so values here are trusted.
 */
import { toPoints, type Points } from '../../domain/money.js';
import type { CustomField, PointsRedemption } from '../../domain/redemption.js';
import { toStatus, type StatusLogger } from '../../domain/status.js';
import type { RedeemPointsInput, UpdateRedemptionMetadataInput } from '../types.js';
import { capillaryStatusMap } from './tables.js';
import {
  capillaryV11ErrorSchema,
  capillaryV2ErrorsSchema,
  type CapillaryItemStatus,
  type CapillaryRedeemRequest,
  type CapillaryRedeemedPoints,
  type CapillaryRedemptionPoint,
  type CapillaryRedemptionsCustomer,
  type CapillaryRedemptionsResponse,
  type CapillaryUpdateRedemptionRequest,
  type CapillaryUpdatedRedemption,
} from './wire.js';

export interface TransformContext {
  logger?: StatusLogger;
}

/** A provider error found in a body: the code as a string and Capillary's message. */
export interface CapillaryProblem {
  code: string;
  message?: string;
}

const points = (value: string | number): Points => toPoints(value)!;
const status = (raw: string, context: TransformContext) => toStatus(capillaryStatusMap, raw, { provider: 'capillary', logger: context.logger });
const present = (value: string | null | undefined): string | undefined => (value === null || value === undefined || value === '' ? undefined : value);

/** A bill id is a positive integer of at most 19 digits; -1, 0 and unsafe JSON numbers are dropped. */
export function fromBillId(value: string | number | null | undefined): string | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value > 0 ? String(value) : undefined;
  return value && /^[1-9]\d{0,18}$/.test(value) ? value : undefined;
}

/** v1.1 times are "YYYY-MM-DD HH:MM:SS" without a zone; read as UTC [I: the zone is undocumented]. */
export function fromRedeemedTime(value: string | null | undefined): string | undefined {
  const match = value ? /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})$/.exec(value) : null;
  return match ? `${match[1]}T${match[2]}Z` : undefined;
}

// ------------------------------------------------------------------ errors

const failed = (status: CapillaryItemStatus | null | undefined) => (status && !status.success ? status : undefined);

/**
 * The error a Capillary body carries, if any: a non-empty v2 `errors[]`, a failing v1.1
 * `item_status`, or a failing v1.1 `response.status`. Item codes are more specific than the
 * wrapper's, so they win. Bodies of neither style carry none.
 */
export function capillaryProblemOf(body: unknown): CapillaryProblem | undefined {
  const v2 = capillaryV2ErrorsSchema.safeParse(body);
  const first = v2.success ? v2.data.errors?.[0] : undefined;
  if (first) return { code: first.code, message: first.message ?? undefined };
  const v11 = capillaryV11ErrorSchema.safeParse(body);
  if (!v11.success) return undefined;
  const { response } = v11.data;
  const items = [response.responses?.points, ...(response.customer ?? []), ...(response.customers?.customer ?? [])];
  const item = failed(response.responses?.points?.item_status);
  if (item) return { code: item.code, message: item.message ?? undefined };
  if (response.status.success) return undefined;
  const anyItem = items.map((entry) => failed(entry?.item_status)).find(Boolean);
  const source = anyItem ?? response.status;
  return { code: source.code, message: source.message ?? undefined };
}

// ------------------------------------------------------------------ redeem

export function toRedeemRequest(input: RedeemPointsInput): CapillaryRedeemRequest {
  return {
    root: {
      redeem: [
        {
          points_redeemed: toPoints(input.points)?.amount ?? input.points,
          customer: { [input.customer.type]: input.customer.value },
          transaction_number: input.billNumber,
          external_reference_number: input.externalReferenceNumber,
          notes: input.notes,
          validation_code: input.validationCode,
          custom_fields: input.customFields ? { field: input.customFields.map(({ name, value }) => ({ name, value })) } : undefined,
        },
      ],
    },
  };
}

/** The redeem answer; bill, reference and custom fields are not echoed, so they come from the input. */
export function fromRedeemedPoints(
  body: CapillaryRedeemedPoints,
  input: RedeemPointsInput,
  context: TransformContext = {},
): PointsRedemption {
  return {
    kind: 'PointsRedemption',
    provider: 'capillary',
    nativeId: body.redemption_id,
    ref: `${body.user_id}/${body.redemption_id}`,
    status: status(body.item_status.code, context),
    redemptionId: body.redemption_id,
    customerId: body.user_id,
    points: points(body.points_redeemed),
    redeemedValue: body.redeemed_value === null || body.redeemed_value === undefined ? undefined : String(body.redeemed_value),
    balance: body.balance === null || body.balance === undefined ? undefined : points(body.balance),
    billNumber: input.billNumber,
    notes: input.notes,
    externalReferenceNumber: input.externalReferenceNumber,
    customFields: input.customFields?.map(({ name, value }) => ({ name, value })) ?? [],
    warnings: [],
  };
}

// ------------------------------------------------------------------ customer redemptions

export function customersOf(body: CapillaryRedemptionsResponse): CapillaryRedemptionsCustomer[] {
  return [...(body.response.customer ?? []), ...(body.response.customers?.customer ?? [])];
}

export const pointsOf = (customer: CapillaryRedemptionsCustomer): CapillaryRedemptionPoint[] =>
  customer.redemptions?.points?.point ?? [];

export function fromRedemptionPoint(point: CapillaryRedemptionPoint, customerId: string, context: TransformContext = {}): PointsRedemption {
  return {
    kind: 'PointsRedemption',
    provider: 'capillary',
    nativeId: point.redemption_id,
    ref: `${customerId}/${point.redemption_id}`,
    status: status(point.reversals && point.reversals.length > 0 ? 'REVERSED' : '800', context),
    createdAt: fromRedeemedTime(point.redeemed_time),
    redemptionId: point.redemption_id,
    customerId,
    points: points(point.points_redeemed),
    billNumber: present(point.transaction_number),
    billId: fromBillId(point.bill_id),
    purpose: present(point.redemption_purpose),
    notes: present(point.notes),
    validationCode: present(point.validation_code),
    externalReferenceNumber: present(point.external_reference_number),
    customFields: point.custom_fields?.field?.map(({ name, value }) => ({ name, value })) ?? [],
    warnings: [],
  };
}

// ------------------------------------------------------------------ update redemption metadata

type RawJson = (text: string) => object;
const nativeRawJson = (JSON as { rawJSON?: RawJson }).rawJSON;

/**
 * billId is a JSON integer of up to 19 digits. Within 2^53 it is a plain number; beyond, a raw
 * number literal where the runtime has JSON.rawJSON (Node >= 21), else the digits as a string
 * [I: relies on Capillary coercing numeric strings, as Jackson does by default].
 */
export function toBillIdWire(billId: string, rawJson: RawJson | undefined = nativeRawJson): number | object | string {
  const value = Number(billId);
  if (Number.isSafeInteger(value)) return value;
  return rawJson ? rawJson(billId) : billId;
}

export function toUpdateRedemptionRequest(
  input: UpdateRedemptionMetadataInput,
  rawJson: RawJson | undefined = nativeRawJson,
): CapillaryUpdateRedemptionRequest {
  return {
    redemptionId: input.redemptionId,
    externalReferenceNumber: input.externalReferenceNumber,
    billNumber: input.billNumber,
    billId: input.billId === undefined ? undefined : toBillIdWire(input.billId, rawJson),
    purpose: input.purpose,
    entity: input.entity && { ...input.entity },
    customFields: input.customFields && { ...input.customFields },
  };
}

/** The v2 answer. Large bill ids lose digits in JSON.parse, so the one sent wins. */
export function fromUpdatedRedemption(
  body: CapillaryUpdatedRedemption,
  input: UpdateRedemptionMetadataInput,
  context: TransformContext = {},
): PointsRedemption {
  const customFields: CustomField[] = body.customFields?.map(({ name, value }) => ({ name, value })) ?? [];
  return {
    kind: 'PointsRedemption',
    provider: 'capillary',
    nativeId: body.redemptionId,
    ref: `${body.customerId}/${body.redemptionId}`,
    status: status('800', context),
    createdAt: present(body.redemptionDate),
    redemptionId: body.redemptionId,
    customerId: body.customerId,
    points: points(body.pointsRedeemed),
    billNumber: present(body.billNumber),
    billId: input.billId ?? fromBillId(body.billId),
    purpose: present(body.redemptionPurpose),
    notes: present(body.notes),
    validationCode: present(body.validationCode),
    externalReferenceNumber: input.externalReferenceNumber,
    customFields,
    warnings: body.warnings?.map((warning) => ({ code: warning.code, message: warning.message ?? '' })) ?? [],
  };
}
