import { describe, expect, it } from 'vitest';
import { InputError, validateInput } from '../../../src/domain/validation.js';
import { updateRewardStatusInputSchema } from '../../../src/providers/triple/input.js';

const base = { offerId: 'triple-offer-1', transactionId: 'triple-txn-1', status: 'PENDING_MERCHANT_FUNDING' };
const STATUSES =
  'REJECTED, PENDING_REVIEW, PENDING_MERCHANT_APPROVAL, DENIED_BY_MERCHANT, PENDING_MERCHANT_FUNDING, PENDING_TRANSFER_TO_PUBLISHER, DISTRIBUTED_TO_PUBLISHER, DISTRIBUTED_TO_CARDHOLDER';

function problemsOf(value: unknown) {
  try {
    validateInput(updateRewardStatusInputSchema, value);
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return (error as InputError).problems;
  }
  throw new Error('expected the input to be refused');
}

describe('updateRewardStatusInputSchema', () => {
  it.each([
    ['a status change', base, base],
    ['ids of exactly 100 characters', { ...base, offerId: 'o'.repeat(100), transactionId: 't'.repeat(100) }, { ...base, offerId: 'o'.repeat(100), transactionId: 't'.repeat(100) }],
    ['a denial with notes', { ...base, status: 'DENIED_BY_MERCHANT', notes: 'Refunded' }, { ...base, status: 'DENIED_BY_MERCHANT', notes: 'Refunded' }],
    ['notes of exactly 1000 characters', { ...base, notes: 'n'.repeat(1000) }, { ...base, notes: 'n'.repeat(1000) }],
    ['a null notes, dropped', { ...base, notes: null }, { ...base, notes: undefined }],
    ['an extra field, dropped', { ...base, extra: 1 }, base],
    ['a publisher distribution', { ...base, status: 'DISTRIBUTED_TO_CARDHOLDER' }, { ...base, status: 'DISTRIBUTED_TO_CARDHOLDER' }],
  ])('accepts %s', (_name, value, expected) => {
    expect(validateInput(updateRewardStatusInputSchema, value)).toEqual(expected);
  });

  it.each([
    ['missing everything', {}, [
      { field: ['input', 'offerId'], message: 'expected a string, received nothing' },
      { field: ['input', 'transactionId'], message: 'expected a string, received nothing' },
      { field: ['input', 'status'], message: `expected one of ${STATUSES}, received nothing` },
    ]],
    ['an empty offer id', { ...base, offerId: '' }, [{ field: ['input', 'offerId'], message: 'expected a non-blank id, received an empty string' }]],
    ['a blank transaction id', { ...base, transactionId: '   ' }, [{ field: ['input', 'transactionId'], message: 'expected a non-blank id, received only whitespace' }]],
    ['an offer id of 101 characters', { ...base, offerId: 'o'.repeat(101) }, [{ field: ['input', 'offerId'], message: 'expected at most 100 characters, received 101' }]],
    ['a numeric transaction id', { ...base, transactionId: 42 }, [{ field: ['input', 'transactionId'], message: 'expected a string, received number' }]],
    ['an unknown status', { ...base, status: 'APPROVED' }, [{ field: ['input', 'status'], message: `expected one of ${STATUSES}, received "APPROVED"` }]],
    ['a lower-case status', { ...base, status: 'rejected' }, [{ field: ['input', 'status'], message: `expected one of ${STATUSES}, received "rejected"` }]],
    ['a denial without notes', { ...base, status: 'DENIED_BY_MERCHANT' }, [{ field: ['input', 'notes'], message: 'expected notes when status is DENIED_BY_MERCHANT, received none' }]],
    ['a denial with null notes', { ...base, status: 'DENIED_BY_MERCHANT', notes: null }, [{ field: ['input', 'notes'], message: 'expected notes when status is DENIED_BY_MERCHANT, received none' }]],
    ['empty notes', { ...base, notes: '' }, [{ field: ['input', 'notes'], message: 'expected 1 to 1000 characters of text, received an empty string' }]],
    ['blank notes', { ...base, status: 'DENIED_BY_MERCHANT', notes: ' \n ' }, [{ field: ['input', 'notes'], message: 'expected 1 to 1000 characters of text, received only whitespace' }]],
    ['notes of 1001 characters', { ...base, notes: 'n'.repeat(1001) }, [{ field: ['input', 'notes'], message: 'expected at most 1000 characters, received 1001' }]],
    ['notes that are not text', { ...base, notes: ['a'] }, [{ field: ['input', 'notes'], message: 'expected a string, received an array' }]],
    ['several bad fields at once', { offerId: 'o'.repeat(101), transactionId: '', status: 'DENIED_BY_MERCHANT' }, [
      { field: ['input', 'offerId'], message: 'expected at most 100 characters, received 101' },
      { field: ['input', 'transactionId'], message: 'expected a non-blank id, received an empty string' },
      { field: ['input', 'notes'], message: 'expected notes when status is DENIED_BY_MERCHANT, received none' },
    ]],
  ])('refuses %s', (_name, value, problems) => {
    expect(problemsOf(value)).toEqual(problems);
  });
});
