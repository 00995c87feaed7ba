/**
 * Inbound (GraphQL) input schemas for PERS operations. Field names are the GraphQL input names;
 * every message says what was expected and what was received. GraphQL `null` counts as absent.
 */
import { z } from 'zod';
import type { RedeemFilter } from '../types.js';

const MAX_ID = 100;

/** A short description of a received value that never echoes it (ids may be long or sensitive). */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return value === '' ? 'an empty string' : `a string of ${value.length} characters`;
  if (typeof value === 'number') return `${value}`;
  return `a ${typeof value}`;
}

/** A PERS identifier: 1 to 100 characters; optionally not only whitespace. */
function identifier(what: string, { nonBlank = false } = {}) {
  const base = z
    .string({ error: (iss) => `expected ${what} as a string, received ${describeValue(iss.input)}` })
    .min(1, { error: `expected ${what} of 1 to ${MAX_ID} characters, received an empty string` })
    .max(MAX_ID, { error: (iss) => `expected ${what} of at most ${MAX_ID} characters, received ${describeValue(iss.input)}` });
  return nonBlank
    ? base.refine((v) => v.length === 0 || v.trim() !== '', { error: `expected ${what} that is not blank, received only whitespace` })
    : base;
}

/** A whole number within bounds; absent or null takes the default. */
function wholeNumber(what: string, min: number, max: number | undefined, fallback: number) {
  const range = max === undefined ? `at least ${min}` : `from ${min} to ${max}`;
  const expected = `expected ${what} as a whole number ${range}`;
  let schema = z
    .number({ error: (iss) => `${expected}, received ${describeValue(iss.input)}` })
    .int({ error: (iss) => `${expected}, received ${describeValue(iss.input)}` })
    .min(min, { error: (iss) => `${expected}, received ${describeValue(iss.input)}` });
  if (max !== undefined) schema = schema.max(max, { error: (iss) => `${expected}, received ${describeValue(iss.input)}` });
  return schema.nullish().transform((v) => v ?? fallback);
}

/** `null` in GraphQL means "not given". */
const optional = <S extends z.ZodType<string>>(schema: S) => schema.nullish().transform((v) => v ?? undefined);

export interface ExecuteRedeemInput {
  redemptionId: string;
  businessId?: string;
}

/** `executeRedeem(input: { redemptionId, businessId })`. */
export const executeRedeemInputSchema = z
  .object({
    redemptionId: identifier('a redemption id', { nonBlank: true }),
    businessId: optional(identifier('a business id')),
  })
  .transform(({ redemptionId, businessId }): ExecuteRedeemInput => (businessId === undefined ? { redemptionId } : { redemptionId, businessId }));

export const REDEEM_PAGE_DEFAULT = 1;
export const REDEEM_LIMIT_DEFAULT = 20;
export const REDEEM_LIMIT_MAX = 100;

/** Filters of `redeems(filter: {...})`; page and limit are inferred pagination [I]. */
export const redeemFilterSchema = z
  .object({
    redemptionId: optional(identifier('a redemption id')),
    userId: optional(identifier('a user id')),
    businessId: optional(identifier('a business id')),
    page: wholeNumber('page', 1, undefined, REDEEM_PAGE_DEFAULT),
    limit: wholeNumber('limit', 1, REDEEM_LIMIT_MAX, REDEEM_LIMIT_DEFAULT),
  })
  .transform(({ redemptionId, userId, businessId, page, limit }): RedeemFilter & { page: number; limit: number } => ({
    ...(redemptionId === undefined ? {} : { redemptionId }),
    ...(userId === undefined ? {} : { userId }),
    ...(businessId === undefined ? {} : { businessId }),
    page,
    limit,
  }));

/** `myRedeems(filter: { redemptionId })`. */
export const myRedeemsFilterSchema = z
  .object({ redemptionId: optional(identifier('a redemption id')) })
  .transform(({ redemptionId }): { redemptionId?: string } => (redemptionId === undefined ? {} : { redemptionId }));
