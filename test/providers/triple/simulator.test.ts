import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createTripleSimulator,
  DEMO_REWARDS,
  SANDBOX_CLIENT_ID,
  SANDBOX_CLIENT_SECRET,
  type TripleSimulator,
  type TripleSimulatorOptions,
} from '../../../src/providers/triple/simulator.js';
import { manualClock } from '../../support/deps.js';

const BASIC = `Basic ${Buffer.from(`${SANDBOX_CLIENT_ID}:${SANDBOX_CLIENT_SECRET}`).toString('base64')}`;
const FORM = 'application/x-www-form-urlencoded';

const envelope = (status: number, exception: string, message: string, details: unknown[] = []) => ({
  status_code: status,
  content: { details, error_message: message, exception },
});

describe('Triple simulator', () => {
  let sim: TripleSimulator;
  let clock: ReturnType<typeof manualClock>;

  async function start(options: TripleSimulatorOptions = {}) {
    clock = manualClock();
    sim = createTripleSimulator({ now: clock.now, ...options });
    await sim.listen();
  }

  async function call(method: string, path: string, init: { headers?: Record<string, string>; body?: string } = {}) {
    const res = await fetch(`${sim.url}${path}`, { method, headers: init.headers, body: init.body });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text ? (JSON.parse(text) as unknown) : undefined };
  }

  async function token(): Promise<string> {
    const res = await call('POST', '/oauth2/token', { headers: { authorization: BASIC, 'content-type': FORM }, body: 'grant_type=client_credentials' });
    return (res.body as { access_token: string }).access_token;
  }

  const json = (bearer: string, body: unknown) => ({
    headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

  beforeEach(() => start());
  afterEach(() => sim.close());

  describe('token endpoint', () => {
    it('issues a bearer token for the demo client', async () => {
      const res = await call('POST', '/oauth2/token', { headers: { authorization: BASIC, 'content-type': FORM }, body: 'grant_type=client_credentials' });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ access_token: sim.issuedTokens()[0], token_type: 'Bearer', expires_in: 3600 });
    });

    it.each([
      ['a wrong secret', `Basic ${Buffer.from(`${SANDBOX_CLIENT_ID}:nope`).toString('base64')}`],
      ['no credentials', undefined],
      ['a bearer header', 'Bearer abc'],
    ])('refuses %s with 401 invalid_client', async (_name, authorization) => {
      const headers: Record<string, string> = { 'content-type': FORM };
      if (authorization) headers.authorization = authorization;
      const res = await call('POST', '/oauth2/token', { headers, body: 'grant_type=client_credentials' });
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ error: 'invalid_client' });
      expect(res.headers.get('www-authenticate')).toBe('Basic realm="triple"');
      expect(sim.issuedTokens()).toEqual([]);
    });

    it('refuses another grant type with 400 unsupported_grant_type', async () => {
      const res = await call('POST', '/oauth2/token', { headers: { authorization: BASIC, 'content-type': FORM }, body: 'grant_type=password' });
      expect(res).toMatchObject({ status: 400, body: { error: 'unsupported_grant_type' } });
    });

    it('refuses a JSON body with 400 invalid_request', async () => {
      const res = await call('POST', '/oauth2/token', {
        headers: { authorization: BASIC, 'content-type': 'application/json' },
        body: JSON.stringify({ grant_type: 'client_credentials' }),
      });
      expect(res).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
    });
  });

  describe('bearer checks', () => {
    it('answers update_status without a token with the 403 envelope its page documents', async () => {
      const res = await call('POST', '/partner/rewards.update_status', { headers: { 'content-type': 'application/json' }, body: '{}' });
      expect(res).toEqual(expect.objectContaining({
        status: 403,
        body: envelope(403, 'TripleNotAuthenticatedError', 'Client authentication failed.'),
      }));
    });

    it.each([
      ['GET', '/partner/rewards/rwd-1001'],
      ['GET', '/partner/rewards'],
      ['PATCH', '/partner/rewards/rwd-1001'],
    ])('answers %s %s with a bad token with the 401 envelope', async (method, path) => {
      const res = await call(method, path, json('not-a-token', method === 'GET' ? undefined : { status: 'PENDING_MERCHANT_FUNDING' }));
      expect(res.status).toBe(401);
      expect(res.body).toEqual(envelope(401, 'TripleNotAuthenticatedError', 'Client authentication failed.'));
    });

    it('refuses a token once its 3600 s have passed', async () => {
      const bearer = await token();
      clock.advance(3599_000);
      expect((await call('GET', '/partner/rewards/rwd-1001', json(bearer, undefined))).status).toBe(200);
      clock.advance(1_000);
      expect((await call('GET', '/partner/rewards/rwd-1001', json(bearer, undefined))).status).toBe(401);
    });
  });

  describe('rewards', () => {
    it('serves the seeded reward with every documented field', async () => {
      const res = await call('GET', '/partner/rewards/rwd-1001', json(await token(), undefined));
      expect(res).toMatchObject({ status: 200, body: DEMO_REWARDS[0] });
      expect(res.body).toMatchObject({ reward_amount: 5.25, transaction_amount: 52.5, merchant_name: 'Blue Bottle Coffee', card_last_4: '1111' });
    });

    it('answers an unknown reward with 404 TripleInvalidPathError', async () => {
      const res = await call('GET', '/partner/rewards/rwd-0', json(await token(), undefined));
      expect(res).toMatchObject({ status: 404, body: envelope(404, 'TripleInvalidPathError', 'The url path or path parameter is invalid.') });
    });

    it('answers an unknown path with 404 TripleInvalidPathError', async () => {
      const res = await call('GET', '/partner/offers', json(await token(), undefined));
      expect(res).toMatchObject({ status: 404, body: { content: { exception: 'TripleInvalidPathError' } } });
    });

    it('filters the list by status, offer and transaction', async () => {
      const bearer = await token();
      const ids = async (query: string) =>
        ((await call('GET', `/partner/rewards${query}`, json(bearer, undefined))).body as { rewards: { reward_id: string }[] }).rewards.map((r) => r.reward_id);
      expect(await ids('')).toEqual(['rwd-1001', 'rwd-1002', 'rwd-1003', 'rwd-1004']);
      expect(await ids('?status=REJECTED')).toEqual(['rwd-1004']);
      expect(await ids('?offer_id=triple-offer-1')).toEqual(['rwd-1001', 'rwd-1002']);
      expect(await ids('?offer_id=triple-offer-2&transaction_id=triple-txn-3')).toEqual(['rwd-1003']);
    });

    it('refuses an unknown status filter with 400', async () => {
      const res = await call('GET', '/partner/rewards?status=DONE', json(await token(), undefined));
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ content: { exception: 'TripleBadRequestError', details: [{ field: 'status' }] } });
    });
  });

  describe('rewards.update_status', () => {
    it('moves a reward and stamps status_updated_at with the simulator clock', async () => {
      const bearer = await token();
      clock.advance(5_000);
      const res = await call('POST', '/partner/rewards.update_status', json(bearer, { status: 'PENDING_MERCHANT_FUNDING', offer_id: 'triple-offer-1', transaction_id: 'triple-txn-1' }));
      expect(res).toMatchObject({ status: 200, body: { ok: true } });
      const read = await call('GET', '/partner/rewards/rwd-1001', json(bearer, undefined));
      expect(read.body).toMatchObject({ status: 'PENDING_MERCHANT_FUNDING', status_updated_at: new Date(clock.now()).toISOString() });
    });

    it('lists every bad field with 400 TripleBadRequestError', async () => {
      const res = await call('POST', '/partner/rewards.update_status', json(await token(), { status: 'DONE', offer_id: '', transaction_id: 'x'.repeat(101) }));
      expect(res.status).toBe(400);
      expect((res.body as { content: { details: { field: string }[] } }).content.details.map((d) => d.field)).toEqual(['status', 'offer_id', 'transaction_id']);
    });

    it('refuses a body that is not JSON with 415', async () => {
      const res = await call('POST', '/partner/rewards.update_status', {
        headers: { authorization: `Bearer ${await token()}`, 'content-type': 'text/plain' },
        body: 'status=PENDING_MERCHANT_FUNDING',
      });
      expect(res).toMatchObject({ status: 415, body: { content: { exception: 'TripleUnsupportedMediaType' } } });
    });

    it('answers an unknown (offer, transaction) with 404', async () => {
      const res = await call('POST', '/partner/rewards.update_status', json(await token(), { status: 'PENDING_MERCHANT_FUNDING', offer_id: 'triple-offer-1', transaction_id: 'triple-txn-3' }));
      expect(res).toMatchObject({ status: 404, body: { content: { exception: 'TripleInvalidPathError' } } });
    });

    it('refuses a transition no partner may make with 409 TripleIntegrityError', async () => {
      const res = await call('POST', '/partner/rewards.update_status', json(await token(), { status: 'PENDING_TRANSFER_TO_PUBLISHER', offer_id: 'triple-offer-1', transaction_id: 'triple-txn-1' }));
      expect(res).toMatchObject({
        status: 409,
        body: { status_code: 409, content: { exception: 'TripleIntegrityError', error_message: 'The reward cannot move from PENDING_MERCHANT_APPROVAL to PENDING_TRANSFER_TO_PUBLISHER.' } },
      });
    });

    it('refuses a denial (which needs notes it cannot carry) with 422', async () => {
      const res = await call('POST', '/partner/rewards.update_status', json(await token(), { status: 'DENIED_BY_MERCHANT', offer_id: 'triple-offer-1', transaction_id: 'triple-txn-1' }));
      expect(res).toMatchObject({ status: 422, body: { content: { exception: 'TripleUnprocessableEntity', details: [{ field: 'notes' }] } } });
    });

    it('enforces the configured partner role', async () => {
      await sim.close();
      await start({ partnerRoles: ['publisher'] });
      const bearer = await token();
      const approve = await call('POST', '/partner/rewards.update_status', json(bearer, { status: 'PENDING_MERCHANT_FUNDING', offer_id: 'triple-offer-1', transaction_id: 'triple-txn-1' }));
      expect(approve.status).toBe(409);
      const distribute = await call('POST', '/partner/rewards.update_status', json(bearer, { status: 'DISTRIBUTED_TO_CARDHOLDER', offer_id: 'triple-offer-1', transaction_id: 'triple-txn-2' }));
      expect(distribute).toMatchObject({ status: 200, body: { ok: true } });
    });
  });

  describe('PATCH /partner/rewards/{id}', () => {
    it('denies with notes and answers the reward summary', async () => {
      const res = await call('PATCH', '/partner/rewards/rwd-1001', json(await token(), { status: 'DENIED_BY_MERCHANT', notes: 'Refunded' }));
      expect(res).toEqual(expect.objectContaining({
        status: 200,
        body: {
          amount: 5.25, currency_code: 'USD', notes: 'Refunded', offer_id: 'triple-offer-1', rejection: null,
          reward_id: 'rwd-1001', status: 'DENIED_BY_MERCHANT', status_updated_at: new Date(clock.now()).toISOString(),
        },
      }));
    });

    it('refuses a denial without notes with 422', async () => {
      const res = await call('PATCH', '/partner/rewards/rwd-1001', json(await token(), { status: 'DENIED_BY_MERCHANT' }));
      expect(res).toMatchObject({ status: 422, body: { content: { exception: 'TripleUnprocessableEntity' } } });
    });

    it('refuses fields only Triple sets with 400', async () => {
      const res = await call('PATCH', '/partner/rewards/rwd-1001', json(await token(), { status: 'PENDING_MERCHANT_FUNDING', rejection: 'OTHER' }));
      expect(res).toMatchObject({ status: 400, body: { content: { exception: 'TripleBadRequestError', details: [{ field: 'rejection' }] } } });
    });

    it('answers an unknown reward id with 404', async () => {
      const res = await call('PATCH', '/partner/rewards/rwd-0', json(await token(), { status: 'PENDING_MERCHANT_FUNDING' }));
      expect(res.status).toBe(404);
    });
  });

  it('reset restores the seed and keeps issued tokens valid', async () => {
    const bearer = await token();
    await call('POST', '/partner/rewards.update_status', json(bearer, { status: 'PENDING_MERCHANT_FUNDING', offer_id: 'triple-offer-1', transaction_id: 'triple-txn-1' }));
    sim.reset();
    expect(sim.requests).toEqual([]);
    const res = await call('GET', '/partner/rewards/rwd-1001', json(bearer, undefined));
    expect(res).toMatchObject({ status: 200, body: { status: 'PENDING_MERCHANT_APPROVAL' } });
  });
});
