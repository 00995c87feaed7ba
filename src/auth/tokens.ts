/**
 * Caller authentication: `Authorization: Bearer <JWT>` verified with jose. HS256 with a shared
 * secret, or keys from a JWKS URL; issuer and audience checked when configured; `exp` required,
 * expiry and not-before enforced. `alg: none` and algorithm confusion are refused because the
 * accepted algorithms are fixed by the configured key type, never taken from the token; header
 * parameters that point elsewhere (`jku`, `x5u`, embedded `jwk`) are never followed.
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

  return {
    async authenticate(authorization) {
      if (!authorization) return null;
      const match = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*)$/i.exec(authorization.trim());
      if (!match) throw unauthenticated();
      const token = match[1]!;
      try {
        const { payload } = symmetric ? await jwtVerify(token, symmetric, options) : await jwtVerify(token, jwks!, options);
        const claims = claimsSchema.parse(payload);
        return {
          subject: claims.sub,
          role: claims.role,
          businessId: claims.role === 'business' ? claims.businessId : undefined,
          scopes: claims.scope?.split(' ').filter(Boolean) ?? [],
          token,
        };
      } catch {
        throw unauthenticated();
      }
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
