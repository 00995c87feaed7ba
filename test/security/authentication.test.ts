/**
 * Authentication attacks: every forged, stale or misdirected token gets the same UNAUTHENTICATED
 * answer (HTTP 401, one message) and reaches no provider; the same operation succeeds with a
 * valid token of each role. HS256 (the configured secret) and JWKS (RS256 keys from a URL).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UNAUTHENTICATED_MESSAGE } from '../../src/auth/tokens.js';
import { ConfigError, loadConfig, SANDBOX_AUDIENCE, SANDBOX_ISSUER, SANDBOX_JWT_SECRET } from '../../src/config.js';
import { ONE_VOUCHER_PIN } from '../../src/providers/moment/simulator.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { ROOT, spawnGateway } from '../support/process.js';
import type { Gateway } from '../../src/gateway.js';
import { b64url, post, signRs256, startBareGateway, startJwksServer } from './support.js';

const VIEWER = '{ viewer { subject role businessId } }';
const REDEEM = `mutation { executeRedeem(idempotencyKey: "auth-probe", input: { moment: { type: ONE_VOUCHER, source: { pin: "${ONE_VOUCHER_PIN}" }, amount: { amount: "1.00", currencyCode: "ZAR" } } }) { replayed } }`;

/** The whole answer to a request whose credentials were refused before anything ran. */
const REFUSED = { errors: [{ message: UNAUTHENTICATED_MESSAGE, extensions: { code: 'UNAUTHENTICATED', retryable: false } }] };

const now = () => Math.floor(Date.now() / 1000);
const hmac = (secret: string) => new TextEncoder().encode(secret);

/** An HS256 token with full control over its claims and header. */
function hs256(secret: string, claims: Record<string, unknown>, header: Record<string, unknown> = {}) {
  return new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'JWT', ...header }).sign(hmac(secret));
}

/** An unsigned token (`alg: none`), as attackers send it. */
const unsigned = (claims: Record<string, unknown>) => `${b64url(JSON.stringify({ alg: 'none', typ: 'JWT' }))}.${b64url(JSON.stringify(claims))}.`;

describe('HS256 caller tokens (the sandbox secret)', () => {
  let gateway: TestGateway;
  const good = { sub: 'user-1', role: 'user', iss: SANDBOX_ISSUER, aud: SANDBOX_AUDIENCE };
  const valid = () => ({ ...good, iat: now(), exp: now() + 600 });

  beforeAll(async () => {
    gateway = await startTestGateway();
  });
  afterAll(() => gateway.stop());

  const attempts: [string, () => Promise<string>][] = [
    ['an expired token', () => hs256(SANDBOX_JWT_SECRET, { ...good, iat: now() - 7200, exp: now() - 60 })],
    ['a token signed with another secret', () => hs256('another-secret-of-at-least-32-characters!', valid())],
    ['a token whose payload was changed after signing (user -> admin)', async () => {
      const [header, , signature] = (await hs256(SANDBOX_JWT_SECRET, valid())).split('.');
      return `${header}.${b64url(JSON.stringify({ ...valid(), sub: 'admin-1', role: 'admin' }))}.${signature}`;
    }],
    ['an unsigned token (alg: none)', async () => unsigned({ ...valid(), role: 'admin' })],
    ['an unsigned token with a dangling signature', async () => `${unsigned({ ...valid(), role: 'admin' })}c2lnbmF0dXJl`],
    ['a token for another audience', () => hs256(SANDBOX_JWT_SECRET, { ...valid(), aud: 'some-other-api' })],
    ['a token from another issuer', () => hs256(SANDBOX_JWT_SECRET, { ...valid(), iss: 'https://evil.example' })],
    ['a token not valid before an hour from now', () => hs256(SANDBOX_JWT_SECRET, { ...valid(), nbf: now() + 3600 })],
    ['a token without an expiry', () => hs256(SANDBOX_JWT_SECRET, { ...good, iat: now() })],
    ['a token without a role', () => hs256(SANDBOX_JWT_SECRET, { ...valid(), role: undefined })],
    ['a token with an unknown role', () => hs256(SANDBOX_JWT_SECRET, { ...valid(), role: 'superuser' })],
    ['a business token without a businessId', () => hs256(SANDBOX_JWT_SECRET, { ...valid(), role: 'business' })],
    ['an RS256 token (an algorithm this gateway does not accept)', async () => {
      const { privateKey } = await generateKeyPair('RS256');
      return new SignJWT(valid()).setProtectedHeader({ alg: 'RS256' }).sign(privateKey);
    }],
    ['a token that is not a JWT', async () => 'not-a-jwt'],
  ];

  it.each(attempts)('refuses %s with 401 and the one UNAUTHENTICATED answer, calling no provider', async (_name, make) => {
    const token = await make();
    const before = gateway.simulators.moment!.requests.length;
    for (const query of [VIEWER, REDEEM, '{ __typename }']) {
      const response = await gateway.gql(query, { token });
      expect(response.status).toBe(401);
      expect(response.body).toEqual(REFUSED);
    }
    expect(gateway.simulators.moment!.requests.length).toBe(before);
  });

  it('refuses an Authorization header of another scheme the same way', async () => {
    for (const authorization of ['Basic dXNlcjpwYXNz', 'Bearer', `Token ${gateway.tokens.user}`]) {
      const response = await gateway.gql(VIEWER, { token: null, headers: { authorization } });
      expect([response.status, response.body]).toEqual([401, REFUSED]);
    }
  });

  it('answers a request without a token with 401 and the same message and extensions', async () => {
    const response = await gateway.gql(VIEWER, { token: null });
    expect(response.status).toBe(401);
    expect(response.body.data).toBeNull();
    expect(response.body.errors?.map(({ message, extensions }) => ({ message, extensions }))).toEqual(REFUSED.errors);
  });

  it('runs the same operation for a valid token of each role', async () => {
    const expected = {
      user: { subject: 'user-1', role: 'USER', businessId: null },
      business: { subject: 'biz-admin-1', role: 'BUSINESS', businessId: 'biz-1' },
      admin: { subject: 'admin-1', role: 'ADMIN', businessId: null },
    };
    for (const role of ['user', 'business', 'admin'] as const) {
      const response = await gateway.gql(VIEWER, { token: gateway.tokens[role] });
      expect([response.status, response.body]).toEqual([200, { data: { viewer: expected[role] } }]);
    }
    const handmade = await hs256(SANDBOX_JWT_SECRET, valid(), {});
    expect((await gateway.gql(VIEWER, { token: handmade })).body.data).toEqual({ viewer: expected.user });
  });
});

