/**
 * Authorization attacks: the rule table is applied to every root field (a role it does not list
 * gets FORBIDDEN and no provider is called; the roles it lists run the same operation), records
 * of other callers read exactly like records that do not exist (even when the provider leaks
 * them), PERS filters are the gateway's, and Triple transitions follow the caller's role.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPERATION_RULES } from '../../src/auth/rules.js';
import type { Role } from '../../src/domain/caller.js';
import { toGlobalId } from '../../src/domain/ids.js';
import { DEMO_CUSTOMER_A, DEMO_REDEMPTION_A } from '../../src/providers/capillary/simulator.js';
import { ONE_VOUCHER_PIN } from '../../src/providers/moment/simulator.js';
import { SANDBOX_PROJECT_KEY } from '../../src/providers/pers/simulator.js';
import { DEMO_STATUS_IDS } from '../../src/providers/returning-ai/simulator.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

const ROLES = ['user', 'business', 'admin'] as const satisfies readonly Role[];
/** A record each role's demo caller may see: user-1's PERS redeem, a Triple reward (fulfilment). */
const VISIBLE: Record<Role, string> = {
  user: toGlobalId('pers', 'rdm-1001'),
  business: toGlobalId('triple', 'rwd-1001'),
  admin: toGlobalId('pers', 'rdm-1002'),
};
const POINTS = `capillary: { customer: { type: MOBILE, value: "${DEMO_CUSTOMER_A.mobile}" }, points: "1", billNumber: "bill-authz" }`;

/** One operation per root field that succeeds, with no error, for every role the table allows. */
const OPERATIONS: Record<'Query' | 'Mutation', Record<string, (role: Role) => string>> = {
  Query: {
    node: (role) => `{ node(id: "${VISIBLE[role]}") { id } }`,
    redemption: (role) => `{ redemption(id: "${VISIBLE[role]}") { id } }`,
    redemptions: (role) => `{ redemptions(ids: ["${VISIBLE[role]}"]) { id } }`,
    persRedeems: () => '{ persRedeems { id } }',
    myRedeems: () => '{ myRedeems { id } }',
    redemptionOffer: () => '{ redemptionOffer(id: "red-coffee") { id } }',
    customerRedemptions: () => `{ customerRedemptions(customer: { type: MOBILE, value: "${DEMO_CUSTOMER_A.mobile}" }) { total } }`,
    voucherTypes: () => '{ voucherTypes { type } }',
    reward: () => '{ reward(rewardId: "rwd-1001") { id } }',
    rewards: () => '{ rewards { id } }',
    orderStatuses: () => '{ orderStatuses { id } }',
    providers: () => '{ providers { provider } }',
    viewer: () => '{ viewer { role } }',
  },
  Mutation: {
    updateRedemptionStatus: () =>
      `mutation { updateRedemptionStatus(input: { transactionId: "ORD202507013831", statusId: "${DEMO_STATUS_IDS.shipping}" }) { userErrors { code message } } }`,
    updateRedemptionMetadata: () =>
      `mutation { updateRedemptionMetadata(input: { redemptionId: "${DEMO_REDEMPTION_A}", billNumber: "bill-authz" }) { userErrors { code message } } }`,
    executeRedeem: (role) => `mutation { executeRedeem(idempotencyKey: "authz-${role}", input: { ${POINTS} }) { userErrors { code message } } }`,
    // Repeating the current status is allowed, so every allowed role can run it in turn.
    updateRewardStatus: () =>
      'mutation { updateRewardStatus(input: { offerId: "triple-offer-1", transactionId: "triple-txn-1", status: PENDING_MERCHANT_APPROVAL }) { userErrors { code message } } }',
  },
};

const upstreamCalls = (gateway: TestGateway) => Object.values(gateway.simulators).reduce((sum, sim) => sum + sim!.requests.length, 0);

