import { describe, expect, it } from 'vitest';
import { InputError, validateInput } from '../../../src/domain/validation.js';
import { executeRedeemInputSchema, myRedeemsFilterSchema, redeemFilterSchema } from '../../../src/providers/pers/input.js';

const problemsOf = (schema: Parameters<typeof validateInput>[0], value: unknown) => {
  try {
    validateInput(schema, value);
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return (error as InputError).problems;
  }
  throw new Error('expected the input to be refused');
};

const long = 'x'.repeat(101);
const max = 'x'.repeat(100);

describe('executeRedeemInputSchema', () => {
  it.each([
    [{ redemptionId: 'red-coffee' }, { redemptionId: 'red-coffee' }],
    [{ redemptionId: 'red-coffee', businessId: 'biz-1' }, { redemptionId: 'red-coffee', businessId: 'biz-1' }],
    [{ redemptionId: 'red-coffee', businessId: null }, { redemptionId: 'red-coffee' }],
    [{ redemptionId: max, businessId: max }, { redemptionId: max, businessId: max }],
    [{ redemptionId: ' padded ' }, { redemptionId: ' padded ' }],
  ])('accepts %j', (value, expected) => {
    expect(validateInput(executeRedeemInputSchema, value)).toStrictEqual(expected);
  });

  it.each([
    [{}, [{ field: ['input', 'redemptionId'], message: 'expected a redemption id as a string, received nothing' }]],
    [{ redemptionId: null }, [{ field: ['input', 'redemptionId'], message: 'expected a redemption id as a string, received null' }]],
    [{ redemptionId: 42 }, [{ field: ['input', 'redemptionId'], message: 'expected a redemption id as a string, received 42' }]],
    [{ redemptionId: '' }, [{ field: ['input', 'redemptionId'], message: 'expected a redemption id of 1 to 100 characters, received an empty string' }]],
    [{ redemptionId: '   ' }, [{ field: ['input', 'redemptionId'], message: 'expected a redemption id that is not blank, received only whitespace' }]],
    [{ redemptionId: long }, [{ field: ['input', 'redemptionId'], message: 'expected a redemption id of at most 100 characters, received a string of 101 characters' }]],
    [{ redemptionId: 'red-coffee', businessId: '' }, [{ field: ['input', 'businessId'], message: 'expected a business id of 1 to 100 characters, received an empty string' }]],
    [{ redemptionId: 'red-coffee', businessId: long }, [{ field: ['input', 'businessId'], message: 'expected a business id of at most 100 characters, received a string of 101 characters' }]],
    [{ redemptionId: 'red-coffee', businessId: ['biz-1'] }, [{ field: ['input', 'businessId'], message: 'expected a business id as a string, received an array' }]],
    [{ redemptionId: '', businessId: true }, [
      { field: ['input', 'redemptionId'], message: 'expected a redemption id of 1 to 100 characters, received an empty string' },
      { field: ['input', 'businessId'], message: 'expected a business id as a string, received a boolean' },
    ]],
  ])('refuses %j', (value, problems) => {
    expect(problemsOf(executeRedeemInputSchema, value)).toStrictEqual(problems);
  });
});

describe('redeemFilterSchema', () => {
  it.each([
    [{}, { page: 1, limit: 20 }],
    [{ page: null, limit: null, redemptionId: null, userId: null, businessId: null }, { page: 1, limit: 20 }],
    [{ redemptionId: 'red-coffee', userId: 'user-1', businessId: 'biz-1', page: 3, limit: 100 },
      { redemptionId: 'red-coffee', userId: 'user-1', businessId: 'biz-1', page: 3, limit: 100 }],
    [{ limit: 1 }, { page: 1, limit: 1 }],
  ])('accepts %j', (value, expected) => {
    expect(validateInput(redeemFilterSchema, value)).toStrictEqual(expected);
  });

  it.each([
    [{ page: 0 }, [{ field: ['input', 'page'], message: 'expected page as a whole number at least 1, received 0' }]],
    [{ page: 1.5 }, [{ field: ['input', 'page'], message: 'expected page as a whole number at least 1, received 1.5' }]],
    [{ limit: 0 }, [{ field: ['input', 'limit'], message: 'expected limit as a whole number from 1 to 100, received 0' }]],
    [{ limit: 101 }, [{ field: ['input', 'limit'], message: 'expected limit as a whole number from 1 to 100, received 101' }]],
    [{ limit: '20' }, [{ field: ['input', 'limit'], message: 'expected limit as a whole number from 1 to 100, received a string of 2 characters' }]],
    [{ userId: '' }, [{ field: ['input', 'userId'], message: 'expected a user id of 1 to 100 characters, received an empty string' }]],
    [{ businessId: long }, [{ field: ['input', 'businessId'], message: 'expected a business id of at most 100 characters, received a string of 101 characters' }]],
    [{ redemptionId: 7, page: -1 }, [
      { field: ['input', 'redemptionId'], message: 'expected a redemption id as a string, received 7' },
      { field: ['input', 'page'], message: 'expected page as a whole number at least 1, received -1' },
    ]],
  ])('refuses %j', (value, problems) => {
    expect(problemsOf(redeemFilterSchema, value)).toStrictEqual(problems);
  });
});

describe('myRedeemsFilterSchema', () => {
  it.each([
    [{}, {}],
    [{ redemptionId: null }, {}],
    [{ redemptionId: 'red-coffee' }, { redemptionId: 'red-coffee' }],
  ])('accepts %j', (value, expected) => {
    expect(validateInput(myRedeemsFilterSchema, value)).toStrictEqual(expected);
  });

  it('refuses an over-long redemption id', () => {
    expect(problemsOf(myRedeemsFilterSchema, { redemptionId: long })).toStrictEqual([
      { field: ['input', 'redemptionId'], message: 'expected a redemption id of at most 100 characters, received a string of 101 characters' },
    ]);
  });
});
