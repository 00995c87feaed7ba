/**
 * The idempotency contract over HTTP against the simulators: one key, one upstream call, however
 * many requests race; a reused key never reaches the provider; where the key comes from; whose it is.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SANDBOX_SECRET_KEY, ONE_VOUCHER_PIN } from '../../src/providers/moment/simulator.js';
import { deriveProviderKey } from '../../src/store/hash.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import {
  concurrently,
  EXECUTE_REDEEM,
  momentInput,
  payloadOf,
  persInput,
  sqliteStore,
  type RedeemPayload,
  type RedeemResponse,
} from './support.js';

const CONCURRENT = 50;
const MOMENT_CREATE = 'POST /collect/redemptions';
const PERS_REDEEM = 'POST /redemptions/redeems';

let gateway: TestGateway;
const redeem = (key: string | undefined, input: unknown, options: { token?: string; headers?: Record<string, string> } = {}) =>
  gateway.gql(EXECUTE_REDEEM, { variables: { key, input }, ...options }) as Promise<RedeemResponse>;

beforeAll(async () => {
  // The rate limit counts every executeRedeem, replays included: lift it above the burst.
  gateway = await startTestGateway({ env: { RATE_LIMIT_REDEEMS_PER_MINUTE: '10000' }, store: sqliteStore() });
});
afterAll(() => gateway.stop());
beforeEach(() => {
  for (const simulator of Object.values(gateway.simulators)) simulator.reset();
});

/**
 * Checks a burst's answers: exactly one ran (replayed false), every other one is that very result
 * replayed or IDEMPOTENCY_IN_PROGRESS. Returns the one result.
 */
function expectOneOutcome(responses: RedeemResponse[]): RedeemPayload {
  const payloads = responses.map(payloadOf);
  const ran = payloads.filter((p) => !p.replayed && p.userErrors.length === 0);
  expect(ran).toHaveLength(1);
  const first = ran[0]!;
  expect(first.redemption).not.toBeNull();
  const inProgress = {
    replayed: false,
    redemption: null,
    userErrors: [{
      code: 'IDEMPOTENCY_IN_PROGRESS',
      message: 'A request with this idempotency key is still running; retry shortly with the same key',
      field: ['idempotencyKey'], provider: null, providerCode: null,
    }],
  };
  for (const payload of payloads) {
    if (payload === first) continue;
    expect([{ ...first, replayed: true }, inProgress]).toContainEqual(payload);
  }
  return first;
}

describe('fifty concurrent executeRedeem calls with one key', () => {
  it('make exactly one Moment create, with the key derived for Moment', async () => {
    const moment = gateway.simulators.moment!;
    const responses = await concurrently(CONCURRENT, () => redeem('burst-moment', momentInput('25.00')));

    const first = expectOneOutcome(responses);
    expect(first.redemption).toMatchObject({ provider: 'MOMENT', status: { state: 'SUCCEEDED', raw: 'confirmed' }, redeemedAmount: { amount: '25.00', currencyCode: 'ZAR' } });
    const calls = moment.calls(MOMENT_CREATE);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({
      method: 'POST',
      path: '/collect/redemptions',
      query: {},
      headers: {
        authorization: `Bearer ${SANDBOX_SECRET_KEY}`,
        'idempotency-key': deriveProviderKey('admin::admin-1', 'burst-moment', 'moment'),
        'content-type': 'application/json',
      },
      body: { type: 'vouchers.one_voucher', source: { pin: ONE_VOUCHER_PIN }, amount: 2500, currency: 'ZAR' },
    });

    // Once the burst is over, the key replays: the same result, still one call.
    expect(payloadOf(await redeem('burst-moment', momentInput('25.00')))).toEqual({ ...first, replayed: true });
    expect(moment.calls(MOMENT_CREATE)).toHaveLength(1);
  });

  it('make exactly one PERS redeem although PERS has no idempotency of its own', async () => {
    const pers = gateway.simulators.pers!;
    const responses = await concurrently(CONCURRENT, () => redeem('burst-pers', persInput(), { token: gateway.tokens.user }));

    const first = expectOneOutcome(responses);
    expect(first.redemption).toMatchObject({ provider: 'PERS', userId: 'user-1', redemptionId: 'red-coffee', status: { state: 'SUCCEEDED', raw: 'COMPLETED' } });
    const calls = pers.calls(PERS_REDEEM);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ method: 'POST', path: '/redemptions/redeems', query: {}, body: { redemptionId: 'red-coffee', businessId: null } });
    expect(calls[0]!.headers.authorization).toMatch(/^Bearer ey/);
    expect(payloadOf(await redeem('burst-pers', persInput(), { token: gateway.tokens.user }))).toEqual({ ...first, replayed: true });
    expect(pers.calls(PERS_REDEEM)).toHaveLength(1);
  });
});