describe('the rule table on every root field', () => {
  let gateway: TestGateway;
  beforeAll(async () => {
    gateway = await startTestGateway();
  });
  afterAll(() => gateway.stop());

  it('has an attack operation for every row of the table', () => {
    for (const type of ['Query', 'Mutation'] as const) {
      expect(Object.keys(OPERATIONS[type]).sort()).toEqual(Object.keys(OPERATION_RULES[type]).sort());
    }
  });

  const cases = (['Query', 'Mutation'] as const).flatMap((type) =>
    Object.entries(OPERATION_RULES[type]).flatMap(([field, allowed]) =>
      ROLES.map((role) => [type, field, role, (allowed as readonly Role[]).includes(role)] as const)),
  );

  it.each(cases)('%s.%s as %s (allowed: %s)', async (type, field, role, allowed) => {
    const before = upstreamCalls(gateway);
    const response = await gateway.gql(OPERATIONS[type][field]!(role), { token: gateway.tokens[role] });
    if (allowed) {
      expect(response.body.errors).toBeUndefined();
      const payload = response.body.data?.[field] as { userErrors?: unknown[] } | null;
      expect(payload).not.toBeNull();
      if (type === 'Mutation') expect(payload?.userErrors).toEqual([]);
    } else {
      // Nullable fields answer null, non-null ones null the whole data.
      expect(Object.values(response.body.data ?? {})).toEqual(response.body.data ? [null] : []);
      expect(response.body.errors).toEqual([{
        message: `The ${role} role may not run ${field}`,
        locations: [expect.any(Object)],
        path: [field],
        extensions: { code: 'FORBIDDEN', retryable: false },
      }]);
      expect(upstreamCalls(gateway)).toBe(before);
    }
  });
});

/** Reads a record by id three ways; the answers (data and errors) of a hidden and a missing id must be identical. */
const READS = [
  'query Read($id: ID!) { redemption(id: $id) { id } }',
  'query Read($id: ID!) { node(id: $id) { id } }',
  'query Read($id: ID!) { redemptions(ids: [$id]) { id } }',
];

describe('ownership: another caller\'s record reads exactly like a missing one', () => {
  let gateway: TestGateway;
  beforeAll(async () => {
    gateway = await startTestGateway();
  });
  afterAll(() => gateway.stop());

  const read = (id: string, token: string) => Promise.all(READS.map((query) => gateway.gql(query, { variables: { id }, token })));
  const strip = (responses: Awaited<ReturnType<typeof read>>) => responses.map((r) => ({ status: r.status, body: r.body }));

  async function redeem(token: string, key: string, input: string) {
    const response = await gateway.gql(`mutation { executeRedeem(idempotencyKey: "${key}", input: { ${input} }) { redemption { id } userErrors { code message } } }`, { token });
    const payload = response.body.data?.executeRedeem as { redemption: { id: string }; userErrors: unknown[] };
    expect(payload.userErrors).toEqual([]);
    return payload.redemption.id;
  }

  it('hides user-2\'s Moment redemption from user-1 and from a business, and shows it to user-2 and an admin', async () => {
    const id = await redeem(gateway.tokens.otherUser, 'own-moment', `moment: { type: ONE_VOUCHER, source: { pin: "${ONE_VOUCHER_PIN}" }, amount: { amount: "2.00", currencyCode: "ZAR" } }`);
    const { ref } = { ref: Buffer.from(id, 'base64url').toString().split(':')[1]! };
    const missing = toGlobalId('moment', `${ref.slice(0, -4)}ffff`);

    const hidden = strip(await read(id, gateway.tokens.user));
    expect(hidden[0]!.body).toEqual({ data: { redemption: null }, errors: [{ message: 'No redemption with that id', locations: [{ line: 1, column: 24 }], path: ['redemption'], extensions: { code: 'NOT_FOUND', retryable: false } }] });
    expect(hidden).toEqual(strip(await read(missing, gateway.tokens.user)));
    expect(strip(await read(id, gateway.tokens.business))).toEqual(strip(await read(missing, gateway.tokens.business)));

    for (const token of [gateway.tokens.otherUser, gateway.tokens.admin]) {
      expect((await read(id, token)).map((r) => r.body)).toEqual([
        { data: { redemption: { id } } },
        { data: { node: { id } } },
        { data: { redemptions: [{ id }] } },
      ]);
    }
  });

  it('hides another user\'s PERS redeem from user-1, even when PERS itself would show it', async () => {
    const third = await gateway.token({ subject: 'user-3', role: 'user' });
    const id = await redeem(third, 'own-pers', 'pers: { redemptionId: "red-coffee", businessId: "biz-1" }');
    const ref = Buffer.from(id, 'base64url').toString().split(':')[1]!;
    const missing = toGlobalId('pers', 'rdm-does-not-exist');
    expect(strip(await read(id, gateway.tokens.user))).toEqual(strip(await read(missing, gateway.tokens.user)));
    expect((await read(id, third))[0]!.body).toEqual({ data: { redemption: { id } } });

    // A leaky PERS: answer user-1's read with the record (the gateway's record of the owner decides),
    // and the seeded redeem of user-2 that the gateway did not create (PERS's userId decides).
    const pers = gateway.simulators.pers!;
    for (const [redeemId, globalId] of [[ref, id], ['rdm-1002', toGlobalId('pers', 'rdm-1002')]] as const) {
      const wire = await readPersAsTenant(pers.url, gateway.tokens.admin, redeemId);
      pers.faults.inject({ route: 'GET /redemption-redeems/:id', times: READS.length, fault: { kind: 'status', status: 200, body: wire } });
      const leaked = strip(await read(globalId, gateway.tokens.user));
      expect(pers.calls('GET /redemption-redeems/:id').at(-1)!.path).toBe(`/redemption-redeems/${redeemId}`);
      expect(leaked).toEqual(strip(await read(missing, gateway.tokens.user)));
    }
  });

  it('hides fulfilment records (Triple rewards, Returning.AI orders) from users by id', async () => {
    for (const id of [toGlobalId('triple', 'rwd-1001'), toGlobalId('returningai', 'ORD202507013831')]) {
      expect(strip(await read(id, gateway.tokens.user))).toEqual(strip(await read(toGlobalId('moment', 'rdm_missing'), gateway.tokens.user)));
      expect((await gateway.gql(READS[0]!, { variables: { id }, token: gateway.tokens.business })).body).toEqual({ data: { redemption: { id } } });
    }
  });
});

