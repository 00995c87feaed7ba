import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { money } from '../../src/domain/money.js';
import type { VoucherRedemption } from '../../src/domain/redemption.js';
import type { MomentAdapter } from '../../src/providers/types.js';
import { createMomentAdapter, type MomentConfig } from '../../src/providers/moment/adapter.js';
import { momentProvider } from '../../src/providers/moment/index.js';
import {
  BLU_TOKEN,
  createMomentSimulator,
  IDEMPOTENCY_WINDOW_MS,
  momentProblem,
  ONE_VOUCHER_PIN,
  OTT_PHONE_NUMBER,
  OTT_PIN,
  SANDBOX_PUBLIC_KEY,
  SANDBOX_SECRET_KEY,
  SEEDED_REDEMPTION_ID,
  USED_VOUCHER_PIN,
} from '../../src/providers/moment/simulator.js';
import type { Simulator } from '../../src/sim/kit.js';
import { expectGatewayError, runConformance } from '../support/conformance.js';
import { manualClock, recordingLogger, testDeps } from '../support/deps.js';

const zar = (minor: number) => money(minor, 'ZAR');
const oneVoucher = (amount?: number) => ({
  type: 'vouchers.one_voucher',
  source: { pin: ONE_VOUCHER_PIN },
  ...(amount !== undefined && { amount: zar(amount) }),
});
const key = (name: string) => ({ idempotencyKey: name });

runConformance<MomentConfig, MomentAdapter>({
  module: momentProvider,
  operations: [
    { name: 'getRedemption', route: 'GET /collect/redemptions/:id', call: (a) => a.getRedemption(SEEDED_REDEMPTION_ID) },
    { name: 'listTypes', route: 'GET /collect/redemptions/types', call: (a) => a.listTypes() },
    { name: 'createRedemption', route: 'POST /collect/redemptions', call: (a) => a.createRedemption(oneVoucher(2500), key('conf-ok')) },
  ],
  errors: [
    {
      providerCode: '400',
      call: (a) => a.createRedemption({ ...oneVoucher(100), externalReference: 'not valid!' }, key('conf-400')),
      expected: { code: 'BAD_USER_INPUT', retryable: false },
    },
    {
      providerCode: '401',
      fault: { route: 'GET /collect/redemptions/:id', fault: { kind: 'status', status: 401 } },
      call: (a) => a.getRedemption(SEEDED_REDEMPTION_ID),
      expected: { code: 'PROVIDER_AUTH_FAILED', retryable: false },
    },
    {
      providerCode: '402',
      fault: { route: 'POST /collect/redemptions', fault: { kind: 'status', status: 402 } },
      call: (a) => a.createRedemption(oneVoucher(100), key('conf-402')),
      expected: { code: 'PROVIDER_REJECTED', retryable: false },
    },
    {
      providerCode: '403',
      fault: { route: 'GET /collect/redemptions/types', fault: { kind: 'status', status: 403 } },
      call: (a) => a.listTypes(),
      expected: { code: 'PROVIDER_AUTH_FAILED', retryable: false },
    },
    {
      providerCode: '404',
      fault: { route: 'POST /collect/redemptions', fault: { kind: 'status', status: 404 } },
      call: (a) => a.createRedemption(oneVoucher(100), key('conf-404')),
      expected: { code: 'NOT_FOUND', retryable: false },
    },
    {
      providerCode: '409',
      call: async (a) => {
        await a.createRedemption(oneVoucher(100), key('conf-409'));
        return a.createRedemption(oneVoucher(200), key('conf-409'));
      },
      expected: { code: 'IDEMPOTENCY_KEY_REUSED', retryable: false },
    },
    {
      providerCode: '422',
      call: (a) => a.createRedemption({ type: 'vouchers.one_voucher', source: { pin: '123' } }, key('conf-422')),
      expected: { code: 'PROVIDER_REJECTED', retryable: false },
    },
    {
      providerCode: '429',
      fault: { route: 'POST /collect/redemptions', fault: { kind: 'status', status: 429, headers: { 'retry-after': '2' } } },
      call: (a) => a.createRedemption(oneVoucher(100), key('conf-429')),
      expected: { code: 'RATE_LIMITED', retryable: true },
    },
    ...[500, 502, 503].map((status) => ({
      providerCode: String(status),
      fault: { route: 'GET /collect/redemptions/:id', fault: { kind: 'status' as const, status } },
      call: (a: MomentAdapter) => a.getRedemption(SEEDED_REDEMPTION_ID),
      expected: { code: 'PROVIDER_UNAVAILABLE' as const, retryable: true },
    })),
    {
      providerCode: '504',
      fault: { route: 'GET /collect/redemptions/types', fault: { kind: 'status', status: 504 } },
      call: (a) => a.listTypes(),
      expected: { code: 'PROVIDER_TIMEOUT', retryable: true },
    },
  ],
  badCredentials: (url) => ({ baseUrl: url, secretKey: 'sk_test_not_issued' }),
  withBaseUrl: (config, baseUrl) => ({ ...config, baseUrl }),
});

