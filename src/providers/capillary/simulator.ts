/**
 * A Capillary simulator: the documented points endpoints as a real HTTP server, seeded with the
 * demo customers and redemptions below. It checks OAuth tokens and Basic till credentials,
 * validates like Capillary (same codes, same two envelope styles) and keeps state, so created
 * redemptions read back. Behaviours marked [I] are inferences, not documented facts.
 */
import { createHash } from 'node:crypto';
import { createSimulator, type SimRequest, type SimResponse, type Simulator } from '../../sim/kit.js';
import type { SimulatorOptions } from '../types.js';

export const SANDBOX_OAUTH_KEY = 'cap_sandbox_key';
export const SANDBOX_OAUTH_SECRET = 'cap_sandbox_secret';
export const SANDBOX_USERNAME = 'sandbox.till';
export const SANDBOX_PASSWORD = 'sandbox-till-password';

export const DEMO_CUSTOMER_A = { id: '564670755', mobile: '919777785302', email: 'customer.a@example.com', externalId: 'EXT-A', balance: '5000' } as const;
export const DEMO_CUSTOMER_B = { id: '564332013', mobile: '919731013853', email: 'customer.b@example.com', externalId: 'EXT-B', balance: '1200' } as const;
export const DEMO_UNKNOWN_MOBILE = '910000000000';
/** Customer A, 1 point, bill 'billnumber333', no custom fields, external reference 'seed-ern-1'. */
export const DEMO_REDEMPTION_A = 'NZVAt9';
export const DEMO_REDEMPTION_A_ERN = 'seed-ern-1';
/** Customer B, 101 points, bill 'txn-79', custom field card_number=123456. */
export const DEMO_REDEMPTION_B = 'Fnpztw';

export interface CapillarySimulatorOptions extends SimulatorOptions {
  /**
   * A redeem repeating an external_reference_number of the same customer answers with the
   * original redemption (item code 800) and makes no new one [I: Capillary documents duplicate
   * detection but not the redeem answer]. False: no duplicate check.
   */
  replayDuplicateReference?: boolean;
  /** Lifetime of issued OAuth tokens (Capillary's default maximum is 60 minutes). */
  tokenTtlSeconds?: number;
}

interface SimCustomer {
  id: string;
  mobile: string;
  email: string;
  externalId: string;
  /** Thousandths of a point: points have at most three decimals. */
  balance: number;
}

interface SimRedemption {
  id: number;
  redemptionId: string;
  customerId: string;
  milliPoints: number;
  billNumber: string;
  billId?: string;
  purpose: string;
  notes: string;
  validationCode: string;
  externalReferenceNumber: string;
  customFields: { name: string; value: string }[];
  redeemedAt: number;
}

// ------------------------------------------------------------------ envelopes

type Code = number;
const v11Status = (success: boolean, code: Code, message: string) => ({ success: String(success), code, message });
const v11Failure = (httpStatus: number, code: Code, message: string, identity: object = {}): SimResponse => ({
  status: httpStatus,
  body: {
    response: {
      status: v11Status(false, 500, 'All requests have failed due to errors'),
      responses: { points: { ...identity, item_status: v11Status(false, code, message) } },
    },
  },
});
const v2Failure = (code: Code, message: string, httpStatus = 400): SimResponse => ({
  status: httpStatus,
  body: { errors: [{ status: false, code, message }], warnings: [] },
});
/** The provider's own envelope for forced statuses: the v1.1 wrapper. */
const errorBody = (status: number, message: string) => ({ response: { status: v11Status(false, status, message) } });

// ------------------------------------------------------------------ values

const toMilli = (points: string) => {
  const [whole = '0', fraction = ''] = points.split('.');
  return Number(whole) * 1000 + Number(fraction.padEnd(3, '0'));
};
/** Thousandths back to a JSON number with at most three decimals. */
const fromMilli = (milli: number) => Number(`${Math.trunc(milli / 1000)}.${String(milli % 1000).padStart(3, '0')}`);
const md5 = (text: string) => createHash('md5').update(text).digest('hex');
const isoSeconds = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
/** v1.1 "YYYY-MM-DD HH:MM:SS", in UTC [I: the zone is undocumented]. */
const v11Time = (ms: number) => isoSeconds(ms).replace('T', ' ').replace('Z', '');
const POINT_TEXT = /^-?\d+(\.\d+)?$/;
const BILL_ID = /^[1-9]\d{0,18}$/;

