/**
 * Abuse limits: every oversized, over-deep, over-aliased or batched request is refused before it
 * runs (no provider is called), fragments and inline fragments included; in production no error
 * names a limit value, suggests a field or answers introspection. The same operations within the
 * limits succeed. Per-caller rate limits on executeRedeem live in the store.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scopeOf } from '../../src/services/mutations.js';
import { HIDDEN_LIMIT_MESSAGE } from '../../src/plugins/limits.js';
import { DEMO_CUSTOMER_A } from '../../src/providers/capillary/simulator.js';
import { createMemoryStore } from '../../src/store/memory.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { post, readResponse, startProductionGateway, type ProductionGateway } from './support.js';

/** A points redeem (Capillary): repeatable, unlike a single-use voucher. */
const redeemCall = (alias: string, key: string) =>
  `${alias}: executeRedeem(idempotencyKey: "${key}", input: { capillary: { customer: { type: MOBILE, value: "${DEMO_CUSTOMER_A.mobile}" }, points: "1", billNumber: "b-${key}" } }) { replayed userErrors { code } }`;
const redeems = (n: number, prefix = 'r') => Array.from({ length: n }, (_, i) => redeemCall(`${prefix}${i}`, `${prefix}-key-${i}`)).join('\n');

/** 50 levels: __type > fields > type > ofType x 47 > name. */
const DEEP_QUERY = `{ __type(name: "Query") { fields { type { ${'ofType { '.repeat(46)}name${' }'.repeat(46)} } } } }`;

/** Every way 100 executeRedeem aliases can be put in one document. */
const ALIAS_ATTACKS: [string, string][] = [
  ['in the operation', `mutation { ${redeems(100)} }`],
  ['inside a fragment', `mutation { ...R } fragment R on Mutation { ${redeems(100)} }`],
  ['inside an inline fragment', `mutation { ... on Mutation { ${redeems(100)} } }`],
  ['in a fragment of 10 spread 10 times', `mutation { ${Array.from({ length: 10 }, (_, i) => `... on Mutation { ...R${i % 2} }`).join(' ')} } fragment R0 on Mutation { ${redeems(10, 'a')} } fragment R1 on Mutation { ${redeems(10, 'b')} }`],
  ['nested fragments inside inline fragments', `mutation { ... on Mutation { ...Outer } } fragment Outer on Mutation { ... on Mutation { ...Inner } ${redeems(50, 'o')} } fragment Inner on Mutation { ${redeems(50, 'i')} }`],
];

const MAX_TOKENS = 5_000;
const TOO_MANY_TOKENS = `{ viewer { ${'subject '.repeat(MAX_TOKENS)}} }`;

/** What an error text must not contain when limit values are hidden. */
const LIMIT_VALUE = /limit of|found \d|more tha[nt] \d/i;

const texts = (body: { errors?: { message: string }[] }) => (body.errors ?? []).map((e) => e.message);

