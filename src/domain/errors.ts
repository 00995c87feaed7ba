/**
 * The one error type that crosses layers. Adapters throw it, resolvers turn the
 * user-facing ones into `userErrors`, and the error formatter turns the rest into
 * GraphQL errors whose `extensions` carry `code`, `provider` and `retryable`.
 * Anything that is not a GatewayError is masked as INTERNAL_SERVER_ERROR and logged.
 */
import type { ProviderName } from './provider.js';

/** Codes a caller can act on: shown as `userErrors` on mutation payloads. */
export const USER_ERROR_CODES = [
  'BAD_USER_INPUT',
  'NOT_FOUND',
  'FORBIDDEN',
  'INSUFFICIENT_BALANCE',
  'LIMIT_EXCEEDED',
  'CONFLICT',
  'INVALID_TRANSITION',
  'VERSION_CONFLICT',
  'PROVIDER_REJECTED',
  'IDEMPOTENCY_KEY_REUSED',
  'IDEMPOTENCY_IN_PROGRESS',
] as const;

/** Codes about the request or the upstream transport: GraphQL errors with `extensions.code`. */
export const SYSTEM_ERROR_CODES = [
  'UNAUTHENTICATED',
  'RATE_LIMITED',
  'PROVIDER_UNAVAILABLE',
  'PROVIDER_TIMEOUT',
  'PROVIDER_BAD_RESPONSE',
  'PROVIDER_AUTH_FAILED',
  'OUTCOME_UNKNOWN',
  'INTEGRITY_ERROR',
  'INTERNAL_SERVER_ERROR',
] as const;

export type UserErrorCode = (typeof USER_ERROR_CODES)[number];
export type SystemErrorCode = (typeof SYSTEM_ERROR_CODES)[number];
export type ErrorCode = UserErrorCode | SystemErrorCode;

const userCodes = new Set<string>(USER_ERROR_CODES);
export const isUserErrorCode = (code: ErrorCode): code is UserErrorCode => userCodes.has(code);

export interface GatewayErrorOptions {
  provider?: ProviderName;
  /** The provider's own code (numeric codes as strings), kept verbatim. */
  providerCode?: string;
  /** The provider's own message, kept for logs and userErrors. */
  providerMessage?: string;
  /** Whether the same call may succeed if repeated later. */
  retryable?: boolean;
  /**
   * Whether the request may have reached the provider. False only when it certainly never
   * left (connect failure): the only case a write may be retried blindly.
   */
  requestSent?: boolean;
  /** Input path the error is about, e.g. ['input', 'billId']. */
  field?: string[];
  /** Upstream HTTP status, when there was one. */
  httpStatus?: number;
  /** A hint from the provider (Retry-After) or our own limiter, in milliseconds. */
  retryAfterMs?: number;
  /** The gateway's idempotency key, on OUTCOME_UNKNOWN, so the caller can retry with it. */
  idempotencyKey?: string;
  cause?: unknown;
}

export class GatewayError extends Error {
  readonly code: ErrorCode;
  readonly provider?: ProviderName;
  readonly providerCode?: string;
  readonly providerMessage?: string;
  readonly retryable: boolean;
  readonly requestSent: boolean;
  readonly field?: string[];
  readonly httpStatus?: number;
  readonly retryAfterMs?: number;
  readonly idempotencyKey?: string;

  constructor(code: ErrorCode, message: string, options: GatewayErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'GatewayError';
    this.code = code;
    this.provider = options.provider;
    this.providerCode = options.providerCode;
    this.providerMessage = options.providerMessage;
    this.retryable = options.retryable ?? false;
    this.requestSent = options.requestSent ?? true;
    this.field = options.field;
    this.httpStatus = options.httpStatus;
    this.retryAfterMs = options.retryAfterMs;
    this.idempotencyKey = options.idempotencyKey;
  }
}

export const isGatewayError = (error: unknown): error is GatewayError => error instanceof GatewayError;

/** One row of a provider's error table: what a provider code means to the gateway. */
export interface ErrorRule {
  code: ErrorCode;
  retryable: boolean;
  /** A message safe to show callers; the provider's own message is kept beside it. */
  message?: string;
}

/**
 * The shared fallback when a provider code is missing from its table, keyed by HTTP status.
 * 5xx and 429 are retryable; 4xx are the provider refusing the request.
 */
export function ruleForHttpStatus(status: number): ErrorRule {
  if (status === 400 || status === 422) return { code: 'PROVIDER_REJECTED', retryable: false };
  if (status === 401 || status === 403) return { code: 'PROVIDER_AUTH_FAILED', retryable: false };
  if (status === 404) return { code: 'NOT_FOUND', retryable: false };
  if (status === 409) return { code: 'CONFLICT', retryable: false };
  if (status === 429) return { code: 'RATE_LIMITED', retryable: true };
  if (status === 504) return { code: 'PROVIDER_TIMEOUT', retryable: true };
  if (status >= 500) return { code: 'PROVIDER_UNAVAILABLE', retryable: true };
  return { code: 'PROVIDER_REJECTED', retryable: false };
}

/** Parses a Retry-After header (seconds or HTTP date) into milliseconds. */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const raw = Array.isArray(value) ? value[0] : value;
  if (!raw) return undefined;
  const seconds = Number(raw);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000);
  const date = Date.parse(raw);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** A user error as mutation payloads show it. */
export interface UserErrorView {
  code: UserErrorCode;
  message: string;
  field?: string[];
  provider?: ProviderName;
  providerCode?: string;
}
