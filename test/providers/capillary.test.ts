import { createHash } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { REDEMPTION_STATES, toStatus } from '../../src/domain/status.js';
import { InputError, validateInput } from '../../src/domain/validation.js';
import { CAPILLARY_MAX_REDEMPTION_PAGES, createCapillaryAdapter, type CapillaryConfig } from '../../src/providers/capillary/adapter.js';
import { capillaryProvider } from '../../src/providers/capillary/index.js';
import { redeemPointsInputSchema, updateRedemptionMetadataInputSchema } from '../../src/providers/capillary/input.js';
import {
  createCapillarySimulator,
  DEMO_CUSTOMER_A,
  DEMO_CUSTOMER_B,
  DEMO_REDEMPTION_A,
  DEMO_REDEMPTION_A_ERN,
  DEMO_REDEMPTION_B,
  DEMO_UNKNOWN_MOBILE,
  SANDBOX_OAUTH_KEY,
  SANDBOX_OAUTH_SECRET,
  SANDBOX_PASSWORD,
  SANDBOX_USERNAME,
} from '../../src/providers/capillary/simulator.js';
import { capillaryErrorMap, capillaryStatusMap } from '../../src/providers/capillary/tables.js';
import { capillaryProblemOf, toBillIdWire, toUpdateRedemptionRequest } from '../../src/providers/capillary/transform.js';
import type { CapillaryAdapter, RedeemPointsInput } from '../../src/providers/types.js';
import type { FaultRule, Simulator } from '../../src/sim/kit.js';
import { expectGatewayError, runConformance } from '../support/conformance.js';
import { manualClock, recordingLogger, testDeps } from '../support/deps.js';

const REDEEM = 'POST /v1.1/points/redeem';
const REDEMPTIONS = 'GET /v1.1/customer/redemptions';
const UPDATE = 'PUT /v2/points/updateRedemption';
const TOKEN = 'POST /v3/oauth/token/generate';

const A = { type: 'mobile', value: DEMO_CUSTOMER_A.mobile } as const;
const B = { type: 'mobile', value: DEMO_CUSTOMER_B.mobile } as const;
const UNKNOWN = { type: 'mobile', value: DEMO_UNKNOWN_MOBILE } as const;

const redeemInput = (overrides: Partial<RedeemPointsInput> = {}): RedeemPointsInput => ({
  customer: A,
  points: '10',
  externalReferenceNumber: 'ern-test',
  ...overrides,
});

/** A v1.1 failure envelope, as Capillary sends it (string booleans, item code under responses.points). */
const v11Item = (code: number, status = 400): FaultRule['fault'] => ({
  kind: 'status',
  status,
  body: {
    response: {
      status: { success: 'false', code: 500, message: 'All requests have failed due to errors' },
      responses: { points: { mobile: DEMO_CUSTOMER_A.mobile, item_status: { success: 'false', code, message: `simulated ${code}` } } },
    },
  },
});
/** A v1.1 read failure: boolean success, item code on the customer. */
const v11Customer = (code: number, status = 200): FaultRule['fault'] => ({
  kind: 'status',
  status,
  body: {
    response: {
      status: { success: false, code: 500, message: 'All requests have failed due to errors' },
      customer: { mobile: DEMO_CUSTOMER_A.mobile, item_status: { success: false, code, message: `simulated ${code}` } },
    },
  },
});
const v2Error = (code: number, status = 400): FaultRule['fault'] => ({
  kind: 'status',
  status,
  body: { errors: [{ status: false, code, message: `simulated ${code}` }], warnings: [] },
});

const redeem = (adapter: CapillaryAdapter) => adapter.redeemPoints(redeemInput());
const list = (adapter: CapillaryAdapter) => adapter.listCustomerRedemptions({ customer: A, limit: 10, offset: 0 });
const update = (adapter: CapillaryAdapter) => adapter.updateRedemptionMetadata({ redemptionId: DEMO_REDEMPTION_A, billNumber: 'b-1' });

type ErrorRow = { providerCode: string; fault?: FaultRule; call: (a: CapillaryAdapter) => Promise<unknown> };
const faulted = (code: number, route: string, fault: FaultRule['fault'], call: ErrorRow['call']): ErrorRow => ({
  providerCode: String(code),
  fault: { route, fault, times: 1 },
  call,
});

/** Every documented code: produced by the simulator from input where it can, else by a fault. */
const errorRows: ErrorRow[] = [
  { providerCode: '801', call: (a) => a.redeemPoints(redeemInput({ points: 'ten' })) },
  { providerCode: '802', call: (a) => a.redeemPoints(redeemInput({ customer: { type: 'mobile', value: '' } })) },
  { providerCode: '803', call: (a) => a.redeemPoints(redeemInput({ points: '5000.001' })) },
  faulted(804, REDEEM, v11Item(804), redeem),
  faulted(807, REDEEM, v11Item(807), redeem),
  faulted(808, REDEEM, v11Item(808, 200), redeem),
  faulted(809, REDEEM, v11Item(809), redeem),
  faulted(811, REDEEM, v11Item(811), redeem),
  faulted(812, REDEEM, v11Item(812), redeem),
  faulted(813, REDEEM, v11Item(813, 200), redeem),
  faulted(815, REDEEM, v11Item(815), redeem),
  { providerCode: '816', call: (a) => a.redeemPoints(redeemInput({ customer: UNKNOWN })) },
  faulted(818, REDEEM, v11Item(818), redeem),
  faulted(819, REDEEM, v11Item(819), redeem),
  faulted(820, REDEEM, v11Item(820), redeem),
  faulted(821, REDEEM, v11Item(821), redeem),
  faulted(824, REDEEM, v11Item(824), redeem),
  { providerCode: '878', call: (a) => a.redeemPoints(redeemInput({ points: '1.2345' })) },
  faulted(881, REDEEM, v11Item(881), redeem),
  faulted(886, REDEEM, v11Item(886), redeem),
  faulted(887, REDEEM, v11Item(887), redeem),
  faulted(888, REDEEM, v11Item(888), redeem),
  faulted(889, REDEEM, v11Item(889), redeem),
  faulted(894, REDEEM, v11Item(894), redeem),
  faulted(895, REDEEM, v11Item(895), redeem),
  faulted(896, REDEEM, v11Item(896), redeem),
  faulted(898, REDEEM, v11Item(898), redeem),
  faulted(899, REDEEM, v11Item(899), redeem),
  faulted(902, REDEMPTIONS, v11Customer(902), list),
  faulted(3045, REDEEM, v11Item(3045), redeem),
  faulted(521, REDEEM, v11Item(521), redeem),
  faulted(520, REDEMPTIONS, v11Customer(520, 500), list),
  { providerCode: '748', call: (a) => a.updateRedemptionMetadata({ redemptionId: DEMO_REDEMPTION_A }) },
  {
    providerCode: '749',
    call: (a) => a.updateRedemptionMetadata({ redemptionId: DEMO_REDEMPTION_A, externalReferenceNumber: DEMO_REDEMPTION_A_ERN, purpose: 'x' }),
  },
  { providerCode: '750', call: (a) => a.updateRedemptionMetadata({ redemptionId: DEMO_REDEMPTION_A, customFields: { card_number: '1' } }) },
  {
    providerCode: '1219',
    call: (a) =>
      a.updateRedemptionMetadata({
        redemptionId: DEMO_REDEMPTION_A, purpose: 'x', entity: { type: 'CUSTOMER', identifierType: 'mobile', identifierValue: '' },
      }),
  },
  {
    providerCode: '1212',
    call: (a) =>
      a.updateRedemptionMetadata({
        redemptionId: DEMO_REDEMPTION_A, purpose: 'x',
        entity: { type: 'GROUP' as 'CUSTOMER', identifierType: 'mobile', identifierValue: DEMO_CUSTOMER_A.mobile },
      }),
  },
  { providerCode: '8015', call: (a) => a.updateRedemptionMetadata({ redemptionId: 'nope00', purpose: 'x' }) },
];