/** The redemption the seeded simulator holds. */
const SEEDED: VoucherRedemption = {
  kind: 'VoucherRedemption',
  provider: 'moment',
  nativeId: SEEDED_REDEMPTION_ID,
  ref: SEEDED_REDEMPTION_ID,
  status: { state: 'SUCCEEDED', raw: 'confirmed' },
  createdAt: '2026-05-07T10:15:00.000Z',
  updatedAt: '2026-05-07T10:15:00.000Z',
  type: 'vouchers.one_voucher',
  version: 3,
  amount: zar(2500),
  reservedAmount: zar(0),
  redeemedAmount: zar(2500),
  reversedAmount: zar(0),
  operations: [
    { id: 'mpd2156u_7cwvqp5m', type: 'reserve', status: 'succeeded', amount: zar(2500), createdAt: '2026-05-07T10:15:00.000Z' },
    { id: 'mpd2156u_7cwvqp5n', type: 'confirm', status: 'succeeded', amount: zar(2500), createdAt: '2026-05-07T10:15:00.000Z' },
  ],
  metadata: { order_id: 'ord_789012' },
  externalReference: 'order_1001',
};

describe('Moment adapter against the simulator', () => {
  let clock = manualClock();
  const now = () => clock.now();
  const NOW = '2026-11-22T00:00:00.000Z';
  let sim: Simulator;
  let adapter: MomentAdapter;
  let logger: ReturnType<typeof recordingLogger>;
  const extra: MomentAdapter[] = [];

  beforeAll(async () => {
    sim = createMomentSimulator({ now });
    await sim.listen();
  });
  beforeEach(() => {
    sim.reset();
    clock = manualClock();
    logger = recordingLogger();
    adapter = createMomentAdapter(momentProvider.sandboxConfig(sim.url), testDeps({ logger, now }));
    extra.push(adapter);
  });
  afterEach(() => expect(JSON.stringify(logger.entries)).not.toMatch(/sk_test|\d{16}|BLU-TOKEN/));
  afterAll(async () => {
    await Promise.all(extra.map((a) => a.close()));
    await sim.close();
  });

  const post = () => sim.calls('POST /collect/redemptions');

  describe('createRedemption', () => {
    it('sends the documented body, key and idempotency header, and maps a partial 1Voucher redeem', async () => {
      const result = await adapter.createRedemption(
        { ...oneVoucher(2500), externalReference: 'order_42', metadata: { order_id: 'ord_42', channel: 'app' } },
        key('idem-partial-1'),
      );

      expect(post()).toHaveLength(1);
      const [call] = post();
      expect(call).toMatchObject({ method: 'POST', path: '/collect/redemptions', query: {} });
      expect(call!.headers).toMatchObject({
        authorization: `Bearer ${SANDBOX_SECRET_KEY}`,
        'idempotency-key': 'idem-partial-1',
        'content-type': 'application/json',
        accept: 'application/json',
      });
      expect(call!.body).toEqual({
        type: 'vouchers.one_voucher',
        source: { pin: ONE_VOUCHER_PIN },
        amount: 2500,
        currency: 'ZAR',
        external_reference: 'order_42',
        metadata: { order_id: 'ord_42', channel: 'app' },
      });
      expect(result).toEqual({
        kind: 'VoucherRedemption',
        provider: 'moment',
        nativeId: 'rdm_6b023080a1b2c3d4e5000001',
        ref: 'rdm_6b023080a1b2c3d4e5000001',
        status: { state: 'SUCCEEDED', raw: 'confirmed' },
        createdAt: NOW,
        updatedAt: NOW,
        type: 'vouchers.one_voucher',
        version: 3,
        amount: zar(2500),
        reservedAmount: zar(0),
        redeemedAmount: zar(2500),
        reversedAmount: zar(0),
        changeVoucher: { pin: '9000000000000001', amount: zar(7500) },
        operations: [
          { id: '00tovmo0_00000002', type: 'reserve', status: 'succeeded', amount: zar(2500), createdAt: NOW },
          { id: '00tovmo0_00000003', type: 'confirm', status: 'succeeded', amount: zar(2500), createdAt: NOW },
        ],
        metadata: { order_id: 'ord_42', channel: 'app' },
        externalReference: 'order_42',
      } satisfies VoucherRedemption);
    });

    it('redeems the full value when no amount is given, sending neither amount nor currency', async () => {
      const result = await adapter.createRedemption({ type: 'vouchers.blu', source: { token: BLU_TOKEN } }, key('idem-full'));

      expect(post()[0]!.body).toEqual({ type: 'vouchers.blu', source: { token: BLU_TOKEN } });
      expect(result).toMatchObject({ status: { state: 'SUCCEEDED' }, amount: zar(20_000), redeemedAmount: zar(20_000) });
      expect(result.changeVoucher).toBeUndefined();
    });

    it('returns a Blu change voucher without an amount on a partial redeem', async () => {
      const result = await adapter.createRedemption({ type: 'vouchers.blu', source: { token: BLU_TOKEN }, amount: zar(5000) }, key('idem-blu'));

      expect(result.changeVoucher).toEqual({ pin: '9000000000000001' });
      expect(result.redeemedAmount).toEqual(zar(5000));
    });

    it('sends the OTT phone number as phone_number and returns no inline change voucher', async () => {
      const result = await adapter.createRedemption(
        { type: 'vouchers.ott', source: { pin: OTT_PIN, phoneNumber: OTT_PHONE_NUMBER }, amount: zar(1000) },
        key('idem-ott'),
      );

      expect(post()[0]!.body).toEqual({
        type: 'vouchers.ott', source: { pin: OTT_PIN, phone_number: OTT_PHONE_NUMBER }, amount: 1000, currency: 'ZAR',
      });
      expect(result).toMatchObject({ status: { state: 'SUCCEEDED', raw: 'confirmed' }, redeemedAmount: zar(1000) });
      expect(result.changeVoucher).toBeUndefined();
    });

    it('makes the 1Voucher change voucher redeemable for the remainder', async () => {
      const first = await adapter.createRedemption(oneVoucher(2500), key('idem-a'));
      const second = await adapter.createRedemption(
        { type: 'vouchers.one_voucher', source: { pin: first.changeVoucher!.pin! } },
        key('idem-b'),
      );
      expect(second).toMatchObject({ status: { state: 'SUCCEEDED' }, redeemedAmount: zar(7500) });
      expect(second.changeVoucher).toBeUndefined();
    });

    it.each([
      ['an already used voucher', { type: 'vouchers.one_voucher', source: { pin: USED_VOUCHER_PIN }, amount: zar(100) }, 'voucher_already_redeemed', 'The voucher has already been redeemed'],
      ['more than the balance', oneVoucher(10_001), 'insufficient_balance', 'The voucher balance is lower than the requested amount'],
      ['an unknown PIN', { type: 'vouchers.one_voucher', source: { pin: '9999999999999999' }, amount: zar(100) }, 'voucher_not_found', 'No voucher matches the source credentials'],
      ['an OTT PIN with another phone number', { type: 'vouchers.ott', source: { pin: OTT_PIN, phoneNumber: '+27820000002' }, amount: zar(100) }, 'voucher_not_found', 'No voucher matches the source credentials'],
    ])('reports %s as a FAILED redemption at version 2 that moved no money', async (_case, input, code, message) => {
      const result = await adapter.createRedemption(input, key('idem-fail'));

      expect(result).toMatchObject({
        status: { state: 'FAILED', raw: 'failed' },
        version: 2,
        redeemedAmount: zar(0),
        errorCode: code,
        errorMessage: message,
        operations: [{ type: 'reserve', status: 'failed' }],
      });
      const full = await adapter.createRedemption(oneVoucher(), key('idem-after'));
      expect(full.redeemedAmount).toEqual(zar(10_000));
    });

    it('replays the original response for the same key and body, creating nothing new', async () => {
      const first = await adapter.createRedemption(oneVoucher(1000), key('idem-replay'));
      const again = await adapter.createRedemption(oneVoucher(1000), key('idem-replay'));

      expect(again).toEqual(first);
      expect(logger.entries.map((e) => e.details)).toEqual([
        { provider: 'moment', id: first.nativeId, status: 'confirmed', replayed: false },
        { provider: 'moment', id: first.nativeId, status: 'confirmed', replayed: true },
      ]);
      const next = await adapter.createRedemption(oneVoucher(1000), key('idem-other'));
      expect(next.nativeId).not.toBe(first.nativeId);
      expect(next.changeVoucher).toBeUndefined(); // the voucher was spent once, not twice
      expect(next.status.state).toBe('FAILED');
    });

    it('refuses the same key with another body as IDEMPOTENCY_KEY_REUSED, keeping the problem detail', async () => {
      await adapter.createRedemption(oneVoucher(1000), key('idem-409'));
      await expectGatewayError(adapter.createRedemption(oneVoucher(2000), key('idem-409')), {
        code: 'IDEMPOTENCY_KEY_REUSED',
        provider: 'moment',
        providerCode: '409',
        httpStatus: 409,
        providerMessage: 'Idempotency-Key was already used with a different request body',
        requestSent: true,
      });
    });

    it('forgets a key after 24 hours', async () => {
      const first = await adapter.createRedemption(oneVoucher(1000), key('idem-day'));
      clock.advance(IDEMPOTENCY_WINDOW_MS);
      const later = await adapter.createRedemption(oneVoucher(2000), key('idem-day'));
      expect(later.nativeId).not.toBe(first.nativeId);
    });

    it('passes Retry-After of a 429 on as retryAfterMs', async () => {
      sim.faults.inject({ route: 'POST /collect/redemptions', fault: { kind: 'status', status: 429, headers: { 'retry-after': '3' } }, times: 1 });
      await expectGatewayError(adapter.createRedemption(oneVoucher(100), key('idem-429')), {
        code: 'RATE_LIMITED', retryable: true, retryAfterMs: 3000, httpStatus: 429, providerMessage: 'simulated 429',
      });
    });

    it('maps a 422 problem to PROVIDER_REJECTED with the detail kept', async () => {
      await expectGatewayError(adapter.createRedemption({ type: 'vouchers.ott', source: { pin: OTT_PIN } }, key('idem-422')), {
        code: 'PROVIDER_REJECTED', providerCode: '422', providerMessage: 'source.phone_number is required for vouchers.ott',
      });
    });

    it('refuses an amount beyond a JSON integer before any call', async () => {
      await expectGatewayError(adapter.createRedemption({ ...oneVoucher(), amount: money(2n ** 60n, 'ZAR') }, key('idem-big')), {
        code: 'BAD_USER_INPUT', requestSent: false,
      });
      expect(sim.requests).toHaveLength(0);
    });
  });

  describe('getRedemption', () => {
    it('reads by id with the key and maps the seeded redemption exactly', async () => {
      const result = await adapter.getRedemption(SEEDED_REDEMPTION_ID);

      expect(sim.requests).toHaveLength(1);
      expect(sim.requests[0]).toMatchObject({
        method: 'GET', path: `/collect/redemptions/${SEEDED_REDEMPTION_ID}`, query: {}, body: undefined, route: 'GET /collect/redemptions/:id',
      });
      expect(sim.requests[0]!.headers).toMatchObject({ authorization: `Bearer ${SANDBOX_SECRET_KEY}` });
      expect(sim.requests[0]!.headers).not.toHaveProperty('idempotency-key');
      expect(result).toEqual(SEEDED);
    });

    it('reads a created redemption back as it was returned', async () => {
      const created = await adapter.createRedemption(oneVoucher(2500), key('idem-read'));
      expect(await adapter.getRedemption(created.nativeId)).toEqual(created);
    });

    it('returns null for an unknown id (404)', async () => {
      expect(await adapter.getRedemption('rdm_000000000000000000000000')).toBeNull();
      expect(sim.calls('GET /collect/redemptions/:id')).toHaveLength(1);
    });

    it.each(['rdm_663A1B9C8E4F2A0012ABCD34', '663a1b9c8e4f2a0012abcd34', 'rdm_123', '../types'])(
      'returns null for %j without calling Moment',
      async (id) => {
        expect(await adapter.getRedemption(id)).toBeNull();
        expect(sim.requests).toHaveLength(0);
      },
    );

    it('keeps an undocumented status raw, reports it PENDING and logs it', async () => {
      sim.faults.inject({ route: 'GET /collect/redemptions/:id', fault: { kind: 'mutate', mutate: (b) => ({ ...(b as object), status: 'reversing' }) } });
      const result = await adapter.getRedemption(SEEDED_REDEMPTION_ID);
      expect(result?.status).toEqual({ state: 'PENDING', raw: 'reversing' });
      expect(logger.entries).toContainEqual({
        level: 'warn', details: { provider: 'moment', rawStatus: 'reversing' }, message: 'unmapped provider status; reported as PENDING',
      });
    });

    it('reports an amount that is not whole cents as PROVIDER_BAD_RESPONSE', async () => {
      sim.faults.inject({ route: 'GET /collect/redemptions/:id', fault: { kind: 'mutate', mutate: (b) => ({ ...(b as object), amount: 25.5 }) } });
      await expectGatewayError(adapter.getRedemption(SEEDED_REDEMPTION_ID), { code: 'PROVIDER_BAD_RESPONSE', provider: 'moment' });
    });
  });

  describe('listTypes', () => {
    it('reads the types with the key and maps capabilities and required fields', async () => {
      const types = await adapter.listTypes();

      expect(sim.requests).toHaveLength(1);
      expect(sim.requests[0]).toMatchObject({ method: 'GET', path: '/collect/redemptions/types', query: {}, body: undefined });
      expect(sim.requests[0]!.headers).toMatchObject({ authorization: `Bearer ${SANDBOX_SECRET_KEY}` });
      expect(types).toEqual([
        {
          type: 'vouchers.one_voucher', category: 'vouchers', name: '1Voucher', description: 'Redeem a 1Voucher PIN.',
          capabilities: { reserve: false, redeem: true, refund: false, lookup: false, changeVoucher: 'INLINE' },
          requiredFields: [{ name: 'pin', type: 'string', required: true, sensitive: true, description: 'The 16 digit 1Voucher PIN.' }],
        },
        {
          type: 'vouchers.ott', category: 'vouchers', name: 'OTT', description: 'Redeem an OTT voucher PIN.',
          capabilities: { reserve: false, redeem: true, refund: false, lookup: true, changeVoucher: 'SMS' },
          requiredFields: [
            { name: 'pin', type: 'string', required: true, sensitive: true, description: 'The OTT voucher PIN.' },
            { name: 'phone_number', type: 'string', required: true, sensitive: false, description: 'The mobile number the voucher was issued to.' },
          ],
        },
        {
          type: 'vouchers.blu', category: 'vouchers', name: 'Blu', description: 'Redeem a Blu voucher token.',
          capabilities: { reserve: false, redeem: true, refund: false, lookup: true, changeVoucher: 'INLINE' },
          requiredFields: [
            { name: 'token', type: 'string', required: true, sensitive: true, description: 'The Blu voucher token (serial number accepted for lookup).' },
          ],
        },
      ]);
    });
  });

  it('uses MOMENT_TIMEOUT_MS for the whole call', async () => {
    const quick = createMomentAdapter(
      { ...momentProvider.sandboxConfig(sim.url), timeoutMs: 200 },
      testDeps({ logger, timeouts: { connectMs: 500, headersMs: 60_000, totalMs: 60_000 } }),
    );
    extra.push(quick);
    sim.faults.inject({ route: 'GET /collect/redemptions/types', fault: { kind: 'hang' }, times: 1 });
    await expectGatewayError(quick.listTypes(), { code: 'PROVIDER_TIMEOUT', provider: 'moment' });
  });
});

