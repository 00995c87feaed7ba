/**
 * The hot-path shortcuts of issue 8 keep behaviour: a remembered token still expires on time and
 * hands out independent callers; the per-request log lines keep their format (and never the query
 * string) though written without redaction; WORKERS is validated.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createAuthenticator, mintToken, UNAUTHENTICATED_MESSAGE } from '../../src/auth/tokens.js';
import { workerCount } from '../../src/cluster.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

const SECRET = 'performance-test-secret-0123456789abcdef';

describe('verified-token cache', () => {
  afterEach(() => vi.useRealTimers());

  it('refuses a remembered token once it has expired', async () => {
    const authenticator = createAuthenticator({ secret: SECRET });
    const token = await mintToken({ subject: 'u1', role: 'user' }, { secret: SECRET, expiresIn: '30s' });
    expect(await authenticator.authenticate(`Bearer ${token}`)).toMatchObject({ subject: 'u1', role: 'user' });
    expect(await authenticator.authenticate(`Bearer ${token}`)).toMatchObject({ subject: 'u1', role: 'user' });
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 31_000 }); // expired, though within the cache's own 60 s
    await expect(authenticator.authenticate(`Bearer ${token}`)).rejects.toThrow(UNAUTHENTICATED_MESSAGE);
  });

  it('hands every request its own caller', async () => {
    const authenticator = createAuthenticator({ secret: SECRET });
    const token = await mintToken({ subject: 'u1', role: 'user', scopes: ['a', 'b'] }, { secret: SECRET });
    const first = (await authenticator.authenticate(`Bearer ${token}`))!;
    first.scopes.push('injected');
    first.subject = 'someone-else';
    expect(await authenticator.authenticate(`Bearer ${token}`)).toEqual({ subject: 'u1', role: 'user', businessId: undefined, scopes: ['a', 'b'], token });
  });

  it('never remembers a refused token', async () => {
    const authenticator = createAuthenticator({ secret: SECRET });
    const forged = await mintToken({ subject: 'u1', role: 'admin' }, { secret: `${SECRET}-other` });
    for (let i = 0; i < 2; i++) await expect(authenticator.authenticate(`Bearer ${forged}`)).rejects.toThrow(UNAUTHENTICATED_MESSAGE);
  });
});

describe('per-request log lines', () => {
  const lines: Record<string, unknown>[] = [];
  let gateway: TestGateway;
  beforeAll(async () => {
    gateway = await startTestGateway({ env: { LOG_LEVEL: 'info' }, logDestination: { write: (line) => void lines.push(JSON.parse(line)) } });
  });
  afterAll(() => gateway.stop());

  it('logs "incoming request" and "request completed" once each, in the service format, without the query string', async () => {
    const query = encodeURIComponent('{ viewer { subject } }');
    const response = await fetch(`${gateway.url}/graphql?query=${query}&variables=%7B%22pin%22%3A%221234%22%7D`, {
      headers: { authorization: `Bearer ${gateway.tokens.user}`, 'apollo-require-preflight': 'true', 'x-request-id': 'perf-log-1' },
    });
    expect(response.status).toBe(200);
    const mine = lines.filter((line) => line.reqId === 'perf-log-1');
    expect(mine.map((line) => line.msg)).toEqual(['incoming request', 'request completed']);
    expect(mine[0]).toEqual({
      level: 30,
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      service: 'redemption-gateway',
      reqId: 'perf-log-1',
      req: { method: 'GET', url: '/graphql', host: expect.any(String), remoteAddress: '127.0.0.1', remotePort: expect.any(Number) },
      msg: 'incoming request',
    });
    expect(mine[1]).toEqual({
      level: 30,
      time: expect.any(String),
      service: 'redemption-gateway',
      reqId: 'perf-log-1',
      res: { statusCode: 200 },
      responseTime: expect.any(Number),
      msg: 'request completed',
    });
    expect(JSON.stringify(mine)).not.toContain('1234');
    expect(JSON.stringify(mine)).not.toContain(gateway.tokens.user);
  });
});

describe('WORKERS', () => {
  it.each([[undefined, 1], ['', 1], ['1', 1], ['4', 4], ['64', 64]])('reads %j as %d', (value, count) => {
    expect(workerCount(value)).toBe(count);
  });

  it.each(['0', '-1', '1.5', 'two', '65'])('refuses %j', (value) => {
    expect(() => workerCount(value)).toThrow(/WORKERS: must be an integer from 1 to 64/);
  });
});