describe('JWKS caller tokens (RS256 keys from a URL)', () => {
  let jwks: Awaited<ReturnType<typeof startJwksServer>>;
  let attacker: Awaited<ReturnType<typeof startJwksServer>>;
  let gateway: Gateway;
  const ISSUER = 'https://id.example.test/';
  const AUDIENCE = 'redemption-gateway';
  const claims = { sub: 'user-7', role: 'user' };
  const sign = (extra: Record<string, unknown> = {}, options: Parameters<typeof signRs256>[3] = {}) =>
    signRs256(jwks.privateKey, jwks.kid, { ...claims, ...extra }, { issuer: ISSUER, audience: AUDIENCE, ...options });

  beforeAll(async () => {
    [jwks, attacker] = await Promise.all([startJwksServer(), startJwksServer()]);
    gateway = await startBareGateway({ AUTH_JWKS_URL: jwks.url, AUTH_ISSUER: ISSUER, AUTH_AUDIENCE: AUDIENCE });
  });
  afterAll(async () => {
    await gateway.stop();
    await Promise.all([jwks.close(), attacker.close()]);
  });

  it('accepts a token signed with a key the JWKS publishes, fetched from the URL', async () => {
    const response = await post(gateway.url, { query: VIEWER }, { authorization: `Bearer ${await sign()}` });
    expect([response.status, response.body]).toEqual([200, { data: { viewer: { subject: 'user-7', role: 'USER', businessId: null } } }]);
    expect(jwks.fetches()).toBeGreaterThanOrEqual(1);
  });

  const attempts: [string, () => Promise<string>][] = [
    ['an HS256 token signed with the public key as the HMAC secret (PEM)', () =>
      new SignJWT({ ...claims, role: 'admin' }).setProtectedHeader({ alg: 'HS256', kid: jwks.kid }).setIssuer(ISSUER).setAudience(AUDIENCE)
        .setExpirationTime('1h').sign(hmac(jwks.publicPem))],
    ['an HS256 token signed with the public key as the HMAC secret (JWK JSON)', () =>
      new SignJWT({ ...claims, role: 'admin' }).setProtectedHeader({ alg: 'HS256', kid: jwks.kid }).setIssuer(ISSUER).setAudience(AUDIENCE)
        .setExpirationTime('1h').sign(hmac(JSON.stringify(jwks.publicJwk)))],
    ['an unsigned token (alg: none) naming the published key', async () =>
      `${b64url(JSON.stringify({ alg: 'none', kid: jwks.kid }))}.${b64url(JSON.stringify({ ...claims, iss: ISSUER, aud: AUDIENCE, exp: now() + 600 }))}.`],
    ['a token signed by another key under the published kid', () =>
      signRs256(attacker.privateKey, jwks.kid, { ...claims, role: 'admin' }, { issuer: ISSUER, audience: AUDIENCE })],
    ['a token pointing at the attacker\'s JWKS (jku header)', () =>
      new SignJWT({ ...claims, role: 'admin' }).setProtectedHeader({ alg: 'RS256', kid: attacker.kid, jku: attacker.url }).setIssuer(ISSUER)
        .setAudience(AUDIENCE).setExpirationTime('1h').sign(attacker.privateKey)],
    ['a token embedding the attacker\'s public key (jwk header)', async () =>
      new SignJWT({ ...claims, role: 'admin' }).setProtectedHeader({ alg: 'RS256', jwk: await exportJWK(await attackerPublicKey()) }).setIssuer(ISSUER)
        .setAudience(AUDIENCE).setExpirationTime('1h').sign(attacker.privateKey)],
    ['an expired token', () => sign({}, { expiresIn: now() - 60 })],
    ['a token for another audience', () => signRs256(jwks.privateKey, jwks.kid, claims, { issuer: ISSUER, audience: 'another-api' })],
    ['a token from another issuer', () => signRs256(jwks.privateKey, jwks.kid, claims, { issuer: 'https://evil.example/', audience: AUDIENCE })],
    ['a token not valid before an hour from now', () => sign({}, { notBefore: now() + 3600 })],
  ];

  async function attackerPublicKey() {
    const { importJWK } = await import('jose');
    return importJWK(attacker.publicJwk, 'RS256', { extractable: true });
  }

  it.each(attempts)('refuses %s with 401 and the one UNAUTHENTICATED answer', async (_name, make) => {
    const response = await post(gateway.url, { query: VIEWER }, { authorization: `Bearer ${await make()}` });
    expect([response.status, response.body]).toEqual([401, REFUSED]);
    // A key the token points at is never fetched.
    expect(attacker.fetches()).toBe(0);
  });
});

