/**
 * The four mutations end to end: GraphQL over HTTP -> gateway -> simulator -> back. Each case
 * asserts the exact upstream request the simulator received (or that none was sent) and the exact
 * GraphQL result, including every userError path.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { toGlobalId } from '../../src/domain/ids.js';
import { SANDBOX_SECRET_KEY } from '../../src/providers/moment/simulator.js';
import { SANDBOX_PROJECT_KEY, SIM_TOKEN_ADDRESS } from '../../src/providers/pers/simulator.js';
import { DEMO_STATUS_IDS, SANDBOX_API_KEY } from '../../src/providers/returning-ai/simulator.js';
import type { TripleSimulator } from '../../src/providers/triple/simulator.js';
import { deriveProviderKey } from '../../src/store/hash.js';
import type { Simulator } from '../../src/sim/kit.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { freshKey } from './support.js';

/** Routes that only fetch the gateway's own provider credentials. */
const AUTH_ROUTES = new Set(['POST /v3/oauth/token/generate', 'POST /auth/token', 'POST /oauth2/token']);

/** What a simulator received, credentials fetches left out. */
const upstream = (sim: Simulator) =>
  sim.requests
    .filter((r) => !AUTH_ROUTES.has(r.route ?? ''))
    .map(({ method, path, query, body }) => ({ method, path, query, body }));

const USER_ERRORS = 'userErrors { code message field provider providerCode }';

let gateway: TestGateway;
let sims: Required<TestGateway['simulators']>;
beforeEach(async () => {
  gateway = await startTestGateway();
  sims = gateway.simulators as Required<TestGateway['simulators']>;
});
afterEach(() => gateway.stop());

const nothingSent = () => {
  for (const sim of Object.values(sims)) expect(upstream(sim)).toEqual([]);
};

// ---------------------------------------------------------------- updateRedemptionStatus

describe('updateRedemptionStatus (Returning.AI)', () => {
  const mutation = /* GraphQL */ `
    mutation ($input: UpdateRedemptionStatusInput!, $key: String) {
      updateRedemptionStatus(input: $input, idempotencyKey: $key) {
        order { id provider providerId transactionId statusId status { state raw name category color } }
        ${USER_ERRORS}
        replayed
      }
    }
  `;

  it('moves the order and answers it with its new merchant status', async () => {
    const input = { transactionId: 'ORD202507013831', statusId: DEMO_STATUS_IDS.delivered };
    const response = await gateway.gql(mutation, { variables: { input, key: freshKey('rai') }, token: gateway.tokens.business });

    const [sent] = sims.returningai.requests;
    expect(sims.returningai.requests).toHaveLength(1);
    expect(sent).toMatchObject({
      method: 'PUT', path: '/apis/v1/redemption-transactions/status', query: {},
      headers: { authorization: `Bearer ${SANDBOX_API_KEY}`, 'content-type': 'application/json' },
      body: { transactionId: 'ORD202507013831', statusId: DEMO_STATUS_IDS.delivered },
    });
    expect(response.body).toEqual({
      data: {
        updateRedemptionStatus: {
          order: {
            id: toGlobalId('returningai', 'ORD202507013831'), provider: 'RETURNING_AI', providerId: 'ORD202507013831',
            transactionId: 'ORD202507013831', statusId: DEMO_STATUS_IDS.delivered,
            status: { state: 'SUCCEEDED', raw: DEMO_STATUS_IDS.delivered, name: 'Delivered', category: 'complete', color: '#27AE60' },
          },
          userErrors: [],
          replayed: false,
        },
      },
    });
  });

  it('refuses invalid input with a BAD_USER_INPUT per field and calls no provider', async () => {
    const response = await gateway.gql(mutation, { variables: { input: { transactionId: ' ', statusId: 'shipping' } } });

    nothingSent();
    expect(response.body).toEqual({
      data: {
        updateRedemptionStatus: {
          order: null,
          userErrors: [
            { code: 'BAD_USER_INPUT', message: 'must be a non-blank string of 1 to 64 characters, received " "', field: ['input', 'transactionId'], provider: null, providerCode: null },
            { code: 'BAD_USER_INPUT', message: 'must be a 24-character hex ObjectId, received "shipping"', field: ['input', 'statusId'], provider: null, providerCode: null },
          ],
          replayed: false,
        },
      },
    });
  });

  it('answers Returning.AI refusing an unknown order with a NOT_FOUND userError naming the provider', async () => {
    const input = { transactionId: 'ORD-NOPE', statusId: DEMO_STATUS_IDS.shipping };
    const response = await gateway.gql(mutation, { variables: { input, key: freshKey('rai') } });

    expect(upstream(sims.returningai)).toEqual([{ method: 'PUT', path: '/apis/v1/redemption-transactions/status', query: {}, body: input }]);
    expect(response.body.data).toEqual({
      updateRedemptionStatus: {
        order: null,
        userErrors: [{ code: 'NOT_FOUND', message: 'Returning.AI has no such transaction or status', field: null, provider: 'RETURNING_AI', providerCode: '404' }],
        replayed: false,
      },
    });
  });

  it('answers the same refusal as a userError when no idempotency key is sent', async () => {
    const input = { transactionId: 'ORD-NOPE', statusId: DEMO_STATUS_IDS.shipping };
    const response = await gateway.gql(mutation, { variables: { input } });

    expect(upstream(sims.returningai)).toEqual([{ method: 'PUT', path: '/apis/v1/redemption-transactions/status', query: {}, body: input }]);
    expect(response.body).toEqual({
      data: {
        updateRedemptionStatus: {
          order: null,
          userErrors: [{ code: 'NOT_FOUND', message: 'Returning.AI has no such transaction or status', field: null, provider: 'RETURNING_AI', providerCode: '404' }],
          replayed: false,
        },
      },
    });
  });

  it('is FORBIDDEN to a user, before any provider call', async () => {
    const input = { transactionId: 'ORD202507013831', statusId: DEMO_STATUS_IDS.shipping };
    const response = await gateway.gql(mutation, { variables: { input }, token: gateway.tokens.user });

    nothingSent();
    expect(response.body.data).toBeNull();
    expect(response.body.errors?.map((e) => [e.path, e.extensions?.code])).toEqual([[['updateRedemptionStatus'], 'FORBIDDEN']]);
  });
});

