/**
 * The Triple Partner API adapter: OAuth2 client-credentials auth with a cached bearer token, and
 * the reward calls. Stateless apart from its two connection pools (API and token endpoint, which
 * may be on another origin) and its token cache.
 */
import { GatewayError } from '../../domain/errors.js';
import type { Reward } from '../../domain/redemption.js';
import { createTokenCache, type IssuedToken } from '../../http/token-cache.js';
import { createUpstream, parseWire, retryAfterOf, type UpstreamRequest, type UpstreamResponse } from '../../http/upstream.js';
import type { AdapterDeps, CallOptions, TripleAdapter, UpdateRewardStatusInput } from '../types.js';
import { tripleErrorRule, tripleTokenErrorRule } from './tables.js';
import { fromPatchInput, fromUpdateInput, toReward } from './transform.js';
import {
  tripleErrorEnvelopeSchema,
  triplePatchResultSchema,
  tripleRewardListSchema,
  tripleRewardSchema,
  tripleTokenErrorSchema,
  tripleTokenSchema,
  tripleUpdateStatusResultSchema,
} from './wire.js';

export interface TripleConfig {
  /** API base URL, e.g. https://api.sandbox.tripleup.dev */
  baseUrl: string;
  /** Full URL of the OAuth2 token endpoint, e.g. https://auth.tripleup.dev/oauth2/token */
  tokenUrl: string;
  clientId: string;
  /** Secret: sent only to the token endpoint, never logged. */
  clientSecret: string;
  /** Whole-call timeout; defaults to the gateway's. */
  timeoutMs?: number;
}

const PROVIDER = 'triple';
type ApiRequest = Omit<UpstreamRequest, 'headers'>;

