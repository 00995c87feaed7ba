/**
 * The shared machinery of provider simulators: a real HTTP server on loopback that routes to a
 * provider's handlers, records every request it receives, and injects faults on demand.
 *
 * A simulator implements its provider's documented contract (auth, validation, envelopes,
 * state); this kit knows nothing of any provider. Faults are set from tests in-process
 * (`sim.faults.inject(...)`) or over HTTP (`POST /__sim/faults`), for the next N calls or for
 * good, for one route or all of them.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { sleepUntil } from './precise-sleep.js';

export interface SimRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  /** Route parameters (`:id` segments). */
  params: Record<string, string>;
  query: Record<string, string>;
  /** Header names in lower case. */
  headers: Record<string, string>;
  /** Parsed JSON or form body; the raw text when neither parses; undefined when empty. */
  body: unknown;
  rawBody: string;
}

export interface SimResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type SimHandler = (request: SimRequest) => SimResponse | Promise<SimResponse>;

export interface SimRoute {
  /** e.g. 'GET /collect/redemptions/:id' */
  route: string;
  handler: SimHandler;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  body: unknown;
  /** The route pattern that matched, e.g. 'GET /partner/rewards/:id'; undefined for no match. */
  route?: string;
  /** Epoch milliseconds (fractional) when the request arrived and when its answer was sent (if it was). */
  receivedAt: number;
  respondedAt?: number;
  /** When the connection closed before an answer was sent: the client gave up, or a reset fault. */
  abandonedAt?: number;
}

export type Fault =
  /** Wait this long, then answer normally (combines with one other fault). */
  | { kind: 'latency'; ms: number }
  /** Answer with this status; the body defaults to the provider's own error envelope. */
  | { kind: 'status'; status: number; body?: unknown; headers?: Record<string, string> }
  /** Answer 200 with a body that is not JSON. */
  | { kind: 'malformed' }
  /** Promise a longer body than is sent, then close the connection. */
  | { kind: 'truncated' }
  /** Close the connection before the request is handled: nothing is committed. */
  | { kind: 'reset' }
  /** Never answer. */
  | { kind: 'hang' }
  /** Handle the request (state changes commit), then close the connection without answering. */
  | { kind: 'commit-then-reset' }
  /** Handle the request, then rewrite the body of a 2xx answer (a changed shape, a different amount). */
  | { kind: 'mutate'; mutate: (body: unknown) => unknown };

export interface FaultRule {
  fault: Fault;
  /** Route pattern ('POST /collect/redemptions') or a plain method+path; all routes when absent. */
  route?: string;
  /** How many matching calls it applies to; for good when absent. */
  times?: number;
}

export interface FaultControls {
  inject(rule: FaultRule): void;
  clear(): void;
}

export interface SimulatorDefinition {
  name: string;
  routes: SimRoute[];
  /** The provider's error envelope for a forced status. */
  errorBody(status: number, message: string): unknown;
  /** Restores seeded state (called by `reset()`). */
  reset?(): void;
}

export interface Simulator {
  readonly name: string;
  /** Base URL once listening, e.g. http://127.0.0.1:41234 */
  readonly url: string;
  readonly requests: RecordedRequest[];
  readonly faults: FaultControls;
  /** A fixed latency added to every request (benchmarks). */
  latencyMs: number;
  listen(port?: number, host?: string): Promise<string>;
  close(): Promise<void>;
  /** Clears recorded requests and faults and restores seeded state. */
  reset(): void;
  /** Requests that matched a route pattern, e.g. `sim.calls('POST /collect/redemptions')`. */
  calls(route: string): RecordedRequest[];
}

interface CompiledRoute {
  route: string;
  method: string;
  pattern: RegExp;
  keys: string[];
  handler: SimHandler;
}

function compile(route: SimRoute): CompiledRoute {
  const [method, path] = route.route.split(' ') as [string, string];
  const keys: string[] = [];
  const source = path
    .split('/')
    .map((segment) => {
      if (segment.startsWith(':')) {
        keys.push(segment.slice(1));
        return '([^/]+)';
      }
      return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  return { route: route.route, method, pattern: new RegExp(`^${source}$`), keys, handler: route.handler };
}

const readBody = (request: IncomingMessage): Promise<string> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });

