import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Reward } from '../../src/domain/redemption.js';
import { createTripleAdapter, type TripleConfig } from '../../src/providers/triple/adapter.js';
import { tripleProvider } from '../../src/providers/triple/index.js';
import {
  createTripleSimulator,
  SANDBOX_CLIENT_ID,
  SANDBOX_CLIENT_SECRET,
  type TripleSimulator,
} from '../../src/providers/triple/simulator.js';
import type { TripleAdapter } from '../../src/providers/types.js';
import { expectGatewayError, runConformance } from '../support/conformance.js';
import { manualClock, recordingLogger, testDeps } from '../support/deps.js';

const BASIC = `Basic ${Buffer.from(`${SANDBOX_CLIENT_ID}:${SANDBOX_CLIENT_SECRET}`).toString('base64')}`;
const fault = (route: string, status: number, headers?: Record<string, string>) => ({ route, fault: { kind: 'status' as const, status, headers } });
const UPDATE = 'POST /partner/rewards.update_status';
const GET_ONE = 'GET /partner/rewards/:id';

runConformance<TripleConfig, TripleAdapter>({
  module: tripleProvider,
  operations: [
    { name: 'getReward', route: GET_ONE, call: (a) => a.getReward('rwd-1001') },
    { name: 'listRewards', route: 'GET /partner/rewards', call: (a) => a.listRewards({ status: 'PENDING_REVIEW' }) },
    { name: 'findReward', route: 'GET /partner/rewards', call: (a) => a.findReward('triple-offer-1', 'triple-txn-2') },
    {
      name: 'updateRewardStatus',
      route: UPDATE,
      call: (a) => a.updateRewardStatus({ offerId: 'triple-offer-1', transactionId: 'triple-txn-1', status: 'PENDING_MERCHANT_FUNDING' }),
    },
    {
      name: 'updateRewardStatus with notes',
      route: 'PATCH /partner/rewards/:id',
      call: (a) => a.updateRewardStatus({ offerId: 'triple-offer-1', transactionId: 'triple-txn-1', status: 'DENIED_BY_MERCHANT', notes: 'Refunded' }),
    },
  ],
  errors: [
    {
      providerCode: 'TripleBadRequestError',
      call: (a) => a.updateRewardStatus({ offerId: 'x'.repeat(101), transactionId: 'triple-txn-1', status: 'PENDING_MERCHANT_FUNDING' }),
      expected: { code: 'BAD_USER_INPUT', retryable: false },
    },
    {
      providerCode: 'TripleNotAuthenticatedError',
      fault: fault(UPDATE, 403),
      call: (a) => a.updateRewardStatus({ offerId: 'triple-offer-1', transactionId: 'triple-txn-1', status: 'PENDING_MERCHANT_FUNDING' }),
      expected: { code: 'PROVIDER_AUTH_FAILED', retryable: false },
    },
    {
      providerCode: 'TripleInvalidPathError',
      call: (a) => a.updateRewardStatus({ offerId: 'triple-offer-9', transactionId: 'triple-txn-1', status: 'PENDING_MERCHANT_FUNDING' }),
      expected: { code: 'NOT_FOUND', retryable: false },
    },
    {
      providerCode: 'TripleIntegrityError',
      call: (a) => a.updateRewardStatus({ offerId: 'triple-offer-2', transactionId: 'triple-txn-3', status: 'DISTRIBUTED_TO_CARDHOLDER' }),
      expected: { code: 'INVALID_TRANSITION', retryable: false },
    },
    {
      providerCode: 'TripleUnsupportedMediaType',
      fault: fault(UPDATE, 415),
      call: (a) => a.updateRewardStatus({ offerId: 'triple-offer-1', transactionId: 'triple-txn-1', status: 'PENDING_MERCHANT_FUNDING' }),
      expected: { code: 'PROVIDER_REJECTED', retryable: false },
    },
    {
      providerCode: 'TripleUnprocessableEntity',
      call: (a) => a.updateRewardStatus({ offerId: 'triple-offer-1', transactionId: 'triple-txn-1', status: 'DENIED_BY_MERCHANT' }),
      expected: { code: 'PROVIDER_REJECTED', retryable: false },
    },
    {
      providerCode: 'TripleTooManyRequests',
      fault: fault(GET_ONE, 429, { 'retry-after': '7' }),
      call: (a) => a.getReward('rwd-1001'),
      expected: { code: 'RATE_LIMITED', retryable: true },
    },
    {
      providerCode: 'TripleInternalServerError',
      fault: fault(UPDATE, 500),
      call: (a) => a.updateRewardStatus({ offerId: 'triple-offer-1', transactionId: 'triple-txn-1', status: 'PENDING_MERCHANT_FUNDING' }),
      expected: { code: 'PROVIDER_UNAVAILABLE', retryable: true },
    },
    {
      providerCode: 'TripleNotImplementedError',
      fault: fault(UPDATE, 501),
      call: (a) => a.updateRewardStatus({ offerId: 'triple-offer-1', transactionId: 'triple-txn-1', status: 'PENDING_MERCHANT_FUNDING' }),
      expected: { code: 'PROVIDER_REJECTED', retryable: false },
    },
    {
      providerCode: 'TripleServiceUnavailable',
      fault: fault('GET /partner/rewards', 503),
      call: (a) => a.listRewards({}),
      expected: { code: 'PROVIDER_UNAVAILABLE', retryable: true },
    },
  ],
  badCredentials: (url) => ({ ...tripleProvider.sandboxConfig(url), clientSecret: 'wrong-secret' }),
  withBaseUrl: (config, baseUrl) => ({ ...config, baseUrl }),
});