runConformance<CapillaryConfig, CapillaryAdapter>({
  module: capillaryProvider,
  operations: [
    { name: 'redeemPoints', route: REDEEM, call: redeem },
    { name: 'updateRedemptionMetadata', route: UPDATE, call: update },
    {
      name: 'getRedemptions',
      route: REDEMPTIONS,
      call: (a) => a.getRedemptions([{ customerId: DEMO_CUSTOMER_A.id, redemptionId: DEMO_REDEMPTION_A }]),
    },
    { name: 'listCustomerRedemptions', route: REDEMPTIONS, call: list },
    { name: 'findByExternalReference', route: REDEMPTIONS, call: (a) => a.findByExternalReference(A, DEMO_REDEMPTION_A_ERN) },
  ],
  errors: errorRows.map((row) => {
    const rule = capillaryErrorMap[row.providerCode as keyof typeof capillaryErrorMap];
    return { ...row, expected: { code: rule.code, retryable: rule.retryable } };
  }),
  badCredentials: (url) => ({ baseUrl: url, auth: { kind: 'oauth', key: SANDBOX_OAUTH_KEY, secret: 'not-the-secret' } }),
  withBaseUrl: (config, baseUrl) => ({ ...config, baseUrl }),
});

describe('Capillary error table', () => {
  it('has a conformance row for every documented code', () => {
    expect(errorRows.map((row) => row.providerCode).sort()).toEqual(Object.keys(capillaryErrorMap).sort());
  });
});

describe('Capillary status table', () => {
  it.each(Object.entries(capillaryStatusMap))('maps %s to %s', (raw, state) => {
    const logger = recordingLogger();
    expect(toStatus(capillaryStatusMap, raw, { provider: 'capillary', logger })).toEqual({ state, raw });
    expect(REDEMPTION_STATES).toContain(state);
    expect(logger.entries).toEqual([]);
  });

  it('reports an unknown value as PENDING, keeps it raw and logs it', () => {
    const logger = recordingLogger();
    expect(toStatus(capillaryStatusMap, '801', { provider: 'capillary', logger })).toEqual({ state: 'PENDING', raw: '801' });
    expect(logger.entries).toHaveLength(1);
  });
});

// ---------------------------------------------------------------------------- against the simulator

