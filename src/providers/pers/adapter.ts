/**
 * The PERS adapter: HTTP shape, auth and calls. Every call carries `X-Project-Key`; calls made for
 * a gateway caller also carry `Authorization: Bearer <PERS access token>`, obtained by exchanging
 * the caller's own bearer token at `POST /auth/token` and cached per caller.
 */
import { decodeJwt } from 'jose';
import type { Caller } from '../../domain/caller.js';
import { GatewayError, ruleForHttpStatus, type ErrorRule } from '../../domain/errors.js';
import type { TokenRedeem } from '../../domain/redemption.js';
import { createTokenCache, type IssuedToken } from '../../http/token-cache.js';
import { createUpstream, parseWire, retryAfterOf, type UpstreamRequest, type UpstreamResponse } from '../../http/upstream.js';
import type { AdapterDeps, CallOptions, PersAdapter, PersCallOptions, RedeemFilter } from '../types.js';
import { persErrorTable } from './tables.js';
import { fromExecuteRedeem, toExecuteRedeemBody, toRedemptionOffer, toTokenRedeem } from './transform.js';
import {
  persErrorIn2xxSchema,
  persErrorSchema,
  persExecuteRedeemSchema,
  persOfferSchema,
  persRedeemListSchema,
  persRedeemSchema,
  persTokenSchema,
} from './wire.js';

/** Both documented paths of the execute-redeem endpoint (doc 2.0.5 and >= 2.0.7). */
export const PERS_REDEEM_PATHS = ['/redemption-redeems', '/redemptions/redeems'] as const;
export type PersRedeemPath = (typeof PERS_REDEEM_PATHS)[number];
export const DEFAULT_REDEEM_PATH: PersRedeemPath = '/redemptions/redeems';

/** Access-token lifetime when the token is not a JWT with `exp` [D: 15 min default]. */
export const DEFAULT_ACCESS_TOKEN_TTL_MS = 15 * 60_000;

export interface PersConfig {
  baseUrl: string;
  /** Tenant/project key sent as `X-Project-Key` on every call. Secret: never logged. */
  projectKey: string;
  /** Path of the execute-redeem endpoint; default '/redemptions/redeems'. */
  redeemPath?: PersRedeemPath;
  timeoutMs?: number;
}

const PROVIDER = 'pers';

/** PERS `authType` for each gateway role. */
const AUTH_TYPES = { user: 'user', business: 'business', admin: 'tenant' } as const satisfies Record<Caller['role'], string>;

const cacheKey = (caller: Caller) => `${caller.role}|${caller.subject}|${caller.businessId ?? ''}`;

