/**
 * The Capillary adapter: points redemption over v1.1 (redeem, customer redemptions) and v2
 * (updateRedemption), authenticated either with an OAuth token (`X-CAP-API-OAUTH-TOKEN`, from
 * POST /v3/oauth/token/generate, cached until shortly before `ttlSeconds`) or with till
 * credentials (`Authorization: Basic base64(username:md5hex(password))`).
 *
 * Capillary reports outcomes in the body (v1.1 `item_status`/`response.status`, v2 `errors[]`),
 * whatever the HTTP status: a 200 carrying an error is an error.
 */
import { createHash } from 'node:crypto';
import type { z } from 'zod';
import { GatewayError, ruleForHttpStatus, type ErrorRule } from '../../domain/errors.js';
import type { PointsRedemption } from '../../domain/redemption.js';
import { InputError } from '../../domain/validation.js';
import { createTokenCache } from '../../http/token-cache.js';
import { createUpstream, parseWire, retryAfterOf, type UpstreamRequest, type UpstreamResponse } from '../../http/upstream.js';
import type { AdapterDeps, CapillaryAdapter, CustomerIdentifier, PointsRedemptionRef } from '../types.js';
import { capillaryErrorFields, capillaryErrorMap, isCapillaryErrorCode } from './tables.js';
import {
  capillaryProblemOf,
  customersOf,
  fromRedeemedPoints,
  fromRedemptionPoint,
  fromUpdatedRedemption,
  pointsOf,
  toRedeemRequest,
  toUpdateRedemptionRequest,
  type CapillaryProblem,
} from './transform.js';
import {
  capillaryRedeemResponseSchema,
  capillaryRedemptionsResponseSchema,
  capillaryTokenSchema,
  capillaryUpdatedRedemptionSchema,
  type CapillaryRedemptionsResponse,
} from './wire.js';

export type CapillaryAuth =
  | { kind: 'oauth'; key: string; secret: string }
  | { kind: 'basic'; username: string; password: string };

export interface CapillaryConfig {
  /** Cluster origin, e.g. https://eu.api.capillarytech.com */
  baseUrl: string;
  /** OAuth (recommended) or till Basic credentials. Secret: never logged. */
  auth: CapillaryAuth;
  timeoutMs?: number;
}

const PROVIDER = 'capillary';
const REDEEM_PATH = '/v1.1/points/redeem';
const REDEMPTIONS_PATH = '/v1.1/customer/redemptions';
const UPDATE_PATH = '/v2/points/updateRedemption';
const TOKEN_PATH = '/v3/oauth/token/generate';
/** Capillary's documented maximum for points_limit. */
export const CAPILLARY_MAX_POINTS_LIMIT = 500;
/**
 * How many pages of one customer's history getRedemptions reads at most (the batched first page
 * included): the newest 20 × 500 = 10,000 redemptions. A ref older than that reads as null.
 */
export const CAPILLARY_MAX_REDEMPTION_PAGES = 20;

export const basicAuthorization = (username: string, password: string): string =>
  `Basic ${Buffer.from(`${username}:${createHash('md5').update(password).digest('hex')}`).toString('base64')}`;

/** The GatewayError for a refused call: the body's code through the table, else the HTTP status. */
function capillaryError(response: UpstreamResponse, problem: CapillaryProblem | undefined): GatewayError {
  const known = problem && isCapillaryErrorCode(problem.code) ? problem.code : undefined;
  const rule: ErrorRule = known ? capillaryErrorMap[known] : ruleForHttpStatus(response.status >= 400 ? response.status : 400);
  return new GatewayError(rule.code, rule.message ?? `Capillary answered HTTP ${response.status} (${rule.code})`, {
    provider: PROVIDER,
    providerCode: problem?.code,
    providerMessage: problem?.message,
    retryable: rule.retryable,
    httpStatus: response.status,
    retryAfterMs: retryAfterOf(response),
    requestSent: true,
    field: known ? capillaryErrorFields[known] : undefined,
  });
}

/** The body parsed with `schema`, or the error the response carries. */
function expectOk<S extends z.ZodType>(schema: S, response: UpstreamResponse): z.infer<S> {
  const problem = capillaryProblemOf(response.body);
  if (problem || response.status < 200 || response.status >= 300) throw capillaryError(response, problem);
  return parseWire(PROVIDER, schema, response);
}

/**
 * Capillary pages by page index (`points_offset`) [D]: an offset converts only when it falls on a
 * page boundary. Limits above 500 would be silently clamped by Capillary, so they are refused.
 */
