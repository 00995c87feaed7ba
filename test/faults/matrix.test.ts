/**
 * The fault matrix of shared/anchors.md section 4, one test per row, through the real gateway over
 * HTTP against the simulators' fault controls. Each test starts its own gateway so that breaker
 * windows and idempotency records never leak between rows.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { toGlobalId } from '../../src/domain/ids.js';
import { createMomentSimulator, SANDBOX_SECRET_KEY } from '../../src/providers/moment/simulator.js';
import type { Simulator } from '../../src/sim/kit.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { refusedPort } from '../support/ports.js';
import {
  CAPILLARY_REDEEM_ROUTE,
  CUSTOMER_REDEMPTIONS,
  healthOf,
  MOMENT_CREATE_ROUTE,
  onlyError,
  READS,
  readyz,
  REDEEM_POINTS,
  REDEEM_VOUCHER,
  until,
  VOUCHER_TYPES_ROUTE,
} from './support.js';

let gateway: TestGateway | undefined;
const ownSimulators: Simulator[] = [];

async function start(env: Record<string, string> = {}) {
  gateway = await startTestGateway({ env });
  return gateway;
}

afterEach(async () => {
  await gateway?.stop();
  gateway = undefined;
  await Promise.all(ownSimulators.splice(0).map((sim) => sim.close()));
});

const MOMENT_GET_ROUTE = 'GET /collect/redemptions/:id';
/** A read of one Moment redemption; `i` makes each a different upstream request. */
const momentRedemptionQuery = (i: number) =>
  `{ redemption(id: "${toGlobalId('moment', `rdm_${i.toString(16).padStart(24, '0')}`)}") { id } }`;

const voucher = (key: string, amount = '25.00', currency = 'ZAR') => ({ key, amount, currency });

