/**
 * `redemptions(ids:)` against the five simulators: the exact upstream calls (one per provider
 * batch or distinct id, none for duplicates), the order of the answer, NOT_FOUND for missing ids,
 * providers read in parallel, and one provider's outage leaving the others' data intact.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_CUSTOMER_A, DEMO_CUSTOMER_B } from '../../src/providers/capillary/simulator.js';
import { SANDBOX_SECRET_KEY } from '../../src/providers/moment/simulator.js';
import { SANDBOX_PROJECT_KEY } from '../../src/providers/pers/simulator.js';
import { SANDBOX_API_KEY } from '../../src/providers/returning-ai/simulator.js';
import type { TripleSimulator } from '../../src/providers/triple/simulator.js';
import type { Simulator } from '../../src/sim/kit.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { callsOf, DEMO, MISSING, type DemoRecord } from './support.js';

const QUERY = /* GraphQL */ `
  query ($ids: [ID!]!) {
    redemptions(ids: $ids) { __typename id provider providerId status { state raw } }
  }
`;

const { orders, points, redeems, rewards, vouchers } = DEMO;

/** 20 ids over all five providers: 15 distinct (two of them missing), 5 repeats. */
const TWENTY: (DemoRecord)[] = [
  orders[0]!, points[0]!, redeems[0]!, rewards[0]!, vouchers[0]!,
  orders[1]!, points[1]!, redeems[1]!, rewards[1]!, MISSING.voucher,
  orders[2]!, redeems[2]!, rewards[2]!, rewards[3]!, MISSING.reward,
  points[0]!, orders[0]!, vouchers[0]!, MISSING.voucher, rewards[1]!,
];
const MISSING_IDS = new Set([MISSING.voucher.id, MISSING.reward.id]);

const TYPENAMES = { returningai: 'RedemptionOrder', capillary: 'PointsRedemption', pers: 'TokenRedeem', triple: 'Reward', moment: 'VoucherRedemption' };
const PROVIDER_ENUM = { returningai: 'RETURNING_AI', capillary: 'CAPILLARY', pers: 'PERS', triple: 'TRIPLE', moment: 'MOMENT' };

interface Item { __typename: string; id: string; provider: string; providerId: string; status: { state: string; raw: string } }

let gateway: TestGateway | undefined;
afterEach(async () => {
  await gateway?.stop();
  gateway = undefined;
});

const sims = (g: TestGateway) => g.simulators as Required<typeof g.simulators>;

