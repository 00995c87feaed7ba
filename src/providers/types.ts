/**
 * The contract between the gateway and its providers. Each provider folder exports one
 * `ProviderModule` (registered in `registry.ts`) and implements its adapter interface below.
 *
 * Adapters are the only code that builds provider HTTP requests; they never import `graphql`.
 * They take and return the domain models of `src/domain`, throw only `GatewayError`, and keep
 * no state but connection pools and token caches.
 */
import type { z } from 'zod';
import type { Caller } from '../domain/caller.js';
import type { Money } from '../domain/money.js';
import type { ProviderName } from '../domain/provider.js';
import type {
  CustomField,
  MerchantStatus,
  PointsRedemption,
  RedemptionOffer,
  RedemptionOrder,
  Reward,
  RewardStatus,
  TokenRedeem,
  VoucherRedemption,
  VoucherTypeInfo,
} from '../domain/redemption.js';
import type { UpstreamOptions, UpstreamTimeouts } from '../http/upstream.js';
import type { Simulator } from '../sim/kit.js';

export interface AdapterLogger {
  debug(details: object, message: string): void;
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
}

/** What every adapter is given besides its own configuration. */
export interface AdapterDeps {
  logger: AdapterLogger;
  timeouts: UpstreamTimeouts;
  /** The resilience wrapper for this provider's calls (see `UpstreamOptions.execute`). */
  execute?: UpstreamOptions['execute'];
  /** Clock for token expiry; tests move it forward instead of sleeping. */
  now?: () => number;
}

/** Per-call options. */
export interface CallOptions {
  signal?: AbortSignal;
}

export interface ProviderAdapter {
  readonly provider: ProviderName;
  /** Closes pooled connections. */
  close(): Promise<void>;
}

// ---------------------------------------------------------------- Returning.AI

export interface UpdateOrderStatusInput {
  transactionId: string;
  /** 24-hex id of a merchant-defined status. */
  statusId: string;
}

export interface ReturningAiAdapter extends ProviderAdapter {
  /** PUT /apis/v1/redemption-transactions/status */
  updateOrderStatus(input: UpdateOrderStatusInput, options?: CallOptions): Promise<RedemptionOrder>;
  /** Reads one order by transaction id (path inferred, configurable); null when unknown. */
  getOrder(transactionId: string, options?: CallOptions): Promise<RedemptionOrder | null>;
  /** The community's merchant-defined statuses (path inferred, configurable). */
  listStatuses(options?: CallOptions): Promise<MerchantStatus[]>;
}

// ---------------------------------------------------------------- Capillary

/** Exactly one identifier of the customer. */
export interface CustomerIdentifier {
  type: 'mobile' | 'email' | 'external_id' | 'id';
  value: string;
}

export interface RedeemPointsInput {
  customer: CustomerIdentifier;
  /** Decimal string, > 0, at most 3 fractional digits. */
  points: string;
  /** Unique per redemption attempt; Capillary's idempotency check. Derived from the gateway key. */
  externalReferenceNumber: string;
  billNumber?: string;
  notes?: string;
  validationCode?: string;
  customFields?: CustomField[];
}

export interface UpdateRedemptionMetadataInput {
  /** Exactly one of redemptionId / externalReferenceNumber. */
  redemptionId?: string;
  externalReferenceNumber?: string;
  billNumber?: string;
  /** Positive integer of at most 19 digits, as a string. */
  billId?: string;
  purpose?: string;
  entity?: { type: 'CUSTOMER' | 'USERGROUP2' | 'FLEET'; identifierType: string; identifierValue: string };
  customFields?: Record<string, string>;
}

export interface PointsRedemptionRef {
  customerId: string;
  redemptionId: string;
}

export interface Page<T> {
  items: T[];
  /** Total matching records, where the provider reports it. */
  total?: number;
}

export interface CapillaryAdapter extends ProviderAdapter {
  /** POST /v1.1/points/redeem */
  redeemPoints(input: RedeemPointsInput, options?: CallOptions): Promise<PointsRedemption>;
  /** PUT /v2/points/updateRedemption */
  updateRedemptionMetadata(input: UpdateRedemptionMetadataInput, options?: CallOptions): Promise<PointsRedemption>;
  /**
   * Reads several redemptions in one GET /v1.1/customer/redemptions call (customer ids
   * comma-separated). Same length and order as `refs`; null where not found.
   */
  getRedemptions(refs: readonly PointsRedemptionRef[], options?: CallOptions): Promise<(PointsRedemption | null)[]>;
  /** GET /v1.1/customer/redemptions for one customer, paged. */
  listCustomerRedemptions(
    query: { customer: CustomerIdentifier; limit: number; offset: number },
    options?: CallOptions,
  ): Promise<Page<PointsRedemption>>;
  /** Finds the redemption made with an external reference number: settles unknown outcomes. */
  findByExternalReference(
    customer: CustomerIdentifier,
    externalReferenceNumber: string,
    options?: CallOptions,
  ): Promise<PointsRedemption | null>;
}

// ---------------------------------------------------------------- PERS

export interface RedeemFilter {
  redemptionId?: string;
  userId?: string;
  businessId?: string;
  page?: number;
  limit?: number;
}