// ---------------------------------------------------------------- updateRedemptionMetadata

describe('updateRedemptionMetadata (Capillary)', () => {
  const mutation = /* GraphQL */ `
    mutation ($input: UpdateRedemptionMetadataInput!, $key: String) {
      updateRedemptionMetadata(input: $input, idempotencyKey: $key) {
        redemption { id providerId redemptionId customerId billNumber billId purpose points { amount } status { state raw } }
        ${USER_ERRORS}
        replayed
      }
    }
  `;

  it('sends the v2 update and answers the updated redemption', async () => {
    const input = { redemptionId: 'NZVAt9', billNumber: 'billnumber444', billId: '1234567890123456789', purpose: 'Store credit' };
    const response = await gateway.gql(mutation, { variables: { input, key: freshKey('cap-meta') }, token: gateway.tokens.business });

    expect(upstream(sims.capillary)).toEqual([{ method: 'PUT', path: '/v2/points/updateRedemption', query: {}, body: input }]);
    expect(sims.capillary.calls('PUT /v2/points/updateRedemption')[0]!.headers).toMatchObject({
      'x-cap-api-oauth-token': 'sim-oauth-token-1', 'content-type': 'application/json',
    });
    expect(response.body).toEqual({
      data: {
        updateRedemptionMetadata: {
          redemption: {
            id: toGlobalId('capillary', '564670755/NZVAt9'), providerId: 'NZVAt9', redemptionId: 'NZVAt9', customerId: '564670755',
            billNumber: 'billnumber444', billId: '1234567890123456789', purpose: 'Store credit', points: { amount: '1' },
            status: { state: 'SUCCEEDED', raw: '800' },
          },
          userErrors: [],
          replayed: false,
        },
      },
    });
  });

  it.each([
    [
      'both identifiers and a signed billId',
      { redemptionId: 'NZVAt9', externalReferenceNumber: 'seed-ern-1', billId: '-5' },
      [
        ['BAD_USER_INPUT', 'expected a positive integer of 1 to 19 digits without sign or decimal point, e.g. "1234567890123456789", received "-5"', ['input', 'billId']],
        ['BAD_USER_INPUT', 'expected exactly one of redemptionId or externalReferenceNumber, received both', ['input']],
      ],
    ],
    [
      'no identifier and nothing to change',
      {},
      [
        ['BAD_USER_INPUT', 'expected exactly one of redemptionId or externalReferenceNumber, received neither', ['input']],
        ['BAD_USER_INPUT', 'expected at least one of billNumber, billId, purpose, customFields, received none', ['input']],
      ],
    ],
    [
      'duplicate custom field keys and a customer entity with a group identifier',
      {
        redemptionId: 'NZVAt9', customFields: [{ key: 'a', value: '1' }, { key: 'a', value: '2' }],
        entity: { type: 'CUSTOMER', identifierType: 'primaryUserId', identifierValue: '1' },
      },
      [
        ['BAD_USER_INPUT', 'expected one of mobile, email, externalId, cardnumber, wechat, martjackId, fbId, id for CUSTOMER, received "primaryUserId"', ['input', 'entity', 'identifierType']],
        ['BAD_USER_INPUT', 'expected unique keys, received "a" twice', ['input', 'customFields', '1', 'key']],
      ],
    ],
  ])('refuses %s with a BAD_USER_INPUT per problem and calls no provider', async (_case, input, problems) => {
    const response = await gateway.gql<{ updateRedemptionMetadata: { userErrors: unknown[] } }>(mutation, { variables: { input } });

    nothingSent();
    expect(response.body.data?.updateRedemptionMetadata).toEqual({
      redemption: null,
      userErrors: problems.map(([code, message, field]) => ({ code, message, field, provider: null, providerCode: null })),
      replayed: false,
    });
  });

  it.each([
    ['an unknown redemption', { redemptionId: 'NOPE42', billNumber: 'b-1' }, 'NOT_FOUND', 'Redemption or identifier not found', '8015'],
    ['custom fields on a redemption made without them', { redemptionId: 'NZVAt9', customFields: [{ key: 'card_number', value: '42' }] }, 'PROVIDER_REJECTED', 'Capillary refused the redemption update', '750'],
  ])('maps Capillary refusing %s to a userError with provider and providerCode', async (_case, input, code, message, providerCode) => {
    const response = await gateway.gql(mutation, { variables: { input, key: freshKey('cap-meta') } });

    const { customFields, ...rest } = input as { customFields?: { key: string; value: string }[] };
    const body = customFields ? { ...rest, customFields: Object.fromEntries(customFields.map((f) => [f.key, f.value])) } : rest;
    expect(upstream(sims.capillary)).toEqual([{ method: 'PUT', path: '/v2/points/updateRedemption', query: {}, body }]);
    expect(response.body.data).toEqual({
      updateRedemptionMetadata: { redemption: null, userErrors: [{ code, message, field: null, provider: 'CAPILLARY', providerCode }], replayed: false },
    });
  });
});