describe('redemptions(ids:) over five providers', () => {
  it('makes exactly one call per provider batch or distinct id, none for duplicates', async () => {
    gateway = await startTestGateway();
    const { returningai, capillary, pers, triple, moment } = sims(gateway);

    const response = await gateway.gql<{ redemptions: (Item | null)[] }>(QUERY, { variables: { ids: TWENTY.map((r) => r.id) } });

    expect(response.status).toBe(200);
    expect(callsOf(returningai)).toEqual(orders.map((o) => `GET /apis/v1/redemption-transactions/${o.ref}`).sort());
    // One customer-redemptions call for both customers, in the order the ids came.
    expect(callsOf(capillary)).toEqual([
      'GET /v1.1/customer/redemptions?id=564670755%2C564332013&points_limit=500&type=POINTS&format=json',
      'POST /v3/oauth/token/generate',
    ]);
    expect(capillary.calls('GET /v1.1/customer/redemptions')[0]!.query).toEqual({
      id: `${DEMO_CUSTOMER_A.id},${DEMO_CUSTOMER_B.id}`, points_limit: '500', type: 'POINTS', format: 'json',
    });
    expect(callsOf(pers)).toEqual(['GET /redemption-redeems/rdm-1001', 'GET /redemption-redeems/rdm-1002', 'GET /redemption-redeems/rdm-1003', 'POST /auth/token']);
    expect(callsOf(triple)).toEqual([
      ...['rwd-1001', 'rwd-1002', 'rwd-1003', 'rwd-1004', 'rwd-9999'].map((id) => `GET /partner/rewards/${id}`),
      'POST /oauth2/token',
    ]);
    expect(callsOf(moment)).toEqual([`GET /collect/redemptions/${MISSING.voucher.ref}`, `GET /collect/redemptions/${vouchers[0]!.ref}`].sort());
  });

  it('sends each provider its own credentials on the reads', async () => {
    gateway = await startTestGateway();
    const { returningai, capillary, pers, triple, moment } = sims(gateway);

    await gateway.gql(QUERY, { variables: { ids: [orders[0]!.id, points[0]!.id, redeems[0]!.id, rewards[0]!.id, vouchers[0]!.id] } });

    const only = (sim: Simulator, route: string) => {
      const calls = sim.calls(route);
      expect(calls).toHaveLength(1);
      return calls[0]!;
    };
    expect(only(returningai, 'GET /apis/v1/redemption-transactions/:transactionId')).toMatchObject({
      body: undefined, headers: { authorization: `Bearer ${SANDBOX_API_KEY}` },
    });
    const tokenCall = only(capillary, 'POST /v3/oauth/token/generate');
    expect(tokenCall.body).toEqual({ key: 'cap_sandbox_key', secret: 'cap_sandbox_secret' });
    expect(only(capillary, 'GET /v1.1/customer/redemptions').headers['x-cap-api-oauth-token']).toMatch(/\S{8,}/);
    expect(only(pers, 'GET /redemption-redeems/:id')).toMatchObject({
      body: undefined, headers: { 'x-project-key': SANDBOX_PROJECT_KEY, authorization: expect.stringMatching(/^Bearer ey/) },
    });
    expect(only(pers, 'POST /auth/token').body).toEqual({ authToken: gateway.tokens.admin, authType: 'tenant' });
    expect(only(triple, 'GET /partner/rewards/:id').headers.authorization).toBe(`Bearer ${(triple as TripleSimulator).issuedTokens()[0]}`);
    expect(only(moment, 'GET /collect/redemptions/:id')).toMatchObject({ body: undefined, headers: { authorization: `Bearer ${SANDBOX_SECRET_KEY}` } });
  });

  it('answers in the order given, with null and a NOT_FOUND error (with its path) for each missing id', async () => {
    gateway = await startTestGateway();

    const response = await gateway.gql<{ redemptions: (Item | null)[] }>(QUERY, { variables: { ids: TWENTY.map((r) => r.id) } });

    expect(response.body.data?.redemptions.map((item) => item && [item.__typename, item.id, item.provider, item.providerId])).toEqual(
      TWENTY.map((r) => (MISSING_IDS.has(r.id) ? null : [TYPENAMES[r.provider], r.id, PROVIDER_ENUM[r.provider], r.providerId])),
    );
    // Errors come in completion order: compare them by path.
    const errors = response.body.errors?.map(({ message, path, extensions }) => ({ message, path, extensions }));
    expect(errors?.sort((a, b) => Number(a.path?.[1]) - Number(b.path?.[1]))).toEqual(
      [9, 14, 18].map((index) => ({
        message: 'No redemption with that id',
        path: ['redemptions', index],
        extensions: { code: 'NOT_FOUND', retryable: false },
      })),
    );
  });

  it('reads different providers in parallel: every provider is called before any call is answered', async () => {
    gateway = await startTestGateway();
    const all = Object.values(sims(gateway));
    for (const sim of all) sim.latencyMs = 50;

    const response = await gateway.gql(QUERY, { variables: { ids: TWENTY.map((r) => r.id) } });
    expect(response.body.data).toBeTruthy();

    const firstReceived = all.map((sim) => Math.min(...sim.requests.map((r) => r.receivedAt)));
    const firstAnswered = Math.min(...all.flatMap((sim) => sim.requests.map((r) => r.respondedAt!)));
    expect(all.every((sim) => sim.requests.every((r) => r.respondedAt! - r.receivedAt >= 50))).toBe(true);
    expect(Math.max(...firstReceived)).toBeLessThan(firstAnswered);
    // Within a provider the distinct ids are read in parallel too (Triple: five reads after its token).
    const tripleReads = sims(gateway).triple.calls('GET /partner/rewards/:id');
    expect(Math.max(...tripleReads.map((r) => r.receivedAt))).toBeLessThan(Math.min(...tripleReads.map((r) => r.respondedAt!)));
  });
});

describe('one provider down', () => {
  it('leaves the other providers\' data intact, with a PROVIDER_UNAVAILABLE error at each failed path', async () => {
    gateway = await startTestGateway({ env: { RESILIENCE_RETRY_INITIAL_DELAY_MS: '1', RESILIENCE_RETRY_MAX_DELAY_MS: '2' } });
    const ids = [orders[0]!, rewards[0]!, points[1]!, redeems[0]!, rewards[2]!, vouchers[0]!].map((r) => r.id);
    const query = /* GraphQL */ `
      query ($ids: [ID!]!) {
        redemptions(ids: $ids) {
          __typename id providerId status { state raw name } amount { amount currencyCode } createdAt
          ... on PointsRedemption { points { amount } billNumber }
          ... on VoucherRedemption { version }
          ... on TokenRedeem { userId redemptionId }
        }
      }
    `;
    const healthy = await gateway.gql<{ redemptions: (Item | null)[] }>(query, { variables: { ids } });
    expect(healthy.body.errors).toBeUndefined();

    const { triple } = sims(gateway);
    triple.faults.inject({ route: 'GET /partner/rewards/:id', fault: { kind: 'status', status: 503 } });
    const degraded = await gateway.gql<{ redemptions: (Item | null)[] }>(query, { variables: { ids } });

    const before = healthy.body.data!.redemptions;
    expect(degraded.body.data!.redemptions).toEqual([before[0], null, before[2], before[3], null, before[5]]);
    const errors = degraded.body.errors?.map(({ path, extensions }) => ({ path, extensions }));
    expect(errors?.sort((a, b) => Number(a.path?.[1]) - Number(b.path?.[1]))).toEqual([1, 4].map((index) => ({
      path: ['redemptions', index],
      extensions: { code: 'PROVIDER_UNAVAILABLE', provider: 'triple', providerCode: 'TripleServiceUnavailable', retryable: true },
    })));
    // The outage was real: Triple was asked and answered 503.
    expect(triple.calls('GET /partner/rewards/:id').length).toBeGreaterThan(2);
  });
});
