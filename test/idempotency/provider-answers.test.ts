/**
 * What the provider answered decides what the key holds: a refusal is an outcome, stored and
 * replayed; a rate limit left nothing behind and frees the key; an echo that does not match what
 * was asked is never a success; a stale expected version is refused before any write; and a
 * holder never outlives its lock.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { toGlobalId } from '../../src/domain/ids.js';
import { DEMO_UNKNOWN_MOBILE } from '../../src/providers/capillary/simulator.js';
import { SEEDED_REDEMPTION_ID, USED_VOUCHER_PIN } from '../../src/providers/moment/simulator.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { capillaryInput, concurrently, EXECUTE_REDEEM, errorOf, momentInput, payloadOf, sqliteStore, type RedeemResponse } from './support.js';

const MOMENT_CREATE = 'POST /collect/redemptions';
const MOMENT_GET = 'GET /collect/redemptions/:id';
const CAPILLARY_REDEEM = 'POST /v1.1/points/redeem';
const ADMIN = 'admin::admin-1';

let gateway: TestGateway;
const redeem = (key: string, input: unknown) => gateway.gql(EXECUTE_REDEEM, { variables: { key, input } }) as Promise<RedeemResponse>;

beforeAll(async () => {
  gateway = await startTestGateway({ store: sqliteStore() });
});
afterAll(() => gateway.stop());
beforeEach(() => {
  for (const simulator of Object.values(gateway.simulators)) simulator.reset();
});

describe('a provider refusal', () => {
  it('is stored: a used Moment voucher is a FAILED redemption, replayed without asking Moment again', async () => {
    const moment = gateway.simulators.moment!;
    const input = { moment: { type: 'ONE_VOUCHER', source: { pin: USED_VOUCHER_PIN } } };
    const first = payloadOf(await redeem('used-voucher', input));
    expect(first).toMatchObject({ replayed: false, redemption: { provider: 'MOMENT', status: { state: 'FAILED', raw: 'failed' }, errorMessage: 'The voucher has already been redeemed' } });

    expect(payloadOf(await redeem('used-voucher', input))).toEqual({ ...first, replayed: true });
    expect(moment.calls(MOMENT_CREATE)).toHaveLength(1);
    expect(await gateway.services.store.get(ADMIN, 'used-voucher')).toMatchObject({ state: 'succeeded' });
  });

  it('is stored: Capillary’s 816 (customer not found) is the same userError on replay, with no new call', async () => {
    const capillary = gateway.simulators.capillary!;
    const input = { capillary: { customer: { type: 'MOBILE', value: DEMO_UNKNOWN_MOBILE }, points: '10' } };
    const first = payloadOf(await redeem('unknown-customer', input));
    expect(first).toEqual({
      replayed: false,
      redemption: null,
      userErrors: [{ code: 'NOT_FOUND', message: 'Customer not found', field: null, provider: 'CAPILLARY', providerCode: '816' }],
    });

    expect(payloadOf(await redeem('unknown-customer', input))).toEqual({ ...first, replayed: true });
    expect(capillary.calls(CAPILLARY_REDEEM)).toHaveLength(1);
    expect(await gateway.services.store.get(ADMIN, 'unknown-customer')).toMatchObject({ state: 'failed' });
    const journal = await gateway.services.store.journalEntries({ idempotencyKey: 'unknown-customer' });
    expect(journal.map((e) => [e.outcome, e.provider, e.detail])).toEqual([['started', 'capillary', undefined], ['failed', 'capillary', 'NOT_FOUND 816']]);
  });
});

describe('a provider rate limit', () => {
  it('releases the key: nothing was spent, and the retry with the same key redeems', async () => {
    const moment = gateway.simulators.moment!;
    moment.faults.inject({ route: MOMENT_CREATE, times: 1, fault: { kind: 'status', status: 429, headers: { 'retry-after': '2' } } });

    const limited = await redeem('rate-limited', momentInput());
    expect(limited.body.data).toBeNull();
    expect(errorOf(limited)).toMatchObject({
      path: ['executeRedeem'],
      extensions: { code: 'RATE_LIMITED', provider: 'moment', providerCode: '429', retryable: true, retryAfterMs: 2000 },
    });
    expect(await gateway.services.store.get(ADMIN, 'rate-limited')).toBeUndefined();

    const retry = payloadOf(await redeem('rate-limited', momentInput()));
    expect(retry).toMatchObject({ replayed: false, userErrors: [], redemption: { status: { state: 'SUCCEEDED' } } });
    const creates = moment.calls(MOMENT_CREATE);
    expect(creates).toHaveLength(2);
    expect(creates[1]!.headers['idempotency-key']).toBe(creates[0]!.headers['idempotency-key']);
  });
});

describe('an echo that does not match the request', () => {
  it('is INTEGRITY_ERROR, never a success, for as long as Moment echoes it; the record stays unsettled', async () => {
    const moment = gateway.simulators.moment!;
    moment.faults.inject({ route: MOMENT_CREATE, fault: { kind: 'mutate', mutate: (body) => ({ ...(body as object), amount: 2600, redeemed_amount: 2600 }) } });

    for (let attempt = 0; attempt < 2; attempt++) {
      const response = await redeem('integrity', momentInput('25.00'));
      expect(response.body.data).toBeNull();
      expect(errorOf(response)).toMatchObject({
        message: 'Moment echoed a different amount or currency than requested',
        extensions: { code: 'INTEGRITY_ERROR', provider: 'moment', retryable: false },
      });
      expect(await gateway.services.store.get(ADMIN, 'integrity')).toMatchObject({ state: 'unknown' });
    }
    expect(moment.calls(MOMENT_CREATE)).toHaveLength(2);

    // Once Moment's replay shows what was asked, the retry settles on it.
    moment.faults.clear();
    const settled = payloadOf(await redeem('integrity', momentInput('25.00')));
    expect(settled).toMatchObject({ replayed: true, userErrors: [], redemption: { redeemedAmount: { amount: '25.00', currencyCode: 'ZAR' } } });
    const journal = await gateway.services.store.journalEntries({ idempotencyKey: 'integrity' });
    expect(journal.map((e) => [e.outcome, e.detail])).toEqual([
      ['started', undefined],
      ['unknown', 'INTEGRITY_ERROR'],
      ['unknown', 'settling failed: INTEGRITY_ERROR'],
      ['settled', 'the provider holds the outcome'],
    ]);
  });
});

describe('optimistic concurrency on Moment', () => {
  const previousRedemptionId = toGlobalId('moment', SEEDED_REDEMPTION_ID); // seeded at version 3

  it('refuses a stale expectedVersion with VERSION_CONFLICT after reading the redemption, writing nothing', async () => {
    const moment = gateway.simulators.moment!;
    const stale = await redeem('stale-version', momentInput('25.00', { previousRedemptionId, expectedVersion: 2 }));
    expect(payloadOf(stale)).toEqual({
      replayed: false,
      redemption: null,
      userErrors: [{
        code: 'VERSION_CONFLICT',
        message: 'The redemption is at version 3, not 2; read it again',
        field: ['input', 'moment', 'expectedVersion'],
        provider: 'MOMENT',
        providerCode: null,
      }],
    });
    expect(moment.requests.map((r) => [r.method, r.path])).toEqual([['GET', `/collect/redemptions/${SEEDED_REDEMPTION_ID}`]]);
    expect(moment.calls(MOMENT_GET)).toHaveLength(1);

    // Nothing was written, so the key is free: after reading again, the same key redeems.
    expect(await gateway.services.store.get(ADMIN, 'stale-version')).toBeUndefined();
    const current = payloadOf(await redeem('stale-version', momentInput('25.00', { previousRedemptionId, expectedVersion: 3 })));
    expect(current).toMatchObject({ replayed: false, userErrors: [], redemption: { status: { state: 'SUCCEEDED' } } });
    expect(moment.calls(MOMENT_CREATE)).toHaveLength(1);
  });

  it('is checked under the key: a replay of a finished redemption does not read the version again', async () => {
    const moment = gateway.simulators.moment!;
    const input = momentInput('25.00', { previousRedemptionId, expectedVersion: 3 });
    const first = payloadOf(await redeem('versioned', input));
    expect(payloadOf(await redeem('versioned', input))).toEqual({ ...first, replayed: true });
    expect(moment.calls(MOMENT_GET)).toHaveLength(1);
    expect(moment.calls(MOMENT_CREATE)).toHaveLength(1);
  });
});

describe('the claim lock bounds the work under it', () => {
  let locked: TestGateway;
  beforeAll(async () => {
    // A 1 s lock, and upstream timeouts long enough that only the lock can cut a slow call short.
    locked = await startTestGateway({ env: { IDEMPOTENCY_LOCK_SECONDS: '1', UPSTREAM_HEADERS_TIMEOUT_MS: '10000', UPSTREAM_TIMEOUT_MS: '10000' }, store: sqliteStore() });
  });
  afterAll(() => locked.stop());

  it('gives up a call slower than the lock as OUTCOME_UNKNOWN before the lock can pass to another request', async () => {
    const moment = locked.simulators.moment!;
    moment.faults.inject({ route: MOMENT_CREATE, times: 1, fault: { kind: 'latency', ms: 2_500 } });
    const redeemLocked = () => locked.gql(EXECUTE_REDEEM, { variables: { key: 'slow', input: momentInput() } }) as Promise<RedeemResponse>;

    const holder = redeemLocked();
    // Wait (bounded) until Moment has the holder's create, then race it.
    for (let i = 0; i < 200 && moment.calls(MOMENT_CREATE).length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 5));
    const racers = await concurrently(5, redeemLocked);
    expect(racers.map((r) => payloadOf(r).userErrors.map((e) => e.code))).toEqual(Array(5).fill(['IDEMPOTENCY_IN_PROGRESS']));

    const held = await holder;
    const answeredAt = performance.timeOrigin + performance.now();
    expect(errorOf(held).extensions).toMatchObject({ code: 'OUTCOME_UNKNOWN', idempotencyKey: 'slow' });
    // The holder answered before Moment did: it stopped within its lock rather than overstaying it.
    const firstCreate = moment.calls(MOMENT_CREATE)[0]!;
    expect(firstCreate.respondedAt === undefined || firstCreate.respondedAt > answeredAt).toBe(true);
    expect(await locked.services.store.get(ADMIN, 'slow')).toMatchObject({ state: 'unknown', lockedUntil: 0 });

    // The retry settles through Moment's own key: one redemption, whichever create landed first.
    const retry = payloadOf(await redeemLocked());
    expect(retry).toMatchObject({ replayed: true, userErrors: [], redemption: { status: { state: 'SUCCEEDED' } } });
    const keys = new Set(moment.calls(MOMENT_CREATE).map((call) => call.headers['idempotency-key']));
    expect(keys.size).toBe(1);
  });
});

describe('a Capillary echo of the points', () => {
  it('accepts the same points written differently, and is INTEGRITY_ERROR when Capillary redeemed other points', async () => {
    const capillary = gateway.simulators.capillary!;
    const same = payloadOf(await redeem('points-written-differently', capillaryInput('12.50')));
    expect(same).toMatchObject({ userErrors: [], redemption: { points: { amount: '12.5' } } });

    capillary.faults.inject({
      route: CAPILLARY_REDEEM,
      times: 1,
      fault: { kind: 'mutate', mutate: (body) => {
        const reply = body as { response: { responses: { points: { points_redeemed: unknown } } } };
        reply.response.responses.points.points_redeemed = '99';
        return reply;
      } },
    });
    const response = await redeem('points-echo', capillaryInput('12.50', 'bill-echo'));
    expect(response.body.data).toBeNull();
    expect(errorOf(response)).toMatchObject({
      message: 'Capillary redeemed a different number of points than requested',
      extensions: { code: 'INTEGRITY_ERROR', provider: 'capillary', retryable: false },
    });
  });
});
