import { createHash } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { TokenRedeem } from '../../src/domain/redemption.js';
import { createPersAdapter, ttlOf, type PersConfig } from '../../src/providers/pers/adapter.js';
import { persProvider } from '../../src/providers/pers/index.js';
import {
  createPersSimulator,
  SANDBOX_PROJECT_KEY,
  SIM_TOKEN_ADDRESS,
  type PersSimulator,
} from '../../src/providers/pers/simulator.js';
import type { PersAdapter } from '../../src/providers/types.js';
import { expectGatewayError, runConformance } from '../support/conformance.js';
import { manualClock, recordingLogger, testDeps } from '../support/deps.js';
import {
  ADMIN, BIZ_1, BIZ_2, BIZ_NO_CONTEXT, jwtLike, jwtPayload, makeCaller, persFault, USER_1, USER_2, USER_3, USER_4,
} from './pers/support.js';

const REDEEM_ROUTE = 'POST /redemptions/redeems';
const LIST_ROUTE = 'GET /redemption-redeems';
const ME_ROUTE = 'GET /redemption-redeems/me';
const GET_ROUTE = 'GET /redemption-redeems/:id';
const OFFER_ROUTE = 'GET /redemptions/:id';

runConformance<PersConfig, PersAdapter>({
  module: persProvider,
  operations: [
    { name: 'listRedeems', route: LIST_ROUTE, call: (a) => a.listRedeems({}, { caller: ADMIN }) },
    { name: 'myRedeems', route: ME_ROUTE, call: (a) => a.myRedeems({}, { caller: USER_1 }) },
    { name: 'getRedeem', route: GET_ROUTE, call: (a) => a.getRedeem('rdm-1001', { caller: USER_1 }) },
    { name: 'getOffer', route: OFFER_ROUTE, call: (a) => a.getOffer('red-coffee') },
    { name: 'executeRedeem', route: REDEEM_ROUTE, call: (a) => a.executeRedeem({ redemptionId: 'red-coffee' }, { caller: USER_3 }) },
  ],
  errors: [
    {
      providerCode: 'USER_NOT_FOUND',
      fault: persFault(REDEEM_ROUTE, 404, 'USER_NOT_FOUND'),
      call: (a) => a.executeRedeem({ redemptionId: 'red-coffee' }, { caller: USER_3 }),
      expected: { code: 'NOT_FOUND', retryable: false },
    },
    {
      providerCode: 'MULTIPLE_CONTEXT_SELECTION_REQUIRED',
      call: (a) => a.listRedeems({}, { caller: BIZ_NO_CONTEXT }),
      expected: { code: 'BAD_USER_INPUT', retryable: false },
    },
    {
      providerCode: 'VALIDATION_ERROR',
      call: (a) => a.executeRedeem({ redemptionId: '  ' }, { caller: USER_3 }),
      expected: { code: 'BAD_USER_INPUT', retryable: false },
    },
    {
      providerCode: 'REDEMPTION_NOT_FOUND',
      call: (a) => a.executeRedeem({ redemptionId: 'red-unknown' }, { caller: USER_3 }),
      expected: { code: 'NOT_FOUND', retryable: false },
    },
    {
      providerCode: 'REDEEM_NOT_FOUND',
      fault: persFault(LIST_ROUTE, 404, 'REDEEM_NOT_FOUND'),
      call: (a) => a.listRedeems({}, { caller: ADMIN }),
      expected: { code: 'NOT_FOUND', retryable: false },
    },
    {
      providerCode: 'REDEMPTION_INACTIVE',
      call: (a) => a.executeRedeem({ redemptionId: 'red-retired' }, { caller: USER_3 }),
      expected: { code: 'PROVIDER_REJECTED', retryable: false },
    },
    {
      providerCode: 'SUPPLY_EXHAUSTED',
      call: async (a) => {
        await a.executeRedeem({ redemptionId: 'red-tshirt' }, { caller: USER_3 });
        return a.executeRedeem({ redemptionId: 'red-tshirt' }, { caller: USER_4 });
      },
      expected: { code: 'LIMIT_EXCEEDED', retryable: false },
    },
    {
      providerCode: 'MAX_PER_USER_EXCEEDED',
      call: (a) => a.executeRedeem({ redemptionId: 'red-tshirt' }, { caller: USER_1 }),
      expected: { code: 'LIMIT_EXCEEDED', retryable: false },
    },
    {
      providerCode: 'INSUFFICIENT_TOKEN_BALANCE',
      call: (a) => a.executeRedeem({ redemptionId: 'red-coffee' }, { caller: USER_2 }),
      expected: { code: 'INSUFFICIENT_BALANCE', retryable: false },
    },
    {
      providerCode: 'UNAUTHORIZED',
      fault: persFault(LIST_ROUTE, 401, 'UNAUTHORIZED'),
      call: (a) => a.listRedeems({}, { caller: ADMIN }),
      expected: { code: 'PROVIDER_AUTH_FAILED', retryable: false },
    },
    {
      providerCode: 'INVALID_TOKEN',
      fault: persFault(LIST_ROUTE, 401, 'INVALID_TOKEN'),
      call: (a) => a.listRedeems({}, { caller: ADMIN }),
      expected: { code: 'PROVIDER_AUTH_FAILED', retryable: false },
    },
    {
      providerCode: 'FORBIDDEN',
      call: (a) => a.myRedeems({}, { caller: BIZ_1 }),
      expected: { code: 'FORBIDDEN', retryable: false },
    },
    {
      providerCode: 'INTERNAL_ERROR',
      fault: persFault(OFFER_ROUTE, 500, 'INTERNAL_ERROR'),
      call: (a) => a.getOffer('red-coffee'),
      expected: { code: 'PROVIDER_UNAVAILABLE', retryable: true },
    },
  ],
  badCredentials: (url) => ({ baseUrl: url, projectKey: `pk_test_${'0'.repeat(56)}` }),
  withBaseUrl: (config, baseUrl) => ({ ...config, baseUrl }),
});

