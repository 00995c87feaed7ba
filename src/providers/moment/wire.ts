/**
 * Moment's wire bodies: only the fields the adapter reads, lenient on everything else. Amounts
 * are integer cents. Statuses stay strings so an undocumented one maps to PENDING instead of
 * failing the parse.
 */
import { z } from 'zod';

const cents = z.number().int().refine(Number.isSafeInteger, 'cents must be a safe integer');

/** `{code, message}` attached to a failed operation or a failed redemption. */
export const momentErrorInfoSchema = z.object({
  code: z.string().nullish(),
  message: z.string().nullish(),
});

export const momentOperationSchema = z.object({
  id: z.string(),
  type: z.string(),
  status: z.string(),
  amount: cents.nullish(),
  created_at: z.string().nullish(),
});

/** Replacement voucher on a partial redemption; `pin` is a secret. Blu omits `amount`. */
export const momentChangeVoucherSchema = z.object({
  pin: z.string().nullish(),
  serial_number: z.string().nullish(),
  barcode: z.string().nullish(),
  instructions: z.string().nullish(),
  amount: cents.nullish(),
});

export const momentRedemptionSchema = z.object({
  id: z.string(),
  status: z.string(),
  version: z.number().int().min(1),
  type: z.string(),
  amount: cents.nullish(),
  reserved_amount: cents.nullish(),
  redeemed_amount: cents.nullish(),
  reversed_amount: cents.nullish(),
  currency: z.string().nullish(),
  operations: z.array(momentOperationSchema).nullish(),
  change_voucher: momentChangeVoucherSchema.nullish(),
  external_reference: z.string().nullish(),
  metadata: z.record(z.string(), z.string()).nullish(),
  /** The docs name the error info both `last_error` and `error`; either is read. */
  last_error: momentErrorInfoSchema.nullish(),
  error: momentErrorInfoSchema.nullish(),
  created_at: z.string().nullish(),
  updated_at: z.string().nullish(),
});
export type MomentRedemption = z.infer<typeof momentRedemptionSchema>;

export const momentRequiredFieldSchema = z.object({
  name: z.string(),
  type: z.string(),
  required: z.boolean(),
  sensitive: z.boolean(),
  description: z.string().nullish(),
});

export const momentTypeSchema = z.object({
  type: z.string(),
  category: z.string(),
  name: z.string(),
  description: z.string().nullish(),
  capabilities: z.object({
    reserve: z.boolean(),
    redeem: z.boolean(),
    refund: z.boolean(),
    lookup: z.boolean(),
    /** `INLINE`, `SMS`; absent or false where a type issues none. */
    change_voucher: z.union([z.string(), z.boolean()]).nullish(),
  }),
  required_fields: z.array(momentRequiredFieldSchema),
});
export type MomentType = z.infer<typeof momentTypeSchema>;

export const momentTypesResponseSchema = z.object({ data: z.array(momentTypeSchema) });

/** RFC 9457 problem details, as every Moment error is sent. */
export const momentProblemSchema = z.object({
  type: z.string().nullish(),
  title: z.string().nullish(),
  status: z.number().int().nullish(),
  detail: z.string().nullish(),
  instance: z.string().nullish(),
});
export type MomentProblem = z.infer<typeof momentProblemSchema>;

/** What the adapter sends to POST /collect/redemptions. */
export interface MomentCreateRedemptionBody {
  type: string;
  source: { pin?: string; token?: string; phone_number?: string; serial_number?: string };
  /** Integer cents; omitted with `currency` to redeem the full voucher value. */
  amount?: number;
  currency?: string;
  external_reference?: string;
  metadata?: Record<string, string>;
}
