/**
 * Outcomes the gateway could not see. The simulator commits a write and drops the connection (or
 * never answers): the caller gets OUTCOME_UNKNOWN with the key, never a failure; a retry with the
 * key settles it at the provider (Moment's replay, Capillary's external reference, PERS's list of
 * the caller's redeems) and the provider ends up holding exactly one redemption. The journal
 * traces every step.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { basicAuthorization } from '../../src/providers/capillary/adapter.js';
import { DEMO_CUSTOMER_A, SANDBOX_PASSWORD, SANDBOX_USERNAME } from '../../src/providers/capillary/simulator.js';
import { ONE_VOUCHER_PIN, SANDBOX_SECRET_KEY } from '../../src/providers/moment/simulator.js';
import { money } from '../../src/domain/money.js';
import { DEMO_BALANCES } from '../../src/providers/pers/simulator.js';
import { deriveProviderKey, inputHash } from '../../src/store/hash.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { capillaryInput, EXECUTE_REDEEM, errorOf, momentInput, payloadOf, persInput, sqliteStore, type RedeemResponse } from './support.js';

const MOMENT_CREATE = 'POST /collect/redemptions';
const CAPILLARY_REDEEM = 'POST /v1.1/points/redeem';
const CAPILLARY_LOOKUP = 'GET /v1.1/customer/redemptions';
const PERS_REDEEM = 'POST /redemptions/redeems';
const PERS_LIST = 'GET /redemption-redeems';
const ADMIN = 'admin::admin-1';
const USER = 'user::user-1';
const OUTCOME_UNKNOWN_MESSAGE =
  'The provider may have processed this request but its answer was not received. Retry with the same idempotency key to settle it; do not treat it as failed.';

let gateway: TestGateway;
let logs: Record<string, unknown>[] = [];
const redeem = (key: string, input: unknown, token?: string) =>
  gateway.gql(EXECUTE_REDEEM, { variables: { key, input }, ...(token && { token }) }) as Promise<RedeemResponse>;

beforeAll(async () => {
  gateway = await startTestGateway({
    env: { LOG_LEVEL: 'info' },
    store: sqliteStore(),
    logDestination: { write: (line) => void logs.push(JSON.parse(line) as Record<string, unknown>) },
  });
});
afterAll(() => gateway.stop());
beforeEach(() => {
  logs = [];
  for (const simulator of Object.values(gateway.simulators)) simulator.reset();
});

/** The GraphQL answer of a write whose outcome the gateway could not see. */
const unknownOutcome = (provider: string, key: string) => ({
  data: null,
  errors: [{
    message: OUTCOME_UNKNOWN_MESSAGE,
    locations: expect.any(Array),
    path: ['executeRedeem'],
    extensions: { code: 'OUTCOME_UNKNOWN', provider, retryable: true, idempotencyKey: key },
  }],
});

/** The journal of one key, reduced to what a trace reads. */
async function trail(key: string) {
  const entries = await gateway.services.store.journalEntries({ idempotencyKey: key });
  return entries.map(({ outcome, provider, operation, inputHash: hash, providerRef, detail }) => ({ outcome, provider, operation, inputHash: hash, providerRef, detail }));
}

