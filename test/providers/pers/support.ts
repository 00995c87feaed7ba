/** Test helpers for PERS: gateway callers carrying JWT-shaped bearer tokens. */
import type { Caller, Role } from '../../../src/domain/caller.js';
import { persErrorBody } from '../../../src/providers/pers/simulator.js';

const b64url = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A JWT-shaped token (header.payload.signature); the PERS simulator reads it without verifying. */
export const jwtLike = (claims: object) => `${b64url({ alg: 'RS256', typ: 'JWT' })}.${b64url(claims)}.bm90LWEtc2lnbmF0dXJl`;

export function makeCaller(role: Role, subject: string, businessId?: string): Caller {
  return {
    subject,
    role,
    ...(businessId ? { businessId } : {}),
    scopes: [],
    token: jwtLike({ sub: subject, role, ...(businessId ? { businessId } : {}) }),
  };
}

export const USER_1 = makeCaller('user', 'user-1');
export const USER_2 = makeCaller('user', 'user-2');
export const USER_3 = makeCaller('user', 'user-3');
export const USER_4 = makeCaller('user', 'user-4');
export const BIZ_1 = makeCaller('business', 'acct-biz-1', 'biz-1');
export const BIZ_2 = makeCaller('business', 'acct-biz-2', 'biz-2');
/** A business account with several memberships that named none. */
export const BIZ_NO_CONTEXT = makeCaller('business', 'acct-multi');
export const ADMIN = makeCaller('admin', 'admin-1');

/** A status fault answering with PERS's own envelope and code. */
export const persFault = (route: string, status: number, code: string, extra: object = {}, times?: number) => ({
  route,
  ...(times === undefined ? {} : { times }),
  fault: { kind: 'status' as const, status, body: { ...persErrorBody(status, `simulated ${code}`, code), ...extra } },
});

/** Decodes a JWT payload (no verification) to look at what the simulator issued. */
export const jwtPayload = (token: string): Record<string, unknown> =>
  JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
