/**
 * Caller authentication: `Authorization: Bearer <JWT>` verified with jose. HS256 with a shared
 * secret, or keys from a JWKS URL; issuer and audience checked when configured; `exp` required,
 * expiry and not-before enforced. `alg: none` and algorithm confusion are refused because the
 * accepted algorithms are fixed by the configured key type, never taken from the token; header
 * parameters that point elsewhere (`jku`, `x5u`, embedded `jwk`) are never followed.
 *
 * A verified token is remembered (see `VerifiedCache`), so that a client sending the same token on
 * every request pays for the signature check once, not per request.
 */
import { createRemoteJWKSet, jwtVerify, SignJWT, type JWTVerifyGetKey } from 'jose';
import { z } from 'zod';
import type { Caller, Role } from '../domain/caller.js';
import { GatewayError } from '../domain/errors.js';

export interface AuthSettings {
  secret?: string;
  jwksUrl?: string;
  issuer?: string;
  audience?: string;
}

const claimsSchema = z
  .object({
    sub: z.string().min(1).max(200),
    role: z.enum(['user', 'business', 'admin']),
    businessId: z.string().min(1).max(200).optional(),
    scope: z.string().optional(),
  })
  .refine((c) => c.role !== 'business' || c.businessId !== undefined, { message: 'business tokens carry businessId' });

/** The one message for every authentication failure (missing, malformed, expired, forged...). */
export const UNAUTHENTICATED_MESSAGE = 'Authentication required: send a valid bearer token';

/** The one answer for every authentication failure: nothing in it helps an attacker. */
export const unauthenticated = () => new GatewayError('UNAUTHENTICATED', UNAUTHENTICATED_MESSAGE, { retryable: false });

export interface Authenticator {
  /** The caller of a request, from its Authorization header; null when there is none. Throws UNAUTHENTICATED for a bad token. */
  authenticate(authorization: string | undefined): Promise<Caller | null>;
}

/** How long a verified token is trusted without checking again: bounds the reach of a JWKS key rotation. */
export const VERIFIED_TTL_MS = 60_000;
/** Verified tokens remembered at most; the oldest is forgotten first. */
export const VERIFIED_MAX = 10_000;

/**
 * Tokens that passed verification, each with the caller it names, until the earlier of its `exp`
 * and VERIFIED_TTL_MS from its check. Only successes are kept: a bad token is checked every time.
 * A token is valid until `exp` once its signature, issuer, audience and `nbf` passed, so an entry
 * answers exactly what jose would until it lapses.
 */
class VerifiedCache {
  private readonly entries = new Map<string, { caller: Caller; until: number }>();

  get(token: string, now: number): Caller | undefined {
    const entry = this.entries.get(token);
    if (!entry) return undefined;
    if (now < entry.until) return { ...entry.caller, scopes: [...entry.caller.scopes] };
    this.entries.delete(token);
    return undefined;
  }

  set(token: string, caller: Caller, expSeconds: number, now: number): void {
    if (this.entries.size >= VERIFIED_MAX) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(token, { caller, until: Math.min(expSeconds * 1000, now + VERIFIED_TTL_MS) });
  }
}

export function createAuthenticator(settings: AuthSettings): Authenticator {
  const symmetric = settings.secret ? new TextEncoder().encode(settings.secret) : undefined;
  const jwks: JWTVerifyGetKey | undefined = settings.jwksUrl ? createRemoteJWKSet(new URL(settings.jwksUrl)) : undefined;
  const options = {
    issuer: settings.issuer,
    audience: settings.audience,
    algorithms: symmetric ? ['HS256'] : ['RS256', 'PS256', 'ES256', 'EdDSA'],
    // A token without an expiry would be valid for ever.
    requiredClaims: ['exp'],
  };
  const verified = new VerifiedCache();

  return {
    async authenticate(authorization) {
      if (!authorization) return null;
      const match = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*)$/i.exec(authorization.trim());
      if (!match) throw unauthenticated();
      const token = match[1]!;
      const known = verified.get(token, Date.now());
      if (known) return known;
      let caller: Caller;
      let exp: number;
      try {
        const { payload } = symmetric ? await jwtVerify(token, symmetric, options) : await jwtVerify(token, jwks!, options);
        const claims = claimsSchema.parse(payload);
        exp = payload.exp!;
        caller = {
          subject: claims.sub,
          role: claims.role,
          businessId: claims.role === 'business' ? claims.businessId : undefined,
          scopes: claims.scope?.split(' ').filter(Boolean) ?? [],
          token,
        };
      } catch {
        throw unauthenticated();
      }
      verified.set(token, { ...caller, scopes: [...caller.scopes] }, exp, Date.now());
      return caller;
    },
  };
}

export interface MintOptions {
  secret: string;
  issuer?: string;
  audience?: string;
  /** e.g. '12h' */
  expiresIn?: string;
}

/** Mints an HS256 caller token (sandbox start-up, `npm run token`, tests). */
export function mintToken(claims: { subject: string; role: Role; businessId?: string; scopes?: string[] }, options: MintOptions): Promise<string> {
  const jwt = new SignJWT({
    role: claims.role,
    ...(claims.businessId ? { businessId: claims.businessId } : {}),
    ...(claims.scopes?.length ? { scope: claims.scopes.join(' ') } : {}),
  })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(claims.subject)
    .setIssuedAt()
    .setExpirationTime(options.expiresIn ?? '12h');
  if (options.issuer) jwt.setIssuer(options.issuer);
  if (options.audience) jwt.setAudience(options.audience);
  return jwt.sign(new TextEncoder().encode(options.secret));
}
