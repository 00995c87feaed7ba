/**
 * PERS tables, as data: redeem status -> canonical state, and error `code` -> gateway rule.
 * A status missing from the status map is reported as PENDING (and logged); a code missing from
 * the error map falls back to `ruleForHttpStatus`.
 */
import type { ErrorRule } from '../../domain/errors.js';
import type { RedemptionState } from '../../domain/status.js';

/** Redeem statuses of the 2.0.5 schema [D]: `PENDING -> PROCESSING -> COMPLETED | FAILED`. */
export const PERS_REDEEM_STATUSES = ['PENDING', 'PROCESSING', 'COMPLETED', 'FAILED'] as const;
export type PersRedeemStatus = (typeof PERS_REDEEM_STATUSES)[number];

export const persStatusMap = {
  PENDING: 'PENDING',
  PROCESSING: 'PROCESSING',
  COMPLETED: 'SUCCEEDED',
  FAILED: 'FAILED',
} as const satisfies Record<PersRedeemStatus, RedemptionState>;

/**
 * Every PERS error `code` the gateway knows. [D] = named in the PERS docs; the rest are inferred
 * from the documented categories (VALIDATION 400, SECURITY 401/403, DOMAIN_RULE 422) [I].
 * A `retryable` flag in the error body overrides the row's `retryable`.
 */
export const persErrorTable = {
  /** [D] error-handling guide example. */
  USER_NOT_FOUND: { code: 'NOT_FOUND', retryable: false, message: 'The PERS user was not found' },
  /** [D] business login with several memberships and no context.businessId. */
  MULTIPLE_CONTEXT_SELECTION_REQUIRED: {
    code: 'BAD_USER_INPUT', retryable: false, message: 'A business id is required to act for a business with several memberships',
  },
  /** [I] VALIDATION category. */
  VALIDATION_ERROR: { code: 'BAD_USER_INPUT', retryable: false, message: 'PERS rejected the request as invalid' },
  /** [I] unknown offer. */
  REDEMPTION_NOT_FOUND: { code: 'NOT_FOUND', retryable: false, message: 'The redemption offer was not found' },
  /** [I] unknown or invisible redeem. */
  REDEEM_NOT_FOUND: { code: 'NOT_FOUND', retryable: false, message: 'The redeem was not found' },
  /** [I] DOMAIN_RULE: offer switched off. */
  REDEMPTION_INACTIVE: { code: 'PROVIDER_REJECTED', retryable: false, message: 'The redemption offer is not active' },
  /** [I] DOMAIN_RULE: no supply left. */
  SUPPLY_EXHAUSTED: { code: 'LIMIT_EXCEEDED', retryable: false, message: 'The redemption offer has no supply left' },
  /** [I] DOMAIN_RULE: maxPerUser reached. */
  MAX_PER_USER_EXCEEDED: { code: 'LIMIT_EXCEEDED', retryable: false, message: 'The per-user limit of this offer is reached' },
  /** [I] DOMAIN_RULE: token balance below creditTokenAmount. */
  INSUFFICIENT_TOKEN_BALANCE: { code: 'INSUFFICIENT_BALANCE', retryable: false, message: 'The token balance is too low for this offer' },
  /** [I] SECURITY: missing or wrong project key / session (after one token refresh retry). */
  UNAUTHORIZED: { code: 'PROVIDER_AUTH_FAILED', retryable: false, message: 'PERS refused the gateway credentials' },
  /** [I] SECURITY: invalid or expired PERS session (after one token refresh retry). */
  INVALID_TOKEN: { code: 'PROVIDER_AUTH_FAILED', retryable: false, message: 'PERS refused the session token' },
  /** [I] SECURITY: the caller's role may not do this. */
  FORBIDDEN: { code: 'FORBIDDEN', retryable: false, message: 'The caller may not do this at PERS' },
  /** [I] TECHNICAL. */
  INTERNAL_ERROR: { code: 'PROVIDER_UNAVAILABLE', retryable: true, message: 'PERS failed to handle the request' },
} as const satisfies Record<string, ErrorRule>;

export type PersErrorCode = keyof typeof persErrorTable;