describe('fault matrix (anchors section 4)', () => {
  it('connection refused: reads are retried then PROVIDER_UNAVAILABLE; writes fail with a clear error and leave the key unspent', async () => {
    // Moment points at a port nothing listens on; its simulator takes that port later.
    const port = await refusedPort();
    const gw = await start({ MOMENT_BASE_URL: `http://127.0.0.1:${port}`, MOMENT_SECRET_KEY: SANDBOX_SECRET_KEY });

    const read = await gw.gql(READS.moment.query);
    expect(read.body.data).toBeNull();
    expect(onlyError(read)).toMatchObject({
      message: 'moment could not be reached',
      path: ['voucherTypes'],
      extensions: { code: 'PROVIDER_UNAVAILABLE', provider: 'moment', retryable: true },
    });
    // Every attempt is counted in the provider's window: the read was tried three times.
    expect(await healthOf(gw, 'moment')).toMatchObject({ calls: 3, errorRate: 1, breaker: 'CLOSED' });

    const write = await gw.gql(REDEEM_VOUCHER, { variables: voucher('refused-1') });
    expect(write.body.data).toBeNull();
    const error = onlyError(write);
    // Not OUTCOME_UNKNOWN: the request never left, so nothing can have happened.
    expect(error).toMatchObject({
      message: 'moment could not be reached',
      extensions: { code: 'PROVIDER_UNAVAILABLE', provider: 'moment', retryable: true },
    });
    expect(error.extensions).not.toHaveProperty('idempotencyKey');

    // The provider comes back on the same port: the same key runs afresh (not spent, not replayed).
    const sim = createMomentSimulator();
    ownSimulators.push(sim);
    await sim.listen(port);
    const retried = await gw.gql(REDEEM_VOUCHER, { variables: voucher('refused-1') });
    expect(retried.body).toEqual({
      data: {
        executeRedeem: {
          replayed: false,
          redemption: expect.objectContaining({ status: { state: 'SUCCEEDED', raw: 'confirmed' }, redeemedAmount: { amount: '25.00', currencyCode: 'ZAR' } }),
          userErrors: [],
        },
      },
    });
    expect(sim.calls(MOMENT_CREATE_ROUTE)).toHaveLength(1);
    expect((await gw.gql(READS.moment.query)).body.errors).toBeUndefined();
  });

  it('500/502/503: reads are retried with backoff (attempts counted by the simulator); writes are OUTCOME_UNKNOWN, then settled once', async () => {
    const gw = await start();
    const moment = gw.simulators.moment!;

    for (const status of [500, 502, 503]) {
      moment.reset();
      moment.faults.inject({ route: VOUCHER_TYPES_ROUTE, times: 2, fault: { kind: 'status', status } });
      const recovered = await gw.gql(READS.moment.query);
      expect(recovered.body.errors, `status ${status}`).toBeUndefined();
      expect(moment.calls(VOUCHER_TYPES_ROUTE), `status ${status}`).toHaveLength(3);

      moment.reset();
      moment.faults.inject({ route: VOUCHER_TYPES_ROUTE, fault: { kind: 'status', status } });
      const failed = await gw.gql(READS.moment.query);
      expect(onlyError(failed).extensions, `status ${status}`).toMatchObject({ code: 'PROVIDER_UNAVAILABLE', provider: 'moment', retryable: true, providerCode: String(status) });
      const attempts = moment.calls(VOUCHER_TYPES_ROUTE);
      expect(attempts, `status ${status}`).toHaveLength(3);
      // Each retry came after the previous answer was sent (a backoff, not a burst of parallel calls).
      for (let i = 1; i < attempts.length; i++) expect(attempts[i]!.receivedAt).toBeGreaterThanOrEqual(attempts[i - 1]!.respondedAt!);
    }

    // A write the provider answered 503 is not retried: the gateway cannot know it did nothing.
    moment.reset();
    moment.faults.inject({ route: MOMENT_CREATE_ROUTE, times: 1, fault: { kind: 'status', status: 503 } });
    const unknown = await gw.gql(REDEEM_VOUCHER, { variables: voucher('five-hundred-1') });
    expect(unknown.body.data).toBeNull();
    expect(onlyError(unknown).extensions).toEqual({ code: 'OUTCOME_UNKNOWN', provider: 'moment', retryable: true, idempotencyKey: 'five-hundred-1' });
    expect(moment.calls(MOMENT_CREATE_ROUTE)).toHaveLength(1);

    // The same key settles it through Moment's own idempotency (same Idempotency-Key header).
    const settled = await gw.gql(REDEEM_VOUCHER, { variables: voucher('five-hundred-1') });
    expect(settled.body.data).toMatchObject({ executeRedeem: { redemption: { status: { state: 'SUCCEEDED' } }, userErrors: [] } });
    const posts = moment.calls(MOMENT_CREATE_ROUTE);
    expect(posts).toHaveLength(2);
    expect(posts[1]!.headers['idempotency-key']).toBe(posts[0]!.headers['idempotency-key']);
    // And then it is stored: a third call replays without reaching the provider.
    const replay = await gw.gql(REDEEM_VOUCHER, { variables: voucher('five-hundred-1') });
    expect(replay.body.data).toMatchObject({ executeRedeem: { replayed: true } });
    expect(moment.calls(MOMENT_CREATE_ROUTE)).toHaveLength(2);
  });

  it('reset after commit: OUTCOME_UNKNOWN, then settled by the same key, with exactly one provider-side record', async () => {
    const gw = await start();
    const capillary = gw.simulators.capillary!;
    const moment = gw.simulators.moment!;
    const before = await gw.gql<{ customerRedemptions: { total: number } }>(CUSTOMER_REDEMPTIONS);

    // Capillary: settled by looking up the external reference number, never by a second redeem.
    capillary.faults.inject({ route: CAPILLARY_REDEEM_ROUTE, times: 1, fault: { kind: 'commit-then-reset' } });
    const unknown = await gw.gql(REDEEM_POINTS, { variables: { key: 'reset-points-1', points: '7' } });
    expect(unknown.body.data).toBeNull();
    expect(onlyError(unknown).extensions).toEqual({ code: 'OUTCOME_UNKNOWN', provider: 'capillary', retryable: true, idempotencyKey: 'reset-points-1' });
    const settled = await gw.gql<{ executeRedeem: { redemption: { externalReferenceNumber: string } } }>(REDEEM_POINTS, { variables: { key: 'reset-points-1', points: '7' } });
    expect(settled.body.data).toMatchObject({ executeRedeem: { redemption: { points: { amount: '7' } }, userErrors: [] } });
    expect(capillary.calls(CAPILLARY_REDEEM_ROUTE)).toHaveLength(1);
    const ern = settled.body.data!.executeRedeem.redemption.externalReferenceNumber;
    const after = await gw.gql<{ customerRedemptions: { total: number; items: { externalReferenceNumber: string | null }[] } }>(CUSTOMER_REDEMPTIONS);
    expect(after.body.data!.customerRedemptions.total).toBe(before.body.data!.customerRedemptions.total + 1);
    expect(after.body.data!.customerRedemptions.items.filter((r) => r.externalReferenceNumber === ern)).toHaveLength(1);

    // Moment: settled by repeating the create with the same Idempotency-Key, which Moment replays.
    // The voucher is single-use: a second real redemption would have failed, so SUCCEEDED proves a replay.
    moment.faults.inject({ route: MOMENT_CREATE_ROUTE, times: 1, fault: { kind: 'commit-then-reset' } });
    const momentUnknown = await gw.gql(REDEEM_VOUCHER, { variables: voucher('reset-voucher-1') });
    expect(onlyError(momentUnknown).extensions).toMatchObject({ code: 'OUTCOME_UNKNOWN', provider: 'moment', idempotencyKey: 'reset-voucher-1' });
    const momentSettled = await gw.gql<{ executeRedeem: { redemption: { providerId: string } } }>(REDEEM_VOUCHER, { variables: voucher('reset-voucher-1') });
    expect(momentSettled.body.data).toMatchObject({ executeRedeem: { redemption: { status: { state: 'SUCCEEDED', raw: 'confirmed' } }, userErrors: [] } });
    const posts = moment.calls(MOMENT_CREATE_ROUTE);
    expect(posts).toHaveLength(2);
    expect(posts[1]!.headers['idempotency-key']).toBe(posts[0]!.headers['idempotency-key']);
    const fresh = await gw.gql(REDEEM_VOUCHER, { variables: voucher('reset-voucher-2') });
    expect(fresh.body.data).toMatchObject({ executeRedeem: { redemption: { status: { state: 'FAILED' } } } });
  });

  it('slower than the timeout: PROVIDER_TIMEOUT, no pool exhaustion, that breaker opens, the others are unaffected', async () => {
    const TIMEOUT_MS = 500;
    const gw = await start({
      UPSTREAM_TIMEOUT_MS: String(TIMEOUT_MS),
      RESILIENCE_RETRY_MAX_ATTEMPTS: '1',
      RESILIENCE_BULKHEAD_MAX_CONCURRENT: '4',
      RESILIENCE_BULKHEAD_MAX_QUEUED: '4',
      RESILIENCE_BREAKER_MIN_CALLS: '6',
      RESILIENCE_BREAKER_WINDOW_MS: '10000',
      RESILIENCE_BREAKER_HALF_OPEN_AFTER_MS: '300',
    });
    const moment = gw.simulators.moment!;
    moment.faults.inject({ route: MOMENT_GET_ROUTE, fault: { kind: 'hang' } });

    // Twelve different reads at once (identical ones would share one call): four run, four queue,
    // four are shed at once by the bulkhead.
    const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => gw.gql(momentRedemptionQuery(i))));
    const messages = answers.map((answer) => `${onlyError(answer).extensions!.code}: ${onlyError(answer).message}`).sort();
    expect(messages).toEqual([
      ...Array(8).fill('PROVIDER_TIMEOUT: moment did not answer in time'),
      ...Array(4).fill('PROVIDER_UNAVAILABLE: moment: too many concurrent calls'),
    ].sort());
    // Only the eight admitted calls reached the provider, and the gateway gave up every one of
    // them no sooner than its timeout, closing the connection: nothing is left holding the pool.
    const admitted = moment.calls(MOMENT_GET_ROUTE);
    expect(admitted).toHaveLength(8);
    await until('the timed-out connections to close', async () => (admitted.every((r) => r.abandonedAt) ? true : undefined));
    // Each was given its timeout (less the connect time, which the deadline also covers), not dropped early.
    for (const request of admitted) expect(request.abandonedAt! - request.receivedAt).toBeGreaterThanOrEqual(TIMEOUT_MS / 2);

    // The breaker opened: calls fail fast without reaching the provider.
    const ready = await readyz(gw);
    expect(ready.status).toBe(200);
    const momentRow = ready.body.providers.find((p) => p.provider === 'moment')!;
    expect(momentRow).toMatchObject({ breaker: 'open', calls: 8, errorRate: 1, inFlight: 0, queued: 0 });
    // (timers may fire a millisecond early against performance.now)
    expect(momentRow.latencyP50Ms).toBeGreaterThanOrEqual(TIMEOUT_MS - 5);
    const fast = await gw.gql(READS.moment.query);
    expect(onlyError(fast)).toMatchObject({ message: 'moment is unavailable (circuit open)', extensions: { code: 'PROVIDER_UNAVAILABLE', provider: 'moment' } });
    expect(moment.requests).toHaveLength(8);
    expect(await healthOf(gw, 'moment')).toMatchObject({ breaker: 'OPEN', errorRate: 1, calls: 8 });

    // Every other provider still answers, its breaker closed.
    for (const provider of ['returningai', 'capillary', 'pers', 'triple'] as const) {
      expect((await gw.gql(READS[provider].query)).body.errors, provider).toBeUndefined();
    }
    expect(ready.body.providers.filter((p) => p.provider !== 'moment').map((p) => p.breaker)).toEqual(['closed', 'closed', 'closed', 'closed']);

    // The provider recovers: a half-open probe gets a connection at once and closes the circuit.
    moment.faults.clear();
    await until('the half-open probe to close the circuit', async () => {
      const answer = await gw.gql(READS.moment.query);
      return answer.body.errors ? undefined : answer;
    }, { attempts: 50, everyMs: 50 });
    expect((await healthOf(gw, 'moment')).breaker).toBe('CLOSED');
    expect(moment.calls(VOUCHER_TYPES_ROUTE)).toHaveLength(1);
    // No pool exhaustion: as many different reads as the bulkhead runs and queues all get an answer.
    const afterwards = await Promise.all(Array.from({ length: 8 }, (_, i) => gw.gql(momentRedemptionQuery(100 + i))));
    expect(afterwards.map((answer) => onlyError(answer).extensions!.code)).toEqual(Array(8).fill('NOT_FOUND'));
    expect(moment.calls(MOMENT_GET_ROUTE)).toHaveLength(16);
  });

  it('429 with Retry-After: the read retries no sooner than asked; the write answers RATE_LIMITED and leaves the key unspent', async () => {
    const gw = await start();
    const moment = gw.simulators.moment!;

    moment.faults.inject({ route: VOUCHER_TYPES_ROUTE, times: 1, fault: { kind: 'status', status: 429, headers: { 'retry-after': '1' } } });
    const read = await gw.gql(READS.moment.query);
    expect(read.body.errors).toBeUndefined();
    const [first, second] = moment.calls(VOUCHER_TYPES_ROUTE);
    expect(moment.calls(VOUCHER_TYPES_ROUTE)).toHaveLength(2);
    expect(second!.receivedAt - first!.respondedAt!).toBeGreaterThanOrEqual(1_000);

    moment.faults.inject({ route: MOMENT_CREATE_ROUTE, times: 1, fault: { kind: 'status', status: 429, headers: { 'retry-after': '2' } } });
    const limited = await gw.gql(REDEEM_VOUCHER, { variables: voucher('limited-1') });
    expect(limited.body.data).toBeNull();
    expect(onlyError(limited)).toMatchObject({
      message: 'Moment is rate limiting the gateway',
      extensions: { code: 'RATE_LIMITED', provider: 'moment', providerCode: '429', retryable: true, retryAfterMs: 2_000 },
    });
    expect(moment.calls(MOMENT_CREATE_ROUTE)).toHaveLength(1);

    // The key was released, not stored: the same key runs afresh and succeeds.
    const again = await gw.gql(REDEEM_VOUCHER, { variables: voucher('limited-1') });
    expect(again.body.data).toMatchObject({ executeRedeem: { replayed: false, redemption: { status: { state: 'SUCCEEDED' } }, userErrors: [] } });
    expect(moment.calls(MOMENT_CREATE_ROUTE)).toHaveLength(2);
  });

  it('malformed JSON or a changed body shape: PROVIDER_BAD_RESPONSE, never a crash, never garbage passed on', async () => {
    const logs: string[] = [];
    gateway = await startTestGateway({ logDestination: { write: (line) => void logs.push(line) } });
    const gw = gateway;
    const moment = gw.simulators.moment!;
    const triple = gw.simulators.triple!;

    moment.faults.inject({ route: VOUCHER_TYPES_ROUTE, times: 1, fault: { kind: 'malformed' } });
    const malformed = await gw.gql(READS.moment.query);
    expect(malformed.body.data).toBeNull();
    expect(onlyError(malformed)).toEqual({
      message: 'moment sent a body that is not JSON',
      locations: expect.any(Array),
      path: ['voucherTypes'],
      extensions: { code: 'PROVIDER_BAD_RESPONSE', provider: 'moment', retryable: false },
    });
    // A bad body is not retried (the provider answered, and would answer the same again), but it
    // counts against the provider's health and breaker.
    expect(moment.calls(VOUCHER_TYPES_ROUTE)).toHaveLength(1);
    expect(await healthOf(gw, 'moment')).toMatchObject({ calls: 1, errorRate: 1 });

    moment.faults.inject({ route: VOUCHER_TYPES_ROUTE, times: 1, fault: { kind: 'mutate', mutate: () => ({ data: [{ kind: 'renamed' }] }) } });
    triple.faults.inject({ route: READS.triple.route, times: 1, fault: { kind: 'mutate', mutate: (body) => ({ items: body }) } });
    for (const [provider, field] of [['moment', 'voucherTypes'], ['triple', 'rewards']] as const) {
      const reshaped = await gw.gql(READS[provider].query);
      expect(reshaped.body.data).toBeNull();
      expect(onlyError(reshaped)).toMatchObject({
        message: `${provider} sent a body of an unexpected shape`,
        path: [field],
        extensions: { code: 'PROVIDER_BAD_RESPONSE', provider, retryable: false },
      });
    }

    // A 2xx write with a body the gateway cannot read may still have moved money: unknown, not failed.
    moment.faults.inject({ route: MOMENT_CREATE_ROUTE, times: 1, fault: { kind: 'malformed' } });
    const write = await gw.gql(REDEEM_VOUCHER, { variables: voucher('malformed-1') });
    expect(onlyError(write).extensions).toMatchObject({ code: 'OUTCOME_UNKNOWN', idempotencyKey: 'malformed-1' });

    // Still serving, nothing masked as an internal error.
    expect((await gw.gql(READS.moment.query)).body.errors).toBeUndefined();
    expect(logs.join('')).not.toContain('unexpected error, masked');
  });

  it('a different amount or currency echoed back: INTEGRITY_ERROR, never success', async () => {
    const gw = await start();
    const moment = gw.simulators.moment!;
    const capillary = gw.simulators.capillary!;
    type Body = Record<string, unknown>;

    moment.faults.inject({ route: MOMENT_CREATE_ROUTE, times: 1, fault: { kind: 'mutate', mutate: (body) => ({ ...(body as Body), amount: 250_000 }) } });
    const amount = await gw.gql(REDEEM_VOUCHER, { variables: voucher('integrity-1') });
    expect(amount.body.data).toBeNull();
    expect(onlyError(amount)).toMatchObject({
      message: 'Moment echoed a different amount or currency than requested',
      extensions: { code: 'INTEGRITY_ERROR', provider: 'moment', retryable: false },
    });

    moment.faults.inject({ route: MOMENT_CREATE_ROUTE, times: 1, fault: { kind: 'mutate', mutate: (body) => ({ ...(body as Body), currency: 'USD' }) } });
    const currency = await gw.gql(REDEEM_VOUCHER, { variables: { key: 'integrity-2', amount: '10.00', currency: 'ZAR' } });
    expect(onlyError(currency).extensions).toMatchObject({ code: 'INTEGRITY_ERROR', provider: 'moment' });

    capillary.faults.inject({
      route: CAPILLARY_REDEEM_ROUTE,
      times: 1,
      fault: {
        kind: 'mutate',
        mutate: (body) => {
          const copy = body as { response: { responses: { points: { points_redeemed: string } } } };
          copy.response.responses.points.points_redeemed = '700';
          return copy;
        },
      },
    });
    const points = await gw.gql(REDEEM_POINTS, { variables: { key: 'integrity-3', points: '7' } });
    expect(points.body.data).toBeNull();
    expect(onlyError(points)).toMatchObject({
      message: 'Capillary redeemed a different number of points than requested',
      extensions: { code: 'INTEGRITY_ERROR', provider: 'capillary', retryable: false },
    });
  });
});
