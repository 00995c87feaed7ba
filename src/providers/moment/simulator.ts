/**
 * Moment Collect · Redemptions as a real HTTP server: the three documented endpoints, Bearer
 * secret-key auth, RFC 9457 problems, Idempotency-Key replay, and voucher state seeded with
 * demo data. Choices the docs leave open are marked [I] (inferred) or [?] (unknown) beside them.
 */
import { isDeepStrictEqual } from 'node:util';
import { z } from 'zod';
import { createSimulator, type SimRequest, type SimResponse, type Simulator } from '../../sim/kit.js';
import type { SimulatorOptions } from '../types.js';
import { momentTransitions, type MomentStatus } from './tables.js';

export const SANDBOX_SECRET_KEY = 'sk_test_sandbox_moment';
/** A publishable key: valid, but lacks permission for server-side calls -> 403 [I]. */
export const SANDBOX_PUBLIC_KEY = 'pk_test_sandbox_moment';

export const ONE_VOUCHER_PIN = '1234567890123456';
/** Sandbox only: any unseen 16-digit 1Voucher PIN with this prefix is a fresh R100.00 voucher. */
export const FRESH_VOUCHER_PREFIX = '77';
export const ONE_VOUCHER_BALANCE = 10_000;
export const USED_VOUCHER_PIN = '0000000000000000';
export const OTT_PIN = '5555666677778888';
export const OTT_PHONE_NUMBER = '+27820000001';
export const OTT_BALANCE = 5_000;
export const BLU_TOKEN = 'BLU-TOKEN-0001';
export const BLU_BALANCE = 20_000;
export const SEEDED_REDEMPTION_ID = 'rdm_663a1b9c8e4f2a0012abcd34';

/** Replays of a key are honoured this long [D]. */
export const IDEMPOTENCY_WINDOW_MS = 24 * 60 * 60 * 1000;

/** Codes on the `last_error` of a failed redemption. Moment's code list was not retrievable [?]. */
export const MOMENT_VOUCHER_ERRORS = {
  voucher_not_found: 'No voucher matches the source credentials',
  voucher_already_redeemed: 'The voucher has already been redeemed',
  insufficient_balance: 'The voucher balance is lower than the requested amount',
} as const;
type VoucherErrorCode = keyof typeof MOMENT_VOUCHER_ERRORS;

const TYPES = ['vouchers.one_voucher', 'vouchers.ott', 'vouchers.blu'] as const;
type SimVoucherType = (typeof TYPES)[number];

/** The source field that identifies a voucher of each type; OTT also checks `phone_number`. */
const CREDENTIAL = { 'vouchers.one_voucher': 'pin', 'vouchers.ott': 'pin', 'vouchers.blu': 'token' } as const;
const REQUIRED_SOURCE = {
  'vouchers.one_voucher': ['pin'],
  'vouchers.ott': ['pin', 'phone_number'],
  'vouchers.blu': ['token'],
} as const satisfies Record<SimVoucherType, readonly string[]>;
/** Types that return a replacement voucher inline on a partial redeem; OTT sends it by SMS [D]. */
const INLINE_CHANGE: ReadonlySet<string> = new Set(['vouchers.one_voucher', 'vouchers.blu']);

const field = (name: string, sensitive: boolean, description: string, example: string) =>
  ({ name, type: 'string', required: true, sensitive, description, example });

/** GET /collect/redemptions/types [D]; `reserve:false` because today's providers redeem in one step [I]. */
export const MOMENT_TYPES = [
  {
    type: 'vouchers.one_voucher', category: 'vouchers', name: '1Voucher', description: 'Redeem a 1Voucher PIN.',
    logo: null, website: null,
    capabilities: { reserve: false, redeem: true, refund: false, lookup: false, change_voucher: 'INLINE' },
    required_fields: [field('pin', true, 'The 16 digit 1Voucher PIN.', '1234567890123456')],
  },
  {
    type: 'vouchers.ott', category: 'vouchers', name: 'OTT', description: 'Redeem an OTT voucher PIN.',
    logo: null, website: null,
    capabilities: { reserve: false, redeem: true, refund: false, lookup: true, change_voucher: 'SMS' },
    required_fields: [
      field('pin', true, 'The OTT voucher PIN.', '5555666677778888'),
      field('phone_number', false, 'The mobile number the voucher was issued to.', '+27820000001'),
    ],
  },
  {
    type: 'vouchers.blu', category: 'vouchers', name: 'Blu', description: 'Redeem a Blu voucher token.',
    logo: null, website: null,
    capabilities: { reserve: false, redeem: true, refund: false, lookup: true, change_voucher: 'INLINE' },
    required_fields: [field('token', true, 'The Blu voucher token (serial number accepted for lookup).', 'BLU-TOKEN-0001')],
  },
];

