/**
 * Zod schemas of the PERS bodies the adapter reads: only the fields used, extra fields allowed,
 * `.nullish()` where the docs show null or the field may be missing.
 */
import { z } from 'zod';

const DECIMAL = /^\d+(?:\.\d+)?$/;

/**
 * A non-negative token amount: PERS DTOs may send a JSON number or a decimal string [?]. Numbers
 * that print in exponent form cannot be kept exactly and are refused.
 */
export const persAmountSchema = z.union([
  z.string().regex(DECIMAL),
  z.number().nonnegative().refine((n) => Number.isFinite(n) && !/e/i.test(String(n)), 'not a plain decimal'),
]);

export const persRedeemSchema = z.object({
  id: z.string().min(1),
  userId: z.string(),
  redemptionId: z.string(),
  userCountryCode: z.string().nullish(),
  status: z.string(),
  createdAt: z.string().nullish(),
  updatedAt: z.string().nullish(),
  failureReason: z.string().nullish(),
  /** 2.2.2: "failure reason, success info, etc.". */
  message: z.string().nullish(),
  /** Not in the documented schema; read when present [I]. */
  businessId: z.string().nullish(),
});
export type PersRedeem = z.infer<typeof persRedeemSchema>;

export const persTransactionSchema = z.object({
  id: z.string().min(1),
  amount: persAmountSchema,
  tokenAddress: z.string().nullish(),
  type: z.string().nullish(),
  status: z.string(),
  transactionHash: z.string().nullish(),
});
export type PersTransaction = z.infer<typeof persTransactionSchema>;

/** Answer of POST /redemption-redeems (2.0.5) or POST /redemptions/redeems (>= 2.0.7). */
export const persExecuteRedeemSchema = z.object({
  redeem: persRedeemSchema,
  /** Present when the redemption sends tokens from the user. */
  senderTransaction: z.object({ transaction: persTransactionSchema.nullish() }).nullish(),
});
export type PersExecuteRedeem = z.infer<typeof persExecuteRedeemSchema>;

export const persRedeemListSchema = z.array(persRedeemSchema);

/** GET /redemptions/{id}: a redemption offer. */
export const persOfferSchema = z.object({
  id: z.string().min(1),
  name: z.string(),
  description: z.string().nullish(),
  isActive: z.boolean(),
  creditTokenAmount: persAmountSchema,
  supply: z.object({ available: z.number().int().nullish(), total: z.number().int().nullish() }).nullish(),
  maxPerUser: z.number().int().nullish(),
});
export type PersOffer = z.infer<typeof persOfferSchema>;

/** POST /auth/token and POST /auth/refresh. */
export const persTokenSchema = z.object({
  accessToken: z.string().min(1),
  refreshToken: z.string().min(1).nullish(),
});
export type PersToken = z.infer<typeof persTokenSchema>;

/** The RFC 7807-like error envelope; every field optional so any error body can be read. */
export const persErrorSchema = z.object({
  status: z.number().nullish(),
  title: z.string().nullish(),
  detail: z.string().nullish(),
  message: z.string().nullish(),
  code: z.string().nullish(),
  category: z.string().nullish(),
  retryable: z.boolean().nullish(),
});
export type PersError = z.infer<typeof persErrorSchema>;

/** A 2xx body that is really an error: it has the envelope's `code` and `category`. */
export const persErrorIn2xxSchema = z.object({ code: z.string(), category: z.string() });
