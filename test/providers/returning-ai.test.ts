import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ErrorCode } from '../../src/domain/errors.js';
import type { RedemptionState } from '../../src/domain/status.js';
import { validateInput, InputError } from '../../src/domain/validation.js';
import type { Simulator } from '../../src/sim/kit.js';
import { createReturningAiAdapter, type ReturningAiConfig } from '../../src/providers/returning-ai/adapter.js';
import { returningAiProvider } from '../../src/providers/returning-ai/index.js';
import { updateOrderStatusInputSchema } from '../../src/providers/returning-ai/input.js';
import {
  createReturningAiSimulator,
  DEMO_STATUS_IDS,
  DEMO_TRANSACTION_IDS,
  LIMITED_API_KEY,
  SANDBOX_API_KEY,
} from '../../src/providers/returning-ai/simulator.js';
import { categoryStateMap, errorRuleFor, errorRules } from '../../src/providers/returning-ai/tables.js';
import { toRedemptionStatus } from '../../src/providers/returning-ai/transform.js';
import type { ReturningAiAdapter } from '../../src/providers/types.js';
import { expectGatewayError, runConformance } from '../support/conformance.js';
import { manualClock, recordingLogger, testDeps } from '../support/deps.js';

const PUT_STATUS = 'PUT /apis/v1/redemption-transactions/status';
const GET_ORDER = 'GET /apis/v1/redemption-transactions/:transactionId';
const GET_STATUSES = 'GET /apis/v1/redemption-statuses';

const update = (transactionId: string, statusId: string) => (a: ReturningAiAdapter) =>
  a.updateOrderStatus({ transactionId, statusId });
const updateDemo = update(DEMO_TRANSACTION_IDS.processing, DEMO_STATUS_IDS.shipping);
const statusFault = (status: number) => ({ route: PUT_STATUS, fault: { kind: 'status' as const, status } });

runConformance<ReturningAiConfig, ReturningAiAdapter>({
  module: returningAiProvider,
  operations: [
    { name: 'getOrder', route: GET_ORDER, call: (a) => a.getOrder(DEMO_TRANSACTION_IDS.shipping) },
    { name: 'listStatuses', route: GET_STATUSES, call: (a) => a.listStatuses() },
    { name: 'updateOrderStatus', route: PUT_STATUS, call: updateDemo },
  ],
  errors: [
    { providerCode: '400', call: update(DEMO_TRANSACTION_IDS.processing, 'not-an-object-id'), expected: { code: 'BAD_USER_INPUT', retryable: false } },
    { providerCode: '401', fault: statusFault(401), call: updateDemo, expected: { code: 'PROVIDER_AUTH_FAILED', retryable: false } },
    { providerCode: '403', fault: statusFault(403), call: updateDemo, expected: { code: 'PROVIDER_AUTH_FAILED', retryable: false } },
    { providerCode: '404', call: update('ORD-NOPE', DEMO_STATUS_IDS.shipping), expected: { code: 'NOT_FOUND', retryable: false } },
    { providerCode: '409', fault: statusFault(409), call: updateDemo, expected: { code: 'CONFLICT', retryable: false } },
    { providerCode: '500', fault: statusFault(500), call: updateDemo, expected: { code: 'PROVIDER_UNAVAILABLE', retryable: true } },
  ],
  badCredentials: (url) => ({ baseUrl: url, apiKey: 'rai_not_a_key' }),
  withBaseUrl: (config, baseUrl) => ({ ...config, baseUrl }),
});

const shipping = { _id: DEMO_STATUS_IDS.shipping, name: 'Shipping', category: 'incomplete', color: '#3EA1FD' };

