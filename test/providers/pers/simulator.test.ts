import { SignJWT } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createPersSimulator, DEFAULT_TOKEN_BALANCE, SANDBOX_PROJECT_KEY, type PersSimulator,
} from '../../../src/providers/pers/simulator.js';
import { manualClock } from '../../support/deps.js';
import { jwtLike, jwtPayload } from './support.js';

const START = Date.parse('2026-11-22T00:00:00Z');

describe('PERS simulator', () => {
  let sim: PersSimulator;
  let clock: ReturnType<typeof manualClock>;

  beforeAll(async () => {
    clock = manualClock(START);
    sim = createPersSimulator({ now: () => clock.now() });
    await sim.listen();
  });
  beforeEach(() => {
    clock = manualClock(START);
    sim.reset();
  });
  afterAll(() => sim.close());

  async function send(method: string, path: string, options: { key?: string | null; bearer?: string; body?: unknown } = {}) {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    const key = options.key === undefined ? SANDBOX_PROJECT_KEY : options.key;
    if (key !== null) headers['x-project-key'] = key;
    if (options.bearer) headers.authorization = `Bearer ${options.bearer}`;
    const response = await fetch(sim.url + path, {
      method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  const login = async (sub: string, authType = 'user', context?: object) => {
    const answer = await send('POST', '/auth/token', { body: { authToken: jwtLike({ sub }), authType, ...(context ? { context } : {}) } });
    expect(answer.status).toBe(201);
    return answer.body as { accessToken: string; refreshToken: string };
  };

  it('answers a missing project key with the SECURITY envelope', async () => {
    const answer = await send('GET', '/redemptions/red-coffee', { key: null });
    expect(answer).toStrictEqual({
      status: 401,
      body: {
        status: 401, title: 'Unauthorized', detail: 'The X-Project-Key header is required', message: 'The X-Project-Key header is required',
        code: 'UNAUTHORIZED', category: 'SECURITY', timestamp: new Date(START).toISOString(),
        correlationId: expect.stringMatching(/^[0-9a-f-]{36}$/), retryable: false,
      },
    });
  });

  it.each([
    ['POST', '/auth/token'], ['POST', '/auth/refresh'], ['POST', '/redemptions/redeems'], ['POST', '/redemption-redeems'],
    ['GET', '/redemption-redeems'], ['GET', '/redemption-redeems/me'], ['GET', '/redemption-redeems/rdm-1001'], ['GET', '/redemptions/red-coffee'],
  ])('refuses a wrong project key on %s %s', async (method, path) => {
    const answer = await send(method, path, { key: `pk_test_${'0'.repeat(56)}`, body: method === 'POST' ? {} : undefined });
    expect(answer.status).toBe(401);
    expect(answer.body).toMatchObject({ code: 'UNAUTHORIZED', category: 'SECURITY', detail: 'The project key is not valid' });
  });

  it('serves an offer with the project key alone', async () => {
    const answer = await send('GET', '/redemptions/red-coffee');
    expect(answer).toStrictEqual({
      status: 200,
      body: {
        id: 'red-coffee', name: 'Free coffee', description: 'One free coffee at any participating store', isActive: true,
        creditTokenAmount: 10, supply: { available: 100, total: 100 }, maxPerUser: 5, imageUrl: null,
        type: { id: 1, name: 'Voucher' }, tokenUnits: [], tags: [], countryCodeRestrictions: [],
      },
    });
  });

  it('issues HS256 session tokens that expire 15 minutes later, with a refresh token', async () => {
    const { accessToken, refreshToken } = await login('user-9');
    expect(JSON.parse(Buffer.from(accessToken.split('.')[0]!, 'base64url').toString())).toStrictEqual({ alg: 'HS256', typ: 'JWT' });
    expect(jwtPayload(accessToken)).toStrictEqual({ sub: 'user-9', role: 'user', jti: expect.any(String), iat: START / 1000, exp: START / 1000 + 900 });
    expect(refreshToken).toMatch(/^rt_[0-9a-f]{48}$/);
  });

  it.each([
    ['no body', undefined],
    ['no authType', { authToken: jwtLike({ sub: 'u' }) }],
    ['the system authType', { authToken: jwtLike({ sub: 'u' }), authType: 'system' }],
    ['an empty authToken', { authToken: '', authType: 'user' }],
  ])('refuses a token request with %s as VALIDATION_ERROR', async (_name, body) => {
    const answer = await send('POST', '/auth/token', { body });
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ code: 'VALIDATION_ERROR', category: 'VALIDATION' });
  });

  it('refuses an authToken without a subject', async () => {
    const answer = await send('POST', '/auth/token', { body: { authToken: 'not-a-jwt', authType: 'user' } });
    expect(answer).toMatchObject({ status: 401, body: { code: 'INVALID_TOKEN', category: 'SECURITY' } });
  });

  it('requires context.businessId for business logins', async () => {
    const answer = await send('POST', '/auth/token', { body: { authToken: jwtLike({ sub: 'acct' }), authType: 'business' } });
    expect(answer).toMatchObject({ status: 400, body: { code: 'MULTIPLE_CONTEXT_SELECTION_REQUIRED', category: 'VALIDATION' } });
    const { accessToken } = await login('acct', 'business', { businessId: 'biz-7' });
    expect(jwtPayload(accessToken)).toMatchObject({ sub: 'acct', role: 'business', businessId: 'biz-7' });
  });

  it('rotates refresh tokens: each works once', async () => {
    const { refreshToken } = await login('user-1');
    const renewed = await send('POST', '/auth/refresh', { body: { refreshToken } });
    expect(renewed.status).toBe(201);
    expect(jwtPayload(renewed.body.accessToken as string)).toMatchObject({ sub: 'user-1', role: 'user' });
    const again = await send('POST', '/auth/refresh', { body: { refreshToken } });
    expect(again).toMatchObject({ status: 401, body: { code: 'INVALID_TOKEN' } });
  });

  it('refuses session calls without a bearer, with a forged one and with an expired one', async () => {
    expect(await send('GET', '/redemption-redeems')).toMatchObject({ status: 401, body: { code: 'UNAUTHORIZED' } });
    const forged = await new SignJWT({ role: 'admin' }).setProtectedHeader({ alg: 'HS256' }).setSubject('admin')
      .setExpirationTime(START / 1000 + 900).sign(new TextEncoder().encode('some-other-key'));
    expect(await send('GET', '/redemption-redeems', { bearer: forged })).toMatchObject({ status: 401, body: { code: 'INVALID_TOKEN' } });
    const { accessToken } = await login('user-1');
    expect((await send('GET', '/redemption-redeems', { bearer: accessToken })).status).toBe(200);
    clock.advance(15 * 60_000);
    expect(await send('GET', '/redemption-redeems', { bearer: accessToken })).toMatchObject({ status: 401, body: { code: 'INVALID_TOKEN' } });
  });

  it('requires a session to redeem', async () => {
    const answer = await send('POST', '/redemptions/redeems', { body: { redemptionId: 'red-coffee', businessId: null } });
    expect(answer).toMatchObject({ status: 401, body: { code: 'UNAUTHORIZED' } });
  });

  it('refuses a businessId that is not a string or null', async () => {
    const { accessToken } = await login('user-1');
    const answer = await send('POST', '/redemption-redeems', { bearer: accessToken, body: { redemptionId: 'red-coffee', businessId: 5 } });
    expect(answer).toMatchObject({ status: 400, body: { code: 'VALIDATION_ERROR' } });
  });

  it.each([['limit=101'], ['limit=0'], ['page=0'], ['page=x']])('refuses list paging %s', async (query) => {
    const { accessToken } = await login('user-1');
    expect(await send('GET', `/redemption-redeems?${query}`, { bearer: accessToken })).toMatchObject({ status: 400, body: { code: 'VALIDATION_ERROR' } });
  });

  it('returns the documented redeem fields and the sender transaction with 201', async () => {
    const { accessToken } = await login('user-1');
    const answer = await send('POST', '/redemptions/redeems', { bearer: accessToken, body: { redemptionId: 'red-coffee', businessId: null } });
    expect(answer.status).toBe(201);
    expect(Object.keys(answer.body.redeem as object).sort()).toEqual([
      'anonymizedIpAddress', 'createdAt', 'failureReason', 'id', 'message', 'redemptionId', 'status', 'updatedAt', 'userCountryCode', 'userId',
    ]);
    expect(answer.body.senderTransaction).toMatchObject({
      transactionStatus: 'created', signingData: {}, actionable: {},
      transaction: { amount: 10, type: 'BURN', status: 'created', senderEntityId: 'user-1', senderEntityType: 'user' },
    });
  });

  it('gives unknown users the default balance', async () => {
    expect(sim.balanceOf('someone-new')).toBe(DEFAULT_TOKEN_BALANCE);
    expect(sim.balanceOf('user-1')).toBe(100);
    expect(sim.balanceOf('user-2')).toBe(5);
  });

  it('restores the seed on reset', async () => {
    const { accessToken } = await login('user-1');
    await send('POST', '/redemptions/redeems', { bearer: accessToken, body: { redemptionId: 'red-tshirt', businessId: null } }); // MAX_PER_USER
    await send('POST', '/redemptions/redeems', { bearer: accessToken, body: { redemptionId: 'red-coffee', businessId: null } });
    expect(sim.balanceOf('user-1')).toBe(90);
    sim.reset();
    expect(sim.requests).toHaveLength(0);
    expect(sim.balanceOf('user-1')).toBe(100);
    expect((await send('GET', '/redemptions/red-coffee')).body.supply).toStrictEqual({ available: 100, total: 100 });
    expect((await send('GET', '/redemption-redeems/rdm-1004', { bearer: accessToken })).status).toBe(404);
    const again = await send('POST', '/redemptions/redeems', { bearer: accessToken, body: { redemptionId: 'red-coffee', businessId: null } });
    expect((again.body.redeem as { id: string }).id).toBe('rdm-1004');
  });

  it('answers an unknown path with the PERS envelope', async () => {
    expect(await send('GET', '/nowhere')).toMatchObject({ status: 404, body: { status: 404, code: 'NOT_FOUND', category: 'NOT_FOUND' } });
  });
});