describe('a Moment create that commits and then drops the connection', () => {
  it('answers OUTCOME_UNKNOWN, and the retry gets the committed redemption through Moment’s replay', async () => {
    const moment = gateway.simulators.moment!;
    const key = 'unknown-moment';
    const providerKey = deriveProviderKey(ADMIN, key, 'moment');
    moment.faults.inject({ route: MOMENT_CREATE, times: 1, fault: { kind: 'commit-then-reset' } });

    const first = await redeem(key, momentInput('25.00'));
    expect(first.body).toEqual(unknownOutcome('moment', key));
    expect(await gateway.services.store.get(ADMIN, key)).toMatchObject({ state: 'unknown', providerRef: providerKey, lockedUntil: 0 });

    const retry = payloadOf(await redeem(key, momentInput('25.00')));
    expect(retry).toMatchObject({
      replayed: true,
      userErrors: [],
      redemption: { provider: 'MOMENT', status: { state: 'SUCCEEDED', raw: 'confirmed' }, redeemedAmount: { amount: '25.00', currencyCode: 'ZAR' } },
    });

    // Both creates carried the same key and body; Moment answered the second as a replay of the first.
    const creates = moment.calls(MOMENT_CREATE);
    expect(creates).toHaveLength(2);
    expect(creates[1]!.headers['idempotency-key']).toBe(providerKey);
    expect(creates[1]!.headers['idempotency-key']).toBe(creates[0]!.headers['idempotency-key']);
    expect(creates[1]!.body).toEqual(creates[0]!.body);
    expect(logs.filter((line) => line.msg === 'moment redemption created')).toEqual([
      expect.objectContaining({ id: retry.redemption!.providerId, status: 'confirmed', replayed: true }),
    ]);
    // The committed redemption is there at Moment.
    const held = await fetch(`${moment.url}/collect/redemptions/${retry.redemption!.providerId}`, { headers: { authorization: `Bearer ${SANDBOX_SECRET_KEY}` } });
    expect(held.status).toBe(200);
    expect(await held.json()).toMatchObject({ id: retry.redemption!.providerId, status: 'confirmed', redeemed_amount: 2500 });

    // Settled: later retries replay without calling Moment.
    expect(payloadOf(await redeem(key, momentInput('25.00')))).toEqual(retry);
    expect(moment.calls(MOMENT_CREATE)).toHaveLength(2);

    // The hash of the validated input, as stored with the key.
    const hash = inputHash('executeRedeem:moment', { type: 'vouchers.one_voucher', source: { pin: ONE_VOUCHER_PIN }, amount: money(2500n, 'ZAR') });
    expect((await gateway.services.store.get(ADMIN, key))?.inputHash).toBe(hash);
    expect(await trail(key)).toEqual([
      { outcome: 'started', provider: 'moment', operation: 'executeRedeem:moment', inputHash: hash, providerRef: providerKey, detail: undefined },
      { outcome: 'unknown', provider: 'moment', operation: 'executeRedeem:moment', inputHash: hash, providerRef: providerKey, detail: 'PROVIDER_UNAVAILABLE' },
      { outcome: 'settled', provider: 'moment', operation: 'executeRedeem:moment', inputHash: hash, providerRef: retry.redemption!.providerId, detail: 'the provider holds the outcome' },
    ]);
  });
});

describe('a Capillary redeem that commits and then drops the connection', () => {
  it('answers OUTCOME_UNKNOWN, and the retry finds the redemption by its external reference without redeeming again', async () => {
    const capillary = gateway.simulators.capillary!;
    const key = 'unknown-capillary';
    const ern = deriveProviderKey(ADMIN, key, 'capillary');
    capillary.faults.inject({ route: CAPILLARY_REDEEM, times: 1, fault: { kind: 'commit-then-reset' } });

    expect((await redeem(key, capillaryInput('100'))).body).toEqual(unknownOutcome('capillary', key));
    expect(capillary.calls(CAPILLARY_REDEEM)).toHaveLength(1);
    expect(capillary.calls(CAPILLARY_REDEEM)[0]!.body).toMatchObject({
      root: { redeem: [{ customer: { mobile: DEMO_CUSTOMER_A.mobile }, transaction_number: 'bill-idem-1', external_reference_number: ern }] },
    });

    const retry = payloadOf(await redeem(key, capillaryInput('100')));
    expect(retry).toMatchObject({
      replayed: true,
      userErrors: [],
      redemption: { provider: 'CAPILLARY', points: { amount: '100' }, externalReferenceNumber: ern, billNumber: 'bill-idem-1' },
    });
    // The settling look-up, and no second redeem.
    const lookups = capillary.calls(CAPILLARY_LOOKUP);
    expect(lookups).toHaveLength(1);
    expect(lookups[0]).toMatchObject({
      method: 'GET',
      path: '/v1.1/customer/redemptions',
      query: { mobile: DEMO_CUSTOMER_A.mobile, external_reference_number: ern, type: 'POINTS', format: 'json' },
    });
    expect(capillary.calls(CAPILLARY_REDEEM)).toHaveLength(1);

    // Capillary holds exactly one redemption with that reference, and the balance moved once.
    const held = await fetch(`${capillary.url}/v1.1/customer/redemptions?mobile=${DEMO_CUSTOMER_A.mobile}&external_reference_number=${ern}&format=json`, {
      headers: { authorization: basicAuthorization(SANDBOX_USERNAME, SANDBOX_PASSWORD) },
    });
    const body = (await held.json()) as { response: { customer: { points_count: number; redemptions: { points: { point: { redemption_id: string }[] } } } } };
    expect(body.response.customer.points_count).toBe(1);
    expect(body.response.customer.redemptions.points.point.map((p) => p.redemption_id)).toEqual([retry.redemption!.providerId]);

    expect((await trail(key)).map((e) => [e.outcome, e.providerRef])).toEqual([
      ['started', ern],
      ['unknown', ern],
      ['settled', `${DEMO_CUSTOMER_A.id}/${retry.redemption!.providerId}`],
    ]);
  });
});

