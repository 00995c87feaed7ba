/**
 * Returning.AI's tables as data: status category -> canonical state, and provider error code
 * (the HTTP status, as a string) -> gateway error rule.
 */
import { ruleForHttpStatus, type ErrorRule } from '../../domain/errors.js';
import type { RedemptionState } from '../../domain/status.js';

/**
 * Status categories. Statuses are merchant-defined records, so the state is read from their
 * coarse `category`, never their name. Only `incomplete` is documented; the rest are [I].
 */
export const RETURNING_AI_CATEGORIES = ['incomplete', 'complete', 'pending', 'cancelled', 'refunded', 'failed'] as const;
export type ReturningAiCategory = (typeof RETURNING_AI_CATEGORIES)[number];

export const categoryStateMap = {
  incomplete: 'PROCESSING',
  complete: 'SUCCEEDED',
  pending: 'PENDING',
  cancelled: 'CANCELLED',
  refunded: 'REVERSED',
  failed: 'FAILED',
} as const satisfies Record<ReturningAiCategory, RedemptionState>;

/** The documented error statuses; Returning.AI has no codes of its own, so the HTTP status is the code. */
export const RETURNING_AI_ERROR_CODES = ['400', '401', '403', '404', '409', '500'] as const;
export type ReturningAiErrorCode = (typeof RETURNING_AI_ERROR_CODES)[number];

export const errorRules = {
  '400': { code: 'BAD_USER_INPUT', retryable: false, message: 'Returning.AI rejected the request as invalid' },
  '401': { code: 'PROVIDER_AUTH_FAILED', retryable: false, message: 'Returning.AI refused the integration API key' },
  '403': { code: 'PROVIDER_AUTH_FAILED', retryable: false, message: 'The Returning.AI API key lacks the permission for this call' },
  '404': { code: 'NOT_FOUND', retryable: false, message: 'Returning.AI has no such transaction or status' },
  '409': { code: 'CONFLICT', retryable: false, message: 'Returning.AI reported a conflicting state' },
  '500': { code: 'PROVIDER_UNAVAILABLE', retryable: true, message: 'Returning.AI failed internally' },
} as const satisfies Record<ReturningAiErrorCode, ErrorRule>;

/** The rule for a provider code (an HTTP status); codes outside the table fall back to the shared rules. */
export function errorRuleFor(providerCode: number): ErrorRule {
  const key = String(providerCode);
  return Object.hasOwn(errorRules, key) ? errorRules[key as ReturningAiErrorCode] : ruleForHttpStatus(providerCode);
}
