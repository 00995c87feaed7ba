/**
 * createUpstream against a real simulator on loopback: how 429/5xx answers meet the resilience
 * policies, how identical in-flight reads are shared, and how an answer is read.
 */
import diagnostics from 'node:diagnostics_channel';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isGatewayError } from '../../src/domain/errors.js';
import { createUpstream, dedupKeyOf, FailedAnswerError, type CallKind, type Upstream, type UpstreamRequest } from '../../src/http/upstream.js';
import { createMomentSimulator, SANDBOX_SECRET_KEY } from '../../src/providers/moment/simulator.js';
import type { Simulator } from '../../src/sim/kit.js';

const TYPES = '/collect/redemptions/types';
const TYPES_ROUTE = `GET ${TYPES}`;
const auth = { authorization: `Bearer ${SANDBOX_SECRET_KEY}` };
const read: UpstreamRequest = { kind: 'read', method: 'GET', path: TYPES, headers: auth };

let sim: Simulator;
let url: string;
const upstreams: Upstream[] = [];

beforeAll(async () => {
  sim = createMomentSimulator();
  url = await sim.listen();
});
afterAll(() => sim.close());
afterEach(async () => {
  sim.reset();
  await Promise.all(upstreams.splice(0).map((upstream) => upstream.close()));
});

/** An upstream whose policy wrapper records what each attempt produced, and retries reads once. */
function recordingUpstream() {
  const attempts: { kind: CallKind; outcome: unknown }[] = [];
  const upstream = createUpstream({
    provider: 'moment',
    baseUrl: url,
    timeouts: { connectMs: 1_000, headersMs: 5_000, totalMs: 5_000 },
    async execute(kind, call, signal) {
      const run = async () => {
        try {
          const value = await call(signal ?? new AbortController().signal);
          attempts.push({ kind, outcome: value });
          return value;
        } catch (error) {
          attempts.push({ kind, outcome: error });
          throw error;
        }
      };
      try {
        return await run();
      } catch (error) {
        if (kind === 'read' && isGatewayError(error) && error.retryable) return run();
        throw error;
      }
    },
  });
  upstreams.push(upstream);
  return { upstream, attempts };
}

describe('failed answers: 429, 5xx, a 2xx that is not JSON', () => {
  it.each([
    [429, 'RATE_LIMITED'],
    [500, 'PROVIDER_UNAVAILABLE'],
    [502, 'PROVIDER_UNAVAILABLE'],
    [503, 'PROVIDER_UNAVAILABLE'],
    [504, 'PROVIDER_TIMEOUT'],
  ] as const)('reach the policies as a failed attempt (%i -> %s), so a read is retried', async (status, code) => {
    const { upstream, attempts } = recordingUpstream();
    sim.faults.inject({ route: TYPES_ROUTE, times: 1, fault: { kind: 'status', status, headers: { 'retry-after': '3' } } });
    const response = await upstream.request(read);
    expect(response.status).toBe(200);
    expect(sim.calls(TYPES_ROUTE)).toHaveLength(2);
    const failed = attempts[0]!.outcome as FailedAnswerError;
    expect(failed).toBeInstanceOf(FailedAnswerError);
    expect(failed).toMatchObject({ code, provider: 'moment', httpStatus: status, retryable: true, requestSent: true, retryAfterMs: 3_000 });
  });

  it('hand the answer itself to the adapter once the policies give up', async () => {
    const { upstream } = recordingUpstream();
    sim.faults.inject({ route: 'POST /collect/redemptions', times: 1, fault: { kind: 'status', status: 503 } });
    const response = await upstream.request({ kind: 'write', method: 'POST', path: '/collect/redemptions', headers: auth, json: {} });
    expect(response).toMatchObject({ status: 503, body: { status: 503, detail: 'simulated 503' } });
    // A write is not retried by this wrapper's rule (nor by the gateway's): one call.
    expect(sim.calls('POST /collect/redemptions')).toHaveLength(1);
  });

  it('count a 2xx body that is not JSON as a failed attempt that is not retried', async () => {
    const { upstream, attempts } = recordingUpstream();
    sim.faults.inject({ route: TYPES_ROUTE, times: 1, fault: { kind: 'malformed' } });
    const response = await upstream.request(read);
    expect(response).toMatchObject({ status: 200, parseFailed: true });
    expect(sim.calls(TYPES_ROUTE)).toHaveLength(1);
    expect(attempts[0]!.outcome).toMatchObject({ code: 'PROVIDER_BAD_RESPONSE', retryable: false, httpStatus: 200 });
  });

  it('leave 4xx answers other than 429 to the adapter without a failed attempt', async () => {
    const { upstream, attempts } = recordingUpstream();
    const response = await upstream.request({ ...read, headers: { authorization: 'Bearer sk_wrong' } });
    expect(response.status).toBe(401);
    expect(attempts).toHaveLength(1);
    expect(attempts[0]!.outcome).toEqual(response);
  });
});

