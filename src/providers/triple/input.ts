/**
 * Inbound (GraphQL) mutation inputs for Triple, mirroring every documented constraint. Field
 * names are the GraphQL input names; messages say what was expected and what was received.
 */
import { z } from 'zod';
import { REWARD_STATUSES } from '../../domain/redemption.js';
import type { UpdateRewardStatusInput } from '../types.js';
import { NOTES_REQUIRED_FOR } from './tables.js';

/** What an input value was, for messages: lengths and kinds, never the value of free text. */
const described = (input: unknown): string =>
  input === undefined ? 'nothing' : input === null ? 'null' : Array.isArray(input) ? 'an array' : typeof input;

const text = () =>
  z.string({ error: (issue) => (issue.input === undefined ? 'expected a string, received nothing' : `expected a string, received ${described(issue.input)}`) });

/** A Triple EntityId: non-blank, at most 100 characters [D]. */
export const tripleEntityIdSchema = text()
  .max(100, { error: (issue) => `expected at most 100 characters, received ${(issue.input as string).length}` })
  .refine((value) => value.trim() !== '', { error: (issue) => `expected a non-blank id, received ${(issue.input as string).length === 0 ? 'an empty string' : 'only whitespace'}` });

export const rewardStatusSchema = z.enum(REWARD_STATUSES, {
  error: (issue) => `expected one of ${REWARD_STATUSES.join(', ')}, received ${typeof issue.input === 'string' ? JSON.stringify(issue.input) : described(issue.input)}`,
});

/** Notes on a status change: 1..1000 characters of text [I: Triple states no limit]. */
export const rewardNotesSchema = text()
  .max(1000, { error: (issue) => `expected at most 1000 characters, received ${(issue.input as string).length}` })
  .refine((value) => value.trim() !== '', { error: (issue) => `expected 1 to 1000 characters of text, received ${(issue.input as string).length === 0 ? 'an empty string' : 'only whitespace'}` });

/**
 * `updateRewardStatus(input: { offerId, transactionId, status, notes })`. A denial
 * (DENIED_BY_MERCHANT) needs notes [D].
 */
export const updateRewardStatusInputSchema = z
  .object({
    offerId: tripleEntityIdSchema,
    transactionId: tripleEntityIdSchema,
    status: rewardStatusSchema,
    // GraphQL may send an explicit null for an optional field: the same as leaving it out.
    notes: rewardNotesSchema.nullish().transform((notes) => notes ?? undefined),
  })
  .superRefine((input, ctx) => {
    if (NOTES_REQUIRED_FOR.includes(input.status) && input.notes === undefined) {
      ctx.addIssue({ code: 'custom', path: ['notes'], message: `expected notes when status is ${input.status}, received none` });
    }
  }) satisfies z.ZodType<UpdateRewardStatusInput>;