// ---------------------------------------------------------------- executeRedeem

const REDEEM = /* GraphQL */ `
  mutation ($input: ExecuteRedeemInput!, $key: String) {
    executeRedeem(input: $input, idempotencyKey: $key) {
      redemption {
        __typename id provider providerId status { state raw }
        ... on TokenRedeem { userId businessId redemptionId transaction { id amount tokenAddress type status } }
        ... on PointsRedemption { customerId points { amount } balance { amount } billNumber notes externalReferenceNumber }
        ... on VoucherRedemption {
          type version amount { amount currencyCode } redeemedAmount { amount currencyCode }
          changeVoucher { pinLast4 amount { amount currencyCode } } metadata { key value } externalReference errorCode errorMessage
        }
      }
      ${USER_ERRORS}
      replayed
    }
  }
`;

/** The provider key the gateway derives from a user-1 idempotency key. */
const providerKeyOf = (key: string, provider: string) => deriveProviderKey('user::user-1', key, provider);

describe('executeRedeem (PERS)', () => {
  it('redeems the offer as the caller and answers the redeem with its token transaction', async () => {
    const key = freshKey('pers');
    const response = await gateway.gql(REDEEM, { variables: { input: { pers: { redemptionId: 'red-coffee', businessId: 'biz-1' } }, key }, token: gateway.tokens.user });

    expect(upstream(sims.pers)).toEqual([{ method: 'POST', path: '/redemptions/redeems', query: {}, body: { redemptionId: 'red-coffee', businessId: 'biz-1' } }]);
    expect(sims.pers.calls('POST /redemptions/redeems')[0]!.headers).toMatchObject({
      'x-project-key': SANDBOX_PROJECT_KEY, authorization: expect.stringMatching(/^Bearer ey/), 'content-type': 'application/json',
    });
    expect(sims.pers.calls('POST /auth/token')[0]!.body).toEqual({ authToken: gateway.tokens.user, authType: 'user' });
    expect(response.body).toEqual({
      data: {
        executeRedeem: {
          redemption: {
            __typename: 'TokenRedeem', id: toGlobalId('pers', 'rdm-1004'), provider: 'PERS', providerId: 'rdm-1004',
            status: { state: 'SUCCEEDED', raw: 'COMPLETED' }, userId: 'user-1', businessId: 'biz-1', redemptionId: 'red-coffee',
            transaction: { id: 'tx-1004', amount: '10', tokenAddress: SIM_TOKEN_ADDRESS, type: 'TRANSFER', status: 'created' },
          },
          userErrors: [],
          replayed: false,
        },
      },
    });
  });

  it('refuses a blank offer id before any call', async () => {
    const response = await gateway.gql(REDEEM, { variables: { input: { pers: { redemptionId: '' } }, key: freshKey('pers') }, token: gateway.tokens.user });

    nothingSent();
    expect(response.body.data).toEqual({
      executeRedeem: {
        redemption: null,
        userErrors: [{ code: 'BAD_USER_INPUT', message: 'expected a redemption id of 1 to 100 characters, received an empty string', field: ['input', 'pers', 'redemptionId'], provider: null, providerCode: null }],
        replayed: false,
      },
    });
  });

  it('maps PERS refusing an inactive offer to PROVIDER_REJECTED with its code', async () => {
    const response = await gateway.gql(REDEEM, { variables: { input: { pers: { redemptionId: 'red-retired' } }, key: freshKey('pers') }, token: gateway.tokens.user });

    expect(upstream(sims.pers)).toEqual([{ method: 'POST', path: '/redemptions/redeems', query: {}, body: { redemptionId: 'red-retired', businessId: null } }]);
    expect(response.body.data).toEqual({
      executeRedeem: {
        redemption: null,
        userErrors: [{ code: 'PROVIDER_REJECTED', message: 'The redemption offer is not active', field: null, provider: 'PERS', providerCode: 'REDEMPTION_INACTIVE' }],
        replayed: false,
      },
    });
  });
});

