/**
 * Secrets never leave: every operation (successes, refusals, provider errors, OUTCOME_UNKNOWN) is
 * run with logs captured at the most verbose level, and every response and log line is searched
 * for the configured provider credentials, the access tokens the providers issued, the callers'
 * tokens and the voucher PINs and tokens sent or issued.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_OAUTH_SECRET, SANDBOX_PASSWORD, SANDBOX_USERNAME, DEMO_CUSTOMER_A } from '../../src/providers/capillary/simulator.js';
import { basicAuthorization } from '../../src/providers/capillary/adapter.js';
import {
  BLU_TOKEN,
  FRESH_VOUCHER_PREFIX,
  ONE_VOUCHER_PIN,
  OTT_PHONE_NUMBER,
  OTT_PIN,
  SANDBOX_SECRET_KEY,
  USED_VOUCHER_PIN,
} from '../../src/providers/moment/simulator.js';
import { SANDBOX_PROJECT_KEY } from '../../src/providers/pers/simulator.js';
import { SANDBOX_API_KEY } from '../../src/providers/returning-ai/simulator.js';
import { SANDBOX_CLIENT_SECRET } from '../../src/providers/triple/simulator.js';
import type { Simulator } from '../../src/sim/kit.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { captureLogs, post, readResponse, startProductionGateway, type ProductionGateway } from './support.js';

const CREDENTIAL_HEADERS = ['authorization', 'x-cap-api-oauth-token', 'x-project-key', 'x-api-key'];

/** Every credential a provider simulator received, without its scheme ("Bearer", "Basic"). */
function credentialsSent(simulators: Record<string, Simulator | undefined>): string[] {
  return Object.values(simulators).flatMap((sim) =>
    sim!.requests.flatMap((request) => CREDENTIAL_HEADERS.map((name) => request.headers[name]).filter((v): v is string => !!v)))
    .map((value) => value.replace(/^(Bearer|Basic)\s+/i, ''));
}

/** Every string value under a key named like a secret, anywhere in a JSON value. */
function secretFields(value: unknown, found: string[] = []): string[] {
  if (Array.isArray(value)) value.forEach((v) => secretFields(v, found));
  else if (value && typeof value === 'object') {
    for (const [key, v] of Object.entries(value)) {
      if (typeof v === 'string' && /pin|token|secret|password/i.test(key)) found.push(v);
      else secretFields(v, found);
    }
  }
  return found;
}

type AnyGateway = TestGateway | ProductionGateway;

const REDEEM_FIELDS = 'replayed redemption { id providerId status { state raw } ... on VoucherRedemption { changeVoucher { pinLast4 } } } userErrors { code message field provider providerCode }';
const moment = (source: string, extra = '') => `moment: { type: ONE_VOUCHER, source: { ${source} }, amount: { amount: "10.00", currencyCode: "ZAR" } ${extra} }`;