function pageIndexOf(limit: number, offset: number): number {
  if (!Number.isInteger(limit) || limit < 1 || limit > CAPILLARY_MAX_POINTS_LIMIT) {
    throw new InputError([{ field: ['limit'], message: `expected an integer from 1 to ${CAPILLARY_MAX_POINTS_LIMIT}, received ${limit}` }]);
  }
  if (!Number.isInteger(offset) || offset < 0 || offset % limit !== 0) {
    throw new InputError([
      { field: ['offset'], message: `expected a non-negative multiple of limit (${limit}): Capillary pages by page index; received ${offset}` },
    ]);
  }
  return offset / limit;
}

const identifierQuery = (customer: CustomerIdentifier) => ({ [customer.type]: customer.value });

export function createCapillaryAdapter(config: CapillaryConfig, deps: AdapterDeps): CapillaryAdapter {
  const upstream = createUpstream({
    provider: PROVIDER,
    baseUrl: config.baseUrl,
    timeouts: { ...deps.timeouts, totalMs: config.timeoutMs ?? deps.timeouts.totalMs },
    execute: deps.execute,
  });
  const tokens = createTokenCache({ now: deps.now });
  const context = { logger: deps.logger };
  const { auth } = config;

  async function issueToken(credentials: { key: string; secret: string }) {
    const response = await upstream.request({ kind: 'read', method: 'POST', path: TOKEN_PATH, json: { key: credentials.key, secret: credentials.secret } });
    const problem = capillaryProblemOf(response.body);
    // Any refusal short of an outage or a rate limit means the key/secret are not accepted.
    const refused = response.status < 500 && response.status !== 429 && (problem !== undefined || response.status >= 400);
    if (refused) {
      throw new GatewayError('PROVIDER_AUTH_FAILED', 'Capillary refused the OAuth key and secret', {
        provider: PROVIDER, providerCode: problem?.code, providerMessage: problem?.message,
        retryable: false, httpStatus: response.status, requestSent: true,
      });
    }
    const { data } = expectOk(capillaryTokenSchema, response);
    return { token: data.accessToken, ttlMs: data.ttlSeconds * 1000 };
  }

  const authorization = auth.kind === 'basic' ? basicAuthorization(auth.username, auth.password) : undefined;

  /**
   * Sends with credentials. An OAuth 401 drops the cached token and retries once with a new one;
   * safe for writes too, as a refused token means Capillary did not process the call.
   */
  async function send(request: UpstreamRequest): Promise<UpstreamResponse> {
    if (auth.kind === 'basic') return upstream.request({ ...request, headers: { ...request.headers, authorization: authorization! } });
    const withToken = (token: string) => upstream.request({ ...request, headers: { ...request.headers, 'x-cap-api-oauth-token': token } });
    const token = await tokens.get(auth.key, () => issueToken(auth));
    const response = await withToken(token);
    if (response.status !== 401) return response;
    deps.logger.info({ provider: PROVIDER, path: request.path }, 'OAuth token refused; renewing once');
    tokens.invalidate(auth.key, token);
    return withToken(await tokens.get(auth.key, () => issueToken(auth)));
  }

  const readRedemptions = (query: UpstreamRequest['query'], signal?: AbortSignal) =>
    send({ kind: 'read', method: 'GET', path: REDEMPTIONS_PATH, query: { ...query, type: 'POINTS', format: 'json' }, signal });

  /** A redemptions read whose customers are all unknown (816) or that 404s finds nothing. */
  function redemptionsOrNone(response: UpstreamResponse): CapillaryRedemptionsResponse | undefined {
    const problem = capillaryProblemOf(response.body);
    if (problem?.code === '816' || (!problem && response.status === 404)) return undefined;
    return expectOk(capillaryRedemptionsResponseSchema, response);
  }

  /** Customer id of a customer entry: `user_id`, else the id queried at the same position [I]. */
  function customerIdOf(entry: { user_id?: string | null }, queried: string | undefined, response: UpstreamResponse): string {
    const id = entry.user_id ?? queried;
    if (id === undefined) {
      throw new GatewayError('PROVIDER_BAD_RESPONSE', 'Capillary sent a customer without user_id', {
        provider: PROVIDER, httpStatus: response.status, retryable: false,
      });
    }
    return id;
  }

  /**
   * Whether a customer has records past page `page` of `points_limit`-sized pages: by
   * `points_count` when sent, else when the page came back full.
   */
  function hasMorePages(entry: { points_count?: string | null }, page: number, returned: number): boolean {
    if (returned === 0) return false;
    const total = entry.points_count === null || entry.points_count === undefined ? Number.NaN : Number(entry.points_count);
    if (Number.isFinite(total)) return page * CAPILLARY_MAX_POINTS_LIMIT + returned < total;
    return returned === CAPILLARY_MAX_POINTS_LIMIT;
  }

  return {
    provider: PROVIDER,

    async redeemPoints(input, options) {
      const response = await send({
        kind: 'write', method: 'POST', path: REDEEM_PATH, query: { format: 'json' }, json: toRedeemRequest(input), signal: options?.signal,
      });
      const body = expectOk(capillaryRedeemResponseSchema, response);
      return fromRedeemedPoints(body.response.responses.points, input, context);
    },

    async updateRedemptionMetadata(input, options) {
      const response = await send({
        kind: 'write', method: 'PUT', path: UPDATE_PATH, json: toUpdateRedemptionRequest(input), signal: options?.signal,
      });
      return fromUpdatedRedemption(expectOk(capillaryUpdatedRedemptionSchema, response), input, context);
    },

    /**
     * The batched first page (newest 500 of every customer) answers the common case in one call.
     * A ref it misses, for a customer with more records than were returned, is searched on the
     * next pages (`points_offset` is a page index [D]), one call per page for all customers still
     * missing refs, up to CAPILLARY_MAX_REDEMPTION_PAGES. Newest first (the default order [D]), a
     * redemption made between two calls shifts older records to later pages: seen twice, never skipped.
     */
    async getRedemptions(refs, options) {
      if (refs.length === 0) return [];
      const keyOf = (customerId: string, redemptionId: string) => `${customerId}/${redemptionId}`;
      const wanted = new Set(refs.map((ref) => keyOf(ref.customerId, ref.redemptionId)));
      const found = new Map<string, PointsRedemption>();
      const stillMissing = (customerId: string) =>
        refs.some((ref) => ref.customerId === customerId && !found.has(keyOf(ref.customerId, ref.redemptionId)));
      let ids = [...new Set(refs.map((ref) => ref.customerId))];
      let page = 0;
      for (; ids.length > 0 && page < CAPILLARY_MAX_REDEMPTION_PAGES; page += 1) {
        const query = { id: ids.join(','), points_limit: CAPILLARY_MAX_POINTS_LIMIT, ...(page > 0 ? { points_offset: page } : {}) };
        const response = await readRedemptions(query, options?.signal);
        const body = redemptionsOrNone(response);
        if (!body) {
          ids = []; // every customer queried is unknown
          break;
        }
        const more: string[] = [];
        customersOf(body).forEach((entry, index) => {
          if (entry.item_status && !entry.item_status.success) {
            if (entry.item_status.code === '816') return;
            throw capillaryError(response, { code: entry.item_status.code, message: entry.item_status.message ?? undefined });
          }
          const customerId = customerIdOf(entry, ids[index], response);
          const points = pointsOf(entry);
          for (const point of points) {
            const key = keyOf(customerId, point.redemption_id);
            if (wanted.has(key)) found.set(key, fromRedemptionPoint(point, customerId, context));
          }
          if (hasMorePages(entry, page, points.length)) more.push(customerId);
        });
        ids = more.filter(stillMissing);
      }
      if (ids.length > 0) {
        deps.logger.warn(
          { provider: PROVIDER, customers: ids.length, pages: page, pageSize: CAPILLARY_MAX_POINTS_LIMIT },
          'Capillary redemption search stopped at the page limit; older redemptions read as not found',
        );
      }
      return refs.map((ref: PointsRedemptionRef) => found.get(keyOf(ref.customerId, ref.redemptionId)) ?? null);
    },

    async listCustomerRedemptions({ customer, limit, offset }, options) {
      const query = { ...identifierQuery(customer), points_limit: limit, points_offset: pageIndexOf(limit, offset) };
      const response = await readRedemptions(query, options?.signal);
      const body = expectOk(capillaryRedemptionsResponseSchema, response);
      const entry = customersOf(body)[0];
      if (!entry) return { items: [], total: 0 };
      const customerId = customerIdOf(entry, customer.type === 'id' ? customer.value : undefined, response);
      const total = entry.points_count === null || entry.points_count === undefined ? undefined : Number(entry.points_count);
      return { items: pointsOf(entry).map((point) => fromRedemptionPoint(point, customerId, context)), total };
    },

    async findByExternalReference(customer, externalReferenceNumber, options) {
      const query = { ...identifierQuery(customer), external_reference_number: externalReferenceNumber };
      const response = await readRedemptions(query, options?.signal);
      const body = redemptionsOrNone(response);
      const entry = body && customersOf(body)[0];
      if (!entry) return null;
      // Filtered again here: the match must be exact whatever the server's filter does.
      const point = pointsOf(entry).find((candidate) => candidate.external_reference_number === externalReferenceNumber);
      if (!point) return null;
      return fromRedemptionPoint(point, customerIdOf(entry, customer.type === 'id' ? customer.value : undefined, response), context);
    },

    close: () => upstream.close(),
  };
}
