import { describe, expect, it } from 'vitest';
import { ruleForHttpStatus } from '../../../src/domain/errors.js';
import { REWARD_STATUSES, type RewardStatus } from '../../../src/domain/redemption.js';
import {
  checkTransition,
  TRANSITIONS_BY_ROLE,
  TRIPLE_ERROR_MAP,
  TRIPLE_EXCEPTION_BY_STATUS,
  TRIPLE_EXCEPTIONS,
  TRIPLE_STATUS_MAP,
  TRIPLE_TOKEN_ERROR_MAP,
  tripleErrorRule,
  tripleTokenErrorRule,
} from '../../../src/providers/triple/tables.js';
import { toReward } from '../../../src/providers/triple/transform.js';
import type { TripleRole } from '../../../src/providers/types.js';

const wire = (status: string) => ({ reward_id: 'r', offer_id: 'o', transaction_id: 't', status });

describe('Triple status map', () => {
  it.each([
    ['REJECTED', 'FAILED'],
    ['PENDING_REVIEW', 'PENDING'],
    ['PENDING_MERCHANT_APPROVAL', 'PENDING'],
    ['DENIED_BY_MERCHANT', 'CANCELLED'],
    ['PENDING_MERCHANT_FUNDING', 'PROCESSING'],
    ['PENDING_TRANSFER_TO_PUBLISHER', 'PROCESSING'],
    ['DISTRIBUTED_TO_PUBLISHER', 'PROCESSING'],
    ['DISTRIBUTED_TO_CARDHOLDER', 'SUCCEEDED'],
  ] as const)('maps %s to %s and keeps the raw value', (raw, state) => {
    expect(TRIPLE_STATUS_MAP[raw]).toBe(state);
    expect(toReward(wire(raw))).toMatchObject({ rewardStatus: raw, status: { state, raw } });
  });

  it('has a row for every RewardStatus and no other', () => {
    expect(Object.keys(TRIPLE_STATUS_MAP).sort()).toEqual([...REWARD_STATUSES].sort());
  });
});

describe('Triple error map', () => {
  it.each([
    ['TripleBadRequestError', 400, 'BAD_USER_INPUT', false],
    ['TripleNotAuthenticatedError', 401, 'PROVIDER_AUTH_FAILED', false],
    ['TripleNotAuthenticatedError', 403, 'PROVIDER_AUTH_FAILED', false],
    ['TripleInvalidPathError', 404, 'NOT_FOUND', false],
    ['TripleIntegrityError', 409, 'INVALID_TRANSITION', false],
    ['TripleUnsupportedMediaType', 415, 'PROVIDER_REJECTED', false],
    ['TripleUnprocessableEntity', 422, 'PROVIDER_REJECTED', false],
    ['TripleTooManyRequests', 429, 'RATE_LIMITED', true],
    ['TripleInternalServerError', 500, 'PROVIDER_UNAVAILABLE', true],
    ['TripleNotImplementedError', 501, 'PROVIDER_REJECTED', false],
    ['TripleServiceUnavailable', 503, 'PROVIDER_UNAVAILABLE', true],
  ] as const)('maps %s (HTTP %i) to %s, retryable %s', (exception, status, code, retryable) => {
    expect(TRIPLE_EXCEPTION_BY_STATUS[status]).toBe(exception);
    expect(tripleErrorRule(exception, status)).toMatchObject({ code, retryable });
  });

  it('has a row for every documented exception and no other', () => {
    expect(Object.keys(TRIPLE_ERROR_MAP).sort()).toEqual([...TRIPLE_EXCEPTIONS].sort());
  });

  it.each([
    [undefined, 504],
    ['TripleHTTPError', 502],
    ['toString', 409],
  ])('falls back to the HTTP status rule for exception %s', (exception, status) => {
    expect(tripleErrorRule(exception, status)).toEqual(ruleForHttpStatus(status));
  });

  it.each(Object.keys(TRIPLE_TOKEN_ERROR_MAP))('maps token error %s to PROVIDER_AUTH_FAILED', (error) => {
    expect(tripleTokenErrorRule(error, 400)).toMatchObject({ code: 'PROVIDER_AUTH_FAILED', retryable: false });
  });

  it('falls back to the HTTP status rule for an unknown token error', () => {
    expect(tripleTokenErrorRule('temporarily_unavailable', 503)).toEqual(ruleForHttpStatus(503));
  });
});

