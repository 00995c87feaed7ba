/**
 * Zod schemas of the Capillary bodies the adapter reads (only the fields read; extra fields pass).
 * v1.1 bodies are converted from XML on Capillary's side: booleans may be the strings
 * "true"/"false", numbers may be strings, and a one-element list may arrive as a bare object.
 */
import { z } from 'zod';
import { toPoints } from '../../domain/money.js';

/** `success` is a string in v1.1 redeem and a boolean in newer bodies. */
const capillaryFlag = z.union([z.boolean(), z.enum(['true', 'false'])]).transform((value) => value === true || value === 'true');
/** Numeric codes and ids, sent as numbers or strings; kept as strings. */
const capillaryNumeric = z.union([z.number(), z.string()]).transform(String);
/** A points value: at most three decimals. */
const capillaryPoints = z
  .union([z.number(), z.string()])
  .refine((value) => toPoints(value) !== undefined, 'expected points with at most 3 decimals');

/** A list that XML conversion may have collapsed to its only element. */
const capillaryList = <T extends z.ZodType>(item: T) =>
  z.union([z.array(item), item]).transform((value): z.infer<T>[] => (Array.isArray(value) ? value : [value]));

export const capillaryStatusSchema = z.object({
  success: capillaryFlag,
  code: capillaryNumeric,
  message: z.string().nullish(),
});
export type CapillaryItemStatus = z.infer<typeof capillaryStatusSchema>;

export const capillaryCustomFieldSchema = z.object({ name: z.string(), value: z.string() });

// ------------------------------------------------------------------ errors (both styles)

/** v2 `{errors:[{status, code, message}], warnings:[]}`; also the token endpoint's errors. */
export const capillaryV2NoticeSchema = z.object({ code: capillaryNumeric, message: z.string().nullish() });
export const capillaryV2ErrorsSchema = z.object({ errors: z.array(capillaryV2NoticeSchema).nullish() });

/** v1.1 wrapper: `response.status` plus per-item `item_status` under responses.points or customer(s). */
const itemWithStatus = z.object({ item_status: capillaryStatusSchema.nullish() });
export const capillaryV11ErrorSchema = z.object({
  response: z.object({
    status: capillaryStatusSchema,
    responses: z.object({ points: itemWithStatus.nullish() }).nullish(),
    customer: capillaryList(itemWithStatus).nullish(),
    customers: z.object({ customer: capillaryList(itemWithStatus).nullish() }).nullish(),
  }),
});

// ------------------------------------------------------------------ OAuth token

/** POST /v3/oauth/token/generate */
export const capillaryTokenSchema = z.object({
  data: z.object({ accessToken: z.string().min(1), ttlSeconds: z.number().positive() }),
});

// ------------------------------------------------------------------ POST /v1.1/points/redeem

export const capillaryRedeemedPointsSchema = z.object({
  user_id: capillaryNumeric,
  redemption_id: z.string().min(1),
  points_redeemed: capillaryPoints,
  redeemed_value: z.union([z.number(), z.string()]).nullish(),
  balance: capillaryPoints.nullish(),
  item_status: capillaryStatusSchema,
});
export type CapillaryRedeemedPoints = z.infer<typeof capillaryRedeemedPointsSchema>;

export const capillaryRedeemResponseSchema = z.object({
  response: z.object({
    status: capillaryStatusSchema,
    responses: z.object({ points: capillaryRedeemedPointsSchema }),
  }),
});

/** The request body we send (not parsed; typed for the transformer). */
export interface CapillaryRedeemRequest {
  root: {
    redeem: {
      points_redeemed: string;
      customer: Partial<Record<'mobile' | 'email' | 'external_id' | 'id', string>>;
      external_reference_number: string;
      transaction_number?: string;
      notes?: string;
      validation_code?: string;
      custom_fields?: { field: { name: string; value: string }[] };
    }[];
  };
}

// ------------------------------------------------------------------ GET /v1.1/customer/redemptions

export const capillaryRedemptionPointSchema = z.object({
  redemption_id: z.string().min(1),
  points_redeemed: capillaryPoints,
  transaction_number: z.string().nullish(),
  /** "-1" when no bill. Kept raw: see fromBillId. */
  bill_id: z.union([z.number(), z.string()]).nullish(),
  validation_code: z.string().nullish(),
  redeemed_time: z.string().nullish(),
  redemption_purpose: z.string().nullish(),
  notes: z.string().nullish(),
  external_reference_number: z.string().nullish(),
  custom_fields: z.object({ field: capillaryList(capillaryCustomFieldSchema).nullish() }).nullish(),
  reversals: z.array(z.unknown()).nullish(),
});
export type CapillaryRedemptionPoint = z.infer<typeof capillaryRedemptionPointSchema>;

export const capillaryRedemptionsCustomerSchema = z.object({
  /** Not in the documented sample; the simulator sends it [I]. Needed to build refs. */
  user_id: capillaryNumeric.nullish(),
  points_count: capillaryNumeric.nullish(),
  redemptions: z.object({ points: z.object({ point: capillaryList(capillaryRedemptionPointSchema).nullish() }).nullish() }).nullish(),
  item_status: capillaryStatusSchema.nullish(),
});
export type CapillaryRedemptionsCustomer = z.infer<typeof capillaryRedemptionsCustomerSchema>;

/**
 * One identifier answers `response.customer{}` [D]; several answer `response.customers.customer[]`
 * [I: the multi-customer shape is not documented]. Both are accepted.
 */
export const capillaryRedemptionsResponseSchema = z
  .object({
    response: z.object({
      status: capillaryStatusSchema,
      customer: capillaryList(capillaryRedemptionsCustomerSchema).nullish(),
      customers: z.object({ customer: capillaryList(capillaryRedemptionsCustomerSchema).nullish() }).nullish(),
    }),
  })
  .refine((body) => body.response.customer != null || body.response.customers != null, 'expected response.customer(s)');
export type CapillaryRedemptionsResponse = z.infer<typeof capillaryRedemptionsResponseSchema>;

// ------------------------------------------------------------------ PUT /v2/points/updateRedemption

export const capillaryUpdatedRedemptionSchema = z.object({
  redemptionId: z.string().min(1),
  customerId: capillaryNumeric,
  pointsRedeemed: capillaryPoints,
  /** -1 when no bill; JSON numbers above 2^53 lose digits on parse (the adapter prefers what it sent). */
  billId: z.union([z.number(), z.string()]).nullish(),
  billNumber: z.string().nullish(),
  validationCode: z.string().nullish(),
  notes: z.string().nullish(),
  redemptionPurpose: z.string().nullish(),
  redemptionDate: z.string().nullish(),
  customFields: z.array(capillaryCustomFieldSchema).nullish(),
  warnings: z.array(capillaryV2NoticeSchema).nullish(),
});
export type CapillaryUpdatedRedemption = z.infer<typeof capillaryUpdatedRedemptionSchema>;

/** The body we send; billId is a JSON number, a raw JSON literal, or (fallback) a digit string. */
export interface CapillaryUpdateRedemptionRequest {
  redemptionId?: string;
  externalReferenceNumber?: string;
  billNumber?: string;
  billId?: number | string | object;
  purpose?: string;
  entity?: { type: string; identifierType: string; identifierValue: string };
  customFields?: Record<string, string>;
}