describe('the same key with a different input', () => {
  const reused = {
    replayed: false,
    redemption: null,
    userErrors: [{
      code: 'IDEMPOTENCY_KEY_REUSED',
      message: 'This idempotency key was already used with a different input',
      field: ['idempotencyKey'], provider: null, providerCode: null,
    }],
  };

  it('is refused with IDEMPOTENCY_KEY_REUSED and makes no upstream call, for any number of racers', async () => {
    const moment = gateway.simulators.moment!;
    payloadOf(await redeem('reused-key', momentInput('25.00')));
    const requestsBefore = moment.requests.length;

    const responses = await concurrently(CONCURRENT, () => redeem('reused-key', momentInput('30.00')));
    expect(responses.map(payloadOf)).toEqual(Array(CONCURRENT).fill(reused));
    expect(moment.requests).toHaveLength(requestsBefore);
  });

  it('is refused when the other input is for another provider, with no call to either', async () => {
    const { moment, pers } = gateway.simulators;
    payloadOf(await redeem('cross-provider', momentInput('25.00')));
    const before = [moment!.requests.length, pers!.requests.length];

    expect(payloadOf(await redeem('cross-provider', persInput()))).toEqual(reused);
    expect([moment!.requests.length, pers!.requests.length]).toEqual(before);
  });

  it('is still the same input when only the key order or null members differ', async () => {
    const moment = gateway.simulators.moment!;
    const first = payloadOf(await redeem('canonical-input', momentInput('25.00')));
    const reordered = { moment: { amount: { currencyCode: 'ZAR', amount: '25.00' }, source: { pin: ONE_VOUCHER_PIN }, type: 'ONE_VOUCHER', metadata: null } };
    expect(payloadOf(await redeem('canonical-input', reordered))).toEqual({ ...first, replayed: true });
    expect(moment.calls(MOMENT_CREATE)).toHaveLength(1);
  });
});

describe('where the key comes from', () => {
  it('takes the Idempotency-Key header when there is no argument', async () => {
    const moment = gateway.simulators.moment!;
    const first = payloadOf(await redeem(undefined, momentInput(), { headers: { 'idempotency-key': 'from-header' } }));
    expect(first).toMatchObject({ replayed: false, userErrors: [] });
    expect(moment.calls(MOMENT_CREATE)[0]!.headers['idempotency-key']).toBe(deriveProviderKey('admin::admin-1', 'from-header', 'moment'));

    // The header and the argument name the same key: both given and equal is that key too.
    const again = await redeem('from-header', momentInput(), { headers: { 'idempotency-key': 'from-header' } });
    expect(payloadOf(again)).toEqual({ ...first, replayed: true });
    expect(payloadOf(await redeem('from-header', momentInput()))).toEqual({ ...first, replayed: true });
    expect(moment.calls(MOMENT_CREATE)).toHaveLength(1);
  });

  it('refuses a header and an argument that differ with BAD_USER_INPUT, calling nothing', async () => {
    const response = await redeem('argument-key', momentInput(), { headers: { 'idempotency-key': 'header-key' } });
    expect(payloadOf(response)).toEqual({
      replayed: false,
      redemption: null,
      userErrors: [{
        code: 'BAD_USER_INPUT',
        message: 'differs from the Idempotency-Key header; send one or make them equal',
        field: ['idempotencyKey'], provider: null, providerCode: null,
      }],
    });
    expect(gateway.simulators.moment!.requests).toHaveLength(0);
  });

  it('requires a key for executeRedeem: BAD_USER_INPUT on idempotencyKey, calling nothing', async () => {
    const response = await redeem(undefined, momentInput());
    expect(payloadOf(response)).toEqual({
      replayed: false,
      redemption: null,
      userErrors: [{
        code: 'BAD_USER_INPUT',
        message: 'executeRedeem requires an idempotency key (Idempotency-Key header or idempotencyKey argument)',
        field: ['idempotencyKey'], provider: null, providerCode: null,
      }],
    });
    expect(gateway.simulators.moment!.requests).toHaveLength(0);
  });

  it('refuses a key that is not 1 to 255 visible ASCII characters', async () => {
    for (const key of ['', 'has space', 'x'.repeat(256)]) {
      const response = await redeem(key, momentInput());
      expect(payloadOf(response).userErrors).toEqual([{
        code: 'BAD_USER_INPUT', message: 'must be 1 to 255 visible ASCII characters', field: ['idempotencyKey'], provider: null, providerCode: null,
      }]);
    }
    expect(gateway.simulators.moment!.requests).toHaveLength(0);
  });
});

describe('keys are scoped to the caller', () => {
  it('gives two callers using one key two redemptions, each under their own PERS session', async () => {
    const pers = gateway.simulators.pers!;
    // user-2's demo balance is below the offer's price: a third user, on the default balance.
    const user3 = await gateway.token({ subject: 'user-3', role: 'user' });
    const [mine, theirs] = await Promise.all([
      redeem('shared-key', persInput(), { token: gateway.tokens.user }),
      redeem('shared-key', persInput(), { token: user3 }),
    ]);
    const a = payloadOf(mine);
    const b = payloadOf(theirs);
    expect([a.replayed, b.replayed, a.userErrors, b.userErrors]).toEqual([false, false, [], []]);
    expect(a.redemption).toMatchObject({ userId: 'user-1', redemptionId: 'red-coffee' });
    expect(b.redemption).toMatchObject({ userId: 'user-3', redemptionId: 'red-coffee' });
    expect(a.redemption!.providerId).not.toBe(b.redemption!.providerId);
    expect(pers.calls(PERS_REDEEM)).toHaveLength(2);
  });

  it('derives a different provider key per caller from the same gateway key', async () => {
    const moment = gateway.simulators.moment!;
    await redeem('shared-moment-key', momentInput('10.00'), { token: gateway.tokens.user });
    await redeem('shared-moment-key', momentInput('10.00'), { token: gateway.tokens.otherUser });
    expect(moment.calls(MOMENT_CREATE).map((call) => call.headers['idempotency-key'])).toEqual([
      deriveProviderKey('user::user-1', 'shared-moment-key', 'moment'),
      deriveProviderKey('user::user-2', 'shared-moment-key', 'moment'),
    ]);
  });
});