describe('token settings', () => {
  it('refuses a secret and a JWKS URL at once, and a production JWKS without issuer and audience', () => {
    const both = () => loadConfig({ AUTH_JWT_SECRET: 'x'.repeat(32), AUTH_JWKS_URL: 'https://id.example/jwks.json' });
    expect(both).toThrow(ConfigError);
    expect(both).toThrow('AUTH_JWT_SECRET and AUTH_JWKS_URL: set one, not both');
    let issues: string[] = [];
    try {
      loadConfig({ GATEWAY_MODE: 'production', AUTH_JWKS_URL: 'https://id.example/jwks.json' });
    } catch (error) {
      issues = (error as ConfigError).issues;
    }
    expect(issues).toEqual(expect.arrayContaining([
      'AUTH_ISSUER: required with AUTH_JWKS_URL in production',
      'AUTH_AUDIENCE: required with AUTH_JWKS_URL in production',
    ]));
  });
});

describe('minting tokens', () => {
  const env = { AUTH_JWT_SECRET: 'minting-test-secret-0123456789abcdef!', AUTH_ISSUER: 'https://mint.example/', AUTH_AUDIENCE: 'mint-test' };

  it('npm run token -- --role business --business-id b1 mints a token the gateway accepts', async () => {
    const { stdout } = await promisify(execFile)('npm', ['run', 'token', '--', '--role', 'business', '--business-id', 'b1'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    });
    const token = stdout.trim().split('\n').at(-1)!;
    expect(token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    const gateway = await startTestGateway({ env });
    try {
      const response = await gateway.gql(VIEWER, { token });
      expect([response.status, response.body]).toEqual([200, { data: { viewer: { subject: 'business-1', role: 'BUSINESS', businessId: 'b1' } } }]);
      // ...and a gateway with another secret refuses it.
      const other = await startTestGateway({ env: { ...env, AUTH_JWT_SECRET: 'a-different-secret-0123456789abcdef!' } });
      try {
        expect((await other.gql(VIEWER, { token })).status).toBe(401);
      } finally {
        await other.stop();
      }
    } finally {
      await gateway.stop();
    }
  });

  it('npm start in sandbox mode prints a working token for each role', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gw-tokens-'));
    const child = spawnGateway({ PORT: '0', SQLITE_PATH: join(dir, 'gw.db') });
    try {
      const [, url] = await child.waitFor(/listening on (http:\/\/\S+)/);
      const printed = {
        user: (await child.waitFor(/user\s+user-1\n\s+Bearer (\S+)/))[1]!,
        business: (await child.waitFor(/business\s+biz-admin-1 \(businessId biz-1\)\n\s+Bearer (\S+)/))[1]!,
        admin: (await child.waitFor(/admin\s+admin-1\n\s+Bearer (\S+)/))[1]!,
      };
      const viewers = await Promise.all(
        Object.values(printed).map(async (token) => {
          const response = await fetch(`${url}/graphql`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
            body: JSON.stringify({ query: VIEWER }),
          });
          return response.json();
        }),
      );
      expect(viewers).toEqual([
        { data: { viewer: { subject: 'user-1', role: 'USER', businessId: null } } },
        { data: { viewer: { subject: 'biz-admin-1', role: 'BUSINESS', businessId: 'biz-1' } } },
        { data: { viewer: { subject: 'admin-1', role: 'ADMIN', businessId: null } } },
      ]);
    } finally {
      child.child.kill('SIGTERM');
      await child.exited;
    }
  });
});
