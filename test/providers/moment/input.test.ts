import { describe, expect, it } from 'vitest';
import { money } from '../../../src/domain/money.js';
import { InputError, validateInput } from '../../../src/domain/validation.js';
import { createVoucherRedemptionInputSchema, momentRedemptionIdSchema } from '../../../src/providers/moment/input.js';

const PIN = '1234567890123456';
const one = { type: 'vouchers.one_voucher', source: { pin: PIN } };
const rand = (amount: string, currencyCode = 'ZAR') => ({ amount, currencyCode });
const entries = (n: number) => Array.from({ length: n }, (_, i) => ({ key: `k${i}`, value: `v${i}` }));

function problemsOf(value: unknown) {
  try {
    validateInput(createVoucherRedemptionInputSchema, value);
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return (error as InputError).problems;
  }
  throw new Error('expected the input to be refused');
}

describe('createVoucherRedemptionInputSchema', () => {
  it.each([
    ['a bare 1Voucher PIN (full redeem)', one, { type: 'vouchers.one_voucher', source: { pin: PIN } }],
    [
      'every field',
      { ...one, amount: rand('25.50'), externalReference: 'order_42-A', metadata: [{ key: 'order_id', value: 'ord_1' }, { key: 'channel', value: '' }] },
      { type: 'vouchers.one_voucher', source: { pin: PIN }, amount: money(2550, 'ZAR'), externalReference: 'order_42-A', metadata: { order_id: 'ord_1', channel: '' } },
    ],
    [
      'an OTT PIN and phone number with explicit nulls',
      { type: 'vouchers.ott', source: { pin: '5555666677778888', phoneNumber: '+27820000001', token: null, serialNumber: null }, amount: null, externalReference: null, metadata: null },
      { type: 'vouchers.ott', source: { pin: '5555666677778888', phoneNumber: '+27820000001' } },
    ],
    ['a Blu token and whole rand', { type: 'vouchers.blu', source: { token: 'BLU-TOKEN-0001' }, amount: rand('100') }, { type: 'vouchers.blu', source: { token: 'BLU-TOKEN-0001' }, amount: money(10_000, 'ZAR') }],
    ['one cent', { ...one, amount: rand('0.01') }, { ...one, amount: money(1, 'ZAR') }],
    ['trailing zeros beyond cents', { ...one, amount: rand('1.500') }, { ...one, amount: money(150, 'ZAR') }],
    [
      'the metadata limits exactly (20 keys, 40-char key, 500-char value)',
      { ...one, metadata: [...entries(19), { key: 'k'.repeat(40), value: 'v'.repeat(500) }] },
      { ...one, metadata: { ...Object.fromEntries(entries(19).map((e) => [e.key, e.value])), ['k'.repeat(40)]: 'v'.repeat(500) } },
    ],
    ['a 255-character external reference', { ...one, externalReference: 'r'.repeat(255) }, { ...one, externalReference: 'r'.repeat(255) }],
  ])('accepts %s', (_case, value, expected) => {
    expect(validateInput(createVoucherRedemptionInputSchema, value)).toEqual(expected);
  });

  it.each([
    ['an unknown type', { ...one, type: 'loyalty_points.skywards' }, [
      { field: ['input', 'type'], message: 'type must be one of vouchers.one_voucher, vouchers.ott, vouchers.blu; received "loyalty_points.skywards"' },
    ]],
    ['a 1Voucher without PIN', { type: 'vouchers.one_voucher', source: {} }, [
      { field: ['input', 'source', 'pin'], message: 'pin is required for vouchers.one_voucher; received nothing' },
    ]],
    ['a 1Voucher PIN of 15 digits', { type: 'vouchers.one_voucher', source: { pin: '123456789012345' } }, [
      { field: ['input', 'source', 'pin'], message: 'pin must be 16 digits for vouchers.one_voucher; received 15 characters' },
    ]],
    ['a 1Voucher PIN with letters', { type: 'vouchers.one_voucher', source: { pin: '12345678901234ab' } }, [
      { field: ['input', 'source', 'pin'], message: 'pin must be 16 digits for vouchers.one_voucher; received 16 characters' },
    ]],
    ['an OTT PIN without phone number', { type: 'vouchers.ott', source: { pin: '5555666677778888' } }, [
      { field: ['input', 'source', 'phoneNumber'], message: 'phoneNumber is required for vouchers.ott; received nothing' },
    ]],
    ['an OTT with neither field', { type: 'vouchers.ott', source: { token: 'x' } }, [
      { field: ['input', 'source', 'pin'], message: 'pin is required for vouchers.ott; received nothing' },
      { field: ['input', 'source', 'phoneNumber'], message: 'phoneNumber is required for vouchers.ott; received nothing' },
    ]],
    ['a Blu without token', { type: 'vouchers.blu', source: { pin: PIN, serialNumber: 'SN1' } }, [
      { field: ['input', 'source', 'token'], message: 'token is required for vouchers.blu; received nothing' },
    ]],
    ['an empty Blu token', { type: 'vouchers.blu', source: { token: '' } }, [
      { field: ['input', 'source', 'token'], message: 'token is required for vouchers.blu; received nothing' },
    ]],
    ['no source', { type: 'vouchers.blu' }, [
      { field: ['input', 'source'], message: 'Invalid input: expected object, received undefined' },
    ]],
    ['a numeric PIN', { type: 'vouchers.one_voucher', source: { pin: 1234567890123456 } }, [
      { field: ['input', 'source', 'pin'], message: 'Invalid input: expected string, received number' },
    ]],
    ['fractions of a cent', { ...one, amount: rand('1.005') }, [
      { field: ['input', 'amount', 'amount'], message: 'amount must be whole cents; received "1.005"' },
    ]],
    ['an amount that is not a number', { ...one, amount: rand('R25') }, [
      { field: ['input', 'amount', 'amount'], message: 'amount must be a decimal number of major units, e.g. "25.00"; received "R25"' },
    ]],
    ['an exponent amount', { ...one, amount: rand('1e3') }, [
      { field: ['input', 'amount', 'amount'], message: 'amount must be a decimal number of major units, e.g. "25.00"; received "1e3"' },
    ]],
    ['a zero amount', { ...one, amount: rand('0.00') }, [
      { field: ['input', 'amount', 'amount'], message: 'amount must be greater than 0; received "0.00"' },
    ]],
    ['a negative amount', { ...one, amount: rand('-5') }, [
      { field: ['input', 'amount', 'amount'], message: 'amount must be greater than 0; received "-5"' },
    ]],
    ['an amount beyond a JSON integer of cents', { ...one, amount: rand('90071992547409.92') }, [
      { field: ['input', 'amount', 'amount'], message: 'amount must be at most 9007199254740991 cents; received "90071992547409.92"' },
    ]],
    ['another currency', { ...one, amount: rand('10', 'USD') }, [
      { field: ['input', 'amount', 'currencyCode'], message: 'currencyCode must be ZAR; received "USD"' },
    ]],
    ['a lower-case currency with fractions of a cent', { ...one, amount: rand('0.001', 'zar') }, [
      { field: ['input', 'amount', 'currencyCode'], message: 'currencyCode must be ZAR; received "zar"' },
      { field: ['input', 'amount', 'amount'], message: 'amount must be whole cents; received "0.001"' },
    ]],
    ['an external reference with a space', { ...one, externalReference: 'order 42' }, [
      { field: ['input', 'externalReference'], message: `externalReference may contain only letters, digits, '_' and '-'; received "order 42"` },
    ]],
    ['an external reference of 256 characters', { ...one, externalReference: 'r'.repeat(256) }, [
      { field: ['input', 'externalReference'], message: 'externalReference must be at most 255 characters; received 256' },
    ]],
    ['metadata with 21 keys', { ...one, metadata: entries(21) }, [
      { field: ['input', 'metadata'], message: 'metadata must have at most 20 keys; received 21' },
    ]],
    ['an empty metadata key', { ...one, metadata: [{ key: '', value: 'v' }] }, [
      { field: ['input', 'metadata', '0', 'key'], message: 'key must be 1 to 40 characters; received 0' },
    ]],
    ['a metadata key of 41 characters', { ...one, metadata: [{ key: 'k'.repeat(41), value: 'v' }] }, [
      { field: ['input', 'metadata', '0', 'key'], message: 'key must be 1 to 40 characters; received 41' },
    ]],
    ['a metadata value of 501 characters', { ...one, metadata: [{ key: 'k', value: 'v'.repeat(501) }] }, [
      { field: ['input', 'metadata', '0', 'value'], message: 'value must be at most 500 characters; received 501' },
    ]],
    ['a duplicate metadata key', { ...one, metadata: [{ key: 'a', value: '1' }, { key: 'b', value: '2' }, { key: 'a', value: '3' }] }, [
      { field: ['input', 'metadata', '2', 'key'], message: 'metadata keys must be unique; received "a" again' },
    ]],
    ['several problems at once', { type: 'vouchers.ott', source: { pin: '1' }, amount: rand('1.001'), externalReference: 'a/b' }, [
      { field: ['input', 'amount', 'amount'], message: 'amount must be whole cents; received "1.001"' },
      { field: ['input', 'externalReference'], message: `externalReference may contain only letters, digits, '_' and '-'; received "a/b"` },
      { field: ['input', 'source', 'phoneNumber'], message: 'phoneNumber is required for vouchers.ott; received nothing' },
    ]],
    ['a mistyped amount beside a missing source field (both named)', { type: 'vouchers.ott', source: { pin: '1' }, amount: { amount: 5, currencyCode: 'ZAR' } }, [
      { field: ['input', 'amount', 'amount'], message: 'Invalid input: expected string, received number' },
      { field: ['input', 'source', 'phoneNumber'], message: 'phoneNumber is required for vouchers.ott; received nothing' },
    ]],
    ['a bad type beside a bad amount (source rules wait for a type)', { type: 'x', source: {}, amount: rand('0') }, [
      { field: ['input', 'type'], message: 'type must be one of vouchers.one_voucher, vouchers.ott, vouchers.blu; received "x"' },
      { field: ['input', 'amount', 'amount'], message: 'amount must be greater than 0; received "0"' },
    ]],
  ])('refuses %s', (_case, value, problems) => {
    expect(problemsOf(value)).toEqual(problems);
  });

  it('never echoes a PIN in a message', () => {
    const problems = problemsOf({ type: 'vouchers.one_voucher', source: { pin: '99998888777766' } });
    expect(JSON.stringify(problems)).not.toContain('99998888777766');
  });
});

describe('momentRedemptionIdSchema', () => {
  it.each(['rdm_663a1b9c8e4f2a0012abcd34', 'rdm_000000000000000000000000'])('accepts %s', (id) => {
    expect(validateInput(momentRedemptionIdSchema, id, ['id'])).toBe(id);
  });

  it.each(['rdm_663A1B9C8E4F2A0012ABCD34', 'rdm_663a1b9c8e4f2a0012abcd3', 'rdm_663a1b9c8e4f2a0012abcd345', '663a1b9c8e4f2a0012abcd34', 'rdm_663a1b9c8e4f2a0012abcdzz'])(
    'refuses %s',
    (id) => {
      expect(() => validateInput(momentRedemptionIdSchema, id, ['id'])).toThrow(
        expect.objectContaining({ problems: [{ field: ['id'], message: `id must match rdm_ followed by 24 lower-case hex digits; received "${id}"` }] }),
      );
    },
  );
});