/** The billId literal as sent: a JSON number's digits verbatim (it may exceed 2^53), or a string. */
function rawBillId(rawBody: string): string | undefined {
  const match = /"billId"\s*:\s*("(?:[^"\\]|\\.)*"|[-+0-9.eE]+|null|true|false)/.exec(rawBody);
  if (!match) return undefined;
  const literal = match[1]!;
  return literal.startsWith('"') ? (JSON.parse(literal) as string) : literal;
}

const V11_IDENTIFIERS = ['mobile', 'email', 'external_id', 'id'] as const;
const CUSTOMER_ENTITY_TYPES = ['mobile', 'email', 'externalId', 'cardnumber', 'wechat', 'martjackId', 'fbId', 'id'];

function seedCustomers(): Map<string, SimCustomer> {
  return new Map(
    [DEMO_CUSTOMER_A, DEMO_CUSTOMER_B].map((c) => [c.id, { id: c.id, mobile: c.mobile, email: c.email, externalId: c.externalId, balance: toMilli(c.balance) }]),
  );
}

function seedRedemptions(): SimRedemption[] {
  const common = { validationCode: 'NS3U05', notes: 'Redeemed to transfer points to the friend' };
  return [
    {
      ...common, id: 26445488, redemptionId: DEMO_REDEMPTION_A, customerId: DEMO_CUSTOMER_A.id, milliPoints: 1000,
      billNumber: 'billnumber333', purpose: '', externalReferenceNumber: DEMO_REDEMPTION_A_ERN, customFields: [],
      redeemedAt: Date.parse('2025-06-12T09:40:56Z'),
    },
    {
      ...common, id: 26503632, redemptionId: DEMO_REDEMPTION_B, customerId: DEMO_CUSTOMER_B.id, milliPoints: 101_000,
      billNumber: 'txn-79', purpose: '', externalReferenceNumber: '', customFields: [{ name: 'card_number', value: '123456' }],
      redeemedAt: Date.parse('2025-06-26T15:28:28Z'),
    },
  ];
}