describe('Capillary adapter against the simulator', () => {
  const clock = manualClock();
  let sim: Simulator;
  const adapters: CapillaryAdapter[] = [];
  const make = (config: Partial<CapillaryConfig> = {}) => {
    const adapter = createCapillaryAdapter({ ...capillaryProvider.sandboxConfig(sim.url), ...config }, testDeps({ now: clock.now }));
    adapters.push(adapter);
    return adapter;
  };
  const md5 = (text: string) => createHash('md5').update(text).digest('hex');
  const expectedBasic = `Basic ${Buffer.from(`${SANDBOX_USERNAME}:${md5(SANDBOX_PASSWORD)}`).toString('base64')}`;

  beforeAll(async () => {
    sim = createCapillarySimulator({ now: clock.now });
    await sim.listen();
  });
  beforeEach(() => sim.reset());
  afterAll(async () => {
    await Promise.all(adapters.map((a) => a.close()));
    await sim.close();
  });

  describe('redeemPoints', () => {
    it('fetches a token, posts the documented v1.1 body and returns the redemption', async () => {
      const adapter = make();
      const result = await adapter.redeemPoints({
        customer: A,
        points: '12.50',
        externalReferenceNumber: 'ern-1',
        billNumber: 'bill-1',
        notes: 'gateway test',
        validationCode: 'OTP123',
        customFields: [{ name: 'card_number', value: '42' }],
      });

      expect(sim.calls(TOKEN).map(({ method, path, body }) => ({ method, path, body }))).toEqual([
        { method: 'POST', path: '/v3/oauth/token/generate', body: { key: SANDBOX_OAUTH_KEY, secret: SANDBOX_OAUTH_SECRET } },
      ]);
      const [call] = sim.calls(REDEEM);
      expect(call).toMatchObject({ method: 'POST', path: '/v1.1/points/redeem', query: { format: 'json' } });
      expect(call!.headers['x-cap-api-oauth-token']).toBe('sim-oauth-token-1');
      expect(call!.headers.authorization).toBeUndefined();
      expect(call!.headers['content-type']).toBe('application/json');
      expect(call!.body).toEqual({
        root: {
          redeem: [
            {
              points_redeemed: '12.5',
              customer: { mobile: DEMO_CUSTOMER_A.mobile },
              transaction_number: 'bill-1',
              external_reference_number: 'ern-1',
              notes: 'gateway test',
              validation_code: 'OTP123',
              custom_fields: { field: [{ name: 'card_number', value: '42' }] },
            },
          ],
        },
      });
      expect(result).toEqual({
        kind: 'PointsRedemption',
        provider: 'capillary',
        nativeId: 'sim001',
        ref: `${DEMO_CUSTOMER_A.id}/sim001`,
        status: { state: 'SUCCEEDED', raw: '800' },
        redemptionId: 'sim001',
        customerId: DEMO_CUSTOMER_A.id,
        points: { amount: '12.5' },
        redeemedValue: '12.5',
        balance: { amount: '4987.5' },
        billNumber: 'bill-1',
        notes: 'gateway test',
        externalReferenceNumber: 'ern-1',
        customFields: [{ name: 'card_number', value: '42' }],
        warnings: [],
      });
    });

    it('sends only the identifier given, keyed by its type', async () => {
      await make().redeemPoints(redeemInput({ customer: { type: 'id', value: DEMO_CUSTOMER_B.id }, points: '1' }));
      expect(sim.calls(REDEEM)[0]!.body).toEqual({
        root: { redeem: [{ points_redeemed: '1', customer: { id: DEMO_CUSTOMER_B.id }, external_reference_number: 'ern-test' }] },
      });
    });

    it('answers a repeated external reference with the original redemption and debits once', async () => {
      const adapter = make();
      const first = await adapter.redeemPoints(redeemInput({ externalReferenceNumber: 'ern-dup', points: '100' }));
      const second = await adapter.redeemPoints(redeemInput({ externalReferenceNumber: 'ern-dup', points: '100' }));
      expect(second.redemptionId).toBe(first.redemptionId);
      expect(second.balance).toEqual({ amount: '4900' });
      const page = await adapter.listCustomerRedemptions({ customer: A, limit: 10, offset: 0 });
      expect(page.total).toBe(2);
    });

    it('creates a new redemption per call when duplicate replay is switched off', async () => {
      const plain = createCapillarySimulator({ now: clock.now, replayDuplicateReference: false });
      await plain.listen();
      try {
        const adapter = make({ baseUrl: plain.url });
        const first = await adapter.redeemPoints(redeemInput({ externalReferenceNumber: 'ern-dup' }));
        const second = await adapter.redeemPoints(redeemInput({ externalReferenceNumber: 'ern-dup' }));
        expect(second.redemptionId).not.toBe(first.redemptionId);
        expect(second.balance).toEqual({ amount: '4980' });
      } finally {
        await plain.close();
      }
    });

    it('treats a 200 whose item_status failed as an error', async () => {
      sim.faults.inject({ route: REDEEM, fault: v11Item(803, 200), times: 1 });
      await expectGatewayError(redeem(make()), {
        code: 'INSUFFICIENT_BALANCE', providerCode: '803', providerMessage: 'simulated 803', httpStatus: 200, retryable: false,
      });
    });

    it('names the input field of a points error', async () => {
      await expectGatewayError(make().redeemPoints(redeemInput({ points: '1.2345' })), {
        code: 'BAD_USER_INPUT', providerCode: '878', field: ['input', 'points'], httpStatus: 400,
      });
    });

    it('reports a 429 as RATE_LIMITED with the Retry-After hint', async () => {
      sim.faults.inject({ route: REDEEM, fault: { kind: 'status', status: 429, headers: { 'retry-after': '3' } }, times: 1 });
      await expectGatewayError(redeem(make()), { code: 'RATE_LIMITED', retryable: true, retryAfterMs: 3000, httpStatus: 429 });
    });

    it('reports a 504 as PROVIDER_TIMEOUT', async () => {
      sim.faults.inject({ route: REDEEM, fault: { kind: 'status', status: 504 }, times: 1 });
      await expectGatewayError(redeem(make()), { code: 'PROVIDER_TIMEOUT', retryable: true, httpStatus: 504 });
    });
  });

  describe('updateRedemptionMetadata', () => {
    it('puts the documented v2 body and returns the updated redemption', async () => {
      const adapter = make();
      const result = await adapter.updateRedemptionMetadata({
        redemptionId: DEMO_REDEMPTION_B,
        billNumber: 'txn-80',
        billId: '12345678901',
        purpose: 'Update redemption details',
        entity: { type: 'CUSTOMER', identifierType: 'mobile', identifierValue: DEMO_CUSTOMER_B.mobile },
        customFields: { card_number: '654321' },
      });
      const [call] = sim.calls(UPDATE);
      expect(call).toMatchObject({ method: 'PUT', path: '/v2/points/updateRedemption', query: {} });
      expect(call!.headers['x-cap-api-oauth-token']).toBe('sim-oauth-token-1');
      expect(call!.body).toEqual({
        redemptionId: DEMO_REDEMPTION_B,
        billNumber: 'txn-80',
        billId: 12345678901,
        purpose: 'Update redemption details',
        entity: { type: 'CUSTOMER', identifierType: 'mobile', identifierValue: DEMO_CUSTOMER_B.mobile },
        customFields: { card_number: '654321' },
      });
      expect(result).toEqual({
        kind: 'PointsRedemption',
        provider: 'capillary',
        nativeId: DEMO_REDEMPTION_B,
        ref: `${DEMO_CUSTOMER_B.id}/${DEMO_REDEMPTION_B}`,
        status: { state: 'SUCCEEDED', raw: '800' },
        createdAt: '2025-06-26T15:28:28Z',
        redemptionId: DEMO_REDEMPTION_B,
        customerId: DEMO_CUSTOMER_B.id,
        points: { amount: '101' },
        billNumber: 'txn-80',
        billId: '12345678901',
        purpose: 'Update redemption details',
        notes: 'Redeemed to transfer points to the friend',
        validationCode: 'NS3U05',
        customFields: [{ name: 'card_number', value: '654321' }],
        warnings: [],
      });
    });

    it('addresses a redemption by external reference number', async () => {
      const result = await make().updateRedemptionMetadata({ externalReferenceNumber: DEMO_REDEMPTION_A_ERN, purpose: 'p' });
      expect(sim.calls(UPDATE)[0]!.body).toEqual({ externalReferenceNumber: DEMO_REDEMPTION_A_ERN, purpose: 'p' });
      expect(result).toMatchObject({ redemptionId: DEMO_REDEMPTION_A, purpose: 'p', externalReferenceNumber: DEMO_REDEMPTION_A_ERN });
    });

    it('keeps every digit of a 19-digit bill id', async () => {
      const adapter = make();
      const result = await adapter.updateRedemptionMetadata({ redemptionId: DEMO_REDEMPTION_A, billId: '1234567890123456789' });
      expect(result.billId).toBe('1234567890123456789');
      const [read] = await adapter.getRedemptions([{ customerId: DEMO_CUSTOMER_A.id, redemptionId: DEMO_REDEMPTION_A }]);
      expect(read!.billId).toBe('1234567890123456789');
    });

    it('treats a 200 carrying errors[] as an error', async () => {
      sim.faults.inject({ route: UPDATE, fault: v2Error(8015, 200), times: 1 });
      await expectGatewayError(update(make()), { code: 'NOT_FOUND', providerCode: '8015', httpStatus: 200 });
    });

    it('keeps the warnings Capillary returns', async () => {
      sim.faults.inject({
        route: UPDATE,
        fault: { kind: 'mutate', mutate: (body) => ({ ...(body as object), warnings: [{ status: false, code: 905, message: 'heads up' }] }) },
        times: 1,
      });
      const result = await update(make());
      expect(result.warnings).toEqual([{ code: '905', message: 'heads up' }]);
    });
  });

  describe('getRedemptions', () => {
    it('reads every ref in one call, in order, null where absent', async () => {
      const adapter = make();
      const refs = [
        { customerId: DEMO_CUSTOMER_B.id, redemptionId: DEMO_REDEMPTION_B },
        { customerId: DEMO_CUSTOMER_A.id, redemptionId: 'absent' },
        { customerId: DEMO_CUSTOMER_A.id, redemptionId: DEMO_REDEMPTION_A },
        { customerId: '999999', redemptionId: DEMO_REDEMPTION_A },
        { customerId: DEMO_CUSTOMER_B.id, redemptionId: DEMO_REDEMPTION_B },
      ];
      const result = await adapter.getRedemptions(refs);

      const calls = sim.calls(REDEMPTIONS);
      expect(calls).toHaveLength(1);
      expect(calls[0]).toMatchObject({
        method: 'GET',
        path: '/v1.1/customer/redemptions',
        query: { id: `${DEMO_CUSTOMER_B.id},${DEMO_CUSTOMER_A.id},999999`, type: 'POINTS', points_limit: '500', format: 'json' },
      });
      expect(Object.keys(calls[0]!.query).sort()).toEqual(['format', 'id', 'points_limit', 'type']);
      expect(calls[0]!.headers['x-cap-api-oauth-token']).toBe('sim-oauth-token-1');
      expect(result.map((r) => r?.ref ?? null)).toEqual([
        `${DEMO_CUSTOMER_B.id}/${DEMO_REDEMPTION_B}`,
        null,
        `${DEMO_CUSTOMER_A.id}/${DEMO_REDEMPTION_A}`,
        null,
        `${DEMO_CUSTOMER_B.id}/${DEMO_REDEMPTION_B}`,
      ]);
      expect(result[2]).toEqual({
        kind: 'PointsRedemption',
        provider: 'capillary',
        nativeId: DEMO_REDEMPTION_A,
        ref: `${DEMO_CUSTOMER_A.id}/${DEMO_REDEMPTION_A}`,
        status: { state: 'SUCCEEDED', raw: '800' },
        createdAt: '2025-06-12T09:40:56Z',
        redemptionId: DEMO_REDEMPTION_A,
        customerId: DEMO_CUSTOMER_A.id,
        points: { amount: '1' },
        billNumber: 'billnumber333',
        notes: 'Redeemed to transfer points to the friend',
        validationCode: 'NS3U05',
        externalReferenceNumber: DEMO_REDEMPTION_A_ERN,
        customFields: [],
        warnings: [],
      });
      expect(result[0]!.customFields).toEqual([{ name: 'card_number', value: '123456' }]);
    });

    it('makes no call for no refs', async () => {
      expect(await make().getRedemptions([])).toEqual([]);
      expect(sim.requests).toEqual([]);
    });

    it('returns nulls when every customer is unknown', async () => {
      const result = await make().getRedemptions([{ customerId: '999999', redemptionId: 'x' }]);
      expect(result).toEqual([null]);
    });

    it('reads back a redemption it created', async () => {
      const adapter = make();
      clock.advance(1000);
      const created = await adapter.redeemPoints(redeemInput({ points: '7' }));
      const [read] = await adapter.getRedemptions([{ customerId: created.customerId, redemptionId: created.redemptionId }]);
      expect(read).toMatchObject({ ref: created.ref, points: { amount: '7' }, externalReferenceNumber: 'ern-test', createdAt: new Date(clock.now()).toISOString().replace(/\.\d{3}Z$/, 'Z') });
    });

    it('reports a redemption with reversals as REVERSED', async () => {
      sim.faults.inject({
        route: REDEMPTIONS,
        fault: {
          kind: 'mutate',
          mutate: (body) => {
            const typed = body as { response: { customer: { redemptions: { points: { point: { reversals: unknown[] }[] } } } } };
            typed.response.customer.redemptions.points.point[0]!.reversals = [{ reversal_id: 1, points_reversed: 1 }];
            return typed;
          },
        },
        times: 1,
      });
      const [read] = await make().getRedemptions([{ customerId: DEMO_CUSTOMER_A.id, redemptionId: DEMO_REDEMPTION_A }]);
      expect(read!.status).toEqual({ state: 'REVERSED', raw: 'REVERSED' });
    });

    describe('past the newest 500 of a customer', () => {
      const page = (ids: string, offset?: number) => ({
        id: ids, points_limit: '500', ...(offset === undefined ? {} : { points_offset: String(offset) }), type: 'POINTS', format: 'json',
      });
      /** `count` redemptions of one point, all newer than the seeded ones, made through the simulator's redeem. */
      async function redeemMany(adapter: CapillaryAdapter, customer: typeof A | typeof B, count: number) {
        clock.advance(1000);
        for (let start = 0; start < count; start += 50) {
          await Promise.all(
            Array.from({ length: Math.min(50, count - start) }, (_, i) =>
              adapter.redeemPoints(redeemInput({ customer, points: '1', externalReferenceNumber: `bulk-${customer.value}-${start + i}` }))),
          );
        }
      }

      it('finds an older redemption on the next page, asking again only for the customer still missing one', async () => {
        const adapter = make();
        await redeemMany(adapter, A, 500);
        const result = await adapter.getRedemptions([
          { customerId: DEMO_CUSTOMER_A.id, redemptionId: DEMO_REDEMPTION_A },
          { customerId: DEMO_CUSTOMER_B.id, redemptionId: DEMO_REDEMPTION_B },
        ]);
        expect(sim.calls(REDEMPTIONS).map((call) => call.query)).toEqual([
          page(`${DEMO_CUSTOMER_A.id},${DEMO_CUSTOMER_B.id}`),
          page(DEMO_CUSTOMER_A.id, 1),
        ]);
        expect(result.map((r) => r?.ref ?? null)).toEqual([
          `${DEMO_CUSTOMER_A.id}/${DEMO_REDEMPTION_A}`,
          `${DEMO_CUSTOMER_B.id}/${DEMO_REDEMPTION_B}`,
        ]);
        expect(result[0]).toMatchObject({ billNumber: 'billnumber333', externalReferenceNumber: DEMO_REDEMPTION_A_ERN, createdAt: '2025-06-12T09:40:56Z' });
      });

      it('reads the next page of several customers in one call', async () => {
        const adapter = make();
        await redeemMany(adapter, A, 500);
        await redeemMany(adapter, B, 500);
        const result = await adapter.getRedemptions([
          { customerId: DEMO_CUSTOMER_B.id, redemptionId: DEMO_REDEMPTION_B },
          { customerId: DEMO_CUSTOMER_A.id, redemptionId: DEMO_REDEMPTION_A },
        ]);
        const both = `${DEMO_CUSTOMER_B.id},${DEMO_CUSTOMER_A.id}`;
        expect(sim.calls(REDEMPTIONS).map((call) => call.query)).toEqual([page(both), page(both, 1)]);
        expect(result.map((r) => r?.ref ?? null)).toEqual([
          `${DEMO_CUSTOMER_B.id}/${DEMO_REDEMPTION_B}`,
          `${DEMO_CUSTOMER_A.id}/${DEMO_REDEMPTION_A}`,
        ]);
      });

      it('stays one call when every ref is on the first page', async () => {
        const adapter = make();
        await redeemMany(adapter, A, 500);
        const newest = (await adapter.listCustomerRedemptions({ customer: A, limit: 1, offset: 0 })).items[0]!;
        const before = sim.calls(REDEMPTIONS).length;
        const result = await adapter.getRedemptions([
          { customerId: DEMO_CUSTOMER_A.id, redemptionId: newest.redemptionId },
          { customerId: DEMO_CUSTOMER_B.id, redemptionId: DEMO_REDEMPTION_B },
        ]);
        expect(sim.calls(REDEMPTIONS).slice(before).map((call) => call.query)).toEqual([page(`${DEMO_CUSTOMER_A.id},${DEMO_CUSTOMER_B.id}`)]);
        expect(result.map((r) => r?.ref ?? null)).toEqual([newest.ref, `${DEMO_CUSTOMER_B.id}/${DEMO_REDEMPTION_B}`]);
      });

      it('returns null for a ref on none of the pages, after the last one', async () => {
        const adapter = make();
        await redeemMany(adapter, A, 500);
        const result = await adapter.getRedemptions([
          { customerId: DEMO_CUSTOMER_A.id, redemptionId: 'absent' },
          { customerId: DEMO_CUSTOMER_B.id, redemptionId: DEMO_REDEMPTION_B },
        ]);
        expect(sim.calls(REDEMPTIONS).map((call) => call.query)).toEqual([
          page(`${DEMO_CUSTOMER_A.id},${DEMO_CUSTOMER_B.id}`),
          page(DEMO_CUSTOMER_A.id, 1),
        ]);
        expect(result.map((r) => r?.ref ?? null)).toEqual([null, `${DEMO_CUSTOMER_B.id}/${DEMO_REDEMPTION_B}`]);
      });

      it('pages on full pages when points_count is not sent', async () => {
        const adapter = make();
        await redeemMany(adapter, A, 499);
        sim.faults.inject({
          route: REDEMPTIONS,
          fault: {
            kind: 'mutate',
            mutate: (body) => {
              const typed = body as { response: { customer: { points_count?: number } } };
              delete typed.response.customer.points_count;
              return typed;
            },
          },
        });
        const result = await adapter.getRedemptions([
          { customerId: DEMO_CUSTOMER_A.id, redemptionId: DEMO_REDEMPTION_A },
          { customerId: DEMO_CUSTOMER_A.id, redemptionId: 'absent' },
        ]);
        // 500 records fill page 0 exactly: page 1 comes back empty, which ends the search.
        expect(sim.calls(REDEMPTIONS).map((call) => call.query)).toEqual([page(DEMO_CUSTOMER_A.id), page(DEMO_CUSTOMER_A.id, 1)]);
        expect(result.map((r) => r?.ref ?? null)).toEqual([`${DEMO_CUSTOMER_A.id}/${DEMO_REDEMPTION_A}`, null]);
      });

      it(`stops after ${CAPILLARY_MAX_REDEMPTION_PAGES} pages and logs that the search was cut short`, async () => {
        const logger = recordingLogger();
        const adapter = createCapillaryAdapter(capillaryProvider.sandboxConfig(sim.url), testDeps({ now: clock.now, logger }));
        adapters.push(adapter);
        // Every page comes back full of other redemptions, out of a history far longer than the limit.
        let served = 0;
        sim.faults.inject({
          route: REDEMPTIONS,
          fault: {
            kind: 'mutate',
            mutate: (body) => {
              const typed = body as { response: { customer: { points_count: number; redemptions: { points: { point: object[] } } } } };
              typed.response.customer.points_count = 1_000_000;
              typed.response.customer.redemptions.points.point = Array.from({ length: 500 }, () => ({ redemption_id: `fill${(served += 1)}`, points_redeemed: 1 }));
              return typed;
            },
          },
        });
        const result = await adapter.getRedemptions([{ customerId: DEMO_CUSTOMER_A.id, redemptionId: DEMO_REDEMPTION_A }]);
        expect(result).toEqual([null]);
        expect(sim.calls(REDEMPTIONS).map((call) => call.query)).toEqual(
          Array.from({ length: CAPILLARY_MAX_REDEMPTION_PAGES }, (_, index) => page(DEMO_CUSTOMER_A.id, index === 0 ? undefined : index)),
        );
        expect(logger.entries.filter((entry) => entry.level === 'warn')).toEqual([
          {
            level: 'warn',
            details: { provider: 'capillary', customers: 1, pages: CAPILLARY_MAX_REDEMPTION_PAGES, pageSize: 500 },
            message: 'Capillary redemption search stopped at the page limit; older redemptions read as not found',
          },
        ]);
      });
    });
  });

  describe('listCustomerRedemptions', () => {
    it('pages with points_limit and a page index, newest first, with the total', async () => {
      const adapter = make();
      for (const ern of ['l-1', 'l-2', 'l-3']) {
        clock.advance(60_000);
        await adapter.redeemPoints(redeemInput({ externalReferenceNumber: ern, points: '1' }));
      }
      const page = await adapter.listCustomerRedemptions({ customer: A, limit: 2, offset: 2 });
      const call = sim.calls(REDEMPTIONS)[0]!;
      expect(call.query).toEqual({ mobile: DEMO_CUSTOMER_A.mobile, points_limit: '2', points_offset: '1', type: 'POINTS', format: 'json' });
      expect(page.total).toBe(4);
      expect(page.items.map((item) => item.externalReferenceNumber)).toEqual(['l-1', DEMO_REDEMPTION_A_ERN]);
      expect(page.items.every((item) => item.customerId === DEMO_CUSTOMER_A.id)).toBe(true);
    });

    it.each([
      [{ limit: 2, offset: 3 }, [{ field: ['offset'], message: 'expected a non-negative multiple of limit (2): Capillary pages by page index; received 3' }]],
      [{ limit: 0, offset: 0 }, [{ field: ['limit'], message: 'expected an integer from 1 to 500, received 0' }]],
      [{ limit: 501, offset: 0 }, [{ field: ['limit'], message: 'expected an integer from 1 to 500, received 501' }]],
    ])('refuses %j before any call', async (paging, problems) => {
      const error = await expectGatewayError(make().listCustomerRedemptions({ customer: A, ...paging }), {
        code: 'BAD_USER_INPUT', requestSent: false,
      });
      expect((error as InputError).problems).toEqual(problems);
      expect(sim.requests).toEqual([]);
    });

    it('reports an unknown customer as NOT_FOUND', async () => {
      await expectGatewayError(make().listCustomerRedemptions({ customer: UNKNOWN, limit: 10, offset: 0 }), {
        code: 'NOT_FOUND', providerCode: '816',
      });
    });
  });

  describe('findByExternalReference', () => {
    it('queries by identifier and external_reference_number', async () => {
      const found = await make().findByExternalReference(A, DEMO_REDEMPTION_A_ERN);
      expect(sim.calls(REDEMPTIONS)[0]!.query).toEqual({
        mobile: DEMO_CUSTOMER_A.mobile, external_reference_number: DEMO_REDEMPTION_A_ERN, type: 'POINTS', format: 'json',
      });
      expect(found).toMatchObject({ ref: `${DEMO_CUSTOMER_A.id}/${DEMO_REDEMPTION_A}`, externalReferenceNumber: DEMO_REDEMPTION_A_ERN });
    });

    it('finds a redemption made through the adapter', async () => {
      const adapter = make();
      const made = await adapter.redeemPoints(redeemInput({ customer: B, externalReferenceNumber: 'settle-me' }));
      expect((await adapter.findByExternalReference(B, 'settle-me'))?.ref).toBe(made.ref);
    });

    it('returns null for an unknown reference or customer', async () => {
      const adapter = make();
      expect(await adapter.findByExternalReference(A, 'never-used')).toBeNull();
      expect(await adapter.findByExternalReference(UNKNOWN, DEMO_REDEMPTION_A_ERN)).toBeNull();
    });
  });

  describe('authentication', () => {
    it('uses one token for many calls and renews it after expiry', async () => {
      const adapter = make();
      await list(adapter);
      await redeem(adapter);
      await adapter.findByExternalReference(A, DEMO_REDEMPTION_A_ERN);
      expect(sim.calls(TOKEN)).toHaveLength(1);

      clock.advance(3600 * 1000);
      await list(adapter);
      expect(sim.calls(TOKEN)).toHaveLength(2);
      expect(sim.calls(REDEMPTIONS).at(-1)!.headers['x-cap-api-oauth-token']).toBe('sim-oauth-token-2');
    });

    it('renews a token the API refuses and retries the call once', async () => {
      const adapter = make();
      await list(adapter);
      sim.faults.inject({ route: REDEMPTIONS, fault: { kind: 'status', status: 401 }, times: 1 });
      const page = await list(adapter);
      expect(page.items.length).toBeGreaterThan(0);
      expect(sim.calls(TOKEN)).toHaveLength(2);
      expect(sim.calls(REDEMPTIONS).map((c) => c.headers['x-cap-api-oauth-token'])).toEqual([
        'sim-oauth-token-1', 'sim-oauth-token-1', 'sim-oauth-token-2',
      ]);
    });

    it('gives up after one renewal', async () => {
      sim.faults.inject({ route: REDEMPTIONS, fault: { kind: 'status', status: 401 } });
      await expectGatewayError(list(make()), { code: 'PROVIDER_AUTH_FAILED', retryable: false, httpStatus: 401 });
      expect(sim.calls(REDEMPTIONS)).toHaveLength(2);
    });

    it('signs with Basic till credentials (md5 of the password) when no OAuth pair is configured', async () => {
      const adapter = make({ auth: { kind: 'basic', username: SANDBOX_USERNAME, password: SANDBOX_PASSWORD } });
      await list(adapter);
      await redeem(adapter);
      expect(sim.calls(TOKEN)).toEqual([]);
      expect(sim.requests.map((r) => r.headers.authorization)).toEqual([expectedBasic, expectedBasic]);
      expect(sim.requests.every((r) => r.headers['x-cap-api-oauth-token'] === undefined)).toBe(true);
    });

    it('reports refused till credentials as PROVIDER_AUTH_FAILED', async () => {
      const adapter = make({ auth: { kind: 'basic', username: SANDBOX_USERNAME, password: 'wrong' } });
      await expectGatewayError(list(adapter), { code: 'PROVIDER_AUTH_FAILED', retryable: false, httpStatus: 401, providerCode: '401' });
      expect(sim.calls(REDEMPTIONS)).toHaveLength(1);
    });

    it('reports a refused OAuth key as PROVIDER_AUTH_FAILED without calling the API', async () => {
      const adapter = make({ auth: { kind: 'oauth', key: 'other', secret: SANDBOX_OAUTH_SECRET } });
      await expectGatewayError(redeem(adapter), { code: 'PROVIDER_AUTH_FAILED', retryable: false, httpStatus: 401, providerCode: '401' });
      expect(sim.calls(REDEEM)).toEqual([]);
    });

    it('reports a token endpoint outage as PROVIDER_UNAVAILABLE, not an auth failure', async () => {
      sim.faults.inject({ route: TOKEN, fault: { kind: 'status', status: 503 }, times: 1 });
      await expectGatewayError(list(make()), { code: 'PROVIDER_UNAVAILABLE', retryable: true, httpStatus: 503 });
    });
  });
});

