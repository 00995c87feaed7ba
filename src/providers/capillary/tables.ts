/**
 * Capillary's outcome tables, as data. Capillary redemptions carry no status: a redemption that
 * exists succeeded (item code 800) unless it has reversals. Errors are numeric codes in the body
 * (v1.1 `item_status.code` / `response.status.code`, v2 `errors[].code`), whatever the HTTP status.
 */
import type { ErrorRule } from '../../domain/errors.js';
import type { RedemptionState } from '../../domain/status.js';

/** The raw values a Capillary redemption's status is derived from. */
export type CapillaryStatus = '800' | 'REVERSED';

export const capillaryStatusMap = {
  '800': 'SUCCEEDED',
  REVERSED: 'REVERSED',
} as const satisfies Record<CapillaryStatus, RedemptionState>;

const retryLater: ErrorRule = { code: 'PROVIDER_UNAVAILABLE', retryable: true, message: 'Capillary asked to retry later' };
const insufficient: ErrorRule = { code: 'INSUFFICIENT_BALANCE', retryable: false, message: 'The customer does not have enough points' };
const fraud: ErrorRule = { code: 'PROVIDER_REJECTED', retryable: false, message: 'Capillary flags the customer as fraudulent' };
const misconfigured: ErrorRule = { code: 'PROVIDER_REJECTED', retryable: false, message: 'The Capillary programme is not configured for this redemption' };

/** Every documented Capillary points code (v1.1 item codes and v2 updateRedemption codes). */
export const capillaryErrorMap = {
  '520': { code: 'PROVIDER_TIMEOUT', retryable: true, message: 'Capillary timed out (data import in progress)' },
  '521': { code: 'PROVIDER_UNAVAILABLE', retryable: true, message: 'Another request holds the customer lock; retry shortly' },
  '801': { code: 'BAD_USER_INPUT', retryable: false, message: 'Invalid points value' },
  '802': { code: 'BAD_USER_INPUT', retryable: false, message: 'Invalid customer identifier' },
  '803': insufficient,
  '804': insufficient,
  '807': { code: 'BAD_USER_INPUT', retryable: false, message: 'Points are not a multiple of the allowed step' },
  '808': { code: 'PROVIDER_REJECTED', retryable: false, message: 'Invalid validation code' },
  '809': fraud,
  '811': { code: 'BAD_USER_INPUT', retryable: false, message: 'Invalid transaction number' },
  '812': { code: 'CONFLICT', retryable: false, message: 'The redemption was already reverted' },
  '813': insufficient,
  '815': retryLater,
  '816': { code: 'NOT_FOUND', retryable: false, message: 'Customer not found' },
  '818': insufficient,
  '819': { code: 'LIMIT_EXCEEDED', retryable: false, message: 'Points above the maximum redeemable' },
  '820': fraud,
  '821': { code: 'LIMIT_EXCEEDED', retryable: false, message: 'Points below the minimum redeemable' },
  '824': { code: 'PROVIDER_REJECTED', retryable: false, message: 'The customer mobile number must be validated first' },
  '878': { code: 'BAD_USER_INPUT', retryable: false, message: 'Points must be greater than 0 with at most 3 decimals' },
  '881': { code: 'PROVIDER_REJECTED', retryable: false, message: 'The customer is not enrolled in the programme' },
  '886': retryLater,
  '887': retryLater,
  '888': misconfigured,
  '889': retryLater,
  '894': retryLater,
  '895': misconfigured,
  '896': retryLater,
  '898': retryLater,
  '899': misconfigured,
  '902': { code: 'NOT_FOUND', retryable: false, message: 'Redemption not found' },
  '3045': fraud,
  '748': { code: 'BAD_USER_INPUT', retryable: false, message: 'No updatable field was sent' },
  '749': { code: 'BAD_USER_INPUT', retryable: false, message: 'Exactly one of redemptionId or externalReferenceNumber is needed' },
  '750': { code: 'PROVIDER_REJECTED', retryable: false, message: 'Capillary refused the redemption update' },
  '1212': { code: 'BAD_USER_INPUT', retryable: false, message: 'Invalid entity type' },
  '1219': { code: 'BAD_USER_INPUT', retryable: false, message: 'Entity details missing or invalid' },
  '8015': { code: 'NOT_FOUND', retryable: false, message: 'Redemption or identifier not found' },
} as const satisfies Record<string, ErrorRule>;

export type CapillaryErrorCode = keyof typeof capillaryErrorMap;

/** The GraphQL input field a code is about, where one is (kept on GatewayError.field). */
export const capillaryErrorFields: Readonly<Partial<Record<CapillaryErrorCode, string[]>>> = {
  '801': ['input', 'points'],
  '802': ['input', 'customer'],
  '807': ['input', 'points'],
  '808': ['input', 'validationCode'],
  '811': ['input', 'billNumber'],
  '878': ['input', 'points'],
  '749': ['input', 'redemptionId'],
  '1212': ['input', 'entity', 'type'],
  '1219': ['input', 'entity'],
};

export const isCapillaryErrorCode = (code: string): code is CapillaryErrorCode => Object.hasOwn(capillaryErrorMap, code);
