/**
 * Moment's mapping tables, as data: redemption status -> canonical state, HTTP status of a
 * problem document -> gateway error, and the aggregate's allowed status transitions.
 */
import type { ErrorRule } from '../../domain/errors.js';
import type { RedemptionState } from '../../domain/status.js';

/** The redemption aggregate's documented lifecycle statuses. */
export const MOMENT_STATUSES = ['draft', 'reserved', 'confirmed', 'failed'] as const;
export type MomentStatus = (typeof MOMENT_STATUSES)[number];

export const momentStatusMap = {
  draft: 'PENDING',
  reserved: 'RESERVED',
  confirmed: 'SUCCEEDED',
  failed: 'FAILED',
} as const satisfies Record<MomentStatus, RedemptionState>;

/**
 * Documented lifecycle: `draft -> confirmed | failed` for today's providers (one request);
 * `reserved` sits between for providers that reserve before confirming. Terminal states have no
 * way out (no refund or reverse endpoint is documented). Each move adds 1 to `version`.
 */
export const momentTransitions = {
  draft: ['reserved', 'confirmed', 'failed'],
  reserved: ['confirmed', 'failed'],
  confirmed: [],
  failed: [],
} as const satisfies Record<MomentStatus, readonly MomentStatus[]>;

/**
 * Moment errors are RFC 9457 problem documents without a code of their own, so the provider
 * code is the HTTP status as a string. Every documented status has a row.
 */
export const momentErrorRules = {
  '400': { code: 'BAD_USER_INPUT', retryable: false, message: 'Moment rejected the request as invalid' },
  '401': { code: 'PROVIDER_AUTH_FAILED', retryable: false, message: 'Moment did not accept the gateway API key' },
  '402': { code: 'PROVIDER_REJECTED', retryable: false, message: 'Moment could not complete the request' },
  '403': { code: 'PROVIDER_AUTH_FAILED', retryable: false, message: 'The gateway API key lacks permission at Moment' },
  '404': { code: 'NOT_FOUND', retryable: false, message: 'Moment has no such resource' },
  '409': { code: 'IDEMPOTENCY_KEY_REUSED', retryable: false, message: 'The idempotency key was already used with a different request' },
  '422': { code: 'PROVIDER_REJECTED', retryable: false, message: 'Moment could not process the request' },
  '429': { code: 'RATE_LIMITED', retryable: true, message: 'Moment is rate limiting the gateway' },
  '500': { code: 'PROVIDER_UNAVAILABLE', retryable: true, message: 'Moment had an internal error' },
  '502': { code: 'PROVIDER_UNAVAILABLE', retryable: true, message: 'Moment is unavailable' },
  '503': { code: 'PROVIDER_UNAVAILABLE', retryable: true, message: 'Moment is unavailable' },
  '504': { code: 'PROVIDER_TIMEOUT', retryable: true, message: 'Moment did not answer in time' },
} as const satisfies Record<string, ErrorRule>;
