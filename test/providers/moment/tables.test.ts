import { describe, expect, it } from 'vitest';
import { toStatus } from '../../../src/domain/status.js';
import { MOMENT_STATUSES, momentErrorRules, momentStatusMap, momentTransitions } from '../../../src/providers/moment/tables.js';
import { toVoucherRedemption } from '../../../src/providers/moment/transform.js';
import { momentRedemptionSchema } from '../../../src/providers/moment/wire.js';
import { money } from '../../../src/domain/money.js';

describe('momentStatusMap', () => {
  it.each([
    ['draft', 'PENDING'],
    ['reserved', 'RESERVED'],
    ['confirmed', 'SUCCEEDED'],
    ['failed', 'FAILED'],
  ] as const)('maps %s to %s', (raw, state) => {
    expect(toStatus(momentStatusMap, raw, { provider: 'moment' })).toEqual({ state, raw });
  });

  it('has a row for every documented status and no other', () => {
    expect(Object.keys(momentStatusMap)).toEqual([...MOMENT_STATUSES]);
  });
});

describe('momentTransitions', () => {
  it.each([
    ['draft', ['reserved', 'confirmed', 'failed']],
    ['reserved', ['confirmed', 'failed']],
    ['confirmed', []],
    ['failed', []],
  ] as const)('lets %s move to %j', (from, to) => {
    expect(momentTransitions[from]).toEqual(to);
  });
});

describe('momentErrorRules', () => {
  it.each([
    ['400', 'BAD_USER_INPUT', false],
    ['401', 'PROVIDER_AUTH_FAILED', false],
    ['402', 'PROVIDER_REJECTED', false],
    ['403', 'PROVIDER_AUTH_FAILED', false],
    ['404', 'NOT_FOUND', false],
    ['409', 'IDEMPOTENCY_KEY_REUSED', false],
    ['422', 'PROVIDER_REJECTED', false],
    ['429', 'RATE_LIMITED', true],
    ['500', 'PROVIDER_UNAVAILABLE', true],
    ['502', 'PROVIDER_UNAVAILABLE', true],
    ['503', 'PROVIDER_UNAVAILABLE', true],
    ['504', 'PROVIDER_TIMEOUT', true],
  ] as const)('maps HTTP %s to %s (retryable %s)', (status, code, retryable) => {
    expect(momentErrorRules[status]).toMatchObject({ code, retryable });
  });

  it('has exactly the documented statuses', () => {
    expect(Object.keys(momentErrorRules)).toEqual(['400', '401', '402', '403', '404', '409', '422', '429', '500', '502', '503', '504']);
  });
});

describe('toVoucherRedemption', () => {
  it('reads the error info under `error` too, and a change voucher by serial number', () => {
    const wire = momentRedemptionSchema.parse({
      id: 'rdm_663a1b9c8e4f2a0012abcd35', status: 'failed', version: 2, type: 'vouchers.blu', amount: 300, currency: null,
      operations: null, metadata: null, change_voucher: { serial_number: 'SN-9', barcode: '123', instructions: 'Keep it', pin: null },
      error: { code: 'voucher_expired', message: 'The voucher has expired' }, extra_field: true,
    });
    expect(toVoucherRedemption(wire)).toEqual({
      kind: 'VoucherRedemption', provider: 'moment', nativeId: 'rdm_663a1b9c8e4f2a0012abcd35', ref: 'rdm_663a1b9c8e4f2a0012abcd35',
      status: { state: 'FAILED', raw: 'failed' }, type: 'vouchers.blu', version: 2, amount: money(300, 'ZAR'),
      changeVoucher: { serialNumber: 'SN-9', barcode: '123', instructions: 'Keep it' },
      operations: [], metadata: {}, errorCode: 'voucher_expired', errorMessage: 'The voucher has expired',
    });
  });
});