describe('Returning.AI adapter against its simulator', () => {
  const clock = manualClock();
  let sim: Simulator;
  const adapters: ReturningAiAdapter[] = [];
  let logger: ReturnType<typeof recordingLogger>;
  const make = (overrides: Partial<ReturningAiConfig> = {}) => {
    const adapter = createReturningAiAdapter(
      { ...returningAiProvider.sandboxConfig(sim.url), ...overrides },
      testDeps({ logger, now: clock.now }),
    );
    adapters.push(adapter);
    return adapter;
  };

  beforeAll(async () => {
    sim = createReturningAiSimulator({ now: clock.now });
    await sim.listen();
  });
  beforeEach(() => {
    sim.reset();
    logger = recordingLogger();
  });
  afterEach(async () => {
    await Promise.all(adapters.splice(0).map((a) => a.close()));
  });
  afterAll(() => sim.close());

  describe('updateOrderStatus', () => {
    it('sends the documented PUT with the Bearer key and returns the order in its new status', async () => {
      const order = await make().updateOrderStatus({ transactionId: DEMO_TRANSACTION_IDS.processing, statusId: DEMO_STATUS_IDS.delivered });

      const [call, ...rest] = sim.calls(PUT_STATUS);
      expect(rest).toEqual([]);
      expect(call).toMatchObject({
        method: 'PUT',
        path: '/apis/v1/redemption-transactions/status',
        query: {},
        body: { transactionId: 'ORD202507013831', statusId: '695e2f8b3358520a2ecf86e5' },
      });
      expect(call!.headers.authorization).toBe('Bearer rai_sandbox_integration_key');
      expect(call!.headers['content-type']).toBe('application/json');
      expect(order).toEqual({
        kind: 'RedemptionOrder',
        provider: 'returningai',
        nativeId: 'ORD202507013831',
        ref: 'ORD202507013831',
        transactionId: 'ORD202507013831',
        statusId: '695e2f8b3358520a2ecf86e5',
        status: { state: 'SUCCEEDED', raw: '695e2f8b3358520a2ecf86e5', name: 'Delivered', category: 'complete', color: '#27AE60' },
      });
    });

    it('keeps the new status: the order reads back with it and the clock as updatedAt', async () => {
      const adapter = make();
      await adapter.updateOrderStatus({ transactionId: DEMO_TRANSACTION_IDS.processing, statusId: DEMO_STATUS_IDS.cancelled });
      const read = await adapter.getOrder(DEMO_TRANSACTION_IDS.processing);
      expect(read).toMatchObject({
        statusId: DEMO_STATUS_IDS.cancelled,
        status: { state: 'CANCELLED', raw: DEMO_STATUS_IDS.cancelled, name: 'Cancelled' },
        createdAt: '2025-07-01T09:30:00.000Z',
        updatedAt: new Date(clock.now()).toISOString(),
      });
    });

    it('accepts setting the status an order already has, changing nothing', async () => {
      const adapter = make();
      const order = await adapter.updateOrderStatus({ transactionId: DEMO_TRANSACTION_IDS.shipping, statusId: DEMO_STATUS_IDS.shipping });
      expect(order.status).toEqual({ state: 'PROCESSING', raw: shipping._id, name: 'Shipping', category: 'incomplete', color: '#3EA1FD' });
      expect((await adapter.getOrder(DEMO_TRANSACTION_IDS.shipping))?.updatedAt).toBe('2026-01-02T14:15:00.000Z');
    });

    it.each([
      ['an unknown status id', DEMO_TRANSACTION_IDS.processing, 'aaaaaaaaaaaaaaaaaaaaaaaa', 'NOT_FOUND', '404', 'Redemption status not found'],
      ['an unknown transaction id', 'ORD-UNKNOWN', DEMO_STATUS_IDS.shipping, 'NOT_FOUND', '404', 'Redemption transaction not found'],
      ['a malformed status id', DEMO_TRANSACTION_IDS.processing, '695e2f8b', 'BAD_USER_INPUT', '400', 'statusId must be a valid ObjectId'],
      ['a missing status id', DEMO_TRANSACTION_IDS.processing, '', 'BAD_USER_INPUT', '400', 'statusId is required'],
      ['a blank transaction id', ' ', DEMO_STATUS_IDS.shipping, 'BAD_USER_INPUT', '400', 'transactionId is required'],
    ] as const)('refuses %s', async (_case, transactionId, statusId, code, providerCode, providerMessage) => {
      await expectGatewayError(make().updateOrderStatus({ transactionId, statusId }), {
        code, providerCode, providerMessage, httpStatus: Number(providerCode), provider: 'returningai', retryable: false,
      });
    });

    it('reports a key without the permission as PROVIDER_AUTH_FAILED (403) while reads still work', async () => {
      const limited = make({ apiKey: LIMITED_API_KEY });
      expect(await limited.getOrder(DEMO_TRANSACTION_IDS.shipping)).not.toBeNull();
      await expectGatewayError(limited.updateOrderStatus({ transactionId: DEMO_TRANSACTION_IDS.shipping, statusId: DEMO_STATUS_IDS.delivered }), {
        code: 'PROVIDER_AUTH_FAILED', providerCode: '403', retryable: false,
        providerMessage: 'Forbidden: API key lacks the redemption permission',
      });
      expect((await limited.getOrder(DEMO_TRANSACTION_IDS.shipping))?.statusId).toBe(DEMO_STATUS_IDS.shipping);
    });

    it('treats a 200 carrying status "error" as an error', async () => {
      sim.faults.inject({ route: PUT_STATUS, fault: { kind: 'status', status: 200, body: { status: 'error', message: 'Order locked' } } });
      await expectGatewayError(updateDemo(make()), {
        code: 'PROVIDER_REJECTED', providerCode: '200', providerMessage: 'Order locked', httpStatus: 200, retryable: false,
      });
    });

    it('takes the code of a 200 carrying a newer-host error envelope from meta.statusCode', async () => {
      const body = { meta: { status: 'error', statusCode: 409 }, message: 'Conflicting state', data: null };
      sim.faults.inject({ route: PUT_STATUS, fault: { kind: 'status', status: 200, body } });
      await expectGatewayError(updateDemo(make()), { code: 'CONFLICT', providerCode: '409', providerMessage: 'Conflicting state', httpStatus: 200 });
    });

    it('accepts the newer host success envelope {meta, message, data}', async () => {
      sim.faults.inject({
        route: PUT_STATUS,
        fault: { kind: 'mutate', mutate: (b) => ({ meta: { status: 'success', statusCode: 200 }, message: 'ok', data: (b as { data: unknown }).data }) },
      });
      expect((await updateDemo(make())).status).toMatchObject({ state: 'PROCESSING', raw: DEMO_STATUS_IDS.shipping });
    });

    it.each([
      [429, { 'retry-after': '7' }, 'RATE_LIMITED', true, 7_000],
      [502, {}, 'PROVIDER_UNAVAILABLE', true, undefined],
      [504, {}, 'PROVIDER_TIMEOUT', true, undefined],
    ] as const)('maps an undocumented HTTP %i by status', async (status, headers, code, retryable, retryAfterMs) => {
      sim.faults.inject({ route: PUT_STATUS, fault: { kind: 'status', status, headers } });
      await expectGatewayError(updateDemo(make()), { code, retryable, retryAfterMs, providerCode: String(status), httpStatus: status, requestSent: true });
    });

    it('bounds a call by RETURNINGAI_TIMEOUT_MS rather than the gateway default', async () => {
      // The gateway default here outlasts the test timeout: only the configured 100 ms can end the call.
      const adapter = createReturningAiAdapter(
        { ...returningAiProvider.sandboxConfig(sim.url), timeoutMs: 100 },
        testDeps({ logger, timeouts: { connectMs: 500, headersMs: 60_000, totalMs: 60_000 } }),
      );
      adapters.push(adapter);
      sim.faults.inject({ route: PUT_STATUS, fault: { kind: 'hang' } });
      await expectGatewayError(updateDemo(adapter), { code: 'PROVIDER_TIMEOUT', retryable: true, requestSent: true });
    });

    it('never logs the API key', async () => {
      sim.faults.inject(statusFault(500));
      await updateDemo(make()).catch(() => undefined);
      expect(logger.entries.length).toBeGreaterThan(0);
      expect(JSON.stringify(logger.entries)).not.toContain(SANDBOX_API_KEY);
    });
  });

  describe('getOrder', () => {
    it('sends GET on the order path and returns the order with its timestamps', async () => {
      const order = await make().getOrder(DEMO_TRANSACTION_IDS.shipping);
      const [call] = sim.calls(GET_ORDER);
      expect(call).toMatchObject({ method: 'GET', path: '/apis/v1/redemption-transactions/ORD20260102ffc6', query: {}, body: undefined });
      expect(call!.headers.authorization).toBe(`Bearer ${SANDBOX_API_KEY}`);
      expect(order).toEqual({
        kind: 'RedemptionOrder',
        provider: 'returningai',
        nativeId: 'ORD20260102ffc6',
        ref: 'ORD20260102ffc6',
        transactionId: 'ORD20260102ffc6',
        statusId: shipping._id,
        status: { state: 'PROCESSING', raw: shipping._id, name: 'Shipping', category: 'incomplete', color: '#3EA1FD' },
        createdAt: '2026-01-02T10:00:00.000Z',
        updatedAt: '2026-01-02T14:15:00.000Z',
      });
    });

    it('url-encodes the transaction id and returns null for an unknown one', async () => {
      expect(await make().getOrder('ORD 1/2?x')).toBeNull();
      expect(sim.requests.map((r) => [r.route, r.path, r.query])).toEqual([
        [GET_ORDER, '/apis/v1/redemption-transactions/ORD%201%2F2%3Fx', {}],
      ]);
    });

    it('uses RETURNINGAI_ORDER_PATH when configured', async () => {
      expect(await make({ orderPath: '/apis/v2/orders/{transactionId}/detail' }).getOrder('ORD9')).toBeNull();
      expect(sim.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /apis/v2/orders/ORD9/detail']);
    });

    it('reports an unknown category as PENDING, keeps it raw, and logs it', async () => {
      sim.faults.inject({
        route: GET_ORDER,
        fault: { kind: 'mutate', mutate: (b) => { (b as { data: { status: { category: string } } }).data.status.category = 'on_hold'; return b; } },
      });
      const order = await make().getOrder(DEMO_TRANSACTION_IDS.shipping);
      expect(order?.status).toEqual({ state: 'PENDING', raw: shipping._id, name: 'Shipping', category: 'on_hold', color: '#3EA1FD' });
      expect(logger.entries).toContainEqual(expect.objectContaining({ level: 'warn', details: { provider: 'returningai', rawStatus: 'on_hold' } }));
    });

    it('still raises errors other than 404', async () => {
      sim.faults.inject({ route: GET_ORDER, fault: { kind: 'status', status: 409 } });
      await expectGatewayError(make().getOrder(DEMO_TRANSACTION_IDS.shipping), { code: 'CONFLICT', providerCode: '409' });
    });
  });

  describe('listStatuses', () => {
    it('sends GET on the statuses path and returns every merchant status', async () => {
      const statuses = await make().listStatuses();
      const [call] = sim.calls(GET_STATUSES);
      expect(call).toMatchObject({ method: 'GET', path: '/apis/v1/redemption-statuses', query: {}, body: undefined });
      expect(call!.headers.authorization).toBe(`Bearer ${SANDBOX_API_KEY}`);
      expect(statuses).toEqual([
        { id: '695dcc370ab8622381f27918', name: 'Processing', category: 'incomplete', color: '#F5A623' },
        { id: '695e2f8b3358520a2ecf86e4', name: 'Shipping', category: 'incomplete', color: '#3EA1FD' },
        { id: '695e2f8b3358520a2ecf86e5', name: 'Delivered', category: 'complete', color: '#27AE60' },
        { id: '695e2f8b3358520a2ecf86e6', name: 'Cancelled', category: 'cancelled', color: '#EB5757' },
      ]);
    });

    it('uses RETURNINGAI_STATUSES_PATH when configured', async () => {
      await expectGatewayError(make({ statusesPath: '/apis/v1/store/statuses' }).listStatuses(), { code: 'NOT_FOUND', providerCode: '404' });
      expect(sim.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /apis/v1/store/statuses']);
    });
  });
});

describe('Returning.AI simulator', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = createReturningAiSimulator();
    await sim.listen();
  });
  beforeEach(() => sim.reset());
  afterAll(() => sim.close());

  const put = (body: string, headers: Record<string, string> = { authorization: `Bearer ${SANDBOX_API_KEY}` }) =>
    fetch(`${sim.url}/apis/v1/redemption-transactions/status`, { method: 'PUT', headers: { 'content-type': 'application/json', ...headers }, body });

  it.each([
    ['no Authorization header', {}],
    ['an unknown key', { authorization: 'Bearer rai_unknown' }],
    ['a key without the Bearer scheme', { authorization: SANDBOX_API_KEY }],
  ])('answers 401 with the error envelope for %s', async (_case, headers) => {
    const response = await put(JSON.stringify({ transactionId: DEMO_TRANSACTION_IDS.shipping, statusId: DEMO_STATUS_IDS.delivered }), headers);
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ status: 'error', message: 'Unauthorized: missing or invalid API key' });
  });

  it('answers 400 for a body that is not a JSON object', async () => {
    const response = await put('[1,2]');
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ status: 'error', message: 'Invalid request body' });
  });

  it('restores the seeded orders on reset', async () => {
    expect((await put(JSON.stringify({ transactionId: DEMO_TRANSACTION_IDS.shipping, statusId: DEMO_STATUS_IDS.delivered }))).status).toBe(200);
    sim.reset();
    const read = await fetch(`${sim.url}/apis/v1/redemption-transactions/${DEMO_TRANSACTION_IDS.shipping}`, {
      headers: { authorization: `Bearer ${SANDBOX_API_KEY}` },
    });
    expect(((await read.json()) as { data: { statusId: string } }).data.statusId).toBe(DEMO_STATUS_IDS.shipping);
  });
});