export function createTripleAdapter(config: TripleConfig, deps: AdapterDeps): TripleAdapter {
  const timeouts = { ...deps.timeouts, totalMs: config.timeoutMs ?? deps.timeouts.totalMs };
  const api = createUpstream({ provider: PROVIDER, baseUrl: config.baseUrl, timeouts, execute: deps.execute });
  const tokenUrl = new URL(config.tokenUrl);
  const auth = createUpstream({ provider: PROVIDER, baseUrl: tokenUrl.origin, timeouts, execute: deps.execute });
  const tokens = createTokenCache({ now: deps.now });
  const tokenKey = config.clientId;
  const basic = `Basic ${Buffer.from(`${config.clientId}:${config.clientSecret}`).toString('base64')}`;

  async function issueToken(): Promise<IssuedToken> {
    const res = await auth.request({
      kind: 'read',
      method: 'POST',
      path: tokenUrl.pathname + tokenUrl.search,
      headers: { authorization: basic },
      form: { grant_type: 'client_credentials' },
    });
    if (res.status >= 300) throw tokenFailure(res);
    const body = parseWire(PROVIDER, tripleTokenSchema, res);
    return { token: body.access_token, ttlMs: body.expires_in * 1000 };
  }

  /** Sends with the cached token; a 401/403 drops it and retries once with a fresh one. */
  async function send(request: ApiRequest): Promise<UpstreamResponse> {
    const token = await tokens.get(tokenKey, issueToken);
    const res = await api.request({ ...request, headers: { authorization: `Bearer ${token}` } });
    if (res.status !== 401 && res.status !== 403) return res;
    tokens.invalidate(tokenKey, token);
    deps.logger.info({ provider: PROVIDER, httpStatus: res.status, path: request.path }, 'triple refused the bearer token; retrying once with a new one');
    const fresh = await tokens.get(tokenKey, issueToken);
    return api.request({ ...request, headers: { authorization: `Bearer ${fresh}` } });
  }

  /** Throws when the response is an error: a non-2xx status, or a 2xx carrying Triple's error envelope. */
  function ensureOk(res: UpstreamResponse, operation: string): void {
    const envelope = tripleErrorEnvelopeSchema.safeParse(res.body);
    if (res.status < 300 && !envelope.success) return;
    const content = envelope.success ? envelope.data.content : undefined;
    const rule = tripleErrorRule(content?.exception, res.status < 300 && envelope.success ? envelope.data.status_code : res.status);
    deps.logger.warn({ provider: PROVIDER, operation, httpStatus: res.status, providerCode: content?.exception }, 'triple answered with an error');
    throw new GatewayError(rule.code, rule.message ?? `triple answered HTTP ${res.status}`, {
      provider: PROVIDER,
      providerCode: content?.exception,
      providerMessage: content?.error_message ?? undefined,
      retryable: rule.retryable,
      httpStatus: res.status,
      retryAfterMs: retryAfterOf(res),
      requestSent: true,
    });
  }

  function tokenFailure(res: UpstreamResponse): GatewayError {
    const body = tripleTokenErrorSchema.safeParse(res.body);
    const oauthCode = body.success ? body.data.error : undefined;
    const rule = tripleTokenErrorRule(oauthCode, res.status);
    deps.logger.warn({ provider: PROVIDER, operation: 'token', httpStatus: res.status, providerCode: oauthCode }, 'triple token endpoint refused');
    return new GatewayError(rule.code, rule.message ?? `triple token endpoint answered HTTP ${res.status}`, {
      provider: PROVIDER,
      providerCode: oauthCode,
      providerMessage: body.success ? (body.data.error_description ?? undefined) : undefined,
      retryable: rule.retryable,
      httpStatus: res.status,
      retryAfterMs: retryAfterOf(res),
      requestSent: true,
    });
  }

  async function getReward(rewardId: string, options?: CallOptions): Promise<Reward | null> {
    const res = await send({ kind: 'read', method: 'GET', path: `/partner/rewards/${encodeURIComponent(rewardId)}`, signal: options?.signal });
    if (res.status === 404) return null;
    ensureOk(res, 'getReward');
    return toReward(parseWire(PROVIDER, tripleRewardSchema, res), deps.logger);
  }

  async function listRewards(query: Record<string, string | undefined>, operation: string, options?: CallOptions) {
    const res = await send({ kind: 'read', method: 'GET', path: '/partner/rewards', query, signal: options?.signal });
    ensureOk(res, operation);
    return parseWire(PROVIDER, tripleRewardListSchema, res).rewards;
  }

  /**
   * GET /partner/rewards?offer_id=&transaction_id= [I: the filter parameters are inferred]. The
   * match is checked here again, so a server that ignores the filters cannot return a wrong reward.
   */
  async function findReward(offerId: string, transactionId: string, options?: CallOptions): Promise<Reward | null> {
    const rewards = await listRewards({ offer_id: offerId, transaction_id: transactionId }, 'findReward', options);
    const match = rewards.find((r) => r.offer_id === offerId && r.transaction_id === transactionId);
    return match ? toReward(match, deps.logger) : null;
  }

  /**
   * Without notes: POST /partner/rewards.update_status {status, offer_id, transaction_id} [D].
   * With notes: that body has no notes field [D], so the reward id is looked up and
   * PATCH /partner/rewards/{id} {status, notes} is sent instead [D: the PATCH body has notes].
   * Either way the reward is then read back. Repeating a status is accepted [D], so a caller may
   * repeat the call after a failed read-back.
   */
  async function updateRewardStatus(input: UpdateRewardStatusInput, options?: CallOptions): Promise<Reward> {
    const signal = options?.signal;
    if (input.notes !== undefined) {
      const current = await findReward(input.offerId, input.transactionId, options);
      if (!current) {
        throw new GatewayError('NOT_FOUND', 'Triple has no reward for this offer and transaction', { provider: PROVIDER, retryable: false });
      }
      const res = await send({
        kind: 'write', method: 'PATCH', path: `/partner/rewards/${encodeURIComponent(current.rewardId)}`,
        json: fromPatchInput({ ...input, notes: input.notes }), signal,
      });
      ensureOk(res, 'updateRewardStatus');
      parseWire(PROVIDER, triplePatchResultSchema, res);
    } else {
      const res = await send({ kind: 'write', method: 'POST', path: '/partner/rewards.update_status', json: fromUpdateInput(input), signal });
      ensureOk(res, 'updateRewardStatus');
      if (!parseWire(PROVIDER, tripleUpdateStatusResultSchema, res).ok) {
        throw new GatewayError('PROVIDER_REJECTED', 'Triple did not confirm the status update', {
          provider: PROVIDER, retryable: false, httpStatus: res.status,
        });
      }
    }
    const updated = await findReward(input.offerId, input.transactionId, options);
    if (!updated) {
      throw new GatewayError('PROVIDER_BAD_RESPONSE', 'Triple confirmed the update but the reward could not be read back', {
        provider: PROVIDER, retryable: true,
      });
    }
    return updated;
  }

  return {
    provider: PROVIDER,
    updateRewardStatus,
    getReward,
    listRewards: async (query, options) =>
      (await listRewards({ status: query.status }, 'listRewards', options)).map((wire) => toReward(wire, deps.logger)),
    findReward,
    close: async () => {
      await Promise.all([api.close(), auth.close()]);
    },
  };
}