describe('a PERS redeem that commits and then drops the connection', () => {
  it('answers OUTCOME_UNKNOWN, and the retry finds the caller’s redeem instead of redeeming again', async () => {
    const pers = gateway.simulators.pers!;
    const key = 'unknown-pers';
    pers.faults.inject({ route: PERS_REDEEM, times: 1, fault: { kind: 'commit-then-reset' } });

    expect((await redeem(key, persInput(), gateway.tokens.user)).body).toEqual(unknownOutcome('pers', key));
    const retry = payloadOf(await redeem(key, persInput(), gateway.tokens.user));
    expect(retry).toMatchObject({
      replayed: true,
      userErrors: [],
      redemption: { provider: 'PERS', userId: 'user-1', redemptionId: 'red-coffee', status: { state: 'SUCCEEDED', raw: 'COMPLETED' } },
    });

    expect(pers.calls(PERS_REDEEM)).toHaveLength(1);
    const lookups = pers.calls(PERS_LIST);
    expect(lookups).toHaveLength(1);
    expect(lookups[0]).toMatchObject({ method: 'GET', path: '/redemption-redeems', query: { redemptionId: 'red-coffee', limit: '100' } });
    expect(lookups[0]!.headers.authorization).toBe(pers.calls(PERS_REDEEM)[0]!.headers.authorization);
    // One redeem's worth of tokens left the caller's wallet (red-coffee costs 10).
    expect((pers as unknown as { balanceOf(user: string): number }).balanceOf('user-1')).toBe(DEMO_BALANCES['user-1']! - 10);

    expect((await trail(key)).map((e) => [e.outcome, e.providerRef])).toEqual([
      ['started', undefined],
      ['unknown', undefined],
      ['settled', retry.redemption!.providerId],
    ]);
    // Settled once: the next retry replays without asking PERS.
    expect(payloadOf(await redeem(key, persInput(), gateway.tokens.user))).toEqual(retry);
    expect(pers.calls(PERS_LIST)).toHaveLength(1);
  });

  it('does not take a redeem that another of the caller’s keys accounts for', async () => {
    const pers = gateway.simulators.pers!;
    // A redeem under one key, then another key whose redeem is dropped before PERS commits it.
    const other = payloadOf(await redeem('pers-other-key', persInput(), gateway.tokens.user));
    pers.faults.inject({ route: PERS_REDEEM, times: 1, fault: { kind: 'reset' } });
    expect((await redeem('pers-lost', persInput(), gateway.tokens.user)).body).toEqual(unknownOutcome('pers', 'pers-lost'));

    // At once, settling sees only the other key's redeem, and the lost one might still land: the
    // outcome stays unknown, with a hint of when PERS's whole-call timeout will have passed.
    const early = await redeem('pers-lost', persInput(), gateway.tokens.user);
    expect(early.body.errors?.[0]?.extensions).toMatchObject({ code: 'OUTCOME_UNKNOWN', provider: 'pers', idempotencyKey: 'pers-lost', retryable: true });
    expect(early.body.errors?.[0]?.extensions?.retryAfterMs).toBeGreaterThan(0);
    expect(pers.calls(PERS_REDEEM)).toHaveLength(2);

    // Once that time has passed, "not found" means it never happened: it redeems afresh.
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + gateway.config.upstream.totalMs + 1_000 });
    const retry = await redeem('pers-lost', persInput(), gateway.tokens.user).then(payloadOf).finally(() => vi.useRealTimers());
    expect(retry).toMatchObject({ replayed: false, userErrors: [], redemption: { userId: 'user-1' } });
    expect(retry.redemption!.providerId).not.toBe(other.redemption!.providerId);
    expect(pers.calls(PERS_REDEEM)).toHaveLength(3);
    expect((await trail('pers-lost')).map((e) => [e.outcome, e.detail])).toEqual([
      ['started', undefined],
      ['unknown', 'PROVIDER_UNAVAILABLE'],
      ['unknown', 'settling failed: OUTCOME_UNKNOWN'],
      ['settled', 'nothing happened at the provider; calling again'],
      ['started', undefined],
      ['succeeded', undefined],
    ]);
  });
});