/** Runs every operation, good and bad, and returns the raw text of every response. */
async function runEverything(gateway: AnyGateway): Promise<string[]> {
  const texts: string[] = [];
  const { tokens } = gateway;
  const gql = async (query: string, options: { token?: string | null; headers?: Record<string, string> } = {}) => {
    const response = await post(gateway.url, { query }, {
      ...(options.token === null ? {} : { authorization: `Bearer ${options.token ?? tokens.admin}` }),
      ...options.headers,
    });
    texts.push(response.text);
    return response;
  };
  const redeem = (key: string, input: string, token = tokens.user) =>
    gql(`mutation { executeRedeem(idempotencyKey: "${key}", input: { ${input} }) { ${REDEEM_FIELDS} } }`, { token });
  const fresh = (n: number) => `${FRESH_VOUCHER_PREFIX}${String(n).padStart(14, '0')}`;

  // Money-moving calls: success, replay, provider refusals, bad input echoing secrets back.
  await redeem('s-1', moment(`pin: "${ONE_VOUCHER_PIN}"`));
  await redeem('s-1', moment(`pin: "${ONE_VOUCHER_PIN}"`));
  await redeem('s-2', moment(`pin: "${USED_VOUCHER_PIN}"`));
  await redeem('s-3', `moment: { type: OTT, source: { pin: "${OTT_PIN}", phoneNumber: "${OTT_PHONE_NUMBER}" }, amount: { amount: "5.00", currencyCode: "ZAR" } }`);
  await redeem('s-4', `moment: { type: BLU, source: { token: "${BLU_TOKEN}" }, amount: { amount: "5.00", currencyCode: "ZAR" } }`);
  await redeem('s-5', moment(`pin: "${fresh(1)}-not-a-pin"`));
  await redeem('s-6', `moment: { type: OTT, source: { pin: "${OTT_PIN}" } }`);
  await redeem('s-7', 'pers: { redemptionId: "red-coffee", businessId: "biz-1" }');
  await redeem('s-8', 'pers: { redemptionId: "red-retired" }');
  await redeem('s-9', `capillary: { customer: { type: MOBILE, value: "${DEMO_CUSTOMER_A.mobile}" }, points: "5", billNumber: "bill-s9" }`);
  await redeem('s-10', `capillary: { customer: { type: MOBILE, value: "${DEMO_CUSTOMER_A.mobile}" }, points: "999999999" }`);

  // OUTCOME_UNKNOWN: the provider commits, then the connection drops; then settle by retrying.
  gateway.simulators.moment!.faults.inject({ route: 'POST /collect/redemptions', times: 1, fault: { kind: 'commit-then-reset' } });
  await redeem('s-11', moment(`pin: "${fresh(2)}"`));
  await redeem('s-11', moment(`pin: "${fresh(2)}"`));
  gateway.simulators.capillary!.faults.inject({ route: 'POST /v1.1/points/redeem', times: 1, fault: { kind: 'commit-then-reset' } });
  await redeem('s-12', `capillary: { customer: { type: MOBILE, value: "${DEMO_CUSTOMER_A.mobile}" }, points: "1" }`);
  gateway.simulators.pers!.faults.inject({ route: 'POST /redemptions/redeems', times: 1, fault: { kind: 'hang' } });
  gateway.simulators.pers!.faults.inject({ route: 'POST /redemption-redeems', times: 1, fault: { kind: 'reset' } });
  await redeem('s-13', 'pers: { redemptionId: "red-coffee" }');

  // Provider auth and transport failures on reads and writes.
  gateway.simulators.returningai!.faults.inject({ times: 2, fault: { kind: 'status', status: 401 } });
  await gql('{ orderStatuses { id } }');
  gateway.simulators.triple!.faults.inject({ route: 'POST /oauth2/token', times: 3, fault: { kind: 'status', status: 401 } });
  await gql('{ rewards { id } }');
  gateway.simulators.capillary!.faults.inject({ times: 3, fault: { kind: 'status', status: 500 } });
  await gql(`{ customerRedemptions(customer: { type: MOBILE, value: "${DEMO_CUSTOMER_A.mobile}" }) { total } }`);
  gateway.simulators.moment!.faults.inject({ times: 3, fault: { kind: 'malformed' } });
  await gql('{ voucherTypes { type } }');

  // Every read and fulfilment mutation, for every role.
  for (const token of [tokens.user, tokens.business, tokens.admin]) {
    await gql(`{ viewer { subject role businessId } persRedeems { id userId } redemptionOffer(id: "red-coffee") { id name } voucherTypes { type requiredFields { name sensitive } } }`, { token });
    await gql('{ myRedeems { id status { raw } offer { id } } }', { token });
    await gql(`{ customerRedemptions(customer: { type: MOBILE, value: "${DEMO_CUSTOMER_A.mobile}" }) { total items { id billNumber } } rewards { id rewardStatus } orderStatuses { id name } providers { provider mode } }`, { token });
    await gql('mutation { updateRedemptionStatus(input: { transactionId: "ORD202507013831", statusId: "695e2f8b3358520a2ecf86e4" }) { order { id } userErrors { code message } } }', { token });
    await gql('mutation { updateRedemptionMetadata(input: { redemptionId: "NZVAt9", billNumber: "billnumber444" }) { redemption { id } userErrors { code message } } }', { token });
    await gql('mutation { updateRewardStatus(input: { offerId: "triple-offer-1", transactionId: "triple-txn-1", status: PENDING_MERCHANT_FUNDING }) { reward { id } userErrors { code message } } }', { token });
  }
  const ids = [...texts.join('\n').matchAll(/"id":"([A-Za-z0-9_-]{8,})"/g)].map((m) => m[1]!);
  await gql(`query { redemptions(ids: ${JSON.stringify(ids.slice(0, 100))}) { id providerId ... on VoucherRedemption { changeVoucher { pinLast4 } } } }`);
  await gql(`query { redemptions(ids: ${JSON.stringify(ids.slice(0, 100))}) { id } }`, { token: tokens.otherUser });

  // Refusals: bad tokens, limits, GET mutations carrying a PIN in the URL.
  await gql('{ viewer { subject } }', { token: `${tokens.admin}x` });
  await gql('{ viewer { subject } }', { token: null, headers: { authorization: `Basic ${Buffer.from(`admin:${SANDBOX_PASSWORD}`).toString('base64')}` } });
  await gql(`mutation { ${Array.from({ length: 20 }, (_, i) => `a${i}: executeRedeem(idempotencyKey: "x${i}", input: { ${moment(`pin: "${ONE_VOUCHER_PIN}"`)} }) { replayed }`).join(' ')} }`);
  const url = `${gateway.url}/graphql?query=${encodeURIComponent(`mutation { executeRedeem(idempotencyKey: "get", input: { ${moment(`pin: "${ONE_VOUCHER_PIN}"`)} }) { replayed } }`)}`;
  texts.push((await fetch(url, { headers: { authorization: `Bearer ${tokens.user}`, 'apollo-require-preflight': 'true' } }).then(readResponse)).text);
  return texts;
}

