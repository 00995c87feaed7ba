/**
 * The naive baseline: Apollo Server 5 standalone with plain resolvers that call `fetch` for every
 * field, with no DataLoader, no batching, no token caching and no pooling of its own. It answers
 * the same operations the benchmark sends the gateway, against the same simulators.
 *
 * Env: PORT, MOMENT_URL, CAPILLARY_URL, PERS_URL (the simulators' base URLs).
 */
import { createHash } from 'node:crypto';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { fromGlobalId } from '../src/domain/ids.js';
import { SANDBOX_SECRET_KEY } from '../src/providers/moment/simulator.js';
import { SANDBOX_PASSWORD, SANDBOX_USERNAME } from '../src/providers/capillary/simulator.js';
import { SANDBOX_PROJECT_KEY } from '../src/providers/pers/simulator.js';

const env = process.env as Record<string, string>;

const typeDefs = /* GraphQL */ `
  type Status { state: String! raw: String! }
  type Redemption { id: ID! providerId: String! status: Status! }
  type UserError { code: String! message: String! }
  type Payload { redemption: Redemption userErrors: [UserError!]! replayed: Boolean! }
  input Money { amount: String! currencyCode: String! }
  input Source { pin: String token: String }
  enum VoucherType { ONE_VOUCHER OTT BLU }
  input MomentInput { type: VoucherType! source: Source! amount: Money }
  input RedeemInput { moment: MomentInput }
  type Query { redemption(id: ID!): Redemption redemptions(ids: [ID!]!): [Redemption] }
  type Mutation { executeRedeem(input: RedeemInput!, idempotencyKey: String): Payload! }
`;

type Record_ = { provider: string; ref: string; token: string };

const basic = `Basic ${Buffer.from(`${SANDBOX_USERNAME}:${createHash('md5').update(SANDBOX_PASSWORD).digest('hex')}`).toString('base64')}`;

/** One fetch per call: what a resolver written without a gateway in mind does. */
async function fetchRecord({ provider, ref, token }: Record_): Promise<{ id: string; status: string }> {
  if (provider === 'moment') {
    const r = (await (await fetch(`${env.MOMENT_URL}/collect/redemptions/${ref}`, { headers: { authorization: `Bearer ${SANDBOX_SECRET_KEY}` } })).json()) as { id: string; status: string };
    return { id: r.id, status: r.status };
  }
  if (provider === 'capillary') {
    const [customerId, redemptionId] = ref.split('/') as [string, string];
    const r = (await (await fetch(`${env.CAPILLARY_URL}/v1.1/customer/redemptions?id=${customerId}&type=POINTS&format=json`, { headers: { authorization: basic } })).json()) as {
      response: { customer: { redemptions: { points: { point: { redemption_id: string }[] } } } };
    };
    const found = r.response.customer.redemptions.points.point.find((p) => p.redemption_id === redemptionId);
    return { id: found?.redemption_id ?? redemptionId, status: '800' };
  }
  const session = (await (await fetch(`${env.PERS_URL}/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-project-key': SANDBOX_PROJECT_KEY },
    body: JSON.stringify({ authToken: token, authType: 'user' }),
  })).json()) as { accessToken: string };
  const r = (await (await fetch(`${env.PERS_URL}/redemption-redeems/${ref}`, {
    headers: { authorization: `Bearer ${session.accessToken}`, 'x-project-key': SANDBOX_PROJECT_KEY },
  })).json()) as { id: string; status: string };
  return { id: r.id, status: r.status };
}

const STATES: Record<string, string> = { confirmed: 'SUCCEEDED', failed: 'FAILED', draft: 'PENDING', '800': 'SUCCEEDED', COMPLETED: 'SUCCEEDED' };

const resolvers = {
  Query: {
    redemption: (_: unknown, { id }: { id: string }, ctx: { token: string }) => ({ ...fromGlobalId(id)!, id, token: ctx.token }),
    redemptions: (_: unknown, { ids }: { ids: string[] }, ctx: { token: string }) => ids.map((id) => ({ ...fromGlobalId(id)!, id, token: ctx.token })),
  },
  Redemption: {
    providerId: async (r: Record_) => (await fetchRecord(r)).id,
    status: async (r: Record_) => {
      const { status } = await fetchRecord(r);
      return { state: STATES[status] ?? 'PENDING', raw: status };
    },
  },
  Mutation: {
    async executeRedeem(_: unknown, { input, idempotencyKey }: { input: { moment: { type: string; source: { pin?: string; token?: string }; amount?: { amount: string; currencyCode: string } } }; idempotencyKey?: string }) {
      const { moment } = input;
      const response = await fetch(`${env.MOMENT_URL}/collect/redemptions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${SANDBOX_SECRET_KEY}`, ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}) },
        body: JSON.stringify({
          type: { ONE_VOUCHER: 'vouchers.one_voucher', OTT: 'vouchers.ott', BLU: 'vouchers.blu' }[moment.type],
          source: moment.source,
          ...(moment.amount ? { amount: Math.round(Number(moment.amount.amount) * 100), currency: moment.amount.currencyCode } : {}),
        }),
      });
      const r = (await response.json()) as { id: string; status: string };
      return { redemption: { provider: 'moment', ref: r.id, id: r.id, token: '' }, userErrors: [], replayed: false };
    },
  },
};

const server = new ApolloServer<{ token: string }>({ typeDefs, resolvers });
const { url } = await startStandaloneServer(server, {
  listen: { port: Number(env.PORT ?? 0), host: '127.0.0.1' },
  context: async ({ req }) => ({ token: (req.headers.authorization ?? '').replace(/^Bearer /, '') }),
});
process.stdout.write(`${JSON.stringify({ url })}\n`);
