import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { spawnGateway } from '../support/process.js';

describe('the gateway over HTTP', () => {
  let gateway: TestGateway;
  beforeAll(async () => {
    gateway = await startTestGateway();
  });
  afterAll(() => gateway.stop());

  it('answers { __typename } on POST /graphql without credentials', async () => {
    const response = await gateway.gql('{ __typename }', { token: null });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ data: { __typename: 'Query' } });
  });

  it('serves the Apollo Sandbox landing page on GET / in sandbox mode', async () => {
    const response = await fetch(`${gateway.url}/`, { headers: { accept: 'text/html' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/html');
    expect(await response.text()).toContain('embeddable-sandbox');
  });

  it('reports liveness and readiness with each provider', async () => {
    const live = await fetch(`${gateway.url}/healthz`);
    expect(live.status).toBe(200);
    const ready = await fetch(`${gateway.url}/readyz`);
    expect(ready.status).toBe(200);
    const body = (await ready.json()) as { status: string; store: string; providers: { provider: string; mode: string; breaker: string }[] };
    expect(body.status).toBe('ready');
    expect(body.store).toBe('ok');
    expect(body.providers.map((p) => [p.provider, p.mode, p.breaker])).toEqual([
      ['returningai', 'simulator', 'closed'],
      ['capillary', 'simulator', 'closed'],
      ['pers', 'simulator', 'closed'],
      ['triple', 'simulator', 'closed'],
      ['moment', 'simulator', 'closed'],
    ]);
  });

  it('lets Apollo Studio through a CORS preflight', async () => {
    const response = await fetch(`${gateway.url}/graphql`, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://studio.apollographql.com',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type, authorization',
      },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe('https://studio.apollographql.com');
    expect(response.headers.get('access-control-allow-headers')).toContain('authorization');
  });

  it('does not allow other origins', async () => {
    const response = await fetch(`${gateway.url}/graphql`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('refuses a text/plain POST without a preflight header (CSRF prevention)', async () => {
    const response = await fetch(`${gateway.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('CSRF');
  });

  it('answers a token-less request that can run nothing with HTTP 401 and UNAUTHENTICATED', async () => {
    const response = await gateway.gql('{ viewer { subject } }', { token: null });
    expect(response.status).toBe(401);
    expect(response.body.errors?.map((e) => e.extensions?.code)).toEqual(['UNAUTHENTICATED']);
  });

  it('tells the caller who they are', async () => {
    const response = await gateway.gql('{ viewer { subject role businessId } }', { token: gateway.tokens.business });
    expect(response.body).toEqual({ data: { viewer: { subject: 'biz-admin-1', role: 'BUSINESS', businessId: 'biz-1' } } });
  });
});

describe('configuration', () => {
  it('names every bad variable in one error', () => {
    const error = (() => {
      try {
        loadConfig({ PORT: 'abc', LOG_LEVEL: 'loud', MOMENT_BASE_URL: 'http://127.0.0.1:1' });
      } catch (e) {
        return e;
      }
    })() as ConfigError;
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.issues).toEqual(expect.arrayContaining([
      expect.stringMatching(/^PORT: /),
      expect.stringMatching(/^LOG_LEVEL: /),
      expect.stringMatching(/^Moment: MOMENT_SECRET_KEY: /),
    ]));
  });

  it('refuses production without provider settings, naming each provider and the auth secret', () => {
    const error = (() => {
      try {
        loadConfig({ GATEWAY_MODE: 'production' });
      } catch (e) {
        return e;
      }
    })() as ConfigError;
    expect(error.issues).toEqual(expect.arrayContaining([
      expect.stringContaining('Returning.AI: not configured (set RETURNINGAI_BASE_URL, RETURNINGAI_API_KEY'),
      expect.stringContaining('Capillary: not configured'),
      expect.stringContaining('PERS: not configured'),
      expect.stringContaining('Triple: not configured'),
      expect.stringContaining('Moment: not configured (set MOMENT_BASE_URL, MOMENT_SECRET_KEY)'),
      'AUTH_JWT_SECRET or AUTH_JWKS_URL: one is required in production',
    ]));
  });

  it('defaults to sandbox mode with introspection and the landing page on, and production to both off', () => {
    const sandbox = loadConfig({});
    expect([sandbox.mode, sandbox.introspection, sandbox.landingPage, sandbox.port]).toEqual(['sandbox', true, true, 4000]);
    expect(sandbox.corsOrigins).toEqual(['https://studio.apollographql.com']);
  });

  it('npm start exits non-zero on PORT=abc, naming PORT', async () => {
    const gateway = spawnGateway({ PORT: 'abc' });
    expect(await gateway.exited).toBe(1);
    expect(gateway.stderr()).toContain('PORT:');
  });

  it('npm start exits non-zero in production without provider settings, naming them', async () => {
    const gateway = spawnGateway({ GATEWAY_MODE: 'production' });
    expect(await gateway.exited).toBe(1);
    for (const variable of ['RETURNINGAI_API_KEY', 'CAPILLARY_BASE_URL', 'PERS_PROJECT_KEY', 'TRIPLE_CLIENT_ID', 'MOMENT_SECRET_KEY', 'AUTH_JWT_SECRET']) {
      expect(gateway.stderr()).toContain(variable);
    }
  });
});

describe('graceful shutdown', () => {
  it('drains in-flight requests on SIGTERM, drops none, and exits 0', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gw-drain-'));
    // debug: the gateway logs "incoming request" for each request as it arrives.
    const gateway = spawnGateway({ PORT: '0', LOG_LEVEL: 'debug', SIMULATOR_LATENCY_MS: '400', SQLITE_PATH: join(dir, 'gw.db') });
    const [, url] = await gateway.waitFor(/listening on (http:\/\/\S+)/);
    const [, token] = await gateway.waitFor(/admin\s+admin-1\n\s+Bearer (\S+)/);
    const inFlight = 20;
    const requests = Array.from({ length: inFlight }, () =>
      fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query: '{ orderStatuses { id } }' }),
      }).then(async (r) => ({ status: r.status, body: (await r.json()) as { data?: unknown; errors?: unknown } })),
    );
    // Signal once the gateway has logged every request as received.
    await gateway.waitFor(new RegExp(`(?:incoming request[\\s\\S]*){${inFlight}}`));
    gateway.child.kill('SIGTERM');
    const responses = await Promise.all(requests);
    expect(responses.map((r) => r.status)).toEqual(Array(inFlight).fill(200));
    expect(responses.every((r) => r.body.errors === undefined)).toBe(true);
    expect(await gateway.exited).toBe(0);
  }, 60_000);
});

describe('per-provider timeouts in sandbox mode', () => {
  it('applies <PROVIDER>_TIMEOUT_MS to a provider running on its simulator', async () => {
    const gateway = await startTestGateway({ env: { MOMENT_TIMEOUT_MS: '150', RESILIENCE_RETRY_MAX_ATTEMPTS: '1' } });
    try {
      gateway.simulators.moment!.faults.inject({ route: 'GET /collect/redemptions/types', fault: { kind: 'hang' } });
      gateway.simulators.triple!.faults.inject({ route: 'GET /partner/rewards', fault: { kind: 'latency', ms: 300 } });
      const moment = await gateway.gql('{ voucherTypes { type } }');
      expect(moment.body.errors?.map((e) => [e.path, e.extensions?.code, e.extensions?.provider])).toEqual([
        [['voucherTypes'], 'PROVIDER_TIMEOUT', 'moment'],
      ]);
      // Triple keeps the default whole-call timeout: slower than Moment's 150 ms, it still answers.
      const triple = await gateway.gql('{ rewards { providerId } }');
      expect(triple.body.errors).toBeUndefined();
      expect((triple.body.data as { rewards: unknown[] }).rewards).toHaveLength(4);
    } finally {
      await gateway.stop();
    }
  });

  it('names a bad <PROVIDER>_TIMEOUT_MS', () => {
    expect(() => loadConfig({ TRIPLE_TIMEOUT_MS: 'soon' })).toThrow(/TRIPLE_TIMEOUT_MS: must be a whole number/);
  });
});

describe('unknown routes', () => {
  it('answer 404 naming the path only: a query string reaches neither the answer nor the log', async () => {
    const lines: string[] = [];
    const gateway = await startTestGateway({ env: { LOG_LEVEL: 'trace' }, logDestination: { write: (line) => void lines.push(line) } });
    try {
      const response = await fetch(`${gateway.url}/nowhere?pin=1234567890123456`);
      expect(response.status).toBe(404);
      expect(await response.json()).toEqual({ error: 'Not Found', message: 'No route for GET /nowhere' });
      expect(lines.some((line) => line.includes('/nowhere'))).toBe(true);
      expect(lines.join('\n')).not.toContain('1234567890123456');
    } finally {
      await gateway.stop();
    }
  });
});
