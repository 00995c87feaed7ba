/**
 * Triple's tables, as data: reward status -> canonical state, exception name -> error rule,
 * HTTP status -> the exception Triple documents for it, and the role-restricted transitions.
 */
import { ruleForHttpStatus, type ErrorRule } from '../../domain/errors.js';
import type { RewardStatus } from '../../domain/redemption.js';
import type { RedemptionState } from '../../domain/status.js';
import type { TripleRole } from '../types.js';

/** RewardStatus -> canonical state. Only DISTRIBUTED_TO_CARDHOLDER is a success. */
export const TRIPLE_STATUS_MAP = {
  REJECTED: 'FAILED',
  PENDING_REVIEW: 'PENDING',
  PENDING_MERCHANT_APPROVAL: 'PENDING',
  DENIED_BY_MERCHANT: 'CANCELLED',
  PENDING_MERCHANT_FUNDING: 'PROCESSING',
  PENDING_TRANSFER_TO_PUBLISHER: 'PROCESSING',
  DISTRIBUTED_TO_PUBLISHER: 'PROCESSING',
  DISTRIBUTED_TO_CARDHOLDER: 'SUCCEEDED',
} as const satisfies Record<RewardStatus, RedemptionState>;

/** Every exception name Triple documents in its error envelope (`content.exception`). */
export const TRIPLE_EXCEPTIONS = [
  'TripleBadRequestError',
  'TripleNotAuthenticatedError',
  'TripleInvalidPathError',
  'TripleIntegrityError',
  'TripleUnsupportedMediaType',
  'TripleUnprocessableEntity',
  'TripleTooManyRequests',
  'TripleInternalServerError',
  'TripleNotImplementedError',
  'TripleServiceUnavailable',
] as const;
export type TripleException = (typeof TRIPLE_EXCEPTIONS)[number];

/** Exception name -> gateway rule. Names missing here fall back to `ruleForHttpStatus`. */
export const TRIPLE_ERROR_MAP = {
  TripleBadRequestError: { code: 'BAD_USER_INPUT', retryable: false, message: 'Triple found the request malformed' },
  TripleNotAuthenticatedError: { code: 'PROVIDER_AUTH_FAILED', retryable: false, message: 'Triple refused the gateway credentials' },
  TripleInvalidPathError: { code: 'NOT_FOUND', retryable: false, message: 'Triple has no such reward' },
  TripleIntegrityError: { code: 'INVALID_TRANSITION', retryable: false, message: 'Triple does not allow this reward status change' },
  TripleUnsupportedMediaType: { code: 'PROVIDER_REJECTED', retryable: false, message: 'Triple refused the request body type' },
  TripleUnprocessableEntity: { code: 'PROVIDER_REJECTED', retryable: false, message: 'Triple could not process the request' },
  TripleTooManyRequests: { code: 'RATE_LIMITED', retryable: true, message: 'Triple is rate limiting the gateway' },
  TripleInternalServerError: { code: 'PROVIDER_UNAVAILABLE', retryable: true, message: 'Triple failed to handle the request' },
  TripleNotImplementedError: { code: 'PROVIDER_REJECTED', retryable: false, message: 'Triple does not support this request' },
  TripleServiceUnavailable: { code: 'PROVIDER_UNAVAILABLE', retryable: true, message: 'Triple is unavailable' },
} as const satisfies Record<TripleException, ErrorRule>;

/**
 * HTTP status -> the exception Triple's docs name for it (the simulator's envelopes). 401 and 403
 * both carry TripleNotAuthenticatedError: the docs use either. 429 is documented for bulk calls.
 */
export const TRIPLE_EXCEPTION_BY_STATUS: Readonly<Record<number, TripleException>> = {
  400: 'TripleBadRequestError',
  401: 'TripleNotAuthenticatedError',
  403: 'TripleNotAuthenticatedError',
  404: 'TripleInvalidPathError',
  409: 'TripleIntegrityError',
  415: 'TripleUnsupportedMediaType',
  422: 'TripleUnprocessableEntity',
  429: 'TripleTooManyRequests',
  500: 'TripleInternalServerError',
  501: 'TripleNotImplementedError',
  503: 'TripleServiceUnavailable',
};