describe('executeRedeem (Capillary)', () => {
  it('redeems the points with an external reference derived from the idempotency key', async () => {
    const key = freshKey('cap');
    const input = { capillary: { customer: { type: 'MOBILE', value: '919777785302' }, points: '100', billNumber: 'bill-2001', notes: 'Gift' } };
    const response = await gateway.gql(REDEEM, { variables: { input, key }, token: gateway.tokens.user });

    const ern = providerKeyOf(key, 'capillary');
    expect(upstream(sims.capillary)).toEqual([{
      method: 'POST', path: '/v1.1/points/redeem', query: { format: 'json' },
      body: { root: { redeem: [{ points_redeemed: '100', customer: { mobile: '919777785302' }, transaction_number: 'bill-2001', external_reference_number: ern, notes: 'Gift' }] } },
    }]);
    expect(response.body).toEqual({
      data: {
        executeRedeem: {
          redemption: {
            __typename: 'PointsRedemption', id: toGlobalId('capillary', '564670755/sim001'), provider: 'CAPILLARY', providerId: 'sim001',
            status: { state: 'SUCCEEDED', raw: '800' }, customerId: '564670755', points: { amount: '100' }, balance: { amount: '4900' },
            billNumber: 'bill-2001', notes: 'Gift', externalReferenceNumber: ern,
          },
          userErrors: [],
          replayed: false,
        },
      },
    });
  });

  it('refuses points that are zero or too precise, and a non-numeric customer id, before any call', async () => {
    const input = { capillary: { customer: { type: 'ID', value: 'abc' }, points: '1.2345' } };
    const response = await gateway.gql(REDEEM, { variables: { input, key: freshKey('cap') }, token: gateway.tokens.user });

    nothingSent();
    const expected = 'a decimal number of points greater than 0 with at most 3 decimal places, e.g. "100" or "12.5"';
    expect(response.body.data).toEqual({
      executeRedeem: {
        redemption: null,
        userErrors: [
          { code: 'BAD_USER_INPUT', message: 'expected a numeric customer id, received "abc"', field: ['input', 'capillary', 'customer', 'value'], provider: null, providerCode: null },
          { code: 'BAD_USER_INPUT', message: `expected ${expected}, received "1.2345"`, field: ['input', 'capillary', 'points'], provider: null, providerCode: null },
        ],
        replayed: false,
      },
    });
  });

  it('maps Capillary refusing for a low balance to INSUFFICIENT_BALANCE with its code', async () => {
    const key = freshKey('cap');
    const input = { capillary: { customer: { type: 'MOBILE', value: '919731013853' }, points: '99999' } };
    const response = await gateway.gql(REDEEM, { variables: { input, key }, token: gateway.tokens.user });

    expect(upstream(sims.capillary)).toEqual([{
      method: 'POST', path: '/v1.1/points/redeem', query: { format: 'json' },
      body: { root: { redeem: [{ points_redeemed: '99999', customer: { mobile: '919731013853' }, external_reference_number: providerKeyOf(key, 'capillary') }] } },
    }]);
    expect(response.body.data).toEqual({
      executeRedeem: {
        redemption: null,
        userErrors: [{ code: 'INSUFFICIENT_BALANCE', message: 'The customer does not have enough points', field: null, provider: 'CAPILLARY', providerCode: '803' }],
        replayed: false,
      },
    });
  });
});