export function createCapillarySimulator(options: CapillarySimulatorOptions = {}): Simulator {
  const now = options.now ?? Date.now;
  const replay = options.replayDuplicateReference ?? true;
  const ttlSeconds = options.tokenTtlSeconds ?? 3600;
  let customers = seedCustomers();
  let redemptions = seedRedemptions();
  let tokens = new Map<string, number>();
  let sequence = 0;
  let tokenSequence = 0;

  const basic = `Basic ${Buffer.from(`${SANDBOX_USERNAME}:${md5(SANDBOX_PASSWORD)}`).toString('base64')}`;
  function authorized(request: SimRequest): boolean {
    const token = request.headers['x-cap-api-oauth-token'];
    if (token !== undefined) return (tokens.get(token) ?? 0) > now();
    return request.headers.authorization === basic;
  }

  function findCustomer(type: string, value: string): SimCustomer | undefined {
    for (const customer of customers.values()) {
      const field = { mobile: customer.mobile, email: customer.email, external_id: customer.externalId, externalId: customer.externalId, id: customer.id }[type];
      if (field !== undefined && field === value) return customer;
    }
    return undefined;
  }

  const identityOf = (customer: SimCustomer) => ({
    user_id: Number(customer.id), mobile: customer.mobile, email: customer.email, external_id: customer.externalId,
  });

  // ---------------------------------------------------------------- POST /v3/oauth/token/generate

  function generateToken(request: SimRequest): SimResponse {
    const body = request.body as { key?: unknown; secret?: unknown } | undefined;
    if (body?.key !== SANDBOX_OAUTH_KEY || body?.secret !== SANDBOX_OAUTH_SECRET) {
      // [I] code and message of a refused key/secret are undocumented.
      return { status: 401, body: { data: null, errors: [{ code: 401, message: 'Invalid key or secret' }] } };
    }
    tokenSequence += 1;
    const token = `sim-oauth-token-${tokenSequence}`;
    tokens.set(token, now() + ttlSeconds * 1000);
    return { status: 200, body: { data: { accessToken: token, ttlSeconds }, errors: null } };
  }

  // ---------------------------------------------------------------- POST /v1.1/points/redeem

  function redeemResponse(customer: SimCustomer, redemption: SimRedemption): SimResponse {
    const points = fromMilli(redemption.milliPoints);
    return {
      status: 200,
      body: {
        response: {
          status: v11Status(true, 200, 'Success'),
          responses: {
            points: {
              ...identityOf(customer),
              redemption_id: redemption.redemptionId,
              points_redeemed: points,
              redemption_purpose: redemption.purpose,
              // [I] one point is worth one currency unit in the sandbox programme.
              redeemed_value: points,
              redeemed_local_value: points,
              balance: fromMilli(customer.balance),
              side_effects: { effect: [] },
              item_status: v11Status(true, 800, 'Points Redeemed'),
            },
          },
        },
      },
    };
  }

  function redeem(request: SimRequest): SimResponse {
    if (!authorized(request)) return { status: 401, body: errorBody(401, 'Unauthorized') };
    // [I] only the first item of root.redeem[] is processed.
    const item = (request.body as { root?: { redeem?: Record<string, unknown>[] } } | undefined)?.root?.redeem?.[0];
    if (!item || typeof item !== 'object') return v11Failure(400, 802, 'Invalid request: root.redeem[] missing');
    const ids = (item.customer ?? {}) as Record<string, unknown>;
    const type = V11_IDENTIFIERS.find((key) => typeof ids[key] === 'string' && ids[key] !== '');
    if (!type) return v11Failure(400, 802, 'Invalid customer identifier');
    const customer = findCustomer(type, ids[type] as string);
    if (!customer) return v11Failure(400, 816, 'Customer not found for organization', { [type]: ids[type] });

    const text = typeof item.points_redeemed === 'number' ? String(item.points_redeemed) : item.points_redeemed;
    if (typeof text !== 'string' || !POINT_TEXT.test(text)) return v11Failure(400, 801, 'Invalid points', identityOf(customer));
    const fraction = (text.split('.')[1] ?? '').replace(/0+$/, '');
    if (text.startsWith('-') || fraction.length > 3 || toMilli(text) === 0) {
      return v11Failure(400, 878, 'Points must be greater than 0 with at most 3 decimals', identityOf(customer));
    }
    const milli = toMilli(text);
    const ern = typeof item.external_reference_number === 'string' ? item.external_reference_number : '';
    const original = replay && ern ? redemptions.find((r) => r.customerId === customer.id && r.externalReferenceNumber === ern) : undefined;
    if (original) return redeemResponse(customer, original);
    if (milli > customer.balance) return v11Failure(400, 803, 'Insufficient points', identityOf(customer));

    const fields = (item.custom_fields as { field?: { name: string; value: string }[] } | undefined)?.field ?? [];
    sequence += 1;
    const redemption: SimRedemption = {
      id: 30_000_000 + sequence,
      redemptionId: `sim${sequence.toString(36).padStart(3, '0')}`,
      customerId: customer.id,
      milliPoints: milli,
      billNumber: typeof item.transaction_number === 'string' ? item.transaction_number : '',
      purpose: '',
      notes: typeof item.notes === 'string' ? item.notes : '',
      validationCode: typeof item.validation_code === 'string' ? item.validation_code : '',
      externalReferenceNumber: ern,
      customFields: fields.map(({ name, value }) => ({ name: String(name), value: String(value) })),
      redeemedAt: now(),
    };
    customer.balance -= milli;
    redemptions.push(redemption);
    return redeemResponse(customer, redemption);
  }

  // ---------------------------------------------------------------- GET /v1.1/customer/redemptions

  const pointOf = (r: SimRedemption) => ({
    id: r.id,
    program_id: 973,
    points_redeemed: fromMilli(r.milliPoints),
    transaction_number: r.billNumber,
    bill_id: r.billId ?? '-1',
    validation_code: r.validationCode,
    redeemed_time: v11Time(r.redeemedAt),
    redeemed_at: SANDBOX_USERNAME,
    redemption_purpose: r.purpose,
    notes: r.notes,
    external_reference_number: r.externalReferenceNumber,
    redemption_id: r.redemptionId,
    redeemed_store: { code: 'sandbox-store', name: 'Sandbox Store' },
    redeemed_till: { code: SANDBOX_USERNAME, name: SANDBOX_USERNAME },
    custom_fields: { field: r.customFields.map((f) => ({ ...f })) },
    reversals: [],
    redemption_breakup_by_program: [],
  });

  function customerRedemptions(request: SimRequest): SimResponse {
    if (!authorized(request)) return { status: 401, body: errorBody(401, 'Unauthorized') };
    const type = V11_IDENTIFIERS.find((key) => request.query[key] !== undefined);
    if (!type) return { status: 400, body: errorBody(400, 'A customer identifier (mobile, email, external_id or id) is required') };
    const kind = request.query.type;
    if (kind !== undefined && !['POINTS', 'COUPONS', 'BOTH'].includes(kind.toUpperCase())) {
      return { status: 400, body: errorBody(400, `Invalid type ${kind}`) };
    }
    // points_limit: default 10, max 500 [D]; larger values are clamped [I]. points_offset: a page
    // index, default 0 [D], applied to each customer's own list when several ids are sent [I].
    // Order: newest first (documented default order desc; redeemed time as the default sort key [I]).
    // sort, order and points_start_id/points_end_id are not simulated.
    const limit = Math.min(Math.max(Number.parseInt(request.query.points_limit ?? '10', 10) || 10, 1), 500);
    const page = Math.max(Number.parseInt(request.query.points_offset ?? '0', 10) || 0, 0);
    const ern = request.query.external_reference_number;
    const entries = request.query[type]!.split(',').map((value) => {
      const customer = findCustomer(type, value);
      if (!customer) return { found: false, entry: { [type]: value, item_status: v11Status(false, 816, 'Customer not found for organization') } };
      const matching = redemptions
        .filter((r) => kind?.toUpperCase() !== 'COUPONS' && r.customerId === customer.id && (ern === undefined || r.externalReferenceNumber === ern))
        .sort((a, b) => b.redeemedAt - a.redeemedAt || b.id - a.id);
      const shown = matching.slice(page * limit, page * limit + limit);
      return {
        found: true,
        entry: {
          ...identityOf(customer), // user_id is not in the documented sample [I]
          firstname: 'Sandbox', lastname: 'Customer',
          rows: shown.length, points_count: matching.length, coupons_count: 0,
          points_start_id: shown[0]?.id ?? 0,
          redemptions: { points: { point: shown.map(pointOf) }, coupons: { coupon: [] } },
        },
      };
    });
    const anyFound = entries.some((e) => e.found);
    const status = anyFound ? v11Status(true, 200, 'Success') : v11Status(false, 500, 'All requests have failed due to errors');
    // One identifier: response.customer{} [D]. Several: response.customers.customer[] [I].
    // All unknown: HTTP 400 with the failing wrapper, as redeem does [I]; otherwise 200.
    const payload = entries.length === 1 ? { customer: entries[0]!.entry } : { customers: { customer: entries.map((e) => e.entry) } };
    return { status: anyFound ? 200 : 400, body: { response: { status, ...payload } } };
  }

  // ---------------------------------------------------------------- PUT /v2/points/updateRedemption

  function updatedBody(r: SimRedemption) {
    const billId = r.billId === undefined ? -1 : Number.isSafeInteger(Number(r.billId)) ? Number(r.billId) : r.billId;
    return {
      id: r.id, programId: 973, pointsRedeemed: fromMilli(r.milliPoints), billId, billNumber: r.billNumber,
      validationCode: r.validationCode, notes: r.notes, redemptionTime: r.redeemedAt, pointsRedemptionTime: r.redeemedAt,
      tillId: 75155295, tillName: '', pointDeductionList: [], redemptionId: r.redemptionId,
      ...(r.customFields.length > 0 ? { customFields: r.customFields.map((f) => ({ ...f })) } : {}),
      customerId: Number(r.customerId), redemptionPurpose: r.purpose, redemptionDate: isoSeconds(r.redeemedAt), warnings: [],
    };
  }

  function updateRedemption(request: SimRequest): SimResponse {
    if (!authorized(request)) return v2Failure(401, 'Unauthorized', 401);
    const body = (request.body ?? {}) as Record<string, unknown>;
    const byId = typeof body.redemptionId === 'string' && body.redemptionId !== '';
    const byErn = typeof body.externalReferenceNumber === 'string' && body.externalReferenceNumber !== '';
    if (byId === byErn) return v2Failure(749, 'Exactly one redemption identifier needed to identify redemption.');
    if (['billNumber', 'billId', 'purpose', 'customFields'].every((key) => body[key] === undefined || body[key] === null)) {
      return v2Failure(748, 'No metadata update requested.');
    }
    const entity = body.entity as { type?: unknown; identifierType?: unknown; identifierValue?: unknown } | undefined;
    let entityCustomer: SimCustomer | undefined;
    if (entity !== undefined) {
      // [I] entity is optional; when present it must be valid and name the redemption's owner.
      if (typeof entity !== 'object' || entity === null) return v2Failure(1219, 'Entity details not set/invalid.');
      if (!['CUSTOMER', 'USERGROUP2', 'FLEET'].includes(entity.type as string)) return v2Failure(1212, 'Entity type passed is not valid.');
      if (typeof entity.identifierType !== 'string' || typeof entity.identifierValue !== 'string' || entity.identifierValue === '') {
        return v2Failure(1219, 'Entity details not set/invalid.');
      }
      if (entity.type === 'CUSTOMER') {
        if (!CUSTOMER_ENTITY_TYPES.includes(entity.identifierType)) return v2Failure(1219, 'Entity details not set/invalid.');
        entityCustomer = findCustomer(entity.identifierType, entity.identifierValue);
        if (!entityCustomer) return v2Failure(8015, 'Invalid or malformed identifier provided in request body.');
      }
    }
    const billId = body.billId === undefined || body.billId === null ? undefined : rawBillId(request.rawBody);
    // [I] codes for a bad billId / purpose are undocumented: 750 "update failed".
    if (billId !== undefined && !BILL_ID.test(billId)) return v2Failure(750, `Redemption update failed: invalid billId ${billId}`);
    if (body.purpose !== undefined && (typeof body.purpose !== 'string' || body.purpose.length > 255)) {
      return v2Failure(750, 'Redemption update failed: purpose must be at most 255 characters');
    }
    const redemption = redemptions.find((r) =>
      (byId ? r.redemptionId === body.redemptionId : r.externalReferenceNumber === body.externalReferenceNumber) &&
      (!entityCustomer || r.customerId === entityCustomer.id));
    if (!redemption) return v2Failure(8015, 'Invalid or malformed identifier provided in request body.');
    const customFields = body.customFields as Record<string, unknown> | undefined | null;
    if (customFields !== undefined && customFields !== null) {
      if (redemption.customFields.length === 0) {
        return v2Failure(750, 'Redemption update failed: custom fields were not sent when redeeming');
      }
      for (const [name, value] of Object.entries(customFields)) {
        const existing = redemption.customFields.find((f) => f.name === name);
        if (existing) existing.value = String(value);
        else redemption.customFields.push({ name, value: String(value) });
      }
    }
    if (typeof body.billNumber === 'string') redemption.billNumber = body.billNumber;
    if (billId !== undefined) redemption.billId = billId;
    if (typeof body.purpose === 'string') redemption.purpose = body.purpose;
    return { status: 200, body: updatedBody(redemption) };
  }

  return createSimulator({
    name: 'capillary',
    routes: [
      { route: 'POST /v3/oauth/token/generate', handler: generateToken },
      { route: 'POST /v1.1/points/redeem', handler: redeem },
      { route: 'GET /v1.1/customer/redemptions', handler: customerRedemptions },
      { route: 'PUT /v2/points/updateRedemption', handler: updateRedemption },
    ],
    errorBody,
    reset() {
      customers = seedCustomers();
      redemptions = seedRedemptions();
      tokens = new Map();
      sequence = 0;
      tokenSequence = 0;
    },
  });
}
