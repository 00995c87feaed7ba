/**
 * Stable hashing of requests for idempotency, and the provider-side keys derived from the
 * gateway's idempotency key.
 */
import { createHash } from 'node:crypto';

const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

/**
 * JSON with object keys sorted at every depth, so equal values always give the same text.
 * Follows JSON.stringify otherwise (toJSON is honoured, undefined / functions / symbols are left
 * out of objects and become null in arrays, non-finite numbers become null), except that a bigint
 * becomes its decimal string. Map, Set and circular structures throw: they would otherwise
 * serialise as `{}` and make different inputs hash alike.
 */
export function canonicalJson(value: unknown): string {
  return write(value, new Set()) ?? 'null';
}

function write(value: unknown, ancestors: Set<object>): string | undefined {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? JSON.stringify(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      return JSON.stringify(value.toString());
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
    case 'object':
      break;
  }
  if (value === null) return 'null';
  const object = value as object & { toJSON?: () => unknown };
  if (typeof object.toJSON === 'function') return write(object.toJSON(), ancestors);
  if (object instanceof Map || object instanceof Set) {
    throw new TypeError(`canonicalJson: cannot serialise a ${object.constructor.name}; convert it to an array or object first`);
  }
  if (ancestors.has(object)) throw new TypeError('canonicalJson: cannot serialise a circular structure');
  ancestors.add(object);
  try {
    if (Array.isArray(object)) {
      return `[${object.map((item: unknown) => write(item, ancestors) ?? 'null').join(',')}]`;
    }
    const members: string[] = [];
    for (const key of Object.keys(object).sort()) {
      const text = write((object as Record<string, unknown>)[key], ancestors);
      if (text !== undefined) members.push(`${JSON.stringify(key)}:${text}`);
    }
    return `{${members.join(',')}}`;
  } finally {
    ancestors.delete(object);
  }
}

/**
 * The request fingerprint stored with an idempotency key: sha256 (hex) of the canonical JSON of
 * `{ operation, input }`. Key order in `input` does not matter; the operation does.
 */
export function inputHash(operation: string, input: unknown): string {
  return sha256(canonicalJson({ operation, input }));
}

/**
 * The idempotency key or reference sent to a provider for the gateway key `(scope, key)`:
 * 'rg' + the first 30 hex digits of sha256 over (provider, scope, key). Deterministic, so a
 * retry or recovery sends the same value; distinct per provider and scope; 32 lowercase
 * alphanumerics, which fits Capillary's external_reference_number and Moment's Idempotency-Key.
 */
export function deriveProviderKey(scope: string, key: string, provider: string): string {
  // JSON keeps the parts apart even when one contains a separator.
  return `rg${sha256(JSON.stringify([provider, scope, key])).slice(0, 30)}`;
}
