/**
 * The upstream client through the gateway: per-provider timeouts from configuration, and in-flight
 * deduplication of identical reads, observed in the simulators' records.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createMomentSimulator, SANDBOX_SECRET_KEY } from '../../src/providers/moment/simulator.js';
import type { Simulator } from '../../src/sim/kit.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { onlyError, READS, until, VOUCHER_TYPES_ROUTE } from './support.js';

let gateway: TestGateway | undefined;
let ownSimulator: Simulator | undefined;

afterEach(async () => {
  await gateway?.stop();
  await ownSimulator?.close();
  gateway = ownSimulator = undefined;
});

/** Waits until `sim` has recorded that the gateway closed `route`'s request without waiting for the answer. */
const abandoned = (sim: Simulator, route: string) =>
  until(`${route} to be abandoned`, async () => (sim.calls(route).every((r) => r.abandonedAt !== undefined) ? true : undefined));

describe('per-provider timeouts', () => {
  it('<PROVIDER>_TIMEOUT_MS overrides the whole-call timeout for that provider only', async () => {
    ownSimulator = createMomentSimulator();
    const url = await ownSimulator.listen();
    gateway = await startTestGateway({
      env: {
        MOMENT_BASE_URL: url,
        MOMENT_SECRET_KEY: SANDBOX_SECRET_KEY,
        MOMENT_TIMEOUT_MS: '200',
        UPSTREAM_TIMEOUT_MS: '5000',
        RESILIENCE_RETRY_MAX_ATTEMPTS: '1',
      },
    });
    ownSimulator.faults.inject({ route: VOUCHER_TYPES_ROUTE, fault: { kind: 'latency', ms: 1_500 } });
    gateway.simulators.triple!.faults.inject({ route: READS.triple.route, fault: { kind: 'latency', ms: 1_500 } });

    const [moment, triple] = await Promise.all([gateway.gql(READS.moment.query), gateway.gql(READS.triple.query)]);
    expect(onlyError(moment)).toMatchObject({ message: 'moment did not answer in time', extensions: { code: 'PROVIDER_TIMEOUT', provider: 'moment', retryable: true } });
    // Triple keeps the gateway-wide 5 s and gets its answer.
    expect(triple.body.errors).toBeUndefined();
    // The gateway hung up on Moment well before Moment's 1.5 s answer (by the simulator's own clock).
    await abandoned(ownSimulator, VOUCHER_TYPES_ROUTE);
    const [call] = ownSimulator.calls(VOUCHER_TYPES_ROUTE);
    expect(call!.abandonedAt! - call!.receivedAt).toBeLessThan(1_500);
  });

  it('UPSTREAM_HEADERS_TIMEOUT_MS bounds the wait for response headers below the whole-call timeout', async () => {
    gateway = await startTestGateway({
      env: { UPSTREAM_HEADERS_TIMEOUT_MS: '200', UPSTREAM_TIMEOUT_MS: '5000', RESILIENCE_RETRY_MAX_ATTEMPTS: '1' },
    });
    const moment = gateway.simulators.moment!;
    moment.faults.inject({ route: VOUCHER_TYPES_ROUTE, fault: { kind: 'hang' } });
    const answer = await gateway.gql(READS.moment.query);
    expect(onlyError(answer).extensions).toMatchObject({ code: 'PROVIDER_TIMEOUT', provider: 'moment' });
    // Given up long before the 5 s whole-call deadline, by the simulator's own clock.
    await abandoned(moment, VOUCHER_TYPES_ROUTE);
    const [call] = moment.calls(VOUCHER_TYPES_ROUTE);
    expect(call!.abandonedAt! - call!.receivedAt).toBeLessThan(2_500);
  });
});

describe('in-flight deduplication of identical reads', () => {
  it('lets concurrent identical reads share one upstream request', async () => {
    gateway = await startTestGateway();
    const moment = gateway.simulators.moment!;
    // The first request is held long enough for the others to arrive while it is in flight.
    moment.faults.inject({ route: VOUCHER_TYPES_ROUTE, times: 1, fault: { kind: 'latency', ms: 300 } });

    const answers = await Promise.all(Array.from({ length: 5 }, () => gateway!.gql(READS.moment.query)));
    expect(moment.calls(VOUCHER_TYPES_ROUTE)).toHaveLength(1);
    for (const answer of answers) expect(answer.body).toEqual(answers[0]!.body);
    expect(answers[0]!.body.data).toMatchObject({ voucherTypes: expect.arrayContaining([{ type: 'ONE_VOUCHER' }]) });

    // Once it has ended, the same read goes upstream again: nothing is cached.
    await gateway.gql(READS.moment.query);
    expect(moment.calls(VOUCHER_TYPES_ROUTE)).toHaveLength(2);
  });

  it('never shares a read between callers with different credentials', async () => {
    gateway = await startTestGateway();
    const pers = gateway.simulators.pers!;
    pers.faults.inject({ route: 'GET /redemption-redeems/me', fault: { kind: 'latency', ms: 200 } });
    const query = '{ myRedeems { id userId } }';

    const [first, second, firstAgain] = await Promise.all([
      gateway.gql<{ myRedeems: { userId: string }[] }>(query, { token: gateway.tokens.user }),
      gateway.gql<{ myRedeems: { userId: string }[] }>(query, { token: gateway.tokens.otherUser }),
      gateway.gql<{ myRedeems: { userId: string }[] }>(query, { token: gateway.tokens.user }),
    ]);
    for (const answer of [first, second, firstAgain]) expect(answer.body.errors).toBeUndefined();
    expect(new Set(first.body.data!.myRedeems.map((r) => r.userId))).toEqual(new Set(['user-1']));
    expect(second.body.data!.myRedeems.every((r) => r.userId === 'user-2')).toBe(true);
    expect(firstAgain.body).toEqual(first.body);

    // Two upstream reads, one per PERS session: user-1's two requests shared theirs.
    const calls = pers.calls('GET /redemption-redeems/me');
    expect(calls).toHaveLength(2);
    expect(new Set(calls.map((call) => call.headers.authorization)).size).toBe(2);
  });
});