describe('executeRedeem (Moment)', () => {
  it('redeems the voucher with a Moment Idempotency-Key derived from the gateway key', async () => {
    const key = freshKey('moment');
    const input = {
      moment: {
        type: 'ONE_VOUCHER', source: { pin: '1234567890123456' }, amount: { amount: '25.00', currencyCode: 'ZAR' },
        externalReference: 'order-77', metadata: [{ key: 'till', value: '3' }],
      },
    };
    const response = await gateway.gql<{ executeRedeem: { redemption: { providerId: string } } }>(REDEEM, { variables: { input, key }, token: gateway.tokens.user });

    expect(upstream(sims.moment)).toEqual([{
      method: 'POST', path: '/collect/redemptions', query: {},
      body: { type: 'vouchers.one_voucher', source: { pin: '1234567890123456' }, amount: 2500, currency: 'ZAR', external_reference: 'order-77', metadata: { till: '3' } },
    }]);
    expect(sims.moment.requests[0]!.headers).toMatchObject({
      authorization: `Bearer ${SANDBOX_SECRET_KEY}`, 'idempotency-key': providerKeyOf(key, 'moment'), 'content-type': 'application/json',
    });
    const providerId = response.body.data!.executeRedeem.redemption.providerId;
    expect(providerId).toMatch(/^rdm_[0-9a-f]{24}$/);
    expect(response.body).toEqual({
      data: {
        executeRedeem: {
          redemption: {
            __typename: 'VoucherRedemption', id: toGlobalId('moment', providerId), provider: 'MOMENT', providerId,
            status: { state: 'SUCCEEDED', raw: 'confirmed' }, type: 'ONE_VOUCHER', version: 3,
            amount: { amount: '25.00', currencyCode: 'ZAR' }, redeemedAmount: { amount: '25.00', currencyCode: 'ZAR' },
            changeVoucher: { pinLast4: '0001', amount: { amount: '75.00', currencyCode: 'ZAR' } },
            metadata: [{ key: 'till', value: '3' }], externalReference: 'order-77', errorCode: null, errorMessage: null,
          },
          userErrors: [],
          replayed: false,
        },
      },
    });
  });

  it('refuses a short PIN, a foreign currency and sub-cent amounts with one userError each, before any call', async () => {
    const input = { moment: { type: 'ONE_VOUCHER', source: { pin: '12345' }, amount: { amount: '1.001', currencyCode: 'USD' } } };
    const response = await gateway.gql(REDEEM, { variables: { input, key: freshKey('moment') }, token: gateway.tokens.user });

    nothingSent();
    const problem = (message: string, field: string[]) => ({ code: 'BAD_USER_INPUT', message, field, provider: null, providerCode: null });
    expect(response.body.data).toEqual({
      executeRedeem: {
        redemption: null,
        userErrors: [
          problem('currencyCode must be ZAR; received "USD"', ['input', 'moment', 'amount', 'currencyCode']),
          problem('amount must be whole cents; received "1.001"', ['input', 'moment', 'amount', 'amount']),
          problem('pin must be 16 digits for vouchers.one_voucher; received 5 characters', ['input', 'moment', 'source', 'pin']),
        ],
        replayed: false,
      },
    });
  });

  it('answers a voucher Moment refuses with the FAILED redemption and a PROVIDER_REJECTED userError carrying its code', async () => {
    const key = freshKey('moment');
    const input = { moment: { type: 'ONE_VOUCHER', source: { pin: '0000000000000000' } } };
    const response = await gateway.gql<{ executeRedeem: { redemption: { providerId: string } } }>(REDEEM, { variables: { input, key }, token: gateway.tokens.user });

    expect(upstream(sims.moment)).toEqual([{
      method: 'POST', path: '/collect/redemptions', query: {}, body: { type: 'vouchers.one_voucher', source: { pin: '0000000000000000' } },
    }]);
    const providerId = response.body.data!.executeRedeem.redemption.providerId;
    expect(response.body).toEqual({
      data: {
        executeRedeem: {
          redemption: {
            __typename: 'VoucherRedemption', id: toGlobalId('moment', providerId), provider: 'MOMENT', providerId,
            status: { state: 'FAILED', raw: 'failed' }, type: 'ONE_VOUCHER', version: 2, amount: null,
            redeemedAmount: { amount: '0.00', currencyCode: 'ZAR' }, changeVoucher: null, metadata: [], externalReference: null,
            errorCode: 'voucher_already_redeemed', errorMessage: 'The voucher has already been redeemed',
          },
          userErrors: [{ code: 'PROVIDER_REJECTED', message: 'The voucher has already been redeemed', field: null, provider: 'MOMENT', providerCode: 'voucher_already_redeemed' }],
          replayed: false,
        },
      },
    });
  });
});