// ---------------------------------------------------------------------------- the simulator itself

describe('Capillary simulator', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = createCapillarySimulator();
    await sim.listen();
  });
  afterEach(() => sim.reset());
  afterAll(() => sim.close());

  const http = async (method: string, path: string, headers: Record<string, string> = {}, body?: unknown) => {
    const response = await fetch(sim.url + path, {
      method, headers: { 'content-type': 'application/json', ...headers }, body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as unknown };
  };

  it('refuses a missing or wrong till credential with the v1.1 401 envelope', async () => {
    const bad = `Basic ${Buffer.from(`${SANDBOX_USERNAME}:nope`).toString('base64')}`;
    for (const headers of [{}, { authorization: bad }, { 'x-cap-api-oauth-token': 'made-up' }] as Record<string, string>[]) {
      expect(await http('GET', `/v1.1/customer/redemptions?mobile=${DEMO_CUSTOMER_A.mobile}`, headers)).toEqual({
        status: 401,
        body: { response: { status: { success: 'false', code: 401, message: 'Unauthorized' } } },
      });
    }
  });

  it('refuses v2 calls without credentials with the v2 envelope', async () => {
    expect(await http('PUT', '/v2/points/updateRedemption', {}, { redemptionId: DEMO_REDEMPTION_A, purpose: 'x' })).toEqual({
      status: 401,
      body: { errors: [{ status: false, code: 401, message: 'Unauthorized' }], warnings: [] },
    });
  });

  it('refuses a wrong OAuth secret with errors[]', async () => {
    expect(await http('POST', '/v3/oauth/token/generate', {}, { key: SANDBOX_OAUTH_KEY, secret: 'x' })).toEqual({
      status: 401,
      body: { data: null, errors: [{ code: 401, message: 'Invalid key or secret' }] },
    });
  });

  it('rejects an expired token', async () => {
    const clock = manualClock();
    const timed = createCapillarySimulator({ now: clock.now, tokenTtlSeconds: 60 });
    await timed.listen();
    try {
      const token = await fetch(`${timed.url}/v3/oauth/token/generate`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ key: SANDBOX_OAUTH_KEY, secret: SANDBOX_OAUTH_SECRET }),
      }).then((r) => r.json() as Promise<{ data: { accessToken: string; ttlSeconds: number } }>);
      expect(token.data.ttlSeconds).toBe(60);
      const read = () => fetch(`${timed.url}/v1.1/customer/redemptions?mobile=${DEMO_CUSTOMER_A.mobile}`, {
        headers: { 'x-cap-api-oauth-token': token.data.accessToken },
      }).then((r) => r.status);
      expect(await read()).toBe(200);
      clock.advance(60_000);
      expect(await read()).toBe(401);
    } finally {
      await timed.close();
    }
  });

  it('restores the seed on reset', async () => {
    const basic = `Basic ${Buffer.from(`${SANDBOX_USERNAME}:${createHash('md5').update(SANDBOX_PASSWORD).digest('hex')}`).toString('base64')}`;
    const redeemBody = { root: { redeem: [{ points_redeemed: 5000, customer: { mobile: DEMO_CUSTOMER_A.mobile } }] } };
    const first = await http('POST', '/v1.1/points/redeem?format=json', { authorization: basic }, redeemBody);
    expect(first.body).toMatchObject({ response: { responses: { points: { balance: 0, item_status: { code: 800 } } } } });
    const broke = await http('POST', '/v1.1/points/redeem?format=json', { authorization: basic }, redeemBody);
    expect(broke).toMatchObject({ status: 400, body: { response: { responses: { points: { item_status: { success: 'false', code: 803 } } } } } });
    sim.reset();
    const again = await http('POST', '/v1.1/points/redeem?format=json', { authorization: basic }, redeemBody);
    expect(again.body).toMatchObject({ response: { responses: { points: { redemption_id: 'sim001', item_status: { code: 800 } } } } });
  });
});