describe('PERS filters are the gateway\'s', () => {
  let gateway: TestGateway;
  beforeAll(async () => {
    gateway = await startTestGateway();
  });
  afterAll(() => gateway.stop());

  const list = (token: string, filter: string) =>
    gateway.gql(`{ persRedeems(filter: ${filter}) { providerId userId businessId } }`, { token }).then((r) => r.body);
  const lastQuery = () => gateway.simulators.pers!.calls('GET /redemption-redeems').at(-1)!.query;

  // PERS does not return a redeem's businessId, so the gateway keeps for a business only the
  // redeems it knows (from its own record of who created them) belong to that business.
  it('a business filtering by another businessId gets none of that business\'s redeems, and PERS is asked as itself', async () => {
    const body = await list(gateway.tokens.business, '{ businessId: "biz-2" }');
    const ids = (body.data!.persRedeems as { providerId: string }[]).map((r) => r.providerId);
    expect(ids).not.toContain('rdm-1002');
    expect(ids).not.toContain('rdm-1003');
    expect(lastQuery()).toEqual({ businessId: 'biz-1', page: '1', limit: '20' });
    const session = gateway.simulators.pers!.calls('POST /auth/token').find((r) => (r.body as { authType: string }).authType === 'business');
    expect(session?.body).toMatchObject({ authType: 'business', context: { businessId: 'biz-1' } });
  });

  it('a user filtering by another userId gets only their own', async () => {
    const body = await list(gateway.tokens.user, '{ userId: "user-2", businessId: "biz-2" }');
    expect(body).toEqual({ data: { persRedeems: [
      { providerId: 'rdm-1001', userId: 'user-1', businessId: null },
      { providerId: 'rdm-1003', userId: 'user-1', businessId: null },
    ] } });
    expect(lastQuery()).toEqual({ userId: 'user-1', page: '1', limit: '20' });
  });

  it('filters what a leaky PERS returns to a business', async () => {
    const everything = await Promise.all(['rdm-1001', 'rdm-1002', 'rdm-1003'].map((id) => readPersAsTenant(gateway.simulators.pers!.url, gateway.tokens.admin, id)));
    gateway.simulators.pers!.faults.inject({ route: 'GET /redemption-redeems', times: 1, fault: { kind: 'status', status: 200, body: everything } });
    const body = await list(gateway.tokens.business, '{}');
    expect(gateway.simulators.pers!.calls('GET /redemption-redeems').at(-1)!.query).toEqual({ businessId: 'biz-1', page: '1', limit: '20' });
    const ids = (body.data!.persRedeems as { providerId: string }[]).map((r) => r.providerId);
    expect(ids).not.toContain('rdm-1002');
    expect(ids).not.toContain('rdm-1003');
  });

  it('an admin filters by any business', async () => {
    expect(await list(gateway.tokens.admin, '{ businessId: "biz-2" }')).toEqual({ data: { persRedeems: [
      { providerId: 'rdm-1002', userId: 'user-2', businessId: null },
      { providerId: 'rdm-1003', userId: 'user-1', businessId: null },
    ] } });
    expect(lastQuery()).toEqual({ businessId: 'biz-2', page: '1', limit: '20' });
  });
});

