import { describe, expect, it } from 'vitest';
import { ruleForHttpStatus } from '../../../src/domain/errors.js';
import { toStatus } from '../../../src/domain/status.js';
import { PERS_REDEEM_STATUSES, persErrorTable, persStatusMap } from '../../../src/providers/pers/tables.js';

describe('persStatusMap', () => {
  const rows = [
    ['PENDING', 'PENDING'],
    ['PROCESSING', 'PROCESSING'],
    ['COMPLETED', 'SUCCEEDED'],
    ['FAILED', 'FAILED'],
  ] as const;

  it('has exactly one row per documented redeem status', () => {
    expect(Object.keys(persStatusMap).sort()).toEqual([...PERS_REDEEM_STATUSES].sort());
    expect(rows.map(([raw]) => raw).sort()).toEqual([...PERS_REDEEM_STATUSES].sort());
  });

  it.each(rows)('maps %s to %s', (raw, state) => {
    expect(toStatus(persStatusMap, raw, { provider: 'pers' })).toStrictEqual({ state, raw });
  });
});

describe('persErrorTable', () => {
  const rows = [
    ['USER_NOT_FOUND', 'NOT_FOUND', false],
    ['MULTIPLE_CONTEXT_SELECTION_REQUIRED', 'BAD_USER_INPUT', false],
    ['VALIDATION_ERROR', 'BAD_USER_INPUT', false],
    ['REDEMPTION_NOT_FOUND', 'NOT_FOUND', false],
    ['REDEEM_NOT_FOUND', 'NOT_FOUND', false],
    ['REDEMPTION_INACTIVE', 'PROVIDER_REJECTED', false],
    ['SUPPLY_EXHAUSTED', 'LIMIT_EXCEEDED', false],
    ['MAX_PER_USER_EXCEEDED', 'LIMIT_EXCEEDED', false],
    ['INSUFFICIENT_TOKEN_BALANCE', 'INSUFFICIENT_BALANCE', false],
    ['UNAUTHORIZED', 'PROVIDER_AUTH_FAILED', false],
    ['INVALID_TOKEN', 'PROVIDER_AUTH_FAILED', false],
    ['FORBIDDEN', 'FORBIDDEN', false],
    ['INTERNAL_ERROR', 'PROVIDER_UNAVAILABLE', true],
  ] as const;

  it('has exactly the rows of the brief', () => {
    expect(Object.keys(persErrorTable).sort()).toEqual(rows.map(([code]) => code).sort());
  });

  it.each(rows)('maps %s to %s (retryable %s) with a safe message', (providerCode, code, retryable) => {
    const rule = persErrorTable[providerCode];
    expect(rule).toMatchObject({ code, retryable });
    expect(rule.message).toMatch(/^[A-Z][^{}]+$/);
  });

  it('leaves other codes to the HTTP status fallback', () => {
    expect(Object.hasOwn(persErrorTable, 'SOMETHING_NEW')).toBe(false);
    expect(ruleForHttpStatus(422)).toStrictEqual({ code: 'PROVIDER_REJECTED', retryable: false });
  });
});