describe.each([
  ['sandbox', false],
  ['production', true],
] as const)('abuse limits in %s mode', (mode, production) => {
  let gateway: TestGateway | ProductionGateway;
  const providerCalls = () => gateway.simulators.capillary!.requests.length;

  // Token limit raised so that each of the other limits is the one that answers.
  const env = { MAX_TOKENS: String(MAX_TOKENS) };
  beforeAll(async () => {
    gateway = production ? await startProductionGateway({ env }) : await startTestGateway({ env });
  });
  afterAll(() => gateway.stop());

  it('refuses a query 50 levels deep', async () => {
    const response = await gateway.gql(DEEP_QUERY);
    expect(response.status).toBe(400);
    expect(response.body.data).toBeUndefined();
    expect(texts(response.body)).toContain(production ? HIDDEN_LIMIT_MESSAGE : 'Syntax Error: Query depth limit of 8 exceeded, found 50.');
  });

  it.each(ALIAS_ATTACKS)('refuses 100 aliases of executeRedeem %s, calling no provider', async (_where, document) => {
    const before = providerCalls();
    const response = await gateway.gql(document, { token: gateway.tokens.user });
    expect(response.status).toBe(400);
    expect(response.body.data).toBeUndefined();
    expect(response.body.errors?.[0]).toEqual({
      message: production ? HIDDEN_LIMIT_MESSAGE : 'Syntax Error: Aliases limit of 15 exceeded, found 100.',
      extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
    });
    expect(providerCalls()).toBe(before);
  });

  it('runs the same mutation with aliases within the limit', async () => {
    const redeemCalls = () => gateway.simulators.capillary!.calls('POST /v1.1/points/redeem').length;
    const before = redeemCalls();
    const response = await gateway.gql(`mutation { ...R } fragment R on Mutation { ${redeems(2, `ok_${mode}`)} }`, { token: gateway.tokens.user });
    expect(response.body).toEqual({ data: { [`ok_${mode}0`]: { replayed: false, userErrors: [] }, [`ok_${mode}1`]: { replayed: false, userErrors: [] } } });
    expect(redeemCalls()).toBe(before + 2);
  });

  it('refuses a document of too many tokens with 400, not 500', async () => {
    const response = await gateway.gql(TOO_MANY_TOKENS);
    expect(response.status).toBe(400);
    expect(response.body.errors).toHaveLength(1);
    const [error] = response.body.errors!;
    expect(error!.extensions).toEqual({ code: 'GRAPHQL_PARSE_FAILED' });
    if (production) expect(error).toEqual({ message: HIDDEN_LIMIT_MESSAGE, extensions: { code: 'GRAPHQL_PARSE_FAILED' } });
    else expect(error!.message).toBe(`Syntax Error: Document contains more that ${MAX_TOKENS} tokens. Parsing aborted.`);
  });

  it('refuses more than 50 directives, counted through inline fragments', async () => {
    const response = await gateway.gql(`{ ${'... on Query @include(if: true) { __typename } '.repeat(60)} }`);
    expect(response.status).toBe(400);
    expect(texts(response.body)).toEqual([production ? HIDDEN_LIMIT_MESSAGE : 'Syntax Error: Directives limit of 50 exceeded, found 60.']);
  });

  it('refuses a 1 MB document with HTTP 413 before parsing it, calling no provider', async () => {
    const before = providerCalls();
    const document = `mutation { ${redeemCall('r', 'big')} } # ${'x'.repeat(1024 * 1024)}`;
    const response = await post(gateway.url, { query: document }, { authorization: `Bearer ${gateway.tokens.user}` });
    expect(response.status).toBe(413);
    expect(response.text).not.toMatch(/\d{4,}/);
    expect(providerCalls()).toBe(before);
  });

  it('refuses 100 operations batched in one request, running none of them', async () => {
    const before = providerCalls();
    const batch = Array.from({ length: 100 }, (_, i) => ({ query: `mutation { ${redeemCall('r', `batch-${mode}-${i}`)} }` }));
    const response = await post(gateway.url, batch, { authorization: `Bearer ${gateway.tokens.user}` });
    expect([response.status, response.body]).toEqual([400, { errors: [{ message: 'Operation batching disabled.', extensions: { code: 'BAD_REQUEST' } }] }]);
    expect(providerCalls()).toBe(before);
  });

  it('refuses a mutation over GET with 405 and runs a query over GET', async () => {
    const before = providerCalls();
    const get = (query: string) =>
      fetch(`${gateway.url}/graphql?query=${encodeURIComponent(query)}`, {
        headers: { authorization: `Bearer ${gateway.tokens.user}`, 'apollo-require-preflight': 'true' },
      }).then(readResponse);
    const mutation = await get(`mutation { ${redeemCall('r', `get-${mode}`)} }`);
    expect([mutation.status, mutation.body]).toEqual([405, { errors: [{ message: 'GET requests only support query operations, not mutation operations', extensions: { code: 'BAD_REQUEST' } }] }]);
    expect(providerCalls()).toBe(before);
    const query = await get('{ viewer { subject } }');
    expect([query.status, query.body]).toEqual([200, { data: { viewer: { subject: 'user-1' } } }]);
  });

  const PROBES = [
    '{ viewr { subject } }',
    '{ viewer { subjec } }',
    '{ redemption(idd: "x") { id } }',
    '{ rewards(status: PENDING_MERCHANT) { id } }',
    '{ viewer { ... on Viewr { subject } } }',
  ];

  it(production ? 'never suggests field, argument, enum or type names' : 'suggests names (sandbox only)', async () => {
    const answers = (await Promise.all(PROBES.map((probe) => gateway.gql(probe)))).map((r) => [r.status, texts(r.body).join('\n')] as const);
    expect(answers.map(([status]) => status)).toEqual(PROBES.map(() => 400));
    expect(answers.filter(([, text]) => /did you mean/i.test(text))).toHaveLength(production ? 0 : PROBES.length);
  });

  it(production ? 'refuses introspection' : 'answers introspection', async () => {
    for (const query of ['{ __schema { queryType { name } } }', '{ __type(name: "Query") { name } }']) {
      const response = await gateway.gql(query);
      if (production) {
        expect(response.status).toBe(400);
        expect(response.body.errors?.[0]?.extensions).toEqual({ code: 'GRAPHQL_VALIDATION_FAILED', validationErrorCode: 'INTROSPECTION_DISABLED' });
      } else {
        expect(response.status).toBe(200);
      }
    }
  });

  it(production ? 'names no limit value in any limit error' : 'names the limit values (sandbox only)', async () => {
    const responses = await Promise.all([
      gateway.gql(DEEP_QUERY),
      gateway.gql(ALIAS_ATTACKS[1]![1], { token: gateway.tokens.user }),
      gateway.gql(TOO_MANY_TOKENS),
      gateway.gql(`{ ${'... on Query @include(if: true) { __typename } '.repeat(60)} }`),
    ]);
    const all = responses.map((r) => JSON.stringify(r.body)).join('\n');
    if (production) expect(all).not.toMatch(LIMIT_VALUE);
    else expect(all.match(new RegExp(LIMIT_VALUE, 'gi'))?.length).toBeGreaterThanOrEqual(4);
  });
});

