/**
 * Inbound (GraphQL) inputs for Returning.AI mutations, mirroring the provider's constraints so a
 * bad input is refused before any upstream call. Paths are the GraphQL input field names.
 */
import { z } from 'zod';
import type { UpdateOrderStatusInput } from '../types.js';

const TRANSACTION_ID_MAX = 64;
const OBJECT_ID = /^[a-f0-9]{24}$/;

/** How a received value is described in messages: short strings quoted, the rest by kind. */
export function describeReceived(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return value.length <= 32 ? JSON.stringify(value) : `a string of ${value.length} characters`;
  return `a ${typeof value}`;
}

const requiredString = () =>
  z.string({ error: (issue) => `expected a string, received ${describeReceived(issue.input)}` });

/** The order's transaction id ("ORD" + date + suffix in examples; treated as opaque) [I: 1..64, non-blank]. */
const transactionIdSchema = requiredString().refine((value) => value.trim() !== '' && value.length <= TRANSACTION_ID_MAX, {
  error: (issue) =>
    `must be a non-blank string of 1 to ${TRANSACTION_ID_MAX} characters, received ${describeReceived(issue.input)}`,
});

/** A merchant-defined status id: a MongoDB ObjectId. */
const statusIdSchema = requiredString().regex(OBJECT_ID, {
  error: (issue) => `must be a 24-character hex ObjectId, received ${describeReceived(issue.input)}`,
});

export const updateOrderStatusInputSchema = z.object(
  { transactionId: transactionIdSchema, statusId: statusIdSchema },
  { error: (issue) => `expected an object, received ${describeReceived(issue.input)}` },
) satisfies z.ZodType<UpdateOrderStatusInput>;