describe('Triple transitions follow the caller\'s role', () => {
  let gateway: TestGateway;
  beforeAll(async () => {
    gateway = await startTestGateway();
  });
  afterAll(() => gateway.stop());

  const move = (token: string, transactionId: string, status: string) =>
    gateway.gql(`mutation { updateRewardStatus(input: { offerId: "triple-offer-1", transactionId: "${transactionId}", status: ${status} }) { reward { rewardStatus } userErrors { code message field } } }`, { token })
      .then((r) => r.body);
  const writes = () => gateway.simulators.triple!.requests.filter((r) => r.method !== 'GET' && !r.path.startsWith('/oauth2')).length;

  it('a business (content provider) may not do a publisher\'s move; an admin (publisher) may', async () => {
    const before = writes();
    expect(await move(gateway.tokens.business, 'triple-txn-2', 'DISTRIBUTED_TO_CARDHOLDER')).toEqual({ data: { updateRewardStatus: {
      reward: null,
      userErrors: [{
        code: 'INVALID_TRANSITION',
        message: 'expected one of PENDING_MERCHANT_APPROVAL -> DENIED_BY_MERCHANT, PENDING_MERCHANT_APPROVAL -> PENDING_MERCHANT_FUNDING for partner roles [content_provider], received DISTRIBUTED_TO_PUBLISHER -> DISTRIBUTED_TO_CARDHOLDER',
        field: ['input', 'status'],
      }],
    } } });
    expect(writes()).toBe(before);
    expect(await move(gateway.tokens.admin, 'triple-txn-2', 'DISTRIBUTED_TO_CARDHOLDER')).toEqual({ data: { updateRewardStatus: { reward: { rewardStatus: 'DISTRIBUTED_TO_CARDHOLDER' }, userErrors: [] } } });
    expect(gateway.simulators.triple!.calls('POST /partner/rewards.update_status').at(-1)!.body).toEqual({ status: 'DISTRIBUTED_TO_CARDHOLDER', offer_id: 'triple-offer-1', transaction_id: 'triple-txn-2' });
  });

  it('a business may approve for funding; a user may not touch rewards at all', async () => {
    const before = writes();
    const refused = await gateway.gql('mutation { updateRewardStatus(input: { offerId: "triple-offer-1", transactionId: "triple-txn-1", status: PENDING_MERCHANT_FUNDING }) { userErrors { code } } }', { token: gateway.tokens.user });
    expect(refused.body.errors?.[0]?.extensions).toEqual({ code: 'FORBIDDEN', retryable: false });
    expect(writes()).toBe(before);
    expect(await move(gateway.tokens.business, 'triple-txn-1', 'PENDING_MERCHANT_FUNDING')).toEqual({ data: { updateRewardStatus: { reward: { rewardStatus: 'PENDING_MERCHANT_FUNDING' }, userErrors: [] } } });
    expect(writes()).toBe(before + 1);
  });
});

/** The raw PERS wire record of a redeem, read from the simulator as a tenant (admin) session. */
async function readPersAsTenant(persUrl: string, adminToken: string, redeemId: string): Promise<unknown> {
  const headers = { 'content-type': 'application/json', 'x-project-key': SANDBOX_PROJECT_KEY };
  const session = await fetch(`${persUrl}/auth/token`, { method: 'POST', headers, body: JSON.stringify({ authToken: adminToken, authType: 'tenant' }) });
  const { accessToken } = (await session.json()) as { accessToken: string };
  const response = await fetch(`${persUrl}/redemption-redeems/${redeemId}`, { headers: { ...headers, authorization: `Bearer ${accessToken}` } });
  expect(response.status).toBe(200);
  return response.json();
}