function parseBody(raw: string, contentType: string | undefined): unknown {
  if (raw === '') return undefined;
  if (contentType?.includes('application/x-www-form-urlencoded')) return Object.fromEntries(new URLSearchParams(raw));
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

function flatHeaders(request: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers[key] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

export function createSimulator(definition: SimulatorDefinition): Simulator {
  const routes = definition.routes.map(compile);
  const requests: RecordedRequest[] = [];
  let rules: FaultRule[] = [];
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let url = '';

  const faults: FaultControls = {
    inject: (rule) => void rules.push({ ...rule }),
    clear: () => void (rules = []),
  };

  /** Takes the faults for this call: every matching latency, then the first other one. */
  function takeFaults(route: string | undefined, method: string, path: string): Fault[] {
    const taken: Fault[] = [];
    let other = false;
    for (const rule of rules) {
      const matches = !rule.route || rule.route === route || rule.route === `${method} ${path}`;
      if (!matches || (rule.fault.kind !== 'latency' && other)) continue;
      if (rule.fault.kind !== 'latency') other = true;
      taken.push(rule.fault);
      if (rule.times !== undefined) rule.times -= 1;
    }
    rules = rules.filter((rule) => rule.times === undefined || rule.times > 0);
    return taken;
  }

  /** An answer ready to write: status, headers and the serialised body. */
  interface Rendered { status: number; headers: Record<string, string>; payload: string }

  function render(response: SimResponse): Rendered {
    const payload = response.body === undefined ? '' : JSON.stringify(response.body);
    return { status: response.status, headers: { ...(payload ? { 'content-type': 'application/json' } : {}), ...response.headers }, payload };
  }

  function write(res: ServerResponse, { status, headers, payload }: Rendered, record: RecordedRequest) {
    // The client hung up while the answer was being prepared (latency, a slow handler): nothing is sent.
    if (res.destroyed) return;
    res.writeHead(status, headers);
    res.end(payload);
    record.respondedAt = performance.timeOrigin + performance.now();
  }

  const send = (res: ServerResponse, response: SimResponse, record: RecordedRequest) => write(res, render(response), record);

  async function handleControl(req: IncomingMessage, res: ServerResponse, path: string, raw: string) {
    if (path === '/__sim/faults' && req.method === 'POST') {
      const rule = JSON.parse(raw) as FaultRule;
      faults.inject(rule);
      res.writeHead(204).end();
    } else if (path === '/__sim/faults' && req.method === 'DELETE') {
      faults.clear();
      res.writeHead(204).end();
    } else if (path === '/__sim/requests' && req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(requests));
    } else if (path === '/__sim/reset' && req.method === 'POST') {
      simulator.reset();
      res.writeHead(204).end();
    } else {
      res.writeHead(404).end();
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const arrived = performance.now();
    const receivedAt = performance.timeOrigin + arrived;
    const parsedUrl = new URL(req.url ?? '/', 'http://simulator');
    const path = parsedUrl.pathname;
    const raw = await readBody(req);
    if (path.startsWith('/__sim/')) return handleControl(req, res, path, raw);

    const method = req.method ?? 'GET';
    const headers = flatHeaders(req);
    const query = Object.fromEntries(parsedUrl.searchParams);
    const body = parseBody(raw, headers['content-type']);
    let params: Record<string, string> = {};
    const match = routes.find((candidate) => {
      if (candidate.method !== method) return false;
      const found = candidate.pattern.exec(path);
      if (!found) return false;
      params = Object.fromEntries(candidate.keys.map((key, i) => [key, decodeURIComponent(found[i + 1]!)]));
      return true;
    });
    const record: RecordedRequest = { method, path, query, headers, body, route: match?.route, receivedAt };
    requests.push(record);
    res.on('close', () => {
      if (!res.writableFinished) record.abandonedAt = performance.timeOrigin + performance.now();
    });

    const taken = takeFaults(match?.route, method, path);
    const latency = simulator.latencyMs + taken.reduce((sum, f) => sum + (f.kind === 'latency' ? f.ms : 0), 0);
    const fault = taken.find((f) => f.kind !== 'latency');
    const answer = async (): Promise<SimResponse> => match
      ? match.handler({ method, path, params, query, headers, body, rawBody: raw })
      : { status: 404, body: definition.errorBody(404, `no route for ${method} ${path}`) };
    if (!fault) {
      // Like a real provider, whose own work is part of its latency: the answer is prepared at
      // once and written `latency` ms after the request arrived, however long the handler took
      // (when it took less). Answers to calls made together then leave together.
      const rendered = render(await answer());
      if (latency > 0) await sleepUntil(arrived + latency);
      return write(res, rendered, record);
    }
    // A fault plays out after the latency: a hung or reset call never ran its handler.
    if (latency > 0) await sleepUntil(arrived + latency);

    switch (fault.kind) {
      case 'reset':
        return void req.socket.destroy();
      case 'hang':
        return;
      case 'malformed':
        res.writeHead(200, { 'content-type': 'application/json' });
        return void res.end('{"unterminated": ');
      case 'truncated':
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '4096' });
        res.write('{"partial": tr');
        return void setImmediate(() => req.socket.destroy());
      case 'status':
        return send(res, {
          status: fault.status,
          body: fault.body ?? definition.errorBody(fault.status, `simulated ${fault.status}`),
          headers: fault.headers,
        }, record);
      default:
        break;
    }

    const response = await answer();
    if (!match) return send(res, response, record);
    if (fault.kind === 'commit-then-reset') return void req.socket.destroy();
    if (fault.kind === 'mutate' && response.status < 300) response.body = fault.mutate(structuredClone(response.body));
    send(res, response, record);
  }

  const simulator: Simulator = {
    name: definition.name,
    get url() {
      return url;
    },
    requests,
    faults,
    latencyMs: 0,
    async listen(port = 0, host = '127.0.0.1') {
      server = createServer({ keepAlive: true }, (req, res) => {
        handle(req, res).catch((error: unknown) => {
          if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
          res.end(JSON.stringify(definition.errorBody(500, String(error))));
        });
      });
      server.keepAliveTimeout = 60_000;
      server.on('connection', (socket) => {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
      });
      await new Promise<void>((resolve) => server!.listen(port, host, resolve));
      const address = server.address() as AddressInfo;
      url = `http://${host}:${address.port}`;
      return url;
    },
    async close() {
      if (!server) return;
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server!.close(() => resolve()));
      server = undefined;
    },
    reset() {
      requests.length = 0;
      faults.clear();
      definition.reset?.();
    },
    calls: (route) => requests.filter((r) => r.route === route),
  };
  return simulator;
}
