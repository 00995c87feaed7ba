/**
 * The hot-path shortcuts of issue 8 keep behaviour: a remembered token still expires on time and
 * hands out independent callers; the per-request access line keeps its format (and never the query
 * string) though written without redaction; the request logger built on first use logs like the
 * service logger; WORKERS is validated.
 */
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { createAuthenticator, mintToken, UNAUTHENTICATED_MESSAGE } from '../../src/auth/tokens.js';
import { workerCount } from '../../src/cluster.js';
import { createLogger, LazyChildLogger } from '../../src/logger.js';
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
  const gateways: TestGateway[] = [];
  const start = async (level: string) => {
    const gateway = await startTestGateway({ env: { LOG_LEVEL: level }, logDestination: { write: (line) => void lines.push(JSON.parse(line)) } });
    gateways.push(gateway);
    return gateway;
  };
  afterAll(() => Promise.all(gateways.map((gateway) => gateway.stop())));

  /** A GET whose query string holds a PIN-like variable, tagged with a request id; the request's lines. */
  async function linesOf(gateway: TestGateway, requestId: string) {
    const query = encodeURIComponent('{ viewer { subject } }');
    const response = await fetch(`${gateway.url}/graphql?query=${query}&variables=%7B%22pin%22%3A%221234%22%7D`, {
      headers: { authorization: `Bearer ${gateway.tokens.user}`, 'apollo-require-preflight': 'true', 'x-request-id': requestId },
    });
    expect(response.status).toBe(200);
    const mine = lines.filter((line) => line.reqId === requestId);
    expect(JSON.stringify(mine)).not.toContain('1234');
    expect(JSON.stringify(mine)).not.toContain(gateway.tokens.user);
    return mine;
  }

  const request = { method: 'GET', url: '/graphql', host: expect.any(String), remoteAddress: '127.0.0.1', remotePort: expect.any(Number) };

  it('writes one access line per request at info, in the service format, without the query string', async () => {
    const mine = await linesOf(await start('info'), 'perf-log-1');
    expect(mine).toEqual([{
      level: 30,
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      service: 'redemption-gateway',
      reqId: 'perf-log-1',
      req: request,
      res: { statusCode: 200 },
      responseTime: expect.any(Number),
      msg: 'request completed',
    }]);
  });

  it('adds the "incoming request" line at debug', async () => {
    const mine = await linesOf(await start('debug'), 'perf-log-2');
    expect(mine.map((line) => line.msg)).toEqual(['incoming request', 'request completed']);
    expect(mine[0]).toEqual({
      level: 20, time: expect.any(String), service: 'redemption-gateway', reqId: 'perf-log-2', req: request, msg: 'incoming request',
    });
  });
});

describe('the lazily built request logger', () => {
  const setup = (level: string) => {
    const lines: Record<string, unknown>[] = [];
    const parent = createLogger(level, { write: (line: string) => void lines.push(JSON.parse(line)) });
    const child = vi.spyOn(parent, 'child');
    return { lines, child, logger: new LazyChildLogger(parent, { reqId: 'r-1' }, {}) };
  };

  it('builds no pino child for a request that logs nothing, or only below the level', () => {
    const { lines, child, logger } = setup('info');
    logger.debug({ detail: 1 }, 'below the level');
    logger.trace('below the level');
    expect(logger.level).toBe('info');
    expect(child).not.toHaveBeenCalled();
    expect(lines).toEqual([]);
  });

  it('writes through one child with the request id, redacted like the service logger', () => {
    const { lines, child, logger } = setup('info');
    logger.warn({ provider: 'moment', headers: { authorization: 'Bearer sk_live_x' }, voucher: { pin: '1234567890' } }, 'first');
    logger.error('second');
    expect(child).toHaveBeenCalledTimes(1);
    expect(lines.map(({ time: _time, ...line }) => line)).toEqual([
      { level: 40, service: 'redemption-gateway', reqId: 'r-1', provider: 'moment', headers: { authorization: '[redacted]' }, voucher: { pin: '[redacted]' }, msg: 'first' },
      { level: 50, service: 'redemption-gateway', reqId: 'r-1', msg: 'second' },
    ]);
  });

  it('hands out children that keep the request id', () => {
    const { lines, logger } = setup('info');
    logger.child({ step: 'resolve' }).info('nested');
    expect(lines).toMatchObject([{ reqId: 'r-1', step: 'resolve', msg: 'nested' }]);
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