describe('Moment simulator contract', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = createMomentSimulator();
    await sim.listen();
  });
  beforeEach(() => sim.reset());
  afterAll(() => sim.close());

  const send = async (method: string, path: string, headers: Record<string, string>, body?: unknown) => {
    const res = await fetch(sim.url + path, {
      method,
      headers: { 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, replayed: res.headers.get('idempotent-replayed'), body: (await res.json()) as unknown };
  };
  const secret = { authorization: `Bearer ${SANDBOX_SECRET_KEY}` };
  const body = { type: 'vouchers.one_voucher', source: { pin: ONE_VOUCHER_PIN }, amount: 100, currency: 'ZAR' };

  it.each([
    ['no key', {}, 401, 'No valid API key provided'],
    ['an unknown key', { authorization: 'Bearer sk_test_other' }, 401, 'No valid API key provided'],
    ['a public key', { authorization: `Bearer ${SANDBOX_PUBLIC_KEY}` }, 403, 'This API key does not have permission for this request'],
  ])('answers %s with a %i problem document', async (_case, headers, status, detail) => {
    const res = await send('GET', `/collect/redemptions/${SEEDED_REDEMPTION_ID}`, headers);
    expect(res).toEqual({
      status, replayed: null, body: momentProblem(status, detail, `/collect/redemptions/${SEEDED_REDEMPTION_ID}`),
    });
  });

  it('answers a create with 201 and a replay with the same body and Idempotent-Replayed: true', async () => {
    const first = await send('POST', '/collect/redemptions', { ...secret, 'idempotency-key': 'k1' }, body);
    const again = await send('POST', '/collect/redemptions', { ...secret, 'idempotency-key': 'k1' }, { currency: 'ZAR', amount: 100, source: { pin: ONE_VOUCHER_PIN }, type: 'vouchers.one_voucher' });
    expect(first.status).toBe(201);
    expect(first.replayed).toBeNull();
    expect(again).toEqual({ ...first, replayed: 'true' });
  });

  it('echoes the source masked, never the PIN', async () => {
    const res = await send('POST', '/collect/redemptions', secret, body);
    expect(res.body).toMatchObject({ source: { pin: '************3456' } });
  });

  it.each([
    ['a type outside the enum', { ...body, type: 'loyalty_points.ebucks' }, 400],
    ['a non-integer amount', { ...body, amount: 1.5 }, 400],
    ['metadata with 21 keys', { ...body, metadata: Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`k${i}`, 'v'])) }, 400],
    ['a metadata key of 41 characters', { ...body, metadata: { ['k'.repeat(41)]: 'v' } }, 400],
    ['a metadata value of 501 characters', { ...body, metadata: { k: 'v'.repeat(501) } }, 400],
    ['a body that is not an object', 'pin', 400],
    ['a 15 digit 1Voucher PIN', { ...body, source: { pin: '123456789012345' } }, 422],
    ['a Blu redeem without token', { type: 'vouchers.blu', source: { serial_number: 'SN1' } }, 422],
    ['a currency other than ZAR', { ...body, currency: 'USD' }, 422],
    ['an amount without currency', { type: body.type, source: body.source, amount: 100 }, 422],
    ['a zero amount', { ...body, amount: 0 }, 422],
  ])('refuses %s with a %i problem and creates nothing', async (_case, payload, status) => {
    const res = await send('POST', '/collect/redemptions', secret, payload);
    expect(res.status).toBe(status);
    expect(res.body).toMatchObject({ type: 'about:blank', status, instance: '/collect/redemptions' });
    const spent = await send('POST', '/collect/redemptions', secret, { ...body, amount: 10_000 });
    expect(spent.body).toMatchObject({ status: 'confirmed' });
  });

  it('refuses an Idempotency-Key longer than 255 characters with 400', async () => {
    const res = await send('POST', '/collect/redemptions', { ...secret, 'idempotency-key': 'k'.repeat(256) }, body);
    expect(res.status).toBe(400);
  });

  it('restores the seeded vouchers on reset', async () => {
    await send('POST', '/collect/redemptions', secret, { type: body.type, source: body.source });
    sim.reset();
    const res = await send('POST', '/collect/redemptions', secret, { type: body.type, source: body.source });
    expect(res.body).toMatchObject({ status: 'confirmed', redeemed_amount: 10_000 });
  });
});

