/**
 * Single reads through the schema: `node(id:)` and `redemption(id:)` round-trip global ids, a
 * Triple status outside the documented eight reads as a null `rewardStatus` (never as
 * PENDING_REVIEW), and a failed Moment redemption shows Moment's error code.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { toGlobalId } from '../../src/domain/ids.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { DEMO, freshKey } from './support.js';

let gateway: TestGateway;
let sims: Required<TestGateway['simulators']>;
beforeAll(async () => {
  gateway = await startTestGateway();
  sims = gateway.simulators as Required<TestGateway['simulators']>;
});
afterAll(() => gateway.stop());
beforeEach(() => {
  // Records and faults only: the simulators keep their state and the credentials they issued.
  for (const sim of Object.values(sims)) {
    sim.requests.length = 0;
    sim.faults.clear();
  }
});

describe('global lookup', () => {
  it('reads the same record through node(id:) and redemption(id:), with the id it was asked for', async () => {
    const [voucher] = DEMO.vouchers;
    const response = await gateway.gql(/* GraphQL */ `
      query ($id: ID!) {
        node(id: $id) { __typename id ... on VoucherRedemption { providerId version } }
        redemption(id: $id) { __typename id providerId ... on VoucherRedemption { version } }
      }
    `, { variables: { id: voucher!.id } });

    expect(sims.moment.calls('GET /collect/redemptions/:id').map((r) => r.path)).toEqual([`/collect/redemptions/${voucher!.ref}`]);
    expect(response.body).toEqual({
      data: {
        node: { __typename: 'VoucherRedemption', id: voucher!.id, providerId: voucher!.ref, version: 3 },
        redemption: { __typename: 'VoucherRedemption', id: voucher!.id, providerId: voucher!.ref, version: 3 },
      },
    });
  });

  it('answers an id that is not a global id with null and NOT_FOUND, calling no provider', async () => {
    const response = await gateway.gql('query { redemption(id: "not-a-global-id") { id } }');

    expect(Object.values(sims).flatMap((sim) => sim.requests)).toEqual([]);
    expect(response.body.data).toEqual({ redemption: null });
    expect(response.body.errors?.map((e) => [e.path, e.extensions?.code])).toEqual([[['redemption'], 'NOT_FOUND']]);
  });
});

describe('Triple rewards with a status outside the documented eight', () => {
  it('reads rewardStatus as null, keeping the raw value in status.raw with the state PENDING', async () => {
    sims.triple.faults.inject({ route: 'GET /partner/rewards/:id', times: 1, fault: { kind: 'mutate', mutate: (body) => ({ ...(body as object), status: 'ON_HOLD' }) } });
    const response = await gateway.gql('query { reward(rewardId: "rwd-1001") { id rewardStatus status { state raw } } }');

    expect(sims.triple.calls('GET /partner/rewards/:id').map((r) => r.path)).toEqual(['/partner/rewards/rwd-1001']);
    expect(response.body).toEqual({
      data: { reward: { id: toGlobalId('triple', 'rwd-1001'), rewardStatus: null, status: { state: 'PENDING', raw: 'ON_HOLD' } } },
    });
  });
});

describe('failed Moment redemptions', () => {
  it('show Moment\'s error code and message when read back', async () => {
    const redeem = await gateway.gql<{ executeRedeem: { redemption: { id: string } } }>(/* GraphQL */ `
      mutation ($key: String!) {
        executeRedeem(idempotencyKey: $key, input: { moment: { type: ONE_VOUCHER, source: { pin: "9999999999999999" } } }) { redemption { id } }
      }
    `, { variables: { key: freshKey('moment-fail') } });
    const id = redeem.body.data!.executeRedeem.redemption.id;

    const response = await gateway.gql('query ($id: ID!) { redemption(id: $id) { status { state raw } ... on VoucherRedemption { errorCode errorMessage } } }', { variables: { id } });

    expect(sims.moment.calls('GET /collect/redemptions/:id')).toHaveLength(1);
    expect(response.body).toEqual({
      data: {
        redemption: {
          status: { state: 'FAILED', raw: 'failed' }, errorCode: 'voucher_not_found', errorMessage: 'No voucher matches the source credentials',
        },
      },
    });
  });
});

describe('offers of PERS redeems', () => {
  it('reads each distinct offer once per request, however many redeems name it', async () => {
    const response = await gateway.gql<{ persRedeems: { providerId: string; offer: { id: string; name: string } }[] }>(
      '{ persRedeems { providerId offer { id name } } }',
    );

    expect(response.body.errors).toBeUndefined();
    const offers = response.body.data!.persRedeems.map((r) => r.offer.id);
    expect(offers.filter((id) => id === 'red-coffee').length).toBeGreaterThan(1);
    expect(sims.pers.calls('GET /redemptions/:id').map((r) => r.path).sort()).toEqual([...new Set(offers)].sort().map((id) => `/redemptions/${id}`));
  });
});