describe('Triple transitions', () => {
  it('lists the documented partner transitions by role', () => {
    expect(TRANSITIONS_BY_ROLE).toEqual({
      content_provider: [
        ['PENDING_MERCHANT_APPROVAL', 'DENIED_BY_MERCHANT'],
        ['PENDING_MERCHANT_APPROVAL', 'PENDING_MERCHANT_FUNDING'],
      ],
      publisher: [['DISTRIBUTED_TO_PUBLISHER', 'DISTRIBUTED_TO_CARDHOLDER']],
    });
  });

  const both: TripleRole[] = ['content_provider', 'publisher'];
  it.each([
    [['content_provider'], 'PENDING_MERCHANT_APPROVAL', 'PENDING_MERCHANT_FUNDING', undefined],
    [['content_provider'], 'PENDING_MERCHANT_APPROVAL', 'DENIED_BY_MERCHANT', 'Refunded'],
    [['publisher'], 'DISTRIBUTED_TO_PUBLISHER', 'DISTRIBUTED_TO_CARDHOLDER', undefined],
    [both, 'DISTRIBUTED_TO_PUBLISHER', 'DISTRIBUTED_TO_CARDHOLDER', undefined],
    [['publisher'], 'REJECTED', 'REJECTED', undefined],
    [[], 'PENDING_REVIEW', 'PENDING_REVIEW', undefined],
  ] as [TripleRole[], RewardStatus, RewardStatus, string | undefined][])('allows %j %s -> %s', (roles, from, to, notes) => {
    expect(checkTransition(roles, from, to, notes)).toBeNull();
  });

  it.each([
    [['publisher'], 'PENDING_MERCHANT_APPROVAL', 'PENDING_MERCHANT_FUNDING', 'expected one of DISTRIBUTED_TO_PUBLISHER -> DISTRIBUTED_TO_CARDHOLDER for partner roles [publisher], received PENDING_MERCHANT_APPROVAL -> PENDING_MERCHANT_FUNDING'],
    [['content_provider'], 'DISTRIBUTED_TO_PUBLISHER', 'DISTRIBUTED_TO_CARDHOLDER', 'expected one of PENDING_MERCHANT_APPROVAL -> DENIED_BY_MERCHANT, PENDING_MERCHANT_APPROVAL -> PENDING_MERCHANT_FUNDING for partner roles [content_provider], received DISTRIBUTED_TO_PUBLISHER -> DISTRIBUTED_TO_CARDHOLDER'],
    [both, 'PENDING_REVIEW', 'PENDING_MERCHANT_APPROVAL', undefined],
    [both, 'DENIED_BY_MERCHANT', 'PENDING_MERCHANT_FUNDING', undefined],
    [both, 'DISTRIBUTED_TO_CARDHOLDER', 'DISTRIBUTED_TO_PUBLISHER', undefined],
    [[], 'PENDING_MERCHANT_APPROVAL', 'PENDING_MERCHANT_FUNDING', 'expected one of no transitions for partner roles [], received PENDING_MERCHANT_APPROVAL -> PENDING_MERCHANT_FUNDING'],
  ] as [TripleRole[], RewardStatus, RewardStatus, string | undefined][])('refuses %j %s -> %s as INVALID_TRANSITION', (roles, from, to, message) => {
    const problem = checkTransition(roles, from, to);
    expect(problem?.code).toBe('INVALID_TRANSITION');
    expect(problem?.field).toBeUndefined();
    if (message) expect(problem?.message).toBe(message);
  });

  it.each([undefined, '', '   '])('requires notes to deny (notes %j)', (notes) => {
    expect(checkTransition(both, 'PENDING_MERCHANT_APPROVAL', 'DENIED_BY_MERCHANT', notes)).toEqual({
      code: 'BAD_USER_INPUT',
      message: 'expected notes explaining the change to DENIED_BY_MERCHANT, received none',
      field: ['notes'],
    });
  });
});