describe('in-flight deduplication', () => {
  it('keys reads by path, query and headers, whatever the header order or case', () => {
    const key = dedupKeyOf({ ...read, query: { a: 1 }, headers: { Authorization: 'Bearer x', accept: 'application/json' } });
    expect(dedupKeyOf({ ...read, query: { a: 1 }, headers: { accept: 'application/json', authorization: 'Bearer x' } })).toBe(key);
    expect(dedupKeyOf({ ...read, query: { a: 2 }, headers: { accept: 'application/json', authorization: 'Bearer x' } })).not.toBe(key);
    expect(dedupKeyOf({ ...read, query: { a: 1 }, headers: { accept: 'application/json', authorization: 'Bearer y' } })).not.toBe(key);
  });

  it.each<[string, UpstreamRequest]>([
    ['a write', { ...read, kind: 'write' }],
    ['a POST read', { ...read, method: 'POST' }],
    ['a read with a JSON body', { ...read, json: {} }],
    ['a read with a form body', { ...read, form: { a: 'b' } }],
  ])('never shares %s', (_name, request) => {
    expect(dedupKeyOf(request)).toBeUndefined();
  });

  it('gives every joiner its own copy of the body', async () => {
    const { upstream } = recordingUpstream();
    sim.faults.inject({ route: TYPES_ROUTE, times: 1, fault: { kind: 'latency', ms: 100 } });
    const [a, b] = await Promise.all([upstream.request(read), upstream.request(read)]);
    expect(sim.calls(TYPES_ROUTE)).toHaveLength(1);
    expect(a.body).toEqual(b.body);
    expect(a.body).not.toBe(b.body);
  });

  it('answers a joiner that aborts at once, and lets the others have the answer', async () => {
    const { upstream } = recordingUpstream();
    sim.faults.inject({ route: TYPES_ROUTE, times: 1, fault: { kind: 'latency', ms: 200 } });
    const leaving = new AbortController();
    const left = upstream.request({ ...read, signal: leaving.signal });
    const stays = upstream.request(read);
    leaving.abort(new Error('caller gone'));
    await expect(left).rejects.toThrow('caller gone');
    expect((await stays).status).toBe(200);
    expect(sim.calls(TYPES_ROUTE)).toHaveLength(1);
    expect(sim.calls(TYPES_ROUTE)[0]!.abandonedAt).toBeUndefined();
  });

  it('aborts the upstream call when every joiner has aborted, and starts afresh for the next', async () => {
    const { upstream } = recordingUpstream();
    sim.faults.inject({ route: TYPES_ROUTE, times: 1, fault: { kind: 'hang' } });
    const callers = [new AbortController(), new AbortController()];
    const pending = callers.map((caller) => upstream.request({ ...read, signal: caller.signal }));
    await expect.poll(() => sim.calls(TYPES_ROUTE).length).toBe(1);
    for (const caller of callers) caller.abort(new Error('gone'));
    for (const request of pending) await expect(request).rejects.toThrow('gone');
    await expect.poll(() => sim.calls(TYPES_ROUTE)[0]!.abandonedAt).toBeDefined();

    expect((await upstream.request(read)).status).toBe(200);
    expect(sim.calls(TYPES_ROUTE)).toHaveLength(2);
  });
});

describe('reading an answer', () => {
  it('reads a body that arrives in two chunks whole, with a character split between them', async () => {
    const bytes = Buffer.from(JSON.stringify({ name: 'Café Crème' }));
    const split = bytes.indexOf(Buffer.from('é')) + 1; // between the two bytes of the first 'é'
    // The rest is sent once the client has parsed the head and the first part: two chunks for sure.
    const headParsed = new Promise<void>((resolve) => {
      const onHeaders = () => {
        diagnostics.unsubscribe('undici:request:headers', onHeaders);
        resolve();
      };
      diagnostics.subscribe('undici:request:headers', onHeaders);
    });
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(bytes.length) });
      res.write(bytes.subarray(0, split));
      void headParsed.then(() => setImmediate(() => res.end(bytes.subarray(split))));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const upstream = createUpstream({
        provider: 'moment',
        baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        timeouts: { connectMs: 1_000, headersMs: 5_000, totalMs: 5_000 },
      });
      upstreams.push(upstream);
      const answer = await upstream.request({ kind: 'write', method: 'POST', path: '/', json: {} });
      expect(answer).toMatchObject({ status: 200, parseFailed: false, body: { name: 'Café Crème' } });
      expect(answer.headers['content-type']).toBe('application/json');
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
