/**
 * The per-request context: the caller, a request-scoped logger, and fresh DataLoaders, so that
 * batching and caching never leak between requests or callers.
 */
import type { Caller } from './domain/caller.js';
import { unauthenticated } from './auth/tokens.js';
import type { RequestLogger } from './logger.js';
import { createLoaders, type Loaders } from './loaders/redemptions.js';
import type { Services } from './services/types.js';

export interface GatewayContext {
  services: Services;
  /** Null when the request carried no token; root fields then answer UNAUTHENTICATED. */
  caller: Caller | null;
  requestId: string;
  logger: RequestLogger;
  /** The `Idempotency-Key` header, when sent. */
  idempotencyKeyHeader?: string;
  loaders: Loaders;
}

export function createContext(services: Services, request: { caller: Caller | null; requestId: string; logger: RequestLogger; idempotencyKeyHeader?: string }): GatewayContext {
  return { services, ...request, loaders: createLoaders(services, request.caller) };
}

/** The caller, or UNAUTHENTICATED (the same answer as for a bad token). */
export function requireCaller(context: GatewayContext): Caller {
  if (!context.caller) throw unauthenticated();
  return context.caller;
}