describe('momentProvider.readConfig', () => {
  it('is absent when no variable is set (a timeout alone does not count)', () => {
    expect(momentProvider.readConfig({})).toEqual({ status: 'absent' });
    expect(momentProvider.readConfig({ MOMENT_TIMEOUT_MS: '500' })).toEqual({ status: 'absent' });
  });

  it('reads a complete configuration', () => {
    expect(
      momentProvider.readConfig({ MOMENT_BASE_URL: 'https://api.momentpay.net', MOMENT_SECRET_KEY: 'sk_test_abc', MOMENT_TIMEOUT_MS: '1500' }),
    ).toEqual({ status: 'ok', config: { baseUrl: 'https://api.momentpay.net', secretKey: 'sk_test_abc', timeoutMs: 1500 } });
    expect(momentProvider.readConfig({ MOMENT_BASE_URL: 'https://api.momentco.io', MOMENT_SECRET_KEY: 'sk_live' })).toEqual({
      status: 'ok', config: { baseUrl: 'https://api.momentco.io', secretKey: 'sk_live' },
    });
  });

  it.each([
    [{ MOMENT_BASE_URL: 'https://api.momentpay.net' }, ['MOMENT_SECRET_KEY: is required']],
    [{ MOMENT_SECRET_KEY: 'sk_test_abc', MOMENT_TIMEOUT_MS: '100' }, ['MOMENT_BASE_URL: is required']],
  ])('names each missing variable of a partial set %j', (env, issues) => {
    expect(momentProvider.readConfig(env)).toEqual({ status: 'invalid', issues });
  });

  it('names every invalid value', () => {
    expect(
      momentProvider.readConfig({ MOMENT_BASE_URL: 'ftp://moment', MOMENT_SECRET_KEY: 'pk_test_abc', MOMENT_TIMEOUT_MS: '-5' }),
    ).toEqual({
      status: 'invalid',
      issues: [
        'MOMENT_BASE_URL: must be an http(s) URL',
        'MOMENT_SECRET_KEY: must be a secret key (sk_...)',
        'MOMENT_TIMEOUT_MS: must be a positive whole number of milliseconds',
      ],
    });
  });
});