// ---------------------------------------------------------------------------- pure pieces

describe('Capillary transforms', () => {
  it('sends a bill id within 2^53 as a JSON number', () => {
    expect(toBillIdWire('9007199254740991')).toBe(9007199254740991);
  });

  it('sends a larger bill id as a raw number literal where JSON.rawJSON exists', () => {
    const raw = (text: string) => ({ raw: text });
    expect(toBillIdWire('1234567890123456789', raw)).toEqual({ raw: '1234567890123456789' });
  });

  it('falls back to the digits as a string without JSON.rawJSON', () => {
    expect(toBillIdWire('1234567890123456789', undefined)).toBe('1234567890123456789');
    expect(toUpdateRedemptionRequest({ redemptionId: 'r', billId: '1234567890123456789' }, undefined)).toEqual({
      redemptionId: 'r', billId: '1234567890123456789',
    });
  });

  it.each([
    ['a v1.1 string-boolean item failure', { response: { status: { success: 'false', code: 500 }, responses: { points: { item_status: { success: 'false', code: 816, message: 'm' } } } } }, { code: '816', message: 'm' }],
    ['a v1.1 item failure inside a successful wrapper', { response: { status: { success: true, code: 200 }, responses: { points: { item_status: { success: false, code: '808' } } } } }, { code: '808' }],
    ['a v1.1 wrapper failure without items', { response: { status: { success: false, code: 401, message: 'Unauthorized' } } }, { code: '401', message: 'Unauthorized' }],
    ['a v2 errors list', { errors: [{ status: false, code: 8015, message: 'nf' }], warnings: [] }, { code: '8015', message: 'nf' }],
    ['a v2 body with empty errors', { errors: [], warnings: [] }, undefined],
    ['a v1.1 success', { response: { status: { success: 'true', code: 200 }, responses: { points: { item_status: { success: 'true', code: 800 } } } } }, undefined],
    ['a body of neither style', '<html>', undefined],
  ])('finds the problem in %s', (_name, body, expected) => {
    expect(capillaryProblemOf(body)).toEqual(expected);
  });
});