export function createPersAdapter(config: PersConfig, deps: AdapterDeps): PersAdapter {
  const now = deps.now ?? Date.now;
  const upstream = createUpstream({
    provider: PROVIDER,
    baseUrl: config.baseUrl,
    timeouts: { ...deps.timeouts, totalMs: config.timeoutMs ?? deps.timeouts.totalMs },
    execute: deps.execute,
  });
  const tokens = createTokenCache({ now });
  const redeemPath = config.redeemPath ?? DEFAULT_REDEEM_PATH;
  const projectHeaders = { 'x-project-key': config.projectKey };

  /** Sends a call and throws the mapped GatewayError for any non-2xx or error-carrying answer. */
  async function call(request: UpstreamRequest, onAuthError?: ErrorRule): Promise<UpstreamResponse> {
    const response = await upstream.request({ ...request, headers: { ...projectHeaders, ...request.headers } });
    if (isSuccess(response)) return response;
    throw toGatewayError(response, onAuthError);
  }

  /** A token endpoint refusing us is an auth failure whatever its code. */
  const tokenRefused: ErrorRule = { code: 'PROVIDER_AUTH_FAILED', retryable: false, message: 'PERS refused to issue a session' };

  /** Token fetches are shared by concurrent calls of one caller, so no single call's signal aborts them. */
  async function tokenCall(path: '/auth/token' | '/auth/refresh', json: unknown): Promise<IssuedToken> {
    const response = await call({ kind: 'read', method: 'POST', path, json }, tokenRefused);
    const body = parseWire(PROVIDER, persTokenSchema, response);
    deps.logger.debug({ provider: PROVIDER, path }, 'PERS session issued');
    return { token: body.accessToken, refreshToken: body.refreshToken ?? undefined, ttlMs: ttlOf(body.accessToken, now()) };
  }

  const issueFor = (caller: Caller) => () =>
    tokenCall('/auth/token', {
      authToken: caller.token,
      authType: AUTH_TYPES[caller.role],
      ...(caller.role === 'business' && caller.businessId ? { context: { businessId: caller.businessId } } : {}),
    });
  const renew = (refreshToken: string) => tokenCall('/auth/refresh', { refreshToken });

  /** A call made as the caller; a 401 drops the cached session and retries once with a fresh one. */
  async function callAs(caller: Caller, request: UpstreamRequest): Promise<UpstreamResponse> {
    const key = cacheKey(caller);
    const send = async () => {
      const token = await tokens.get(key, issueFor(caller), renew);
      const response = await upstream.request({
        ...request,
        headers: { ...projectHeaders, authorization: `Bearer ${token}` },
      });
      return { token, response };
    };
    let { token, response } = await send();
    if (response.status === 401) {
      tokens.invalidate(key, token);
      ({ token, response } = await send());
    }
    if (isSuccess(response)) return response;
    throw toGatewayError(response);
  }

  /** A read by id: 404 means "no such record", not an error. */
  async function readById(run: () => Promise<UpstreamResponse>): Promise<UpstreamResponse | null> {
    try {
      return await run();
    } catch (error) {
      if (error instanceof GatewayError && error.httpStatus === 404) return null;
      throw error;
    }
  }

  const logger = deps.logger;

  return {
    provider: PROVIDER,

    async executeRedeem(input, options) {
      const businessId = input.businessId ?? (options.caller.role === 'business' ? options.caller.businessId : undefined);
      const response = await callAs(options.caller, {
        kind: 'write', method: 'POST', path: redeemPath, json: toExecuteRedeemBody(input.redemptionId, businessId), signal: options.signal,
      });
      return fromExecuteRedeem(parseWire(PROVIDER, persExecuteRedeemSchema, response), businessId, logger);
    },

    async listRedeems(filter: RedeemFilter, options: PersCallOptions): Promise<TokenRedeem[]> {
      const { redemptionId, userId, businessId, page, limit } = filter;
      const response = await callAs(options.caller, {
        kind: 'read', method: 'GET', path: '/redemption-redeems', query: { redemptionId, userId, businessId, page, limit }, signal: options.signal,
      });
      return parseWire(PROVIDER, persRedeemListSchema, response).map((redeem) => toTokenRedeem(redeem, logger));
    },

    async myRedeems(filter, options) {
      const response = await callAs(options.caller, {
        kind: 'read', method: 'GET', path: '/redemption-redeems/me', query: { redemptionId: filter.redemptionId }, signal: options.signal,
      });
      return parseWire(PROVIDER, persRedeemListSchema, response).map((redeem) => toTokenRedeem(redeem, logger));
    },

    async getRedeem(id, options) {
      const response = await readById(() =>
        callAs(options.caller, { kind: 'read', method: 'GET', path: `/redemption-redeems/${encodeURIComponent(id)}`, signal: options.signal }));
      return response && toTokenRedeem(parseWire(PROVIDER, persRedeemSchema, response), logger);
    },

    async getOffer(id, options?: CallOptions) {
      const response = await readById(() =>
        call({ kind: 'read', method: 'GET', path: `/redemptions/${encodeURIComponent(id)}`, signal: options?.signal }));
      return response && toRedemptionOffer(parseWire(PROVIDER, persOfferSchema, response));
    },

    close: () => upstream.close(),
  };
}

/** A 2xx that does not carry PERS's error envelope. */
const isSuccess = (response: UpstreamResponse) =>
  response.status >= 200 && response.status < 300 && !persErrorIn2xxSchema.safeParse(response.body).success;

/** Lifetime of an access token: its JWT `exp` when it has one, else the documented 15 minutes. */
export function ttlOf(accessToken: string, nowMs: number): number {
  try {
    const { exp } = decodeJwt(accessToken);
    if (typeof exp === 'number') return Math.max(0, exp * 1000 - nowMs);
  } catch {
    // Not a JWT: PERS may issue opaque tokens.
  }
  return DEFAULT_ACCESS_TOKEN_TTL_MS;
}

/**
 * The GatewayError for a PERS error answer: the `code` looked up in the error table (falling
 * back to the HTTP status), the body's `retryable` flag winning when present.
 */
export function toGatewayError(response: UpstreamResponse, override?: ErrorRule): GatewayError {
  const parsed = persErrorSchema.safeParse(response.body);
  const body = parsed.success ? parsed.data : {};
  const providerCode = body.code ?? undefined;
  const authRefused = override && (response.status === 401 || response.status === 403);
  const rule: ErrorRule = authRefused
    ? override
    : (providerCode && Object.hasOwn(persErrorTable, providerCode)
      ? persErrorTable[providerCode as keyof typeof persErrorTable]
      : ruleForHttpStatus(effectiveStatus(response.status, body.status)));
  return new GatewayError(rule.code, rule.message ?? `PERS answered ${response.status}`, {
    provider: PROVIDER,
    providerCode,
    providerMessage: body.detail ?? body.message ?? body.title ?? undefined,
    retryable: authRefused ? false : (body.retryable ?? rule.retryable),
    httpStatus: response.status,
    retryAfterMs: retryAfterOf(response),
    requestSent: true,
  });
}

/** The status an error answer stands for: a 2xx carrying an error counts as its body's status. */
function effectiveStatus(httpStatus: number, bodyStatus: number | null | undefined): number {
  if (httpStatus >= 300) return httpStatus;
  return bodyStatus && bodyStatus >= 400 ? bodyStatus : 400;
}