/**
 * OAuth2 token endpoint errors (RFC 6749 §5.2; Triple's endpoint is standard [I]). Each means the
 * gateway's client registration is wrong, so none is retryable.
 */
export const TRIPLE_TOKEN_ERROR_MAP = {
  invalid_client: { code: 'PROVIDER_AUTH_FAILED', retryable: false, message: 'Triple refused the gateway client credentials' },
  unauthorized_client: { code: 'PROVIDER_AUTH_FAILED', retryable: false, message: 'Triple does not allow this client the grant' },
  invalid_grant: { code: 'PROVIDER_AUTH_FAILED', retryable: false, message: 'Triple refused the grant' },
  unsupported_grant_type: { code: 'PROVIDER_AUTH_FAILED', retryable: false, message: 'Triple does not support the grant type' },
  invalid_scope: { code: 'PROVIDER_AUTH_FAILED', retryable: false, message: 'Triple refused the requested scope' },
  invalid_request: { code: 'PROVIDER_AUTH_FAILED', retryable: false, message: 'Triple found the token request malformed' },
} as const satisfies Record<string, ErrorRule>;

/** The rule for an API error: by exception name, else by HTTP status (`ruleForHttpStatus`). */
export const tripleErrorRule = (exception: string | undefined, httpStatus: number): ErrorRule =>
  exception !== undefined && Object.hasOwn(TRIPLE_ERROR_MAP, exception)
    ? TRIPLE_ERROR_MAP[exception as TripleException]
    : ruleForHttpStatus(httpStatus);

/** The rule for a token endpoint error: by OAuth2 error code, else by HTTP status. */
export const tripleTokenErrorRule = (error: string | undefined, httpStatus: number): ErrorRule =>
  error !== undefined && Object.hasOwn(TRIPLE_TOKEN_ERROR_MAP, error)
    ? TRIPLE_TOKEN_ERROR_MAP[error as keyof typeof TRIPLE_TOKEN_ERROR_MAP]
    : ruleForHttpStatus(httpStatus);

/**
 * What each partner role may do to a reward [D]. Every other transition is Triple-internal.
 * Moving to DENIED_BY_MERCHANT also requires notes.
 */
export const TRANSITIONS_BY_ROLE: Record<TripleRole, readonly (readonly [RewardStatus, RewardStatus])[]> = {
  content_provider: [
    ['PENDING_MERCHANT_APPROVAL', 'DENIED_BY_MERCHANT'],
    ['PENDING_MERCHANT_APPROVAL', 'PENDING_MERCHANT_FUNDING'],
  ],
  publisher: [['DISTRIBUTED_TO_PUBLISHER', 'DISTRIBUTED_TO_CARDHOLDER']],
};

/** Statuses that need `notes` when a partner moves a reward into them. */
export const NOTES_REQUIRED_FOR: readonly RewardStatus[] = ['DENIED_BY_MERCHANT'];

export const TRIPLE_ROLES = ['content_provider', 'publisher'] as const satisfies readonly TripleRole[];

export interface TransitionProblem {
  code: 'INVALID_TRANSITION' | 'BAD_USER_INPUT';
  message: string;
  /** Path relative to the mutation input, e.g. ['notes']. */
  field?: string[];
}

/**
 * Whether partners holding `roles` may move a reward from `from` to `to`. Repeating the current
 * status is accepted [D: bulk v2 accepts same-status updates]. Returns null when allowed.
 */
export function checkTransition(
  roles: readonly TripleRole[],
  from: RewardStatus,
  to: RewardStatus,
  notes?: string,
): TransitionProblem | null {
  if (from === to) return null;
  const allowed = roles.some((role) => TRANSITIONS_BY_ROLE[role].some(([a, b]) => a === from && b === to));
  if (!allowed) {
    const options = roles.flatMap((role) => TRANSITIONS_BY_ROLE[role].map(([a, b]) => `${a} -> ${b}`));
    return {
      code: 'INVALID_TRANSITION',
      message: `expected one of ${options.join(', ') || 'no transitions'} for partner roles [${roles.join(', ')}], received ${from} -> ${to}`,
    };
  }
  if (NOTES_REQUIRED_FOR.includes(to) && (notes === undefined || notes.trim() === '')) {
    return { code: 'BAD_USER_INPUT', message: `expected notes explaining the change to ${to}, received none`, field: ['notes'] };
  }
  return null;
}