// ---------------------------------------------------------------------------- inbound input

const problemsOf = (schema: Parameters<typeof validateInput>[0], value: unknown) => {
  try {
    validateInput(schema, value);
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return (error as InputError).problems;
  }
  throw new Error('expected the input to be refused');
};

describe('redeemPointsInputSchema', () => {
  it.each([
    [{ customer: A, points: '100' }, { customer: A, points: '100' }],
    [{ customer: { type: 'id', value: '564670755' }, points: '12.500' }, { customer: { type: 'id', value: '564670755' }, points: '12.5' }],
    [{ customer: { type: 'email', value: 'a@example.com' }, points: '0.001', billNumber: 'b', notes: '', validationCode: 'X1', customFields: [{ name: 'n', value: '' }] },
      { customer: { type: 'email', value: 'a@example.com' }, points: '0.001', billNumber: 'b', notes: '', validationCode: 'X1', customFields: [{ name: 'n', value: '' }] }],
  ])('accepts %j', (value, parsed) => {
    expect(validateInput(redeemPointsInputSchema, value)).toEqual(parsed);
  });

  const POINTS = 'a decimal number of points greater than 0 with at most 3 decimal places, e.g. "100" or "12.5"';
  it.each([
    [{ customer: A, points: '0' }, [{ field: ['input', 'points'], message: `expected ${POINTS}, received "0"` }]],
    [{ customer: A, points: '1.2345' }, [{ field: ['input', 'points'], message: `expected ${POINTS}, received "1.2345"` }]],
    [{ customer: A, points: '-5' }, [{ field: ['input', 'points'], message: `expected ${POINTS}, received "-5"` }]],
    [{ customer: A, points: 10 }, [{ field: ['input', 'points'], message: `expected ${POINTS}, received 10` }]],
    [{ customer: { type: 'card', value: '1' }, points: '1' }, [{ field: ['input', 'customer', 'type'], message: 'expected one of mobile, email, external_id, id, received "card"' }]],
    [{ customer: { type: 'id', value: 'abc' }, points: '1' }, [{ field: ['input', 'customer', 'value'], message: 'expected a numeric customer id, received "abc"' }]],
    [{ customer: { type: 'mobile', value: '' }, points: '1' }, [{ field: ['input', 'customer', 'value'], message: 'expected a non-empty string, received ""' }]],
    [{ points: '1' }, [{ field: ['input', 'customer'], message: 'expected an object { type, value }, received nothing' }]],
    [{ customer: A, points: '1', customFields: [{ name: '', value: 'v' }] }, [{ field: ['input', 'customFields', '0', 'name'], message: 'expected a non-empty string, received ""' }]],
    [{ customer: A, points: '1', billNumber: '' }, [{ field: ['input', 'billNumber'], message: 'expected a non-empty string, received ""' }]],
  ])('refuses %j', (value, problems) => {
    expect(problemsOf(redeemPointsInputSchema, value)).toEqual(problems);
  });
});