describe('executeRedeem input rules', () => {
  it.each([
    ['no member', '{}'],
    ['two members', '{ pers: { redemptionId: "red-coffee" }, moment: { type: BLU, source: { token: "BLU-TOKEN-0001" } } }'],
  ])('refuses @oneOf input with %s written in the document (HTTP 400), calling no provider', async (_case, literal) => {
    const response = await gateway.gql(`mutation { executeRedeem(idempotencyKey: "k", input: ${literal}) { replayed } }`);

    nothingSent();
    expect(response.status).toBe(400);
    expect(response.body.errors?.map((e) => [e.message, e.extensions?.code])).toEqual([
      ['OneOf Input Object "ExecuteRedeemInput" must specify exactly one key.', 'GRAPHQL_VALIDATION_FAILED'],
    ]);
  });

  it.each([
    ['no member', {}],
    ['two members', { pers: { redemptionId: 'red-coffee' }, capillary: { customer: { type: 'MOBILE', value: '919777785302' }, points: '1' } }],
  ])('refuses @oneOf input with %s sent as a variable with BAD_USER_INPUT, calling no provider', async (_case, input) => {
    const response = await gateway.gql(REDEEM, { variables: { input, key: freshKey('oneof') } });

    nothingSent();
    expect(response.status).toBe(400);
    expect(response.body.errors).toHaveLength(1);
    expect(response.body.errors![0]!.message).toMatch(/Exactly one key must be specified for OneOf type "ExecuteRedeemInput"\.$/);
    expect(response.body.errors![0]!.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('requires an idempotency key, naming the idempotencyKey field', async () => {
    const response = await gateway.gql(REDEEM, { variables: { input: { pers: { redemptionId: 'red-coffee' } } }, token: gateway.tokens.user });

    nothingSent();
    expect(response.body.data).toEqual({
      executeRedeem: {
        redemption: null,
        userErrors: [{
          code: 'BAD_USER_INPUT', message: 'executeRedeem requires an idempotency key (Idempotency-Key header or idempotencyKey argument)',
          field: ['idempotencyKey'], provider: null, providerCode: null,
        }],
        replayed: false,
      },
    });
  });
});

// ---------------------------------------------------------------- updateRewardStatus

describe('updateRewardStatus (Triple)', () => {
  const mutation = /* GraphQL */ `
    mutation ($input: UpdateRewardStatusInput!, $key: String) {
      updateRewardStatus(input: $input, idempotencyKey: $key) {
        reward { id providerId rewardStatus status { state raw } offerId transactionId amount { amount currencyCode } notes }
        ${USER_ERRORS}
        replayed
      }
    }
  `;
  const FIND_1 = { method: 'GET', path: '/partner/rewards', query: { offer_id: 'triple-offer-1', transaction_id: 'triple-txn-1' }, body: undefined };
  const reward1 = (rewardStatus: string, state: string, notes: string | null = null) => ({
    id: toGlobalId('triple', 'rwd-1001'), providerId: 'rwd-1001', rewardStatus, status: { state, raw: rewardStatus },
    offerId: 'triple-offer-1', transactionId: 'triple-txn-1', amount: { amount: '5.25', currencyCode: 'USD' }, notes,
  });

  it('approves a reward: looks it up, posts the status change, reads it back', async () => {
    const input = { offerId: 'triple-offer-1', transactionId: 'triple-txn-1', status: 'PENDING_MERCHANT_FUNDING' };
    const response = await gateway.gql(mutation, { variables: { input, key: freshKey('triple') }, token: gateway.tokens.business });

    expect(upstream(sims.triple)).toEqual([
      FIND_1,
      { method: 'POST', path: '/partner/rewards.update_status', query: {}, body: { status: 'PENDING_MERCHANT_FUNDING', offer_id: 'triple-offer-1', transaction_id: 'triple-txn-1' } },
      FIND_1,
    ]);
    const token = (sims.triple as TripleSimulator).issuedTokens()[0];
    expect(sims.triple.calls('POST /partner/rewards.update_status')[0]!.headers).toMatchObject({ authorization: `Bearer ${token}`, 'content-type': 'application/json' });
    expect(response.body).toEqual({
      data: { updateRewardStatus: { reward: reward1('PENDING_MERCHANT_FUNDING', 'PROCESSING'), userErrors: [], replayed: false } },
    });
  });

  it('denies a reward with notes through PATCH on the reward', async () => {
    const input = { offerId: 'triple-offer-1', transactionId: 'triple-txn-1', status: 'DENIED_BY_MERCHANT', notes: 'Order refunded' };
    const response = await gateway.gql(mutation, { variables: { input }, token: gateway.tokens.business });

    expect(upstream(sims.triple)).toEqual([
      FIND_1,
      FIND_1,
      { method: 'PATCH', path: '/partner/rewards/rwd-1001', query: {}, body: { status: 'DENIED_BY_MERCHANT', notes: 'Order refunded' } },
      FIND_1,
    ]);
    expect(response.body).toEqual({
      data: { updateRewardStatus: { reward: reward1('DENIED_BY_MERCHANT', 'CANCELLED', 'Order refunded'), userErrors: [], replayed: false } },
    });
  });

  it('refuses a denial without notes and blank ids before any call', async () => {
    const input = { offerId: ' ', transactionId: 'triple-txn-1', status: 'DENIED_BY_MERCHANT' };
    const response = await gateway.gql(mutation, { variables: { input }, token: gateway.tokens.business });

    nothingSent();
    expect(response.body.data).toEqual({
      updateRewardStatus: {
        reward: null,
        userErrors: [
          { code: 'BAD_USER_INPUT', message: 'expected a non-blank id, received only whitespace', field: ['input', 'offerId'], provider: null, providerCode: null },
          { code: 'BAD_USER_INPUT', message: 'expected notes when status is DENIED_BY_MERCHANT, received none', field: ['input', 'notes'], provider: null, providerCode: null },
        ],
        replayed: false,
      },
    });
    const noNotes = await gateway.gql(mutation, { variables: { input: { ...input, offerId: 'triple-offer-1' } }, token: gateway.tokens.business });
    nothingSent();
    expect(noNotes.body.data).toEqual({
      updateRewardStatus: {
        reward: null,
        userErrors: [{ code: 'BAD_USER_INPUT', message: 'expected notes when status is DENIED_BY_MERCHANT, received none', field: ['input', 'notes'], provider: null, providerCode: null }],
        replayed: false,
      },
    });
  });

  it('refuses a disallowed transition with INVALID_TRANSITION and writes nothing', async () => {
    const input = { offerId: 'triple-offer-2', transactionId: 'triple-txn-3', status: 'DISTRIBUTED_TO_CARDHOLDER' };
    const response = await gateway.gql(mutation, { variables: { input, key: freshKey('triple') }, token: gateway.tokens.admin });

    expect(upstream(sims.triple)).toEqual([{ method: 'GET', path: '/partner/rewards', query: { offer_id: 'triple-offer-2', transaction_id: 'triple-txn-3' }, body: undefined }]);
    expect(response.body.data).toEqual({
      updateRewardStatus: {
        reward: null,
        userErrors: [{
          code: 'INVALID_TRANSITION',
          message: 'expected one of PENDING_MERCHANT_APPROVAL -> DENIED_BY_MERCHANT, PENDING_MERCHANT_APPROVAL -> PENDING_MERCHANT_FUNDING, DISTRIBUTED_TO_PUBLISHER -> DISTRIBUTED_TO_CARDHOLDER for partner roles [content_provider, publisher], received PENDING_REVIEW -> DISTRIBUTED_TO_CARDHOLDER',
          field: ['input', 'status'], provider: null, providerCode: null,
        }],
        replayed: false,
      },
    });
  });

  it('lets only an admin (publisher) move a distributed reward to the cardholder', async () => {
    const input = { offerId: 'triple-offer-1', transactionId: 'triple-txn-2', status: 'DISTRIBUTED_TO_CARDHOLDER' };
    const asBusiness = await gateway.gql<{ updateRewardStatus: { userErrors: { code: string; field: string[] }[] } }>(mutation, { variables: { input }, token: gateway.tokens.business });

    expect(upstream(sims.triple).map((r) => r.method)).toEqual(['GET']);
    expect(asBusiness.body.data?.updateRewardStatus.userErrors.map((e) => [e.code, e.field])).toEqual([['INVALID_TRANSITION', ['input', 'status']]]);

    const asAdmin = await gateway.gql<{ updateRewardStatus: { reward: { rewardStatus: string } } }>(mutation, { variables: { input }, token: gateway.tokens.admin });
    expect(upstream(sims.triple).map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /partner/rewards', 'GET /partner/rewards', 'POST /partner/rewards.update_status', 'GET /partner/rewards',
    ]);
    expect(asAdmin.body.data?.updateRewardStatus.reward.rewardStatus).toBe('DISTRIBUTED_TO_CARDHOLDER');
  });

  it('refuses to move a reward whose current Triple status is not a documented one, writing nothing', async () => {
    sims.triple.faults.inject({
      route: 'GET /partner/rewards',
      fault: { kind: 'mutate', mutate: (body) => ({ rewards: (body as { rewards: object[] }).rewards.map((r) => ({ ...r, status: 'ON_HOLD' })) }) },
    });
    const input = { offerId: 'triple-offer-1', transactionId: 'triple-txn-1', status: 'PENDING_MERCHANT_FUNDING' };
    const response = await gateway.gql(mutation, { variables: { input, key: freshKey('triple') }, token: gateway.tokens.business });

    expect(upstream(sims.triple)).toEqual([FIND_1]);
    expect(response.body.data).toEqual({
      updateRewardStatus: {
        reward: null,
        userErrors: [{
          code: 'INVALID_TRANSITION', message: 'The reward is in an undocumented status (ON_HOLD); no transition is allowed from it',
          field: ['input', 'status'], provider: null, providerCode: null,
        }],
        replayed: false,
      },
    });
  });

  it('answers an unknown offer and transaction with NOT_FOUND on transactionId', async () => {
    const input = { offerId: 'triple-offer-1', transactionId: 'triple-txn-404', status: 'PENDING_MERCHANT_FUNDING' };
    const response = await gateway.gql(mutation, { variables: { input }, token: gateway.tokens.business });

    expect(upstream(sims.triple)).toEqual([{ method: 'GET', path: '/partner/rewards', query: { offer_id: 'triple-offer-1', transaction_id: 'triple-txn-404' }, body: undefined }]);
    expect(response.body.data).toEqual({
      updateRewardStatus: {
        reward: null,
        userErrors: [{ code: 'NOT_FOUND', message: 'No reward for that offer and transaction', field: ['input', 'transactionId'], provider: null, providerCode: null }],
        replayed: false,
      },
    });
  });

  it('maps Triple refusing the change (TripleIntegrityError) to a userError with provider and providerCode', async () => {
    sims.triple.faults.inject({ route: 'POST /partner/rewards.update_status', times: 1, fault: { kind: 'status', status: 409 } });
    const input = { offerId: 'triple-offer-1', transactionId: 'triple-txn-1', status: 'PENDING_MERCHANT_FUNDING' };
    const response = await gateway.gql(mutation, { variables: { input, key: freshKey('triple') }, token: gateway.tokens.business });

    expect(upstream(sims.triple)).toEqual([
      FIND_1,
      { method: 'POST', path: '/partner/rewards.update_status', query: {}, body: { status: 'PENDING_MERCHANT_FUNDING', offer_id: 'triple-offer-1', transaction_id: 'triple-txn-1' } },
    ]);
    expect(response.body.data).toEqual({
      updateRewardStatus: {
        reward: null,
        userErrors: [{ code: 'INVALID_TRANSITION', message: 'Triple does not allow this reward status change', field: null, provider: 'TRIPLE', providerCode: 'TripleIntegrityError' }],
        replayed: false,
      },
    });
  });
});
