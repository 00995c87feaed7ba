/**
 * Caches provider access tokens per key until shortly before they expire, with one fetch in
 * flight per key however many calls need the token at once.
 */

export interface IssuedToken {
  token: string;
  /** Lifetime from the moment of issue, in milliseconds. */
  ttlMs: number;
  /** Optional material to renew with (PERS refresh token). */
  refreshToken?: string;
}

export interface TokenCacheOptions {
  /** Renew this long before expiry so a token never expires in flight. */
  skewMs?: number;
  now?: () => number;
}

interface Entry {
  token: string;
  expiresAt: number;
  refreshToken?: string;
}

export interface TokenCache {
  /**
   * The cached token for `key`, or a fresh one from `issue`. When an expired entry has a refresh
   * token and `renew` is given, `renew` is tried first and `issue` only if it fails.
   */
  get(
    key: string,
    issue: () => Promise<IssuedToken>,
    renew?: (refreshToken: string) => Promise<IssuedToken>,
  ): Promise<string>;
  /** Drops a token the provider rejected, so the next call fetches a new one. */
  invalidate(key: string, token?: string): void;
}

export function createTokenCache(options: TokenCacheOptions = {}): TokenCache {
  const skewMs = options.skewMs ?? 30_000;
  const now = options.now ?? Date.now;
  const entries = new Map<string, Entry>();
  const inFlight = new Map<string, Promise<string>>();

  async function fetchToken(key: string, issue: () => Promise<IssuedToken>, renew?: (r: string) => Promise<IssuedToken>) {
    const stale = entries.get(key);
    let issued: IssuedToken | undefined;
    if (stale?.refreshToken && renew) issued = await renew(stale.refreshToken).catch(() => undefined);
    issued ??= await issue();
    entries.set(key, {
      token: issued.token,
      refreshToken: issued.refreshToken,
      expiresAt: now() + Math.max(0, issued.ttlMs - Math.min(skewMs, issued.ttlMs / 2)),
    });
    return issued.token;
  }

  return {
    get(key, issue, renew) {
      const entry = entries.get(key);
      if (entry && entry.expiresAt > now()) return Promise.resolve(entry.token);
      let pending = inFlight.get(key);
      if (!pending) {
        pending = fetchToken(key, issue, renew).finally(() => inFlight.delete(key));
        inFlight.set(key, pending);
      }
      return pending;
    },
    invalidate(key, token) {
      const entry = entries.get(key);
      if (entry && (token === undefined || entry.token === token)) entries.set(key, { ...entry, expiresAt: 0 });
    },
  };
}