const START = Date.parse('2026-11-22T00:00:00Z');
const START_ISO = new Date(START).toISOString();
const START_S = START / 1000;
const FIFTEEN_MIN = 15 * 60_000;

/** What the simulator's seeded redeems look like once mapped. */
const seeded = {
  'rdm-1001': {
    kind: 'TokenRedeem', provider: 'pers', nativeId: 'rdm-1001', ref: 'rdm-1001', status: { state: 'SUCCEEDED', raw: 'COMPLETED' },
    createdAt: '2026-01-10T09:00:00.000Z', updatedAt: '2026-01-10T09:00:00.000Z', redemptionId: 'red-coffee', userId: 'user-1',
    userCountryCode: 'ZA',
  },
  'rdm-1002': {
    kind: 'TokenRedeem', provider: 'pers', nativeId: 'rdm-1002', ref: 'rdm-1002', status: { state: 'SUCCEEDED', raw: 'COMPLETED' },
    createdAt: '2026-01-11T09:00:00.000Z', updatedAt: '2026-01-11T09:00:00.000Z', redemptionId: 'red-coffee', userId: 'user-2',
    userCountryCode: 'ZA',
  },
  'rdm-1003': {
    kind: 'TokenRedeem', provider: 'pers', nativeId: 'rdm-1003', ref: 'rdm-1003', status: { state: 'PENDING', raw: 'PENDING' },
    createdAt: '2026-01-12T09:00:00.000Z', updatedAt: '2026-01-12T09:00:00.000Z', redemptionId: 'red-tshirt', userId: 'user-1',
    userCountryCode: 'ZA',
  },
} satisfies Record<string, TokenRedeem>;