describe('configured limits', () => {
  let gateway: TestGateway;
  beforeAll(async () => {
    gateway = await startTestGateway({ env: { MAX_DEPTH: '2', MAX_ALIASES: '2', MAX_COST: '10' } });
  });
  afterAll(() => gateway.stop());

  it('applies MAX_DEPTH, MAX_ALIASES and MAX_COST from the environment', async () => {
    expect((await gateway.gql('{ viewer { subject } }')).body).toEqual({ data: { viewer: { subject: 'admin-1' } } });
    expect(texts((await gateway.gql('{ redemption(id: "x") { status { state } } }')).body))
      .toEqual(['Syntax Error: Query depth limit of 2 exceeded, found 3.']);
    expect(texts((await gateway.gql('{ a: viewer { subject } b: viewer { role } c: viewer { businessId } }')).body))
      .toContain('Syntax Error: Aliases limit of 2 exceeded, found 3.');
    const costly = await gateway.gql('{ viewer { subject } voucherTypes { type } orderStatuses { id } rewards { id } }');
    expect(costly.status).toBe(400);
    expect(texts(costly.body)).toEqual([expect.stringMatching(/^Syntax Error: Query Cost limit of 10 exceeded, found \d+/)]);
  });
});

describe('introspection in sandbox mode', () => {
  let gateway: TestGateway;
  beforeAll(async () => {
    gateway = await startTestGateway();
  });
  afterAll(() => gateway.stop());

  it('refuses introspection nested to blow up (fields > type > fields ...)', async () => {
    const nested = `{ __schema { types { ${'fields { type { '.repeat(4)}name${' } }'.repeat(4)} } } }`;
    const response = await gateway.gql(nested);
    expect(response.status).toBe(400);
    expect(texts(response.body)).toEqual(['Maximum introspection depth exceeded']);
  });

  it('turns introspection on in production when configured', async () => {
    const configured = await startProductionGateway({ env: { INTROSPECTION: 'true' } });
    try {
      const response = await configured.gql('{ __schema { queryType { name } } }');
      expect([response.status, response.body]).toEqual([200, { data: { __schema: { queryType: { name: 'Query' } } } }]);
    } finally {
      await configured.stop();
    }
  });
});

