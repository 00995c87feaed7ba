/**
 * Shared pieces of the fault suite: one cheap read per provider, the mutations the matrix drives,
 * health read back over HTTP, and bounded polling (never a bare sleep as synchronisation).
 */
import type { ProviderName } from '../../src/domain/provider.js';
import type { GraphQLResponse, TestGateway } from '../support/gateway.js';

/** One read per provider, each answered by a single simulator route (after any token fetch). */
export const READS: Record<ProviderName, { query: string; route: string }> = {
  returningai: { query: '{ orderStatuses { id } }', route: 'GET /apis/v1/redemption-statuses' },
  capillary: {
    query: '{ customerRedemptions(customer: { type: MOBILE, value: "919777785302" }) { total } }',
    route: 'GET /v1.1/customer/redemptions',
  },
  pers: { query: '{ redemptionOffer(id: "red-coffee") { id } }', route: 'GET /redemptions/:id' },
  triple: { query: '{ rewards { id } }', route: 'GET /partner/rewards' },
  moment: { query: '{ voucherTypes { type } }', route: 'GET /collect/redemptions/types' },
};

export const VOUCHER_TYPES_ROUTE = READS.moment.route;
export const MOMENT_CREATE_ROUTE = 'POST /collect/redemptions';
export const CAPILLARY_REDEEM_ROUTE = 'POST /v1.1/points/redeem';

export const REDEEM_VOUCHER = /* GraphQL */ `
  mutation RedeemVoucher($key: String!, $amount: Decimal!, $currency: String!) {
    executeRedeem(
      idempotencyKey: $key
      input: { moment: { type: ONE_VOUCHER, source: { pin: "1234567890123456" }, amount: { amount: $amount, currencyCode: $currency } } }
    ) {
      replayed
      redemption { id providerId status { state raw } ... on VoucherRedemption { redeemedAmount { amount currencyCode } } }
      userErrors { code message field }
    }
  }
`;

export const REDEEM_POINTS = /* GraphQL */ `
  mutation RedeemPoints($key: String!, $points: Decimal!) {
    executeRedeem(
      idempotencyKey: $key
      input: { capillary: { customer: { type: MOBILE, value: "919777785302" }, points: $points, billNumber: "bill-fault" } }
    ) {
      replayed
      redemption { id providerId ... on PointsRedemption { points { amount } externalReferenceNumber } }
      userErrors { code message field }
    }
  }
`;

/** Capillary's own list of the demo customer's redemptions, read through the gateway. */
export const CUSTOMER_REDEMPTIONS = /* GraphQL */ `
  { customerRedemptions(customer: { type: MOBILE, value: "919777785302" }, first: 100) { total items { redemptionId externalReferenceNumber } } }
`;

export interface HealthRow {
  provider: ProviderName;
  breaker: 'closed' | 'open' | 'half-open';
  errorRate: number;
  calls: number;
  latencyP50Ms: number;
  latencyP95Ms: number;
  latencyP99Ms: number;
  inFlight: number;
  queued: number;
}

/** Each provider's health from GET /readyz. */
export async function readyz(gateway: TestGateway): Promise<{ status: number; body: { status: string; providers: HealthRow[] } }> {
  const response = await fetch(`${gateway.url}/readyz`);
  return { status: response.status, body: (await response.json()) as { status: string; providers: HealthRow[] } };
}

/** One provider's health from the `providers` query (admin). */
export async function healthOf(gateway: TestGateway, provider: ProviderName) {
  const response = await gateway.gql<{ providers: (Omit<HealthRow, 'inFlight' | 'queued' | 'breaker'> & { breaker: string })[] }>(
    '{ providers { provider breaker errorRate calls latencyP50Ms latencyP95Ms latencyP99Ms } }',
  );
  if (response.body.errors) throw new Error(`providers query failed: ${JSON.stringify(response.body.errors)}`);
  const row = response.body.data!.providers.find((p) => p.provider === PROVIDER_ENUM[provider]);
  if (!row) throw new Error(`no health row for ${provider}`);
  return row;
}

/** The GraphQL Provider enum value of each provider name. */
export const PROVIDER_ENUM: Record<ProviderName, string> = {
  returningai: 'RETURNING_AI', capillary: 'CAPILLARY', pers: 'PERS', triple: 'TRIPLE', moment: 'MOMENT',
};

/** The single error of a response, with its code. */
export function onlyError(response: GraphQLResponse) {
  const errors = response.body.errors ?? [];
  if (errors.length !== 1) throw new Error(`expected one error, got ${JSON.stringify(response.body)}`);
  return errors[0]!;
}

/**
 * Polls `check` until it returns a value other than undefined, at most `attempts` times, `everyMs`
 * apart. Throws with `what` when it never does.
 */
export async function until<T>(what: string, check: () => Promise<T | undefined>, { attempts = 100, everyMs = 20 } = {}): Promise<T> {
  for (let i = 0; i < attempts; i++) {
    const value = await check();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
  throw new Error(`gave up waiting for ${what}`);
}

/** Milliseconds of one GraphQL request, by the monotonic clock (for ratios, never absolutes). */
export async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await work();
  return { ms: performance.now() - started, value };
}

export const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
};
