/**
 * Inbound schemas for Moment mutations, mirroring Moment's documented constraints so a bad input
 * is refused with every problem named before any call. Field paths are the GraphQL input names.
 * Secret fields (pin, token, phone number) are never echoed in messages.
 */
import { z } from 'zod';
import { decimalToMinor, money } from '../../domain/money.js';
import { VOUCHER_TYPES, type VoucherType } from '../../domain/redemption.js';
import type { CreateVoucherRedemptionInput } from '../types.js';

/** Moment's redemption id: `rdm_` + a 24-hex ObjectId, round-tripped verbatim. */
export const momentRedemptionIdSchema = z
  .string()
  .regex(/^rdm_[a-f0-9]{24}$/, { error: (issue) => `id must match rdm_ followed by 24 lower-case hex digits; received ${JSON.stringify(issue.input)}` });

/** The source fields each type requires (from Moment's types endpoint, its source of truth). */
export const REQUIRED_SOURCE_FIELDS = {
  'vouchers.one_voucher': ['pin'],
  'vouchers.ott': ['pin', 'phoneNumber'],
  'vouchers.blu': ['token'],
} as const satisfies Record<VoucherType, readonly ('pin' | 'token' | 'phoneNumber' | 'serialNumber')[]>;

const ONE_VOUCHER_PIN = /^\d{16}$/;
const EXTERNAL_REFERENCE = /^[a-zA-Z0-9_-]+$/;
const CURRENCY = 'ZAR';
const METADATA_MAX_KEYS = 20;
const METADATA_KEY_MAX = 40;
const METADATA_VALUE_MAX = 500;
const EXTERNAL_REFERENCE_MAX = 255;

const received = (value: unknown) => JSON.stringify(value);

const typeSchema = z.enum(VOUCHER_TYPES, {
  error: (issue) => `type must be one of ${VOUCHER_TYPES.join(', ')}; received ${received(issue.input)}`,
});

// GraphQL hands explicit nulls through: null means absent everywhere below.
const sourceSchema = z
  .object({
    pin: z.string().nullish(),
    token: z.string().nullish(),
    phoneNumber: z.string().nullish(),
    serialNumber: z.string().nullish(),
  })
  .transform((source): CreateVoucherRedemptionInput['source'] =>
    Object.fromEntries(Object.entries(source).filter(([, value]) => value !== null && value !== undefined)),
  );

/** A decimal amount of rand, > 0, in whole cents. */
const amountSchema = z
  .object({ amount: z.string(), currencyCode: z.string() })
  .superRefine((value, ctx) => {
    if (value.currencyCode !== CURRENCY) {
      ctx.addIssue({ code: 'custom', path: ['currencyCode'], message: `currencyCode must be ${CURRENCY}; received ${received(value.currencyCode)}` });
    }
    const problem = amountProblem(value.amount);
    if (problem) ctx.addIssue({ code: 'custom', path: ['amount'], message: problem });
  })
  .transform((value) => money(decimalToMinor(value.amount, CURRENCY)!, CURRENCY));

function amountProblem(amount: string): string | undefined {
  if (!/^-?\d+(\.\d+)?$/.test(amount.trim())) {
    return `amount must be a decimal number of major units, e.g. "25.00"; received ${received(amount)}`;
  }
  const minor = decimalToMinor(amount, CURRENCY);
  if (minor === undefined) return `amount must be whole cents; received ${received(amount)}`;
  if (minor <= 0n) return `amount must be greater than 0; received ${received(amount)}`;
  if (minor > BigInt(Number.MAX_SAFE_INTEGER)) return `amount must be at most ${Number.MAX_SAFE_INTEGER} cents; received ${received(amount)}`;
  return undefined;
}

const externalReferenceSchema = z
  .string()
  .max(EXTERNAL_REFERENCE_MAX, {
    error: (issue) => `externalReference must be at most ${EXTERNAL_REFERENCE_MAX} characters; received ${String(issue.input).length}`,
  })
  .regex(EXTERNAL_REFERENCE, {
    error: (issue) => `externalReference may contain only letters, digits, '_' and '-'; received ${received(issue.input)}`,
  });

const metadataEntrySchema = z.object({
  key: z.string().min(1, { error: () => `key must be 1 to ${METADATA_KEY_MAX} characters; received 0` }).max(METADATA_KEY_MAX, {
    error: (issue) => `key must be 1 to ${METADATA_KEY_MAX} characters; received ${String(issue.input).length}`,
  }),
  value: z.string().max(METADATA_VALUE_MAX, {
    error: (issue) => `value must be at most ${METADATA_VALUE_MAX} characters; received ${String(issue.input).length}`,
  }),
});

const metadataSchema = z
  .array(metadataEntrySchema)
  .max(METADATA_MAX_KEYS, {
    error: (issue) => `metadata must have at most ${METADATA_MAX_KEYS} keys; received ${(issue.input as unknown[]).length}`,
  })
  .superRefine((entries, ctx) => {
    const seen = new Set<string>();
    entries.forEach((entry, index) => {
      if (seen.has(entry.key)) {
        ctx.addIssue({ code: 'custom', path: [index, 'key'], message: `metadata keys must be unique; received ${received(entry.key)} again` });
      }
      seen.add(entry.key);
    });
  })
  .transform((entries) => Object.fromEntries(entries.map((entry) => [entry.key, entry.value])));

/** The resolver's `CreateVoucherRedemptionInput`, parsed to the adapter's input. */
export const createVoucherRedemptionInputSchema = z
  .object({
    type: typeSchema,
    source: sourceSchema,
    amount: amountSchema.nullish(),
    externalReference: externalReferenceSchema.nullish(),
    metadata: metadataSchema.nullish(),
  })
  .superRefine(
    (input, ctx) => {
      for (const field of REQUIRED_SOURCE_FIELDS[input.type]) {
        const value = input.source[field];
        if (!value) {
          ctx.addIssue({ code: 'custom', path: ['source', field], message: `${field} is required for ${input.type}; received nothing` });
        }
      }
      const pin = input.source.pin;
      if (input.type === 'vouchers.one_voucher' && pin && !ONE_VOUCHER_PIN.test(pin)) {
        ctx.addIssue({ code: 'custom', path: ['source', 'pin'], message: `pin must be 16 digits for ${input.type}; received ${pin.length} characters` });
      }
    },
    // Runs whenever type and source themselves parsed, so their problems join the others.
    { when: (payload) => !payload.issues.some((issue) => issue.path?.[0] === 'type' || issue.path?.[0] === 'source') },
  )
  .transform(
    (input): CreateVoucherRedemptionInput => ({
      type: input.type,
      source: input.source,
      ...(input.amount && { amount: input.amount }),
      ...(typeof input.externalReference === 'string' && { externalReference: input.externalReference }),
      ...(input.metadata && { metadata: input.metadata }),
    }),
  );

export type CreateVoucherRedemptionInputShape = z.input<typeof createVoucherRedemptionInputSchema>;