describe('updateRedemptionMetadataInputSchema', () => {
  it.each([
    [{ redemptionId: 'NZVAt9', billId: '1234567890123456789' }, { redemptionId: 'NZVAt9', billId: '1234567890123456789' }],
    [{ externalReferenceNumber: 'e', purpose: 'p'.repeat(255) }, { externalReferenceNumber: 'e', purpose: 'p'.repeat(255) }],
    [{ redemptionId: 'r', customFields: [{ key: 'card_number', value: '1' }, { key: 'other', value: '' }] },
      { redemptionId: 'r', customFields: { card_number: '1', other: '' } }],
    [{ redemptionId: 'r', billNumber: 'b', entity: { type: 'CUSTOMER', identifierType: 'externalId', identifierValue: 'x' } },
      { redemptionId: 'r', billNumber: 'b', entity: { type: 'CUSTOMER', identifierType: 'externalId', identifierValue: 'x' } }],
    [{ redemptionId: 'r', billNumber: 'b', entity: { type: 'USERGROUP2', identifierType: 'primaryUserMobile', identifierValue: '1' } },
      { redemptionId: 'r', billNumber: 'b', entity: { type: 'USERGROUP2', identifierType: 'primaryUserMobile', identifierValue: '1' } }],
    [{ redemptionId: 'r', billNumber: 'b', entity: { type: 'FLEET', identifierType: 'anything', identifierValue: '1' } },
      { redemptionId: 'r', billNumber: 'b', entity: { type: 'FLEET', identifierType: 'anything', identifierValue: '1' } }],
  ])('accepts %j', (value, parsed) => {
    expect(validateInput(updateRedemptionMetadataInputSchema, value)).toEqual(parsed);
  });

  const BILL_ID = 'a positive integer of 1 to 19 digits without sign or decimal point, e.g. "1234567890123456789"';
  it.each([
    [{ billNumber: 'b' }, [{ field: ['input'], message: 'expected exactly one of redemptionId or externalReferenceNumber, received neither' }]],
    [{ redemptionId: 'r', externalReferenceNumber: 'e', billNumber: 'b' }, [{ field: ['input'], message: 'expected exactly one of redemptionId or externalReferenceNumber, received both' }]],
    [{ redemptionId: 'r', entity: { type: 'FLEET', identifierType: 't', identifierValue: 'v' } }, [{ field: ['input'], message: 'expected at least one of billNumber, billId, purpose, customFields, received none' }]],
    [{ redemptionId: 'r', billId: '12345.67' }, [{ field: ['input', 'billId'], message: `expected ${BILL_ID}, received "12345.67"` }]],
    [{ redemptionId: 'r', billId: '-12345' }, [{ field: ['input', 'billId'], message: `expected ${BILL_ID}, received "-12345"` }]],
    [{ redemptionId: 'r', billId: 'ABC123' }, [{ field: ['input', 'billId'], message: `expected ${BILL_ID}, received "ABC123"` }]],
    [{ redemptionId: 'r', billId: '12345678901234567890' }, [{ field: ['input', 'billId'], message: `expected ${BILL_ID}, received "12345678901234567890"` }]],
    [{ redemptionId: 'r', billId: '0' }, [{ field: ['input', 'billId'], message: `expected ${BILL_ID}, received "0"` }]],
    [{ redemptionId: 'r', purpose: 'p'.repeat(256) }, [{ field: ['input', 'purpose'], message: `expected a string of at most 255 characters, received "${'p'.repeat(256)}"` }]],
    [{ redemptionId: 'r', billNumber: 'b', entity: { type: 'USER GROUP', identifierType: 'id', identifierValue: '1' } },
      [{ field: ['input', 'entity', 'type'], message: 'expected one of CUSTOMER, USERGROUP2, FLEET, received "USER GROUP"' }]],
    [{ redemptionId: 'r', billNumber: 'b', entity: { type: 'CUSTOMER', identifierType: 'primaryUserId', identifierValue: '1' } },
      [{ field: ['input', 'entity', 'identifierType'], message: 'expected one of mobile, email, externalId, cardnumber, wechat, martjackId, fbId, id for CUSTOMER, received "primaryUserId"' }]],
    [{ redemptionId: 'r', billNumber: 'b', entity: { type: 'USERGROUP2', identifierType: 'mobile', identifierValue: '1' } },
      [{ field: ['input', 'entity', 'identifierType'], message: 'expected one of id, externalId, primaryUserId, primaryUserCardnumber, primaryUserMobile, primaryUserEmail for USERGROUP2, received "mobile"' }]],
    [{ redemptionId: 'r', billNumber: 'b', entity: { type: 'FLEET', identifierType: 'x', identifierValue: '' } },
      [{ field: ['input', 'entity', 'identifierValue'], message: 'expected a non-empty string, received ""' }]],
    [{ redemptionId: 'r', customFields: [{ key: 'k', value: '1' }, { key: 'k', value: '2' }] },
      [{ field: ['input', 'customFields', '1', 'key'], message: 'expected unique keys, received "k" twice' }]],
  ])('refuses %j', (value, problems) => {
    expect(problemsOf(updateRedemptionMetadataInputSchema, value)).toEqual(problems);
  });
});