const TITLES: Record<number, string> = {
  400: 'Bad Request', 401: 'Unauthorized', 402: 'Request Failed', 403: 'Forbidden', 404: 'Not Found',
  409: 'Conflict', 422: 'Unprocessable Content', 429: 'Too Many Requests', 500: 'Internal Server Error',
  502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout',
};

/** RFC 9457 problem details [D]; `type` is `about:blank` since Moment's type URIs are not shown [?]. */
export function momentProblem(status: number, detail: string, instance?: string) {
  return { type: 'about:blank', title: TITLES[status] ?? 'Error', status, detail, ...(instance && { instance }) };
}
const problem = (status: number, detail: string, instance?: string): SimResponse =>
  ({ status, body: momentProblem(status, detail, instance) });

interface Voucher {
  type: SimVoucherType;
  credential: string;
  phoneNumber?: string;
  balance: number;
  used: boolean;
}

type WireRecord = Record<string, unknown> & { id: string; status: MomentStatus; version: number };

const seedVouchers = (): Voucher[] => [
  { type: 'vouchers.one_voucher', credential: ONE_VOUCHER_PIN, balance: ONE_VOUCHER_BALANCE, used: false },
  { type: 'vouchers.one_voucher', credential: USED_VOUCHER_PIN, balance: 0, used: true },
  { type: 'vouchers.ott', credential: OTT_PIN, phoneNumber: OTT_PHONE_NUMBER, balance: OTT_BALANCE, used: false },
  { type: 'vouchers.blu', credential: BLU_TOKEN, balance: BLU_BALANCE, used: false },
];

const SEEDED_AT = '2026-05-07T10:15:00.000Z';
const seedRedemption = (): WireRecord => ({
  id: SEEDED_REDEMPTION_ID, status: 'confirmed', version: 3, type: 'vouchers.one_voucher',
  amount: 2500, reserved_amount: 0, redeemed_amount: 2500, reversed_amount: 0, currency: 'ZAR',
  operations: [
    { id: 'mpd2156u_7cwvqp5m', type: 'reserve', status: 'succeeded', amount: 2500, provider_reference: { reference: 'OV-SEED-1' }, created_at: SEEDED_AT },
    { id: 'mpd2156u_7cwvqp5n', type: 'confirm', status: 'succeeded', amount: 2500, provider_reference: { reference: 'OV-SEED-2' }, created_at: SEEDED_AT },
  ],
  provider_reference: { reference: 'OV-SEED-2' },
  source: { pin: '************4321' },
  redemption_options: {},
  change_voucher: null,
  related_ids: [],
  external_reference: 'order_1001',
  metadata: { order_id: 'ord_789012' },
  last_error: null,
  created_at: SEEDED_AT,
  updated_at: SEEDED_AT,
});

/** The create body as Moment's schema defines it; a mismatch is 400 [I: 400 vs 422 split]. */
const createBodySchema = z.object({
  type: z.enum(TYPES),
  source: z.record(z.string(), z.string()),
  amount: z.number().int().optional(),
  currency: z.string().length(3).optional(),
  external_reference: z.string().max(255).regex(/^[a-zA-Z0-9_-]+$/).optional(), // pattern from payments [I]
  metadata: z
    .record(z.string().max(40), z.string().max(500))
    .refine((metadata) => Object.keys(metadata).length <= 20, 'at most 20 keys')
    .optional(),
  redemption_options: z.record(z.string(), z.unknown()).optional(),
});
type CreateBody = z.infer<typeof createBodySchema>;

/** Rules that need the type or the business: a well-formed body that breaks one is 422 [I]. */
function unprocessable(body: CreateBody): string | undefined {
  const missing = REQUIRED_SOURCE[body.type].filter((name) => !body.source[name]);
  if (missing.length) return `source.${missing.join(', source.')} is required for ${body.type}`;
  if (body.type === 'vouchers.one_voucher' && !/^\d{16}$/.test(body.source.pin!)) return 'source.pin must be 16 digits';
  if ((body.amount === undefined) !== (body.currency === undefined)) return 'amount and currency go together; omit both to redeem the full value';
  if (body.currency !== undefined && body.currency !== 'ZAR') return `currency ${body.currency} is not supported; use ZAR`;
  if (body.amount !== undefined && body.amount <= 0) return 'amount must be greater than 0';
  return undefined;
}