describe.each([
  ['sandbox mode (Capillary over OAuth)', false],
  ['production mode (Capillary with till credentials)', true],
] as const)('secrets in %s', (_name, production) => {
  const logs = captureLogs();
  let gateway: AnyGateway;
  let responses: string[];

  beforeAll(async () => {
    const env = { LOG_LEVEL: 'trace' };
    gateway = production
      ? await startProductionGateway({ env, logDestination: logs.destination })
      : await startTestGateway({ env, logDestination: logs.destination });
    responses = await runEverything(gateway);
  }, 60_000);
  afterAll(() => gateway.stop());

  it('exercised successes, refusals, provider failures and OUTCOME_UNKNOWN, and logged them', () => {
    const all = responses.join('\n');
    for (const code of ['UNAUTHENTICATED', 'FORBIDDEN', 'BAD_USER_INPUT', 'PROVIDER_AUTH_FAILED', 'OUTCOME_UNKNOWN', 'GRAPHQL_VALIDATION_FAILED', 'PROVIDER_REJECTED']) {
      expect(all, code).toContain(`"${code}"`);
    }
    expect(all).toContain('"replayed":true');
    expect(logs.lines.length).toBeGreaterThan(100);
  });

  it('shows no configured secret, issued access token, caller token or voucher secret in any response or log line', async () => {
    const momentSim = gateway.simulators.moment!;
    // The change vouchers Moment issued (their PINs are secrets; only the last 4 digits may show).
    const momentIds = [...new Set(responses.join('\n').match(/rdm_[0-9a-f]{24}/g) ?? [])];
    expect(momentIds.length).toBeGreaterThan(0);
    const records = await Promise.all(momentIds.map((id) =>
      fetch(`${momentSim.url}/collect/redemptions/${id}`, { headers: { authorization: `Bearer ${SANDBOX_SECRET_KEY}` } }).then((r) => r.json())));
    const changePins = secretFields(records);
    const secrets = new Map<string, string>([
      ['Returning.AI API key', SANDBOX_API_KEY],
      ['PERS project key', SANDBOX_PROJECT_KEY],
      ['Moment secret key', SANDBOX_SECRET_KEY],
      ['Triple client secret', SANDBOX_CLIENT_SECRET],
      [production ? 'Capillary till password' : 'Capillary OAuth secret', production ? SANDBOX_PASSWORD : SANDBOX_OAUTH_SECRET],
      ['1Voucher PIN', ONE_VOUCHER_PIN],
      ['used voucher PIN', USED_VOUCHER_PIN],
      ['OTT PIN', OTT_PIN],
      ['Blu token', BLU_TOKEN],
      ...Object.entries(gateway.tokens).map(([role, token]) => [`${role} caller token`, token] as [string, string]),
      ...credentialsSent(gateway.simulators).map((value, i) => [`credential sent upstream #${i}`, value] as [string, string]),
      ...changePins.map((pin, i) => [`issued voucher secret #${i}`, pin] as [string, string]),
    ]);
    if (production) secrets.set('Capillary Basic credentials', basicAuthorization(SANDBOX_USERNAME, SANDBOX_PASSWORD).replace(/^Basic /, ''));
    const issuedTokens = credentialsSent(gateway.simulators);
    // The sweep is only as good as what it looks for: Capillary (OAuth), PERS and Triple sessions were issued and used.
    expect(issuedTokens.length).toBeGreaterThan(10);

    const haystacks = [['responses', responses.join('\n')], ['logs', logs.text()]] as const;
    const leaks = [...secrets].flatMap(([name, secret]) =>
      haystacks.filter(([, text]) => secret.length >= 8 && text.includes(secret)).map(([where]) => `${name} in ${where}`));
    const leakingLines = logs.lines.filter((line) => [...secrets.values()].some((secret) => secret.length >= 8 && line.includes(secret)));
    expect({ leaks, leakingLines }).toEqual({ leaks: [], leakingLines: [] });
  });
});