describe('a claim left by a crashed holder', () => {
  it('is recovered once its lock has passed and settled at the provider before anything is called again', async () => {
    const pers = gateway.simulators.pers!;
    const key = 'crashed-holder';
    // A holder that claimed the key longer ago than a whole call may take, with a 1 ms lock, and
    // never came back.
    const hash = inputHash('executeRedeem:pers', { redemptionId: 'red-coffee' });
    const claimedAt = Date.now() - gateway.config.upstream.totalMs - 1_000;
    const claim = await gateway.services.store.claim({ scope: USER, key, operation: 'executeRedeem:pers', inputHash: hash, ttlMs: 60_000, lockMs: 1, now: claimedAt });
    expect(claim.status).toBe('claimed');

    const answer = payloadOf(await redeem(key, persInput(), gateway.tokens.user));
    expect(answer).toMatchObject({ replayed: false, userErrors: [], redemption: { userId: 'user-1', redemptionId: 'red-coffee' } });
    // PERS was asked first; it held nothing for the caller since the claim, so the redeem ran once.
    expect(pers.requests.filter((r) => r.route !== 'POST /auth/token').map((r) => r.route)).toEqual([PERS_LIST, PERS_REDEEM]);
    expect((await trail(key)).map((e) => [e.outcome, e.inputHash === hash, e.detail])).toEqual([
      ['settled', true, 'nothing happened at the provider; calling again'],
      ['started', true, undefined],
      ['succeeded', true, undefined],
    ]);
    expect(await gateway.services.store.get(USER, key)).toMatchObject({ state: 'succeeded', attempts: 2 });
  });
});

describe('writes that time out or never leave', () => {
  let slow: TestGateway;
  beforeAll(async () => {
    slow = await startTestGateway({ env: { UPSTREAM_HEADERS_TIMEOUT_MS: '300', UPSTREAM_TIMEOUT_MS: '600' }, store: sqliteStore() });
  });
  afterAll(() => slow.stop());
  beforeEach(() => slow.simulators.moment!.reset());
  const redeemSlow = (key: string) => slow.gql(EXECUTE_REDEEM, { variables: { key, input: momentInput('25.00') } }) as Promise<RedeemResponse>;

  it('reports a write that hangs past the timeout as OUTCOME_UNKNOWN, never as failed, and settles it on retry', async () => {
    const moment = slow.simulators.moment!;
    moment.faults.inject({ route: MOMENT_CREATE, times: 1, fault: { kind: 'hang' } });

    expect((await redeemSlow('hang')).body).toEqual(unknownOutcome('moment', 'hang'));
    expect(await slow.services.store.get(ADMIN, 'hang')).toMatchObject({ state: 'unknown' });
    const journal = await slow.services.store.journalEntries({ idempotencyKey: 'hang' });
    expect(journal.map((e) => [e.outcome, e.detail])).toEqual([['started', undefined], ['unknown', 'PROVIDER_TIMEOUT']]);

    // The hung request never reached Moment's handler: the retry's create is the one that counts.
    const retry = payloadOf(await redeemSlow('hang'));
    expect(retry).toMatchObject({ replayed: true, userErrors: [], redemption: { status: { state: 'SUCCEEDED' } } });
    const creates = moment.calls(MOMENT_CREATE);
    expect(creates).toHaveLength(2);
    expect(creates[1]!.headers['idempotency-key']).toBe(creates[0]!.headers['idempotency-key']);
  });

  it('releases the key when the connection is refused (nothing was sent), so the retry runs afresh', async () => {
    const moment = slow.simulators.moment!;
    const port = Number(new URL(moment.url).port);
    await moment.close();
    const refused = await redeemSlow('refused');
    expect(errorOf(refused)).toMatchObject({ path: ['executeRedeem'], extensions: { code: 'PROVIDER_UNAVAILABLE', provider: 'moment', retryable: true } });
    expect(errorOf(refused).extensions).not.toHaveProperty('idempotencyKey');
    expect(await slow.services.store.get(ADMIN, 'refused')).toBeUndefined();
    const journal = await slow.services.store.journalEntries({ idempotencyKey: 'refused' });
    expect(journal.map((e) => [e.outcome, e.detail])).toEqual([['started', undefined], ['failed', 'PROVIDER_UNAVAILABLE (nothing happened; key released)']]);

    await moment.listen(port);
    const before = moment.calls(MOMENT_CREATE).length;
    const retry = payloadOf(await redeemSlow('refused'));
    expect(retry).toMatchObject({ replayed: false, userErrors: [], redemption: { status: { state: 'SUCCEEDED' } } });
    expect(moment.calls(MOMENT_CREATE)).toHaveLength(before + 1);
  });
});
