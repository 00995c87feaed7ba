/**
 * Moment Collect · Redemptions over HTTP: a static secret key as a Bearer token on every call,
 * JSON bodies in integer cents, RFC 9457 problem documents for errors.
 */
import { GatewayError, ruleForHttpStatus, type ErrorRule } from '../../domain/errors.js';
import { createUpstream, parseWire, retryAfterOf, type UpstreamResponse } from '../../http/upstream.js';
import type { AdapterDeps, MomentAdapter } from '../types.js';
import { momentRedemptionIdSchema } from './input.js';
import { momentErrorRules } from './tables.js';
import { fromCreateVoucherRedemptionInput, toVoucherRedemption, toVoucherTypeInfo } from './transform.js';
import { momentProblemSchema, momentRedemptionSchema, momentTypesResponseSchema } from './wire.js';

export interface MomentConfig {
  /** e.g. https://api.momentpay.net (the docs also show api.momentco.io). */
  baseUrl: string;
  /** A secret key, `sk_test_...` or `sk_...`. Never logged. */
  secretKey: string;
  /** Whole-call timeout; the gateway default when absent. */
  timeoutMs?: number;
}

const REDEMPTIONS = '/collect/redemptions';

export function createMomentAdapter(config: MomentConfig, deps: AdapterDeps): MomentAdapter {
  const upstream = createUpstream({
    provider: 'moment',
    baseUrl: config.baseUrl,
    timeouts: { ...deps.timeouts, totalMs: config.timeoutMs ?? deps.timeouts.totalMs },
    execute: deps.execute,
  });
  const auth = { authorization: `Bearer ${config.secretKey}` };

  return {
    provider: 'moment',

    async createRedemption(input, options) {
      const response = await upstream.request({
        kind: 'write',
        method: 'POST',
        path: REDEMPTIONS,
        headers: { ...auth, 'idempotency-key': options.idempotencyKey },
        json: fromCreateVoucherRedemptionInput(input),
        signal: options.signal,
      });
      if (!isSuccess(response)) throw toGatewayError(response);
      const redemption = toVoucherRedemption(parseWire('moment', momentRedemptionSchema, response), deps.logger);
      deps.logger.info(
        { provider: 'moment', id: redemption.nativeId, status: redemption.status.raw, replayed: isReplay(response) },
        'moment redemption created',
      );
      return redemption;
    },

    async getRedemption(id, options) {
      // Moment answers 404 for ids outside its documented pattern; spare the round trip.
      if (!momentRedemptionIdSchema.safeParse(id).success) return null;
      const response = await upstream.request({
        kind: 'read',
        method: 'GET',
        path: `${REDEMPTIONS}/${encodeURIComponent(id)}`,
        headers: auth,
        signal: options?.signal,
      });
      if (response.status === 404) return null;
      if (!isSuccess(response)) throw toGatewayError(response);
      return toVoucherRedemption(parseWire('moment', momentRedemptionSchema, response), deps.logger);
    },

    async listTypes(options) {
      const response = await upstream.request({
        kind: 'read',
        method: 'GET',
        path: `${REDEMPTIONS}/types`,
        headers: auth,
        signal: options?.signal,
      });
      if (!isSuccess(response)) throw toGatewayError(response);
      return parseWire('moment', momentTypesResponseSchema, response).data.map(toVoucherTypeInfo);
    },

    close: () => upstream.close(),
  };
}

const isSuccess = (response: UpstreamResponse) => response.status >= 200 && response.status < 300;

const isReplay = (response: UpstreamResponse) => String(response.headers['idempotent-replayed']) === 'true';

/**
 * A non-2xx answer as a GatewayError. The problem body is read leniently: the HTTP status alone
 * decides the code, so a proxy's HTML 502 is still PROVIDER_UNAVAILABLE, not a bad response.
 */
function toGatewayError(response: UpstreamResponse): GatewayError {
  const providerCode = String(response.status);
  const rule: ErrorRule = Object.hasOwn(momentErrorRules, providerCode)
    ? momentErrorRules[providerCode as keyof typeof momentErrorRules]
    : ruleForHttpStatus(response.status);
  const problem = momentProblemSchema.safeParse(response.body).data;
  return new GatewayError(rule.code, rule.message ?? `Moment answered ${providerCode}`, {
    provider: 'moment',
    providerCode,
    providerMessage: problem?.detail ?? problem?.title ?? undefined,
    retryable: rule.retryable,
    httpStatus: response.status,
    retryAfterMs: retryAfterOf(response),
    requestSent: true,
  });
}
