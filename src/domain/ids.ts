/**
 * Global ids: opaque, stable strings that round-trip to a provider and the reference the gateway
 * needs to read the record back (`Redemption.ref`). Clients must not parse them.
 */
import { isProviderName, type ProviderName } from './provider.js';

export interface GlobalRef {
  provider: ProviderName;
  ref: string;
}

export const toGlobalId = (provider: ProviderName, ref: string): string =>
  Buffer.from(`${provider}:${ref}`, 'utf8').toString('base64url');

/** The provider and reference behind a global id; undefined for anything that is not one. */
export function fromGlobalId(id: string): GlobalRef | undefined {
  if (!/^[A-Za-z0-9_-]{1,400}$/.test(id)) return undefined;
  const text = Buffer.from(id, 'base64url').toString('utf8');
  const colon = text.indexOf(':');
  const provider = text.slice(0, colon);
  const ref = text.slice(colon + 1);
  if (colon < 1 || !ref || !isProviderName(provider) || toGlobalId(provider, ref) !== id) return undefined;
  return { provider, ref };
}