describe('PERS adapter against the simulator', () => {
  let sim: PersSimulator;
  let adapter: PersAdapter;
  let clock: ReturnType<typeof manualClock>;
  let logger: ReturnType<typeof recordingLogger>;
  const extra: PersAdapter[] = [];

  const make = (overrides: Partial<PersConfig> = {}) => {
    const created = createPersAdapter({ ...persProvider.sandboxConfig(sim.url), ...overrides }, testDeps({ now: clock.now, logger }));
    extra.push(created);
    return created;
  };

  beforeAll(async () => {
    clock = manualClock(START);
    sim = createPersSimulator({ now: () => clock.now() });
    await sim.listen();
  });
  beforeEach(() => {
    clock = manualClock(START);
    logger = recordingLogger();
    sim.reset();
    adapter = make();
  });
  afterEach(async () => {
    await Promise.all(extra.splice(0).map((a) => a.close()));
  });
  afterAll(() => sim.close());

  const bearerOf = (route: string, index = 0) => {
    const header = sim.calls(route)[index]?.headers.authorization ?? '';
    expect(header).toMatch(/^Bearer [\w-]+\.[\w-]+\.[\w-]+$/);
    return header.slice('Bearer '.length);
  };

  describe('executeRedeem', () => {
    it('exchanges the caller token, posts the redeem with both headers and returns the redeem with its transaction', async () => {
      const result = await adapter.executeRedeem({ redemptionId: 'red-coffee', businessId: 'biz-1' }, { caller: USER_3 });

      const [token] = sim.calls('POST /auth/token');
      expect(sim.calls('POST /auth/token')).toHaveLength(1);
      expect(token).toMatchObject({
        method: 'POST', path: '/auth/token', query: {}, body: { authToken: USER_3.token, authType: 'user' },
      });
      expect(token?.headers['x-project-key']).toBe(SANDBOX_PROJECT_KEY);

      const [redeem] = sim.calls(REDEEM_ROUTE);
      expect(sim.calls(REDEEM_ROUTE)).toHaveLength(1);
      expect(redeem).toMatchObject({
        method: 'POST', path: '/redemptions/redeems', query: {}, body: { redemptionId: 'red-coffee', businessId: 'biz-1' },
      });
      expect(redeem?.headers['x-project-key']).toBe(SANDBOX_PROJECT_KEY);
      expect(redeem?.headers['content-type']).toBe('application/json');
      expect(jwtPayload(bearerOf(REDEEM_ROUTE))).toStrictEqual({ sub: 'user-3', role: 'user', jti: expect.any(String), iat: START_S, exp: START_S + 900 });

      expect(result).toStrictEqual({
        kind: 'TokenRedeem', provider: 'pers', nativeId: 'rdm-1004', ref: 'rdm-1004',
        status: { state: 'SUCCEEDED', raw: 'COMPLETED' }, createdAt: START_ISO, updatedAt: START_ISO,
        redemptionId: 'red-coffee', userId: 'user-3', businessId: 'biz-1', message: 'Redemption completed',
        transaction: {
          id: 'tx-1004', amount: '10', tokenAddress: SIM_TOKEN_ADDRESS, type: 'TRANSFER', status: 'created',
          transactionHash: `0x${createHash('sha256').update('rdm-1004').digest('hex')}`,
        },
      });
    });

    it('sends businessId null when none is given, and the tokens are burnt', async () => {
      const result = await adapter.executeRedeem({ redemptionId: 'red-coffee' }, { caller: USER_1 });
      expect(sim.calls(REDEEM_ROUTE)[0]?.body).toStrictEqual({ redemptionId: 'red-coffee', businessId: null });
      expect(result.businessId).toBeUndefined();
      expect(result.transaction).toMatchObject({ type: 'BURN', amount: '10' });
    });

    it('keeps the redeem, lowers the balance and the supply (read back)', async () => {
      const created = await adapter.executeRedeem({ redemptionId: 'red-coffee' }, { caller: USER_1 });
      expect(sim.balanceOf('user-1')).toBe(90);
      expect(await adapter.getOffer('red-coffee')).toMatchObject({ supplyAvailable: 99, supplyTotal: 100 });
      const { transaction: _transaction, ...withoutTransaction } = created;
      expect(await adapter.getRedeem(created.ref, { caller: USER_1 })).toStrictEqual(withoutTransaction);
      expect((await adapter.myRedeems({}, { caller: USER_1 })).map((r) => r.ref)).toEqual(['rdm-1001', 'rdm-1003', 'rdm-1004']);
    });

    it('counts earlier redeems against maxPerUser and stops at 5', async () => {
      for (let i = 0; i < 4; i++) await adapter.executeRedeem({ redemptionId: 'red-coffee' }, { caller: USER_1 });
      await expectGatewayError(adapter.executeRedeem({ redemptionId: 'red-coffee' }, { caller: USER_1 }), {
        code: 'LIMIT_EXCEEDED', providerCode: 'MAX_PER_USER_EXCEEDED', httpStatus: 422,
      });
      expect(sim.balanceOf('user-1')).toBe(60);
    });

    it('reports a domain rejection with the provider details and does not change state', async () => {
      await expectGatewayError(adapter.executeRedeem({ redemptionId: 'red-coffee' }, { caller: USER_2 }), {
        code: 'INSUFFICIENT_BALANCE', provider: 'pers', providerCode: 'INSUFFICIENT_TOKEN_BALANCE',
        providerMessage: 'The token balance is too low', message: 'The token balance is too low for this offer',
        httpStatus: 422, retryable: false, requestSent: true,
      });
      expect(sim.balanceOf('user-2')).toBe(5);
      expect(await adapter.getOffer('red-coffee')).toMatchObject({ supplyAvailable: 100 });
    });

    it('acts for the business of a business caller: authType business with context, body businessId', async () => {
      const result = await adapter.executeRedeem({ redemptionId: 'red-coffee' }, { caller: BIZ_1 });
      expect(sim.calls('POST /auth/token')[0]?.body).toStrictEqual({
        authToken: BIZ_1.token, authType: 'business', context: { businessId: 'biz-1' },
      });
      expect(sim.calls(REDEEM_ROUTE)[0]?.body).toStrictEqual({ redemptionId: 'red-coffee', businessId: 'biz-1' });
      expect(result).toMatchObject({ userId: 'acct-biz-1', businessId: 'biz-1' });
    });

    it('maps a business redeeming for another business to FORBIDDEN', async () => {
      await expectGatewayError(adapter.executeRedeem({ redemptionId: 'red-coffee', businessId: 'biz-2' }, { caller: BIZ_1 }), {
        code: 'FORBIDDEN', providerCode: 'FORBIDDEN', httpStatus: 403,
      });
    });

    it('exchanges an admin caller token with authType tenant', async () => {
      await adapter.executeRedeem({ redemptionId: 'red-coffee' }, { caller: ADMIN });
      expect(sim.calls('POST /auth/token')[0]?.body).toStrictEqual({ authToken: ADMIN.token, authType: 'tenant' });
      expect(jwtPayload(bearerOf(REDEEM_ROUTE))).toMatchObject({ sub: 'admin-1', role: 'admin' });
    });

    it('uses the 2.0.5 path when PERS_REDEEM_PATH says so', async () => {
      const legacySim = createPersSimulator({ now: clock.now, redeemPaths: ['/redemption-redeems'] });
      await legacySim.listen();
      try {
        const legacy = createPersAdapter({ baseUrl: legacySim.url, projectKey: SANDBOX_PROJECT_KEY, redeemPath: '/redemption-redeems' }, testDeps({ now: clock.now }));
        const current = createPersAdapter({ baseUrl: legacySim.url, projectKey: SANDBOX_PROJECT_KEY }, testDeps({ now: clock.now }));
        extra.push(legacy, current);
        const result = await legacy.executeRedeem({ redemptionId: 'red-coffee' }, { caller: USER_1 });
        expect(legacySim.calls('POST /redemption-redeems')).toMatchObject([{ path: '/redemption-redeems', body: { redemptionId: 'red-coffee', businessId: null } }]);
        expect(result.status.state).toBe('SUCCEEDED');
        // The >= 2.0.7 path is not live on this simulator.
        await expectGatewayError(current.executeRedeem({ redemptionId: 'red-coffee' }, { caller: USER_1 }), { code: 'NOT_FOUND', httpStatus: 404 });
        expect(legacySim.requests.at(-1)).toMatchObject({ path: '/redemptions/redeems', route: undefined });
      } finally {
        await legacySim.close();
      }
    });

    it('answers on both paths by default', async () => {
      const legacy = make({ redeemPath: '/redemption-redeems' });
      await legacy.executeRedeem({ redemptionId: 'red-coffee' }, { caller: USER_1 });
      await adapter.executeRedeem({ redemptionId: 'red-coffee' }, { caller: USER_1 });
      expect(sim.calls('POST /redemption-redeems')).toHaveLength(1);
      expect(sim.calls(REDEEM_ROUTE)).toHaveLength(1);
    });
  });

  describe('reads', () => {
    it('listRedeems sends every filter as query parameters with the caller session (admin filters apply)', async () => {
      const result = await adapter.listRedeems(
        { redemptionId: 'red-coffee', userId: 'user-1', page: 1, limit: 20 }, { caller: ADMIN },
      );
      expect(sim.calls(LIST_ROUTE)).toMatchObject([
        { method: 'GET', path: '/redemption-redeems', query: { redemptionId: 'red-coffee', userId: 'user-1', page: '1', limit: '20' }, body: undefined },
      ]);
      expect(sim.calls(LIST_ROUTE)[0]?.headers['x-project-key']).toBe(SANDBOX_PROJECT_KEY);
      expect(jwtPayload(bearerOf(LIST_ROUTE))).toMatchObject({ sub: 'admin-1', role: 'admin' });
      expect(result).toStrictEqual([seeded['rdm-1001']]);
    });

    it('listRedeems sends no query for an empty filter', async () => {
      await adapter.listRedeems({}, { caller: ADMIN });
      expect(sim.calls(LIST_ROUTE)[0]?.query).toStrictEqual({});
    });

    it('listRedeems pages (admin, limit 2, page 2)', async () => {
      const result = await adapter.listRedeems({ page: 2, limit: 2 }, { caller: ADMIN });
      expect(result).toStrictEqual([seeded['rdm-1003']]);
    });

    it('listRedeems shows a user only their own redeems whatever userId/businessId they pass', async () => {
      const result = await adapter.listRedeems({ userId: 'user-2', businessId: 'biz-2' }, { caller: USER_1 });
      expect(result.map((r) => r.ref)).toEqual(['rdm-1001', 'rdm-1003']);
    });

    it('listRedeems shows a business only its own business whatever businessId it passes', async () => {
      const result = await adapter.listRedeems({ businessId: 'biz-1' }, { caller: BIZ_2 });
      expect(result.map((r) => r.ref)).toEqual(['rdm-1002', 'rdm-1003']);
    });

    it('myRedeems sends the redemptionId filter and returns the caller redeems', async () => {
      const result = await adapter.myRedeems({ redemptionId: 'red-tshirt' }, { caller: USER_1 });
      expect(sim.calls(ME_ROUTE)).toMatchObject([{ method: 'GET', path: '/redemption-redeems/me', query: { redemptionId: 'red-tshirt' } }]);
      expect(jwtPayload(bearerOf(ME_ROUTE))).toMatchObject({ sub: 'user-1', role: 'user' });
      expect(result).toStrictEqual([seeded['rdm-1003']]);
    });

    it('getRedeem reads one redeem by id', async () => {
      const result = await adapter.getRedeem('rdm-1001', { caller: USER_1 });
      expect(sim.calls(GET_ROUTE)).toMatchObject([{ method: 'GET', path: '/redemption-redeems/rdm-1001', query: {} }]);
      expect(sim.calls(GET_ROUTE)[0]?.headers['x-project-key']).toBe(SANDBOX_PROJECT_KEY);
      expect(jwtPayload(bearerOf(GET_ROUTE))).toMatchObject({ sub: 'user-1' });
      expect(result).toStrictEqual(seeded['rdm-1001']);
    });

    it('getRedeem returns null for an unknown id and for a redeem the caller may not see', async () => {
      expect(await adapter.getRedeem('rdm-9999', { caller: ADMIN })).toBeNull();
      expect(await adapter.getRedeem('rdm-1001', { caller: USER_2 })).toBeNull();
      expect(await adapter.getRedeem('rdm-1002', { caller: BIZ_2 })).toStrictEqual(seeded['rdm-1002']);
    });

    it('getRedeem escapes the id into one path segment', async () => {
      expect(await adapter.getRedeem('a/b?c', { caller: USER_1 })).toBeNull();
      expect(sim.requests.at(-1)?.path).toBe('/redemption-redeems/a%2Fb%3Fc');
    });

    it('getOffer sends only the project key and maps the offer', async () => {
      const offer = await adapter.getOffer('red-tshirt');
      expect(sim.calls(OFFER_ROUTE)).toMatchObject([{ method: 'GET', path: '/redemptions/red-tshirt', query: {} }]);
      expect(sim.calls(OFFER_ROUTE)[0]?.headers['x-project-key']).toBe(SANDBOX_PROJECT_KEY);
      expect(sim.calls(OFFER_ROUTE)[0]?.headers.authorization).toBeUndefined();
      expect(sim.calls('POST /auth/token')).toHaveLength(0);
      expect(offer).toStrictEqual({
        id: 'red-tshirt', name: 'Branded T-shirt', description: 'A limited-edition T-shirt', isActive: true,
        creditTokenAmount: '50', supplyAvailable: 1, supplyTotal: 10, maxPerUser: 1,
      });
    });

    it('getOffer returns inactive offers as such and null for an unknown one', async () => {
      expect(await adapter.getOffer('red-retired')).toMatchObject({ id: 'red-retired', isActive: false });
      expect(await adapter.getOffer('red-nope')).toBeNull();
    });

    it('getOffer with a refused project key is PROVIDER_AUTH_FAILED', async () => {
      const refused = make({ projectKey: `pk_test_${'1'.repeat(56)}` });
      await expectGatewayError(refused.getOffer('red-coffee'), {
        code: 'PROVIDER_AUTH_FAILED', providerCode: 'UNAUTHORIZED', httpStatus: 401, retryable: false,
      });
    });
  });

  describe('PERS sessions', () => {
    it('fetches one token for many calls of the same caller', async () => {
      await adapter.myRedeems({}, { caller: USER_1 });
      await adapter.getRedeem('rdm-1001', { caller: USER_1 });
      await adapter.executeRedeem({ redemptionId: 'red-coffee' }, { caller: USER_1 });
      await Promise.all([adapter.myRedeems({}, { caller: USER_1 }), adapter.myRedeems({}, { caller: USER_1 })]);
      expect(sim.calls('POST /auth/token')).toHaveLength(1);
      expect(new Set(sim.requests.filter((r) => r.headers.authorization).map((r) => r.headers.authorization)).size).toBe(1);
    });

    it('keeps one session per caller (role, subject, business)', async () => {
      await adapter.myRedeems({}, { caller: USER_1 });
      await adapter.myRedeems({}, { caller: USER_2 });
      await adapter.listRedeems({}, { caller: BIZ_1 });
      await adapter.listRedeems({}, { caller: makeCaller('business', 'acct-biz-1', 'biz-2') });
      await adapter.myRedeems({}, { caller: USER_1 });
      expect(sim.calls('POST /auth/token').map((r) => jwtPayload((r.body as { authToken: string }).authToken).sub))
        .toEqual(['user-1', 'user-2', 'acct-biz-1', 'acct-biz-1']);
    });

    it('renews an expired session through /auth/refresh with the refresh token', async () => {
      await adapter.myRedeems({}, { caller: USER_1 });
      const first = bearerOf(ME_ROUTE, 0);
      clock.advance(FIFTEEN_MIN - 31_000);
      await adapter.myRedeems({}, { caller: USER_1 });
      expect(bearerOf(ME_ROUTE, 1)).toBe(first);
      clock.advance(2_000);
      await adapter.myRedeems({}, { caller: USER_1 });

      expect(sim.calls('POST /auth/token')).toHaveLength(1);
      expect(sim.calls('POST /auth/refresh')).toHaveLength(1);
      expect(sim.calls('POST /auth/refresh')[0]?.body).toStrictEqual({ refreshToken: expect.stringMatching(/^rt_[0-9a-f]{48}$/) });
      expect(sim.calls('POST /auth/refresh')[0]?.headers['x-project-key']).toBe(SANDBOX_PROJECT_KEY);
      const renewed = bearerOf(ME_ROUTE, 2);
      expect(renewed).not.toBe(first);
      expect(jwtPayload(renewed).exp).toBe((START + FIFTEEN_MIN - 29_000) / 1000 + 900);
    });

    it('falls back to /auth/token when the refresh token is refused', async () => {
      await adapter.myRedeems({}, { caller: USER_1 });
      sim.reset(); // forgets issued refresh tokens
      clock.advance(FIFTEEN_MIN);
      const result = await adapter.myRedeems({}, { caller: USER_1 });
      expect(sim.calls('POST /auth/refresh')).toHaveLength(1);
      expect(sim.calls('POST /auth/token')).toHaveLength(1);
      expect(result).toHaveLength(2);
    });

    it('drops a session PERS refuses with 401 and retries the call once with a fresh one', async () => {
      await adapter.myRedeems({}, { caller: USER_1 });
      sim.faults.inject(persFault(ME_ROUTE, 401, 'INVALID_TOKEN', {}, 1));
      const result = await adapter.myRedeems({}, { caller: USER_1 });
      expect(result.map((r) => r.ref)).toEqual(['rdm-1001', 'rdm-1003']);
      expect(sim.calls(ME_ROUTE)).toHaveLength(3);
      expect(sim.calls('POST /auth/refresh')).toHaveLength(1);
      expect(bearerOf(ME_ROUTE, 2)).not.toBe(bearerOf(ME_ROUTE, 1));
    });

    it('retries a refused write once, and gives up with PROVIDER_AUTH_FAILED on a second 401', async () => {
      sim.faults.inject(persFault(REDEEM_ROUTE, 401, 'INVALID_TOKEN'));
      await expectGatewayError(adapter.executeRedeem({ redemptionId: 'red-coffee' }, { caller: USER_1 }), {
        code: 'PROVIDER_AUTH_FAILED', providerCode: 'INVALID_TOKEN', httpStatus: 401, retryable: false,
      });
      expect(sim.calls(REDEEM_ROUTE)).toHaveLength(2);
    });

    it('maps a caller token PERS cannot read to PROVIDER_AUTH_FAILED', async () => {
      const anonymous = { ...USER_1, subject: 'anon', token: jwtLike({ role: 'user' }) };
      await expectGatewayError(adapter.myRedeems({}, { caller: anonymous }), {
        code: 'PROVIDER_AUTH_FAILED', providerCode: 'INVALID_TOKEN', httpStatus: 401, retryable: false,
      });
    });

    it('maps a 403 from the token endpoint to PROVIDER_AUTH_FAILED', async () => {
      sim.faults.inject(persFault('POST /auth/token', 403, 'FORBIDDEN'));
      await expectGatewayError(adapter.myRedeems({}, { caller: USER_1 }), {
        code: 'PROVIDER_AUTH_FAILED', providerCode: 'FORBIDDEN', httpStatus: 403, retryable: false,
      });
    });

    it('reports a token endpoint outage as PROVIDER_UNAVAILABLE', async () => {
      sim.faults.inject(persFault('POST /auth/token', 503, 'SERVICE_UNAVAILABLE'));
      await expectGatewayError(adapter.myRedeems({}, { caller: USER_1 }), { code: 'PROVIDER_UNAVAILABLE', retryable: true, httpStatus: 503 });
    });

    it('reports a token answer of another shape as PROVIDER_BAD_RESPONSE', async () => {
      sim.faults.inject({ route: 'POST /auth/token', fault: { kind: 'mutate', mutate: () => ({ token: 'x' }) } });
      await expectGatewayError(adapter.myRedeems({}, { caller: USER_1 }), { code: 'PROVIDER_BAD_RESPONSE', provider: 'pers' });
    });

    it('never logs or returns secrets', async () => {
      await adapter.executeRedeem({ redemptionId: 'red-coffee' }, { caller: USER_1 });
      clock.advance(FIFTEEN_MIN);
      await adapter.myRedeems({}, { caller: USER_1 });
      const error = await expectGatewayError(adapter.myRedeems({}, { caller: BIZ_NO_CONTEXT }), { code: 'BAD_USER_INPUT' });
      const secrets = [SANDBOX_PROJECT_KEY, USER_1.token, BIZ_NO_CONTEXT.token, bearerOf(ME_ROUTE), bearerOf(REDEEM_ROUTE)];
      const logged = JSON.stringify(logger.entries);
      const reported = JSON.stringify({ ...error, message: error.message });
      for (const secret of secrets) {
        expect(logged).not.toContain(secret);
        expect(reported).not.toContain(secret);
      }
      expect(logger.entries.length).toBeGreaterThan(0);
    });
  });

  describe('errors and odd answers', () => {
    it('lets the body retryable flag win over the table', async () => {
      sim.faults.inject(persFault(LIST_ROUTE, 500, 'INTERNAL_ERROR', { retryable: false }));
      await expectGatewayError(adapter.listRedeems({}, { caller: ADMIN }), { code: 'PROVIDER_UNAVAILABLE', retryable: false, providerCode: 'INTERNAL_ERROR' });
    });

    it('maps 429 to RATE_LIMITED with the Retry-After hint', async () => {
      const rateLimited = persFault(LIST_ROUTE, 429, 'RATE_LIMIT_EXCEEDED');
      sim.faults.inject({ ...rateLimited, fault: { ...rateLimited.fault, headers: { 'retry-after': '7' } } });
      await expectGatewayError(adapter.listRedeems({}, { caller: ADMIN }), { code: 'RATE_LIMITED', retryable: true, retryAfterMs: 7000, httpStatus: 429 });
    });

    it('maps 504 to PROVIDER_TIMEOUT', async () => {
      sim.faults.inject(persFault(REDEEM_ROUTE, 504, 'GATEWAY_TIMEOUT'));
      await expectGatewayError(adapter.executeRedeem({ redemptionId: 'red-coffee' }, { caller: USER_1 }), { code: 'PROVIDER_TIMEOUT', retryable: true });
    });

    it('falls back to the HTTP status for an unknown code, keeping the code', async () => {
      sim.faults.inject(persFault(REDEEM_ROUTE, 422, 'CAMPAIGN_PAUSED'));
      await expectGatewayError(adapter.executeRedeem({ redemptionId: 'red-coffee' }, { caller: USER_1 }), {
        code: 'PROVIDER_REJECTED', providerCode: 'CAMPAIGN_PAUSED', retryable: false, httpStatus: 422,
      });
    });

    it('maps an error body without envelope by HTTP status', async () => {
      sim.faults.inject({ route: LIST_ROUTE, fault: { kind: 'status', status: 409, body: 'conflict' } });
      await expectGatewayError(adapter.listRedeems({}, { caller: ADMIN }), { code: 'CONFLICT', providerCode: undefined, httpStatus: 409 });
    });

    it('treats a 2xx that carries an error envelope as that error', async () => {
      sim.faults.inject({
        route: REDEEM_ROUTE,
        fault: { kind: 'mutate', mutate: () => ({ status: 422, code: 'SUPPLY_EXHAUSTED', category: 'DOMAIN_RULE', detail: 'sold out' }) },
      });
      await expectGatewayError(adapter.executeRedeem({ redemptionId: 'red-coffee' }, { caller: USER_1 }), {
        code: 'LIMIT_EXCEEDED', providerCode: 'SUPPLY_EXHAUSTED', providerMessage: 'sold out', httpStatus: 201,
      });
    });

    it('reports an unknown redeem status as PENDING, keeps it raw and logs it', async () => {
      sim.faults.inject({ route: GET_ROUTE, fault: { kind: 'mutate', mutate: (b) => ({ ...(b as object), status: 'ON_HOLD' }) } });
      const result = await adapter.getRedeem('rdm-1001', { caller: USER_1 });
      expect(result?.status).toStrictEqual({ state: 'PENDING', raw: 'ON_HOLD' });
      expect(logger.entries).toContainEqual({
        level: 'warn', details: { provider: 'pers', rawStatus: 'ON_HOLD' }, message: 'unmapped provider status; reported as PENDING',
      });
    });

    it('accepts token amounts sent as decimal strings', async () => {
      sim.faults.inject({
        route: REDEEM_ROUTE,
        fault: { kind: 'mutate', mutate: (b) => {
          const body = b as { senderTransaction: { transaction: Record<string, unknown> } };
          body.senderTransaction.transaction.amount = '123456789012345678901.5';
          return body;
        } },
      });
      const result = await adapter.executeRedeem({ redemptionId: 'red-coffee' }, { caller: USER_1 });
      expect(result.transaction?.amount).toBe('123456789012345678901.5');
    });

    it('refuses an amount that cannot be kept exactly', async () => {
      sim.faults.inject({ route: OFFER_ROUTE, fault: { kind: 'mutate', mutate: (b) => ({ ...(b as object), creditTokenAmount: 1e21 }) } });
      await expectGatewayError(adapter.getOffer('red-coffee'), { code: 'PROVIDER_BAD_RESPONSE' });
    });

    it('reads a redeem without a sender transaction', async () => {
      sim.faults.inject({ route: REDEEM_ROUTE, fault: { kind: 'mutate', mutate: (b) => ({ ...(b as object), senderTransaction: null }) } });
      const result = await adapter.executeRedeem({ redemptionId: 'red-coffee' }, { caller: USER_1 });
      expect(result).not.toHaveProperty('transaction');
    });
  });
});

describe('ttlOf', () => {
  it('uses the JWT exp of the access token', () => {
    expect(ttlOf(jwtLike({ exp: 1_000 }), 400_000)).toBe(600_000);
  });
  it('never goes below zero for an already expired token', () => {
    expect(ttlOf(jwtLike({ exp: 1 }), 400_000)).toBe(0);
  });
  it.each([['an opaque token', 'opaque-token'], ['a JWT without exp', jwtLike({ sub: 'x' })]])('defaults to 15 minutes for %s', (_name, token) => {
    expect(ttlOf(token, 0)).toBe(15 * 60_000);
  });
});
