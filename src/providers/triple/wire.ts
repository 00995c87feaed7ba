/**
 * Triple Partner API bodies, as zod schemas of the fields the adapter reads. Extra fields are
 * ignored; fields the docs show as optional or null are `.nullish()`.
 */
import { z } from 'zod';

/** Amounts are JSON numbers in major units [D]; webhooks send decimal strings, so both parse [I]. */
const tripleAmount = z.union([z.number(), z.string()]);

/** OAuth2 token response (client credentials grant). */
export const tripleTokenSchema = z.object({
  access_token: z.string().min(1),
  token_type: z.string().regex(/^bearer$/i),
  expires_in: z.number().positive(),
});
export type TripleToken = z.infer<typeof tripleTokenSchema>;

/** OAuth2 token endpoint error body (RFC 6749 §5.2). */
export const tripleTokenErrorSchema = z.object({
  error: z.string(),
  error_description: z.string().nullish(),
});

/** `{status_code, content: {details, error_message, exception}}` [D]. */
export const tripleErrorEnvelopeSchema = z.object({
  status_code: z.number().int(),
  content: z.object({
    details: z.array(z.unknown()).nullish(),
    error_message: z.string().nullish(),
    exception: z.string(),
  }),
});
export type TripleErrorEnvelope = z.infer<typeof tripleErrorEnvelopeSchema>;

/**
 * A reward (GET /partner/rewards/{id}) [D]. Two doc versions differ: one has reward_amount /
 * reward_currency_code, another amount / currency_code; both are read.
 */
export const tripleRewardSchema = z.object({
  reward_id: z.string().min(1),
  transaction_id: z.string().min(1),
  offer_id: z.string().min(1),
  offer_external_id: z.string().nullish(),
  transaction_timestamp: z.string().nullish(),
  transaction_amount: tripleAmount.nullish(),
  transaction_currency_code: z.string().nullish(),
  reward_amount: tripleAmount.nullish(),
  reward_currency_code: z.string().nullish(),
  amount: tripleAmount.nullish(),
  currency_code: z.string().nullish(),
  offer_headline: z.string().nullish(),
  merchant_name: z.string().nullish(),
  // Kept as a string: an unknown value maps to PENDING (status) and is logged, not rejected.
  status: z.string().min(1),
  notes: z.string().nullish(),
  rejection: z.string().nullish(),
  status_updated_at: z.string().nullish(),
});
export type TripleReward = z.infer<typeof tripleRewardSchema>;

/** GET /partner/rewards -> `{"rewards": [...]}` [S]. */
export const tripleRewardListSchema = z.object({ rewards: z.array(tripleRewardSchema) });
export type TripleRewardList = z.infer<typeof tripleRewardListSchema>;

/** POST /partner/rewards.update_status -> `{"ok": true}` [D]. */
export const tripleUpdateStatusResultSchema = z.object({ ok: z.boolean() });

/** PATCH /partner/rewards/{id} -> the changed reward's summary [D]. */
export const triplePatchResultSchema = z.object({
  reward_id: z.string().min(1),
  status: z.string().min(1),
  notes: z.string().nullish(),
  status_updated_at: z.string().nullish(),
});

/** Bodies the adapter sends. */
export interface TripleUpdateStatusBody {
  status: string;
  offer_id: string;
  transaction_id: string;
}

export interface TriplePatchRewardBody {
  status: string;
  notes: string;
}
