/**
 * Returning.AI integration API adapter: a static `Authorization: Bearer <integration API key>`
 * on every call, one documented write (the order status update) and two inferred reads whose
 * paths are configurable.
 */
import type { z } from 'zod';
import { GatewayError } from '../../domain/errors.js';
import type { MerchantStatus, RedemptionOrder } from '../../domain/redemption.js';
import { createUpstream, parseWire, retryAfterOf, type UpstreamRequest, type UpstreamResponse } from '../../http/upstream.js';
import type { AdapterDeps, CallOptions, ReturningAiAdapter, UpdateOrderStatusInput } from '../types.js';
import { errorRuleFor } from './tables.js';
import { fromUpdateOrderStatusInput, toMerchantStatus, toRedemptionOrder } from './transform.js';
import {
  RETURNING_AI_PATHS,
  returningAiErrorSchema,
  returningAiOrderSchema,
  returningAiStatusSchema,
  returningAiSuccessSchema,
} from './wire.js';

export interface ReturningAiConfig {
  /** e.g. https://integration.returning.ai */
  baseUrl: string;
  /** The community's integration API key (secret). */
  apiKey: string;
  /** Order read path with a `{transactionId}` placeholder; defaults to the inferred one. */
  orderPath?: string;
  /** Status list path; defaults to the inferred one. */
  statusesPath?: string;
  /** Whole-call timeout; defaults to the gateway's. */
  timeoutMs?: number;
}

const PROVIDER = 'returningai';

const orderBody = returningAiSuccessSchema(returningAiOrderSchema);
const statusesBody = returningAiSuccessSchema(returningAiStatusSchema.array());

export function createReturningAiAdapter(config: ReturningAiConfig, deps: AdapterDeps): ReturningAiAdapter {
  const upstream = createUpstream({
    provider: PROVIDER,
    baseUrl: config.baseUrl,
    timeouts: { ...deps.timeouts, totalMs: config.timeoutMs ?? deps.timeouts.totalMs },
    execute: deps.execute,
  });
  const headers = { authorization: `Bearer ${config.apiKey}` };
  const orderPath = config.orderPath ?? RETURNING_AI_PATHS.order;
  const statusesPath = config.statusesPath ?? RETURNING_AI_PATHS.statuses;
  const context = { logger: deps.logger };

  /** Sends a call; any HTTP error status or error envelope (even on a 2xx) becomes a GatewayError. */
  async function send(request: Omit<UpstreamRequest, 'headers'>, operation: string): Promise<UpstreamResponse> {
    const response = await upstream.request({ ...request, headers });
    const error = errorOf(response);
    if (error) {
      deps.logger.warn(
        { provider: PROVIDER, operation, httpStatus: response.status, providerCode: error.providerCode, code: error.code },
        'Returning.AI call failed',
      );
      throw error;
    }
    return response;
  }

  async function read<S extends z.ZodType>(schema: S, path: string, operation: string, options?: CallOptions) {
    const response = await send({ kind: 'read', method: 'GET', path, signal: options?.signal }, operation);
    return parseWire(PROVIDER, schema, response);
  }

  return {
    provider: PROVIDER,

    async updateOrderStatus(input: UpdateOrderStatusInput, options?: CallOptions): Promise<RedemptionOrder> {
      const response = await send(
        {
          kind: 'write',
          method: 'PUT',
          path: RETURNING_AI_PATHS.updateStatus,
          json: fromUpdateOrderStatusInput(input),
          signal: options?.signal,
        },
        'updateOrderStatus',
      );
      return toRedemptionOrder(parseWire(PROVIDER, orderBody, response).data, context);
    },

    async getOrder(transactionId: string, options?: CallOptions): Promise<RedemptionOrder | null> {
      const path = orderPath.replace('{transactionId}', encodeURIComponent(transactionId));
      try {
        return toRedemptionOrder((await read(orderBody, path, 'getOrder', options)).data, context);
      } catch (error) {
        if (error instanceof GatewayError && error.providerCode === '404') return null;
        throw error;
      }
    },

    async listStatuses(options?: CallOptions): Promise<MerchantStatus[]> {
      return (await read(statusesBody, statusesPath, 'listStatuses', options)).data.map(toMerchantStatus);
    },

    close: () => upstream.close(),
  };
}

/**
 * The GatewayError a response carries, if any: an HTTP error status, or a 2xx whose body is an
 * error envelope. The provider code is the HTTP status; on a 2xx error it is the envelope's
 * `meta.statusCode` when present [I].
 */
function errorOf(response: UpstreamResponse): GatewayError | undefined {
  const envelope = returningAiErrorSchema.safeParse(response.body);
  if (response.status < 400 && !envelope.success) return undefined;
  const body = envelope.success ? envelope.data : undefined;
  const code = response.status >= 400 ? response.status : (body?.meta?.statusCode ?? response.status);
  const rule = errorRuleFor(code);
  return new GatewayError(rule.code, rule.message ?? `Returning.AI answered with status ${code}`, {
    provider: PROVIDER,
    providerCode: String(code),
    providerMessage: body?.message ?? undefined,
    retryable: rule.retryable,
    httpStatus: response.status,
    retryAfterMs: retryAfterOf(response),
    requestSent: true,
  });
}