/** PERS calls act as the gateway's caller: the adapter exchanges their token for a PERS session. */
export interface PersCallOptions extends CallOptions {
  caller: Caller;
}

export interface PersAdapter extends ProviderAdapter {
  /** POST {PERS_REDEEM_PATH} */
  executeRedeem(input: { redemptionId: string; businessId?: string }, options: PersCallOptions): Promise<TokenRedeem>;
  /** GET /redemption-redeems with filters. */
  listRedeems(filter: RedeemFilter, options: PersCallOptions): Promise<TokenRedeem[]>;
  /** GET /redemption-redeems/me */
  myRedeems(filter: { redemptionId?: string }, options: PersCallOptions): Promise<TokenRedeem[]>;
  /** GET /redemption-redeems/{id}; null when unknown. */
  getRedeem(id: string, options: PersCallOptions): Promise<TokenRedeem | null>;
  /** GET /redemptions/{id} (project key only); null when unknown. */
  getOffer(id: string, options?: CallOptions): Promise<RedemptionOffer | null>;
}

// ---------------------------------------------------------------- Triple

export type TripleRole = 'content_provider' | 'publisher';

export interface UpdateRewardStatusInput {
  offerId: string;
  transactionId: string;
  status: RewardStatus;
  notes?: string;
}

export interface TripleAdapter extends ProviderAdapter {
  /** POST /partner/rewards.update_status, then reads the reward back. */
  updateRewardStatus(input: UpdateRewardStatusInput, options?: CallOptions): Promise<Reward>;
  /** GET /partner/rewards/{id}; null when unknown. */
  getReward(rewardId: string, options?: CallOptions): Promise<Reward | null>;
  /** GET /partner/rewards?status=… */
  listRewards(query: { status?: RewardStatus }, options?: CallOptions): Promise<Reward[]>;
  /** The reward addressed by (offer id, transaction id); null when unknown. */
  findReward(offerId: string, transactionId: string, options?: CallOptions): Promise<Reward | null>;
}

// ---------------------------------------------------------------- Moment

export interface CreateVoucherRedemptionInput {
  type: string;
  /** The voucher credential: secret, never logged. */
  source: { pin?: string; token?: string; phoneNumber?: string; serialNumber?: string };
  /** Omit to redeem the voucher's full value. */
  amount?: Money;
  externalReference?: string;
  metadata?: Record<string, string>;
}

export interface MomentAdapter extends ProviderAdapter {
  /** POST /collect/redemptions with Idempotency-Key. */
  createRedemption(
    input: CreateVoucherRedemptionInput,
    options: CallOptions & { idempotencyKey: string },
  ): Promise<VoucherRedemption>;
  /** GET /collect/redemptions/{id}; null when unknown. */
  getRedemption(id: string, options?: CallOptions): Promise<VoucherRedemption | null>;
  /** GET /collect/redemptions/types */
  listTypes(options?: CallOptions): Promise<VoucherTypeInfo[]>;
}

// ---------------------------------------------------------------- modules

/** The result of reading one provider's variables from the environment. */
export type ProviderConfigResult<C> =
  | { status: 'absent' }
  | { status: 'ok'; config: C }
  | { status: 'invalid'; issues: string[] };

export interface ProviderModule<C, A extends ProviderAdapter> {
  name: ProviderName;
  /** Human name, e.g. 'Returning.AI'. */
  title: string;
  /** Every environment variable the provider reads, for docs and for the absent/partial check. */
  envVars: readonly string[];
  /** Reads the provider's variables: absent (none set), ok, or invalid (each issue names its variable). */
  readConfig(env: Readonly<Record<string, string | undefined>>): ProviderConfigResult<C>;
  /** The configuration that points the adapter at a running simulator with its demo credentials. */
  sandboxConfig(simulatorUrl: string): C;
  createAdapter(config: C, deps: AdapterDeps): A;
  createSimulator(options?: SimulatorOptions): Simulator;
}

export interface SimulatorOptions {
  /** Clock for token expiry and timestamps; tests move it forward instead of sleeping. */
  now?: () => number;
}

export type AnyProviderModule = ProviderModule<unknown, ProviderAdapter>;

/** Parses a provider's variables with a zod schema keyed by variable name (helper for modules). */
export function readProviderEnv<S extends z.ZodType>(
  env: Readonly<Record<string, string | undefined>>,
  vars: readonly string[],
  schema: S,
  /** Variables whose presence alone does not make the provider configured (timeouts, paths). */
  optional: readonly string[] = [],
): ProviderConfigResult<z.infer<S>> {
  const present = vars.filter((name) => env[name] !== undefined && env[name] !== '' && !optional.includes(name));
  if (present.length === 0) return { status: 'absent' };
  const picked = Object.fromEntries(vars.map((name) => [name, env[name] === '' ? undefined : env[name]]));
  const result = schema.safeParse(picked);
  if (result.success) return { status: 'ok', config: result.data };
  return {
    status: 'invalid',
    issues: result.error.issues.map((issue) => `${issue.path.join('.') || vars.join('/')}: ${issue.message}`),
  };
}