describe('per-caller rate limits on executeRedeem', () => {
  const store = createMemoryStore();
  let replicaA: TestGateway;
  let replicaB: TestGateway;
  beforeAll(async () => {
    const env = { RATE_LIMIT_REDEEMS_PER_MINUTE: '2' };
    [replicaA, replicaB] = await Promise.all([startTestGateway({ env, store }), startTestGateway({ env, store })]);
  });
  afterAll(async () => {
    await replicaA.stop();
    await replicaB.stop();
  });

  /** Runs `attempt` again (once, as fresh callers) if it straddled a fixed one-minute window. */
  async function withinOneWindow<T>(attempt: (round: number) => Promise<T>): Promise<T> {
    for (let round = 0; ; round++) {
      const start = Math.floor(Date.now() / 60_000);
      const result = await attempt(round);
      if (Math.floor(Date.now() / 60_000) === start || round > 0) return result;
    }
  }

  it('answers the third redeem in a minute with RATE_LIMITED, 429 and Retry-After, on another replica sharing the store', async () => {
    const run = await withinOneWindow(async (round) => {
      const caller = { subject: `rl-user-${round}`, role: 'user' as const };
      const [token, otherToken] = await Promise.all([replicaA.token(caller), replicaA.token({ subject: `rl-other-${round}`, role: 'user' })]);
      const key = (n: number) => `rl-${round}-${n}`;
      const ok = await Promise.all([1, 2].map((n) => replicaA.gql(`mutation { ${redeemCall('r', key(n))} }`, { token })));
      const before = replicaB.simulators.capillary!.requests.length;
      const limited = await replicaB.gql(`mutation { ${redeemCall('r', key(3))} }`, { token });
      const after = replicaB.simulators.capillary!.requests.length;
      const record = await store.get(scopeOf({ ...caller, scopes: [], token }), key(3));
      const other = await replicaB.gql(`mutation { ${redeemCall('r', key(4))} }`, { token: otherToken });
      return { ok, limited, before, after, record, other };
    });
    expect(run.ok.map((r) => r.body)).toEqual([{ data: { r: { replayed: false, userErrors: [] } } }, { data: { r: { replayed: false, userErrors: [] } } }]);

    const { limited } = run;
    expect(limited.status).toBe(429);
    expect(limited.body.data).toBeNull();
    const [error] = limited.body.errors!;
    expect(error).toMatchObject({
      message: 'Too many redemptions; retry later',
      path: ['r'],
      extensions: { code: 'RATE_LIMITED', retryable: true },
    });
    const retryAfterMs = error!.extensions!.retryAfterMs as number;
    expect(retryAfterMs).toBeGreaterThan(0);
    expect(retryAfterMs).toBeLessThanOrEqual(60_000);
    expect(limited.headers.get('retry-after')).toBe(String(Math.ceil(retryAfterMs / 1000)));
    // Nothing reached Capillary, and the idempotency key was not spent.
    expect(run.after).toBe(run.before);
    expect(run.record).toBeUndefined();
    // Another caller has their own allowance.
    expect([run.other.status, run.other.body]).toEqual([200, { data: { r: { replayed: false, userErrors: [] } } }]);
  });
});