const mask = (value: string) => `${'*'.repeat(Math.max(0, value.length - 4))}${value.slice(-4)}`;

/** Canonical JSON (sorted keys) so key order does not make two equal bodies differ. */
const canonical = (value: unknown): unknown =>
  Array.isArray(value)
    ? value.map(canonical)
    : value && typeof value === 'object'
      ? Object.fromEntries(Object.entries(value).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, canonical(v)]))
      : value;

export function createMomentSimulator(options: SimulatorOptions = {}): Simulator {
  const now = options.now ?? Date.now;
  const iso = () => new Date(now()).toISOString();
  let vouchers = new Map<string, Voucher>();
  const redemptions = new Map<string, WireRecord>();
  const replays = new Map<string, { body: unknown; response: SimResponse; at: number }>();
  let counter = 0;
  let nextChangePin = 0n;

  function reset() {
    vouchers = new Map(seedVouchers().map((v) => [`${v.type}:${v.credential}`, v]));
    redemptions.clear();
    redemptions.set(SEEDED_REDEMPTION_ID, seedRedemption());
    replays.clear();
    counter = 0;
    nextChangePin = 9_000_000_000_000_001n;
  }
  reset();

  /** ObjectId-shaped: 4-byte seconds, 5 fixed bytes, 3-byte counter; deterministic under a test clock. */
  const newRedemptionId = () =>
    `rdm_${Math.floor(now() / 1000).toString(16).padStart(8, '0').slice(-8)}a1b2c3d4e5${(++counter).toString(16).padStart(6, '0')}`;
  const newOperationId = () =>
    `${Math.floor(now() / 1000).toString(36).padStart(8, '0').slice(-8)}_${(++counter).toString(36).padStart(8, '0')}`;

  function authProblem(request: SimRequest): SimResponse | undefined {
    const header = request.headers.authorization;
    if (header === `Bearer ${SANDBOX_SECRET_KEY}`) return undefined;
    if (header === `Bearer ${SANDBOX_PUBLIC_KEY}`) return problem(403, 'This API key does not have permission for this request', request.path);
    return problem(401, 'No valid API key provided', request.path);
  }

  /** Moves a record along the lifecycle table; each move is one version. */
  function advance(record: WireRecord, to: MomentStatus) {
    if (!(momentTransitions[record.status] as readonly MomentStatus[]).includes(to)) {
      throw new Error(`moment simulator: ${record.status} -> ${to} is not a lifecycle transition`);
    }
    Object.assign(record, { status: to, version: record.version + 1, updated_at: iso() });
  }

  function operation(type: 'reserve' | 'confirm', amount: number | null, error?: VoucherErrorCode) {
    return {
      id: newOperationId(), type, status: error ? 'failed' : 'succeeded', amount,
      provider_reference: { reference: `OV-${counter}` },
      ...(error && { error: { code: error, message: MOMENT_VOUCHER_ERRORS[error] } }),
      created_at: iso(),
    };
  }

  function findVoucher(body: CreateBody): Voucher | undefined {
    const key = `${body.type}:${body.source[CREDENTIAL[body.type]]}`;
    const credential = body.source[CREDENTIAL[body.type]];
    // Sandbox convenience (not Moment behaviour): an unseen 1Voucher PIN starting with the fresh
    // prefix is a new R100.00 voucher, so load tests and demos never run out of vouchers.
    if (!vouchers.has(key) && body.type === 'vouchers.one_voucher' && typeof credential === 'string' && credential.startsWith(FRESH_VOUCHER_PREFIX)) {
      vouchers.set(key, { type: body.type, credential, balance: ONE_VOUCHER_BALANCE, used: false });
    }
    const voucher = vouchers.get(key);
    if (voucher?.phoneNumber !== undefined && voucher.phoneNumber !== body.source.phone_number) return undefined;
    return voucher;
  }

  /** Runs the create: draft v1, then reserve and confirm (confirmed v3) or a failure (failed v2). */
  function redeem(body: CreateBody): WireRecord {
    const voucher = findVoucher(body);
    const amount = body.amount ?? (voucher && !voucher.used ? voucher.balance : null);
    const record: WireRecord = {
      id: newRedemptionId(), status: 'draft', version: 1, type: body.type,
      amount, reserved_amount: 0, redeemed_amount: 0, reversed_amount: 0, currency: 'ZAR',
      operations: [], provider_reference: null,
      source: Object.fromEntries(Object.entries(body.source).map(([k, v]) => [k, mask(v)])), // echoed masked [I]
      redemption_options: body.redemption_options ?? {}, change_voucher: null, related_ids: [],
      external_reference: body.external_reference ?? null, metadata: body.metadata ?? {},
      last_error: null, created_at: iso(), updated_at: iso(),
    };
    redemptions.set(record.id, record);
    const operations = record.operations as ReturnType<typeof operation>[];

    const failure: VoucherErrorCode | undefined = !voucher
      ? 'voucher_not_found'
      : voucher.used
        ? 'voucher_already_redeemed'
        : amount! > voucher.balance
          ? 'insufficient_balance'
          : undefined;
    // A refused voucher is a created, failed redemption (201), not an HTTP error; no money moves [I].
    if (failure || !voucher || amount === null) {
      const code = failure ?? 'voucher_not_found';
      operations.push(operation('reserve', amount, code));
      record.last_error = { code, message: MOMENT_VOUCHER_ERRORS[code] };
      advance(record, 'failed');
      return record;
    }

    operations.push(operation('reserve', amount));
    record.reserved_amount = amount;
    advance(record, 'reserved');

    const confirm = operation('confirm', amount);
    operations.push(confirm);
    const remainder = voucher.balance - amount;
    Object.assign(voucher, { balance: 0, used: true });
    if (remainder > 0 && INLINE_CHANGE.has(body.type)) record.change_voucher = issueChange(body.type, remainder);
    // OTT sends the remainder as a new voucher by SMS, so nothing comes back inline [D: change_voucher SMS].
    Object.assign(record, { reserved_amount: 0, redeemed_amount: amount, provider_reference: confirm.provider_reference });
    advance(record, 'confirmed');
    return record;
  }

  /** A replacement voucher for the remainder; Blu returns no amount [D]. 1Voucher change is redeemable. */
  function issueChange(type: SimVoucherType, remainder: number) {
    const pin = String(nextChangePin++);
    if (type === 'vouchers.one_voucher') {
      vouchers.set(`${type}:${pin}`, { type, credential: pin, balance: remainder, used: false });
      return { pin, amount: remainder };
    }
    return { pin };
  }

  function create(request: SimRequest): SimResponse {
    const denied = authProblem(request);
    if (denied) return denied;
    const key = request.headers['idempotency-key'];
    if (key !== undefined && (key.length < 1 || key.length > 255)) {
      return problem(400, 'Idempotency-Key must be 1 to 255 characters', request.path); // limit from payment sessions [I]
    }
    if (key !== undefined) {
      const seen = replays.get(key);
      if (seen && now() - seen.at < IDEMPOTENCY_WINDOW_MS) {
        if (!isDeepStrictEqual(canonical(seen.body), canonical(request.body))) {
          return problem(409, 'Idempotency-Key was already used with a different request body', request.path);
        }
        return { ...structuredClone(seen.response), headers: { 'idempotent-replayed': 'true' } }; // header name from payment sessions [I]
      }
    }
    const parsed = createBodySchema.safeParse(request.body);
    if (!parsed.success) {
      const detail = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`).join('; ');
      return problem(400, detail, request.path);
    }
    const invalid = unprocessable(parsed.data);
    if (invalid) return problem(422, invalid, request.path);
    const response: SimResponse = { status: 201, body: structuredClone(redeem(parsed.data)) }; // 201 as payment sessions [I]
    // Only requests that ran are remembered; a refused body may be retried with the same key [I].
    if (key !== undefined) replays.set(key, { body: request.body, response: structuredClone(response), at: now() });
    return response;
  }

  function retrieve(request: SimRequest): SimResponse {
    const denied = authProblem(request);
    if (denied) return denied;
    const record = redemptions.get(request.params.id!);
    return record ? { status: 200, body: structuredClone(record) } : problem(404, `No redemption ${request.params.id}`, request.path);
  }

  return createSimulator({
    name: 'moment',
    // `types` first: the `:id` route would otherwise take it.
    routes: [
      { route: 'GET /collect/redemptions/types', handler: (request) => authProblem(request) ?? { status: 200, body: { data: structuredClone(MOMENT_TYPES) } } },
      { route: 'GET /collect/redemptions/:id', handler: retrieve },
      { route: 'POST /collect/redemptions', handler: create },
    ],
    errorBody: (status, message) => momentProblem(status, message),
    reset,
  });
}