describe('Returning.AI tables', () => {
  it.each(Object.entries(categoryStateMap))('maps category %s to %s', (category, state: RedemptionState) => {
    expect(toRedemptionStatus({ _id: DEMO_STATUS_IDS.processing, name: 'Any', category })).toEqual({
      state, raw: DEMO_STATUS_IDS.processing, name: 'Any', category,
    });
  });

  it.each(Object.entries(errorRules))('maps provider code %s to %s', (providerCode, rule) => {
    expect(errorRuleFor(Number(providerCode))).toBe(rule);
  });

  it.each([
    [429, 'RATE_LIMITED', true],
    [503, 'PROVIDER_UNAVAILABLE', true],
    [504, 'PROVIDER_TIMEOUT', true],
    [422, 'PROVIDER_REJECTED', false],
  ] as const)('falls back to the shared rule for HTTP %i', (status, code: ErrorCode, retryable) => {
    expect(errorRuleFor(status)).toEqual({ code, retryable });
  });
});

describe('updateOrderStatusInputSchema', () => {
  const statusId = DEMO_STATUS_IDS.shipping;
  it.each([
    { transactionId: 'ORD202507013831', statusId },
    { transactionId: 'x', statusId: '0123456789abcdef01234567' },
    { transactionId: 'T'.repeat(64), statusId },
  ])('accepts %j', (input) => {
    expect(validateInput(updateOrderStatusInputSchema, input)).toEqual(input);
  });

  it.each([
    ['nothing', undefined, [{ field: ['input'], message: 'expected an object, received nothing' }]],
    ['missing fields', {}, [
      { field: ['input', 'transactionId'], message: 'expected a string, received nothing' },
      { field: ['input', 'statusId'], message: 'expected a string, received nothing' },
    ]],
    ['wrong types', { transactionId: 42, statusId: null }, [
      { field: ['input', 'transactionId'], message: 'expected a string, received a number' },
      { field: ['input', 'statusId'], message: 'expected a string, received null' },
    ]],
    ['an empty transaction id', { transactionId: '', statusId }, [
      { field: ['input', 'transactionId'], message: 'must be a non-blank string of 1 to 64 characters, received ""' },
    ]],
    ['a blank transaction id', { transactionId: '   ', statusId }, [
      { field: ['input', 'transactionId'], message: 'must be a non-blank string of 1 to 64 characters, received "   "' },
    ]],
    ['a 65-character transaction id', { transactionId: 'T'.repeat(65), statusId }, [
      { field: ['input', 'transactionId'], message: 'must be a non-blank string of 1 to 64 characters, received a string of 65 characters' },
    ]],
    ['a short status id', { transactionId: 'ORD1', statusId: '695e2f8b' }, [
      { field: ['input', 'statusId'], message: 'must be a 24-character hex ObjectId, received "695e2f8b"' },
    ]],
    ['an upper-case status id', { transactionId: 'ORD1', statusId: '695E2F8B3358520A2ECF86E4' }, [
      { field: ['input', 'statusId'], message: 'must be a 24-character hex ObjectId, received "695E2F8B3358520A2ECF86E4"' },
    ]],
    ['a non-hex status id', { transactionId: 'ORD1', statusId: '695e2f8b3358520a2ecf86eZ' }, [
      { field: ['input', 'statusId'], message: 'must be a 24-character hex ObjectId, received "695e2f8b3358520a2ecf86eZ"' },
    ]],
  ])('refuses %s', (_case, input, problems) => {
    let thrown: unknown;
    try {
      validateInput(updateOrderStatusInputSchema, input);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(InputError);
    expect((thrown as InputError).problems).toEqual(problems);
    expect(thrown).toMatchObject({ code: 'BAD_USER_INPUT', requestSent: false });
  });
});

describe('returningAiProvider.readConfig', () => {
  const full = { RETURNINGAI_BASE_URL: 'https://integration.returning.ai', RETURNINGAI_API_KEY: 'rai_live_key' };

  it('is absent when no variable is set (optional ones alone do not count)', () => {
    expect(returningAiProvider.readConfig({})).toEqual({ status: 'absent' });
    expect(returningAiProvider.readConfig({ RETURNINGAI_TIMEOUT_MS: '5000', RETURNINGAI_STATUSES_PATH: '/x' })).toEqual({ status: 'absent' });
  });

  it('reads the required variables, leaving the inferred paths to their defaults', () => {
    expect(returningAiProvider.readConfig(full)).toEqual({
      status: 'ok',
      config: { baseUrl: 'https://integration.returning.ai', apiKey: 'rai_live_key' },
    });
  });

  it('reads every variable', () => {
    expect(returningAiProvider.readConfig({
      ...full,
      RETURNINGAI_ORDER_PATH: '/apis/v1/orders/{transactionId}',
      RETURNINGAI_STATUSES_PATH: '/apis/v1/statuses',
      RETURNINGAI_TIMEOUT_MS: '4500',
    })).toEqual({
      status: 'ok',
      config: {
        baseUrl: 'https://integration.returning.ai', apiKey: 'rai_live_key',
        orderPath: '/apis/v1/orders/{transactionId}', statusesPath: '/apis/v1/statuses', timeoutMs: 4500,
      },
    });
  });

  it.each([
    [{ RETURNINGAI_BASE_URL: full.RETURNINGAI_BASE_URL }, ['RETURNINGAI_API_KEY: is required']],
    [{ RETURNINGAI_API_KEY: 'k', RETURNINGAI_TIMEOUT_MS: '10' }, ['RETURNINGAI_BASE_URL: is required']],
  ])('names each missing variable of a partial set %j', (env, issues) => {
    expect(returningAiProvider.readConfig(env)).toEqual({ status: 'invalid', issues });
  });

  it('lists every invalid value', () => {
    const result = returningAiProvider.readConfig({
      RETURNINGAI_BASE_URL: 'ftp://integration.returning.ai',
      RETURNINGAI_API_KEY: '   ',
      RETURNINGAI_ORDER_PATH: '/apis/v1/orders',
      RETURNINGAI_STATUSES_PATH: 'statuses',
      RETURNINGAI_TIMEOUT_MS: 'soon',
    });
    expect(result.status).toBe('invalid');
    expect(result.status === 'invalid' && result.issues.map((issue) => issue.split(':')[0])).toEqual([
      'RETURNINGAI_BASE_URL', 'RETURNINGAI_API_KEY', 'RETURNINGAI_ORDER_PATH', 'RETURNINGAI_STATUSES_PATH', 'RETURNINGAI_TIMEOUT_MS',
    ]);
    expect(result).toMatchObject({
      issues: expect.arrayContaining([
        'RETURNINGAI_BASE_URL: must be an http(s) URL',
        'RETURNINGAI_API_KEY: must not be blank',
        'RETURNINGAI_ORDER_PATH: must contain the {transactionId} placeholder',
        'RETURNINGAI_STATUSES_PATH: must be a path starting with "/"',
      ]),
    });
  });

  it('points the sandbox configuration at the simulator with the demo key', () => {
    expect(returningAiProvider.sandboxConfig('http://127.0.0.1:9')).toEqual({ baseUrl: 'http://127.0.0.1:9', apiKey: SANDBOX_API_KEY });
  });
});
