/**
 * Inbound (GraphQL) inputs of Capillary mutations, mirroring Capillary's documented constraints.
 * Paths are the GraphQL input names; messages say what was expected and what was received.
 * Parse with `validateInput(schema, value)` (src/domain/validation.ts).
 */
import { z } from 'zod';
import { toPoints } from '../../domain/money.js';
import type { RedeemPointsInput, UpdateRedemptionMetadataInput } from '../types.js';

const shown = (value: unknown): string => (value === undefined ? 'nothing' : JSON.stringify(value));
const expected = (what: string) => ({ error: (issue: { input?: unknown }) => `expected ${what}, received ${shown(issue.input)}` });

const text = (what = 'a non-empty string') => z.string(expected(what)).min(1, expected(what));

export const CUSTOMER_IDENTIFIER_TYPES = ['mobile', 'email', 'external_id', 'id'] as const;

const customerIdentifierSchema = z
  .object(
    {
      type: z.enum(CUSTOMER_IDENTIFIER_TYPES, expected(`one of ${CUSTOMER_IDENTIFIER_TYPES.join(', ')}`)),
      value: text(),
    },
    expected('an object { type, value }'),
  )
  .superRefine((customer, ctx) => {
    // Capillary customer ids are numeric [D]; other identifier formats are org-specific.
    if (customer.type === 'id' && !/^\d+$/.test(customer.value)) {
      ctx.addIssue({ code: 'custom', path: ['value'], message: `expected a numeric customer id, received ${shown(customer.value)}` });
    }
  });

const POINTS_EXPECTED = 'a decimal number of points greater than 0 with at most 3 decimal places, e.g. "100" or "12.5"';
const pointsSchema = z
  .string(expected(POINTS_EXPECTED))
  .regex(/^\d+(\.\d{1,3})?$/, expected(POINTS_EXPECTED))
  .refine((value) => /[1-9]/.test(value), expected(POINTS_EXPECTED))
  .transform((value) => toPoints(value)!.amount);

const customFieldSchema = z.object({ name: text(), value: z.string(expected('a string')) }, expected('an object { name, value }'));

/** The redeemPoints mutation input; the gateway derives externalReferenceNumber from its idempotency key. */
export const redeemPointsInputSchema = z.object(
  {
    customer: customerIdentifierSchema,
    points: pointsSchema,
    billNumber: text().optional(),
    notes: z.string(expected('a string')).optional(),
    validationCode: text().optional(),
    customFields: z.array(customFieldSchema, expected('a list of { name, value }')).optional(),
  },
  expected('an object'),
) satisfies z.ZodType<Omit<RedeemPointsInput, 'externalReferenceNumber'>>;

export type RedeemPointsMutationInput = z.infer<typeof redeemPointsInputSchema>;

export const ENTITY_IDENTIFIER_TYPES = {
  CUSTOMER: ['mobile', 'email', 'externalId', 'cardnumber', 'wechat', 'martjackId', 'fbId', 'id'],
  USERGROUP2: ['id', 'externalId', 'primaryUserId', 'primaryUserCardnumber', 'primaryUserMobile', 'primaryUserEmail'],
  // FLEET identifier types are undocumented: any non-empty value is accepted [I].
  FLEET: undefined,
} as const satisfies Record<string, readonly string[] | undefined>;
const ENTITY_TYPES = ['CUSTOMER', 'USERGROUP2', 'FLEET'] as const;

const entitySchema = z
  .object(
    {
      type: z.enum(ENTITY_TYPES, expected(`one of ${ENTITY_TYPES.join(', ')}`)),
      identifierType: text(),
      identifierValue: text(),
    },
    expected('an object { type, identifierType, identifierValue }'),
  )
  .superRefine((entity, ctx) => {
    const allowed: readonly string[] | undefined = ENTITY_IDENTIFIER_TYPES[entity.type];
    if (allowed && !allowed.includes(entity.identifierType)) {
      ctx.addIssue({
        code: 'custom',
        path: ['identifierType'],
        message: `expected one of ${allowed.join(', ')} for ${entity.type}, received ${shown(entity.identifierType)}`,
      });
    }
  });

const BILL_ID_EXPECTED = 'a positive integer of 1 to 19 digits without sign or decimal point, e.g. "1234567890123456789"';
const UPDATABLE = ['billNumber', 'billId', 'purpose', 'customFields'] as const;

/** The updateRedemptionMetadata mutation input (PUT /v2/points/updateRedemption). */
export const updateRedemptionMetadataInputSchema = z
  .object(
    {
      redemptionId: text().optional(),
      externalReferenceNumber: text().optional(),
      billNumber: text().optional(),
      billId: z.string(expected(BILL_ID_EXPECTED)).regex(/^[1-9]\d{0,18}$/, expected(BILL_ID_EXPECTED)).optional(),
      purpose: z.string(expected('a string of at most 255 characters')).max(255, expected('a string of at most 255 characters')).optional(),
      entity: entitySchema.optional(),
      customFields: z
        .array(z.object({ key: text(), value: z.string(expected('a string')) }, expected('an object { key, value }')), expected('a list of { key, value }'))
        .superRefine((fields, ctx) => {
          const seen = new Set<string>();
          fields.forEach((field, index) => {
            if (seen.has(field.key)) ctx.addIssue({ code: 'custom', path: [index, 'key'], message: `expected unique keys, received ${shown(field.key)} twice` });
            seen.add(field.key);
          });
        })
        .optional(),
    },
    expected('an object'),
  )
  .superRefine((input, ctx) => {
    const identifiers = [input.redemptionId, input.externalReferenceNumber].filter((value) => value !== undefined).length;
    if (identifiers !== 1) {
      ctx.addIssue({
        code: 'custom',
        path: [],
        message: `expected exactly one of redemptionId or externalReferenceNumber, received ${identifiers === 0 ? 'neither' : 'both'}`,
      });
    }
    if (UPDATABLE.every((field) => input[field] === undefined)) {
      ctx.addIssue({ code: 'custom', path: [], message: `expected at least one of ${UPDATABLE.join(', ')}, received none` });
    }
  })
  .transform(
    ({ customFields, ...rest }): UpdateRedemptionMetadataInput => ({
      ...rest,
      ...(customFields ? { customFields: Object.fromEntries(customFields.map(({ key, value }) => [key, value])) } : {}),
    }),
  );

export type UpdateRedemptionMetadataMutationInput = z.input<typeof updateRedemptionMetadataInputSchema>;
