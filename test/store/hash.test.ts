import { describe, expect, it } from 'vitest';
import { canonicalJson, deriveProviderKey, inputHash } from '../../src/store/hash.js';

describe('canonicalJson', () => {
  it('sorts object keys at every depth', () => {
    expect(canonicalJson({ b: 1, a: { d: [{ z: 1, y: 2 }], c: null } })).toBe('{"a":{"c":null,"d":[{"y":2,"z":1}]},"b":1}');
  });

  it('writes a bigint as its decimal string', () => {
    expect(canonicalJson({ amount: 12345678901234567890n })).toBe('{"amount":"12345678901234567890"}');
  });

  it('follows JSON.stringify for undefined, non-finite numbers, dates and strings', () => {
    expect(canonicalJson({ a: undefined, b: [undefined, Number.NaN, Infinity], c: new Date(0), d: 'é"\n' })).toBe(
      '{"b":[null,null,null],"c":"1970-01-01T00:00:00.000Z","d":"é\\"\\n"}',
    );
    expect(canonicalJson(undefined)).toBe('null');
    expect(canonicalJson(-0)).toBe('0');
  });

  it('refuses values that would serialise as {} and hide their content', () => {
    expect(() => canonicalJson({ m: new Map([[1, 2]]) })).toThrow('cannot serialise a Map');
    expect(() => canonicalJson(new Set([1]))).toThrow('cannot serialise a Set');
  });

  it('refuses circular structures but accepts repeated ones', () => {
    const shared = { x: 1 };
    expect(canonicalJson([shared, shared])).toBe('[{"x":1},{"x":1}]');
    const loop: Record<string, unknown> = {};
    loop.self = loop;
    expect(() => canonicalJson(loop)).toThrow('circular');
  });
});

describe('inputHash', () => {
  it('is the same whatever the key order', () => {
    expect(inputHash('redeemPoints', { points: 10, customer: { id: 'c1', mobile: '1' } })).toBe(
      inputHash('redeemPoints', { customer: { mobile: '1', id: 'c1' }, points: 10 }),
    );
  });

  it('is a sha256 hex digest that changes with the input and the operation', () => {
    const base = inputHash('redeemPoints', { points: 10 });
    expect(base).toMatch(/^[0-9a-f]{64}$/);
    expect(inputHash('redeemPoints', { points: 11 })).not.toBe(base);
    expect(inputHash('redeemVoucher', { points: 10 })).not.toBe(base);
  });
});

describe('deriveProviderKey', () => {
  it('is deterministic, 32 alphanumerics starting with rg', () => {
    const key = deriveProviderKey('partner-1', 'key-1', 'moment');
    expect(key).toBe(deriveProviderKey('partner-1', 'key-1', 'moment'));
    expect(key).toMatch(/^rg[0-9a-f]{30}$/);
  });

  it('differs per scope, key and provider, and cannot be confused by separators', () => {
    const keys = [
      deriveProviderKey('partner-1', 'key-1', 'moment'),
      deriveProviderKey('partner-2', 'key-1', 'moment'),
      deriveProviderKey('partner-1', 'key-2', 'moment'),
      deriveProviderKey('partner-1', 'key-1', 'capillary'),
      deriveProviderKey('a|b', 'c', 'moment'),
      deriveProviderKey('a', 'b|c', 'moment'),
    ];
    expect(new Set(keys).size).toBe(keys.length);
  });
});
