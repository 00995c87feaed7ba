/**
 * Returning.AI integration API bodies: only the fields the adapter reads, lenient on the rest.
 *
 * Two success envelopes are documented: the integration host's `{status:"success", message, data}`
 * and the newer api.returning.ai host's `{meta:{status:"success", statusCode}, message, data}`.
 * Errors come back as `{status:"error", message}` (envelope inferred from the documented
 * convention; the `ErrorResponse` schema's fields are unpublished).
 */
import { z } from 'zod';

/** Paths of the integration API. Only the status update is documented; the reads are inferred. */
export const RETURNING_AI_PATHS = {
  /** [D] PUT, body {transactionId, statusId}. */
  updateStatus: '/apis/v1/redemption-transactions/status',
  /** [I] GET one order; `{transactionId}` is replaced by the url-encoded id. */
  order: '/apis/v1/redemption-transactions/{transactionId}',
  /** [I] GET the community's merchant-defined statuses. */
  statuses: '/apis/v1/redemption-statuses',
} as const;

/** A merchant-defined status record. `category` is a coarse bucket; only "incomplete" is documented. */
export const returningAiStatusSchema = z.looseObject({
  _id: z.string(),
  name: z.string(),
  category: z.string(),
  color: z.string().nullish(),
});
export type ReturningAiStatus = z.infer<typeof returningAiStatusSchema>;

/** A redemption transaction (order) with its current status. Timestamps only on the inferred read. */
export const returningAiOrderSchema = z.looseObject({
  transactionId: z.string(),
  statusId: z.string(),
  status: returningAiStatusSchema,
  createdAt: z.string().nullish(),
  updatedAt: z.string().nullish(),
});
export type ReturningAiOrder = z.infer<typeof returningAiOrderSchema>;

const metaSchema = z.looseObject({ status: z.string(), statusCode: z.number().int().nullish() });

/** Either documented success envelope around `data`. */
export const returningAiSuccessSchema = <T extends z.ZodType>(data: T) =>
  z.union([
    z.looseObject({ status: z.literal('success'), message: z.string().nullish(), data }),
    z.looseObject({ meta: metaSchema.extend({ status: z.literal('success') }), message: z.string().nullish(), data }),
  ]);

/** An error in either envelope: `{status:"error", message}` or `{meta:{status:"error", statusCode}, message}`. */
export const returningAiErrorSchema = z
  .looseObject({ status: z.string().nullish(), meta: metaSchema.nullish(), message: z.string().nullish() })
  .refine((body) => body.status === 'error' || body.meta?.status === 'error');
export type ReturningAiError = z.infer<typeof returningAiErrorSchema>;