/** rwd-1001 as the adapter returns it from the seed. */
const REWARD_1001: Reward = {
  kind: 'Reward',
  provider: 'triple',
  nativeId: 'rwd-1001',
  ref: 'rwd-1001',
  status: { state: 'PENDING', raw: 'PENDING_MERCHANT_APPROVAL' },
  rewardId: 'rwd-1001',
  offerId: 'triple-offer-1',
  transactionId: 'triple-txn-1',
  rewardStatus: 'PENDING_MERCHANT_APPROVAL',
  amount: { minor: 525n, currency: 'USD' },
  transactionAmount: { minor: 5250n, currency: 'USD' },
  merchantName: 'Blue Bottle Coffee',
  createdAt: '2026-11-01T09:15:00Z',
  statusUpdatedAt: '2026-11-01T09:20:00Z',
  updatedAt: '2026-11-01T09:20:00Z',
};

describe('Triple adapter against its simulator', () => {
  let sim: TripleSimulator;
  let adapter: TripleAdapter;
  let simClock: ReturnType<typeof manualClock>;
  let adapterClock: ReturnType<typeof manualClock>;
  let logger: ReturnType<typeof recordingLogger>;
  const extra: TripleAdapter[] = [];

  const make = (config: TripleConfig = tripleProvider.sandboxConfig(sim.url)) => {
    const created = createTripleAdapter(config, testDeps({ logger, now: adapterClock.now }));
    extra.push(created);
    return created;
  };
  const bearer = (n: number) => `Bearer ${sim.issuedTokens()[n]}`;
  const apiCalls = () => sim.requests.filter((r) => r.path !== '/oauth2/token');
  const tokenCalls = () => sim.calls('POST /oauth2/token');

  beforeEach(async () => {
    simClock = manualClock();
    adapterClock = manualClock();
    logger = recordingLogger();
    sim = createTripleSimulator({ now: simClock.now });
    await sim.listen();
    adapter = make();
  });
  afterEach(async () => {
    await Promise.all(extra.splice(0).map((a) => a.close()));
    await sim.close();
  });

  describe('exact requests and results', () => {
    it('fetches a token with Basic client credentials and a form body', async () => {
      await adapter.getReward('rwd-1001');
      expect(tokenCalls()).toHaveLength(1);
      const [call] = tokenCalls();
      expect(call).toMatchObject({ method: 'POST', path: '/oauth2/token', query: {}, body: { grant_type: 'client_credentials' } });
      expect(call!.headers.authorization).toBe(BASIC);
      expect(call!.headers['content-type']).toBe('application/x-www-form-urlencoded');
    });

    it('getReward sends GET /partner/rewards/{id} with the bearer token and converts amounts exactly', async () => {
      const reward = await adapter.getReward('rwd-1001');
      const [call] = sim.calls(GET_ONE);
      expect(call).toMatchObject({ method: 'GET', path: '/partner/rewards/rwd-1001', query: {}, body: undefined });
      expect(call!.headers.authorization).toBe(bearer(0));
      expect(reward).toEqual(REWARD_1001);
    });

    it('getReward encodes the id as one path segment', async () => {
      expect(await adapter.getReward('a/b c')).toBeNull();
      expect(sim.requests.at(-1)).toMatchObject({ method: 'GET', path: '/partner/rewards/a%2Fb%20c', route: GET_ONE });
    });

    it('getReward returns null for an unknown reward', async () => {
      expect(await adapter.getReward('rwd-9999')).toBeNull();
      expect(sim.calls(GET_ONE)).toHaveLength(1);
    });

    it('getReward keeps the rejection reason and converts a sub-dollar amount', async () => {
      const reward = await adapter.getReward('rwd-1004');
      expect(reward).toMatchObject({
        rewardStatus: 'REJECTED',
        status: { state: 'FAILED', raw: 'REJECTED' },
        rejection: 'PURCHASE_AMOUNT_TOO_LOW',
        amount: { minor: 50n, currency: 'USD' },
        transactionAmount: { minor: 499n, currency: 'USD' },
        merchantName: 'Green Grocer Market',
      });
    });

    it('listRewards sends GET /partner/rewards?status= and maps every reward', async () => {
      const rewards = await adapter.listRewards({ status: 'DISTRIBUTED_TO_PUBLISHER' });
      const [call] = sim.calls('GET /partner/rewards');
      expect(call).toMatchObject({ method: 'GET', path: '/partner/rewards', query: { status: 'DISTRIBUTED_TO_PUBLISHER' }, body: undefined });
      expect(call!.headers.authorization).toBe(bearer(0));
      expect(rewards.map((r) => [r.rewardId, r.rewardStatus, r.status.state, r.amount])).toEqual([
        ['rwd-1002', 'DISTRIBUTED_TO_PUBLISHER', 'PROCESSING', { minor: 300n, currency: 'USD' }],
      ]);
    });

    it('listRewards without a status sends no query and returns all rewards', async () => {
      const rewards = await adapter.listRewards({});
      expect(sim.calls('GET /partner/rewards')[0]!.query).toEqual({});
      expect(rewards.map((r) => r.rewardId)).toEqual(['rwd-1001', 'rwd-1002', 'rwd-1003', 'rwd-1004']);
    });

    it('findReward sends the offer and transaction ids as query parameters', async () => {
      const reward = await adapter.findReward('triple-offer-1', 'triple-txn-1');
      const [call] = sim.calls('GET /partner/rewards');
      expect(call).toMatchObject({ method: 'GET', path: '/partner/rewards', query: { offer_id: 'triple-offer-1', transaction_id: 'triple-txn-1' } });
      expect(call!.headers.authorization).toBe(bearer(0));
      expect(reward).toEqual(REWARD_1001);
    });

    it('findReward returns null when nothing matches', async () => {
      expect(await adapter.findReward('triple-offer-1', 'triple-txn-3')).toBeNull();
    });

    it('findReward ignores rewards a server returns for another pair', async () => {
      sim.faults.inject({
        route: 'GET /partner/rewards',
        fault: { kind: 'mutate', mutate: (body) => ({ rewards: [{ ...(body as { rewards: object[] }).rewards[0], transaction_id: 'other' }] }) },
      });
      expect(await adapter.findReward('triple-offer-1', 'triple-txn-1')).toBeNull();
    });

    it('updateRewardStatus posts {status, offer_id, transaction_id} and returns the reward read back', async () => {
      simClock.advance(60_000);
      const reward = await adapter.updateRewardStatus({ offerId: 'triple-offer-1', transactionId: 'triple-txn-1', status: 'PENDING_MERCHANT_FUNDING' });
      const [call] = sim.calls(UPDATE);
      expect(call).toMatchObject({
        method: 'POST',
        path: '/partner/rewards.update_status',
        query: {},
        body: { status: 'PENDING_MERCHANT_FUNDING', offer_id: 'triple-offer-1', transaction_id: 'triple-txn-1' },
      });
      expect(Object.keys(call!.body as object)).toEqual(['status', 'offer_id', 'transaction_id']);
      expect(call!.headers.authorization).toBe(bearer(0));
      expect(call!.headers['content-type']).toBe('application/json');
      const updatedAt = new Date(simClock.now()).toISOString();
      expect(reward).toEqual({
        ...REWARD_1001,
        status: { state: 'PROCESSING', raw: 'PENDING_MERCHANT_FUNDING' },
        rewardStatus: 'PENDING_MERCHANT_FUNDING',
        statusUpdatedAt: updatedAt,
        updatedAt,
      });
      expect(apiCalls().map((r) => r.route)).toEqual([UPDATE, 'GET /partner/rewards']);
      expect(sim.calls('GET /partner/rewards')[0]!.query).toEqual({ offer_id: 'triple-offer-1', transaction_id: 'triple-txn-1' });
    });

    it('updateRewardStatus with notes finds the reward id, then PATCHes {status, notes}', async () => {
      const reward = await adapter.updateRewardStatus({
        offerId: 'triple-offer-1', transactionId: 'triple-txn-1', status: 'DENIED_BY_MERCHANT', notes: 'Order refunded',
      });
      expect(apiCalls().map((r) => r.route)).toEqual(['GET /partner/rewards', 'PATCH /partner/rewards/:id', 'GET /partner/rewards']);
      const [call] = sim.calls('PATCH /partner/rewards/:id');
      expect(call).toMatchObject({ method: 'PATCH', path: '/partner/rewards/rwd-1001', query: {} });
      expect(call!.body).toEqual({ status: 'DENIED_BY_MERCHANT', notes: 'Order refunded' });
      expect(call!.headers.authorization).toBe(bearer(0));
      expect(reward).toMatchObject({ rewardStatus: 'DENIED_BY_MERCHANT', status: { state: 'CANCELLED' }, notes: 'Order refunded' });
      expect(await adapter.getReward('rwd-1001')).toMatchObject({ rewardStatus: 'DENIED_BY_MERCHANT', notes: 'Order refunded' });
    });

    it('updateRewardStatus with notes for an unknown pair is NOT_FOUND and sends no write', async () => {
      await expectGatewayError(
        adapter.updateRewardStatus({ offerId: 'triple-offer-1', transactionId: 'nope', status: 'DENIED_BY_MERCHANT', notes: 'x' }),
        { code: 'NOT_FOUND', provider: 'triple' },
      );
      expect(sim.calls('PATCH /partner/rewards/:id')).toHaveLength(0);
    });

    it('repeating the current status is accepted', async () => {
      const reward = await adapter.updateRewardStatus({ offerId: 'triple-offer-2', transactionId: 'triple-txn-3', status: 'PENDING_REVIEW' });
      expect(reward).toMatchObject({ rewardStatus: 'PENDING_REVIEW', statusUpdatedAt: '2026-11-10T12:05:00Z' });
    });

    it('keeps the provider details of a refused transition', async () => {
      const error = await expectGatewayError(
        adapter.updateRewardStatus({ offerId: 'triple-offer-2', transactionId: 'triple-txn-3', status: 'DISTRIBUTED_TO_CARDHOLDER' }),
        { code: 'INVALID_TRANSITION', providerCode: 'TripleIntegrityError', httpStatus: 409, requestSent: true },
      );
      expect(error.providerMessage).toBe('The reward cannot move from PENDING_REVIEW to DISTRIBUTED_TO_CARDHOLDER.');
      expect(await adapter.getReward('rwd-1003')).toMatchObject({ rewardStatus: 'PENDING_REVIEW' });
    });
  });

  describe('errors and bodies', () => {
    it('honours Retry-After on a 429', async () => {
      sim.faults.inject(fault(GET_ONE, 429, { 'retry-after': '7' }));
      await expectGatewayError(adapter.getReward('rwd-1001'), {
        code: 'RATE_LIMITED', retryable: true, retryAfterMs: 7000, httpStatus: 429, providerCode: 'TripleTooManyRequests',
      });
    });

    it('reports a 504 without a known exception as PROVIDER_TIMEOUT', async () => {
      sim.faults.inject(fault(GET_ONE, 504));
      await expectGatewayError(adapter.getReward('rwd-1001'), { code: 'PROVIDER_TIMEOUT', retryable: true, providerCode: 'TripleHTTPError' });
    });

    it('treats a 200 carrying the error envelope as that error', async () => {
      sim.faults.inject({
        route: GET_ONE,
        fault: { kind: 'mutate', mutate: () => ({ status_code: 409, content: { details: [], error_message: 'nope', exception: 'TripleIntegrityError' } }) },
      });
      await expectGatewayError(adapter.getReward('rwd-1001'), {
        code: 'INVALID_TRANSITION', providerCode: 'TripleIntegrityError', providerMessage: 'nope', httpStatus: 200,
      });
    });

    it('treats an update answered {"ok": false} as PROVIDER_REJECTED', async () => {
      sim.faults.inject({ route: UPDATE, fault: { kind: 'mutate', mutate: () => ({ ok: false }) } });
      await expectGatewayError(
        adapter.updateRewardStatus({ offerId: 'triple-offer-1', transactionId: 'triple-txn-1', status: 'PENDING_MERCHANT_FUNDING' }),
        { code: 'PROVIDER_REJECTED', provider: 'triple' },
      );
    });

    it('rejects an amount with more fraction digits than USD allows', async () => {
      sim.faults.inject({ route: GET_ONE, fault: { kind: 'mutate', mutate: (body) => ({ ...(body as object), reward_amount: 5.255 }) } });
      await expectGatewayError(adapter.getReward('rwd-1001'), { code: 'PROVIDER_BAD_RESPONSE', provider: 'triple' });
    });

    it('maps an unknown status to PENDING, keeps it raw, leaves rewardStatus out and logs it', async () => {
      sim.faults.inject({ route: GET_ONE, fault: { kind: 'mutate', mutate: (body) => ({ ...(body as object), status: 'ON_HOLD' }) } });
      const reward = await adapter.getReward('rwd-1001');
      expect(reward).toMatchObject({ status: { state: 'PENDING', raw: 'ON_HOLD' } });
      expect(reward).not.toHaveProperty('rewardStatus');
      expect(logger.entries).toContainEqual({
        level: 'warn', details: { provider: 'triple', rawStatus: 'ON_HOLD' }, message: 'unmapped provider status; reported as PENDING',
      });
    });

    it('reads the older amount/currency_code fields when reward_amount is absent', async () => {
      sim.faults.inject({
        route: GET_ONE,
        fault: {
          kind: 'mutate',
          mutate: (body) => {
            const { reward_amount: _a, reward_currency_code: _c, ...rest } = body as Record<string, unknown>;
            return { ...rest, amount: -1.5, currency_code: 'USD' };
          },
        },
      });
      expect(await adapter.getReward('rwd-1001')).toMatchObject({ amount: { minor: -150n, currency: 'USD' } });
    });

    it('never logs the client secret or the token', async () => {
      sim.faults.inject(fault(GET_ONE, 401));
      await expectGatewayError(adapter.getReward('rwd-1001'), { code: 'PROVIDER_AUTH_FAILED' });
      const logged = JSON.stringify(logger.entries);
      expect(logged).not.toContain(SANDBOX_CLIENT_SECRET);
      for (const token of sim.issuedTokens()) expect(logged).not.toContain(token);
    });
  });

  describe('token auth', () => {
    it('uses one token for many calls', async () => {
      await Promise.all([adapter.getReward('rwd-1001'), adapter.listRewards({}), adapter.findReward('triple-offer-2', 'triple-txn-3')]);
      await adapter.getReward('rwd-1002');
      expect(tokenCalls()).toHaveLength(1);
      expect(apiCalls().map((r) => r.headers.authorization)).toEqual(Array(4).fill(bearer(0)));
    });

    it('renews the token after it expires', async () => {
      await adapter.getReward('rwd-1001');
      simClock.advance(3600_000);
      adapterClock.advance(3600_000);
      await adapter.getReward('rwd-1001');
      expect(tokenCalls()).toHaveLength(2);
      expect(sim.calls(GET_ONE).map((r) => r.headers.authorization)).toEqual([bearer(0), bearer(1)]);
    });

    it('drops a token the API refuses (401) and retries the read once with a new one', async () => {
      await adapter.getReward('rwd-1001');
      simClock.advance(3600_000); // the simulator expires the token; the adapter still holds it
      const reward = await adapter.getReward('rwd-1002');
      expect(reward?.rewardId).toBe('rwd-1002');
      expect(tokenCalls()).toHaveLength(2);
      expect(sim.calls(GET_ONE).map((r) => r.headers.authorization)).toEqual([bearer(0), bearer(0), bearer(1)]);
    });

    it('retries a write refused with 403 once with a new token', async () => {
      await adapter.getReward('rwd-1001');
      simClock.advance(3600_000);
      await adapter.updateRewardStatus({ offerId: 'triple-offer-1', transactionId: 'triple-txn-2', status: 'DISTRIBUTED_TO_CARDHOLDER' });
      expect(tokenCalls()).toHaveLength(2);
      expect(sim.calls(UPDATE).map((r) => r.headers.authorization)).toEqual([bearer(0), bearer(1)]);
      expect(sim.calls(GET_ONE).map((r) => r.headers.authorization)).toEqual([bearer(0)]);
      expect(await adapter.getReward('rwd-1002')).toMatchObject({ rewardStatus: 'DISTRIBUTED_TO_CARDHOLDER', status: { state: 'SUCCEEDED' } });
    });

    it('gives up after one retry with PROVIDER_AUTH_FAILED', async () => {
      sim.faults.inject(fault(UPDATE, 403));
      await expectGatewayError(
        adapter.updateRewardStatus({ offerId: 'triple-offer-1', transactionId: 'triple-txn-1', status: 'PENDING_MERCHANT_FUNDING' }),
        { code: 'PROVIDER_AUTH_FAILED', providerCode: 'TripleNotAuthenticatedError', httpStatus: 403, retryable: false },
      );
      expect(sim.calls(UPDATE)).toHaveLength(2);
      expect(tokenCalls()).toHaveLength(2);
    });

    it('reports refused client credentials as PROVIDER_AUTH_FAILED and calls no API', async () => {
      const refused = make({ ...tripleProvider.sandboxConfig(sim.url), clientId: 'someone-else' });
      await expectGatewayError(refused.getReward('rwd-1001'), {
        code: 'PROVIDER_AUTH_FAILED', providerCode: 'invalid_client', httpStatus: 401, retryable: false, provider: 'triple',
      });
      expect(apiCalls()).toHaveLength(0);
    });

    it('reports a token endpoint 503 as PROVIDER_UNAVAILABLE', async () => {
      sim.faults.inject({ route: 'POST /oauth2/token', fault: { kind: 'status', status: 503, body: {} } });
      await expectGatewayError(adapter.getReward('rwd-1001'), { code: 'PROVIDER_UNAVAILABLE', retryable: true, httpStatus: 503 });
      expect(apiCalls()).toHaveLength(0);
    });

    it('reports a token response without access_token as PROVIDER_BAD_RESPONSE', async () => {
      sim.faults.inject({ route: 'POST /oauth2/token', fault: { kind: 'mutate', mutate: () => ({ token_type: 'Bearer', expires_in: 3600 }) } });
      await expectGatewayError(adapter.getReward('rwd-1001'), { code: 'PROVIDER_BAD_RESPONSE', provider: 'triple' });
    });

    it('reaches a token endpoint on another origin through its own pool', async () => {
      const other = createTripleSimulator({ now: simClock.now });
      await other.listen();
      try {
        const split = make({ ...tripleProvider.sandboxConfig(sim.url), tokenUrl: `${other.url}/oauth2/token` });
        // The API simulator only knows its own tokens: the adapter must fetch from `other`, then retry.
        await expectGatewayError(split.getReward('rwd-1001'), { code: 'PROVIDER_AUTH_FAILED', providerCode: 'TripleNotAuthenticatedError' });
        expect(other.calls('POST /oauth2/token')).toHaveLength(2);
        expect(tokenCalls()).toHaveLength(0);
      } finally {
        await other.close();
      }
    });
  });
});