// ---------------------------------------------------------------------------- configuration

describe('capillaryProvider.readConfig', () => {
  const URL_ = 'https://eu.api.capillarytech.com';
  const oauth = { CAPILLARY_OAUTH_KEY: 'k', CAPILLARY_OAUTH_SECRET: 's' };
  const basic = { CAPILLARY_USERNAME: 'till', CAPILLARY_PASSWORD: 'pw' };

  it('is absent with none of its variables (a timeout alone does not count)', () => {
    expect(capillaryProvider.readConfig({})).toEqual({ status: 'absent' });
    expect(capillaryProvider.readConfig({ CAPILLARY_TIMEOUT_MS: '100', CAPILLARY_OAUTH_KEY: '' })).toEqual({ status: 'absent' });
  });

  it.each([
    ['OAuth', { CAPILLARY_BASE_URL: URL_, ...oauth }, { baseUrl: URL_, auth: { kind: 'oauth', key: 'k', secret: 's' } }],
    ['Basic', { CAPILLARY_BASE_URL: URL_, ...basic, CAPILLARY_TIMEOUT_MS: '1500' }, { baseUrl: URL_, auth: { kind: 'basic', username: 'till', password: 'pw' }, timeoutMs: 1500 }],
    ['OAuth over Basic when both are set', { CAPILLARY_BASE_URL: URL_, ...oauth, ...basic }, { baseUrl: URL_, auth: { kind: 'oauth', key: 'k', secret: 's' } }],
  ])('reads %s credentials', (_name, env, config) => {
    expect(capillaryProvider.readConfig(env)).toEqual({ status: 'ok', config });
  });

  it.each([
    ['a half OAuth pair', { CAPILLARY_BASE_URL: URL_, CAPILLARY_OAUTH_KEY: 'k' }, ['CAPILLARY_OAUTH_SECRET: is required with CAPILLARY_OAUTH_KEY']],
    ['a half Basic pair beside a full OAuth pair', { CAPILLARY_BASE_URL: URL_, ...oauth, CAPILLARY_PASSWORD: 'pw' }, ['CAPILLARY_USERNAME: is required with CAPILLARY_PASSWORD']],
    ['no base URL and half a pair', { CAPILLARY_USERNAME: 'till' }, ['CAPILLARY_BASE_URL: must be an http(s) URL', 'CAPILLARY_PASSWORD: is required with CAPILLARY_USERNAME']],
    ['a base URL alone', { CAPILLARY_BASE_URL: URL_ },
      ['CAPILLARY_OAUTH_KEY: set CAPILLARY_OAUTH_KEY and CAPILLARY_OAUTH_SECRET, or CAPILLARY_USERNAME and CAPILLARY_PASSWORD']],
    ['a base URL that is not http(s)', { CAPILLARY_BASE_URL: 'ftp://eu.api.capillarytech.com', ...oauth }, ['CAPILLARY_BASE_URL: must be an http(s) URL']],
    ['a timeout that is not a positive integer', { CAPILLARY_BASE_URL: URL_, ...oauth, CAPILLARY_TIMEOUT_MS: 'soon' }, [expect.stringMatching(/^CAPILLARY_TIMEOUT_MS: /)]],
  ])('is invalid with %s, naming each variable', (_name, env, issues) => {
    expect(capillaryProvider.readConfig(env)).toEqual({ status: 'invalid', issues });
  });

  it('points the sandbox configuration at the simulator with the demo OAuth pair', () => {
    expect(capillaryProvider.sandboxConfig('http://127.0.0.1:1')).toEqual({
      baseUrl: 'http://127.0.0.1:1', auth: { kind: 'oauth', key: SANDBOX_OAUTH_KEY, secret: SANDBOX_OAUTH_SECRET },
    });
  });
});
