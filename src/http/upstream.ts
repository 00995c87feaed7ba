/**
 * The one way adapters reach a provider: a pooled keep-alive undici client per provider origin,
 * with connect, response-header and whole-call timeouts, and transport failures classified into
 * GatewayErrors that say whether the request may have reached the provider. Identical reads in
 * flight at the same time (same method, path, query and headers, so the same credentials) share
 * one upstream call: a burst of requests for the same record costs the provider one request.
 *
 * Adapters build requests and read bodies; this module never knows a provider's wire format.
 */
import { Pool, type Dispatcher } from 'undici';
import type { z } from 'zod';
import { GatewayError, parseRetryAfter, ruleForHttpStatus, type ErrorCode } from '../domain/errors.js';
import type { ProviderName } from '../domain/provider.js';

export interface UpstreamTimeouts {
  /** TCP/TLS connect. A connect failure is the only failure a write may be retried after. */
  connectMs: number;
  /** Time to the response headers once the request was sent. */
  headersMs: number;
  /** The whole call, body included. */
  totalMs: number;
}

export interface UpstreamOptions {
  provider: ProviderName;
  baseUrl: string;
  timeouts: UpstreamTimeouts;
  /** Keep-alive connections in the pool. */
  connections?: number;
  /**
   * Wraps every call (resilience policies: breaker, bulkhead, retries for reads). Receives the
   * call's kind so that writes are never retried blindly.
   */
  execute?: <T>(kind: CallKind, call: (signal: AbortSignal) => Promise<T>, signal?: AbortSignal) => Promise<T>;
}

/** Reads are safe to repeat; writes move money or state and are never retried blindly. */
export type CallKind = 'read' | 'write';

export interface UpstreamRequest {
  kind: CallKind;
  method: Dispatcher.HttpMethod;
  /** Path below the base URL, starting with '/'. */
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  headers?: Record<string, string>;
  /** Sent as JSON. */
  json?: unknown;
  /** Sent as application/x-www-form-urlencoded. */
  form?: Record<string, string>;
  signal?: AbortSignal;
}

export interface UpstreamResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The parsed JSON body; undefined when the body was empty or not JSON (see `parseFailed`). */
  body: unknown;
  /** True when a body was present but was not valid JSON. */
  parseFailed: boolean;
}

export interface Upstream {
  readonly provider: ProviderName;
  /**
   * Sends a request through the resilience policies. A read GET identical to one already in flight
   * joins it instead (see `dedupKeyOf`): every joiner gets its own copy of the body, and the shared
   * call is aborted only when every joiner has aborted.
   */
  request(request: UpstreamRequest): Promise<UpstreamResponse>;
  close(): Promise<void>;
}

const passThrough = <T>(_kind: CallKind, call: (signal: AbortSignal) => Promise<T>, signal?: AbortSignal) =>
  call(signal ?? new AbortController().signal);

export function createUpstream(options: UpstreamOptions): Upstream {
  const { provider, timeouts } = options;
  const base = new URL(options.baseUrl);
  const basePath = base.pathname.replace(/\/$/, '');
  const pool = new Pool(base.origin, {
    connections: options.connections ?? 64,
    pipelining: 1,
    keepAliveTimeout: 30_000,
    connect: { timeout: timeouts.connectMs },
    headersTimeout: timeouts.headersMs,
    bodyTimeout: timeouts.totalMs,
  });
  const execute = options.execute ?? passThrough;

  async function send(request: UpstreamRequest, signal: AbortSignal): Promise<UpstreamResponse> {
    const headers: Record<string, string> = { accept: 'application/json', ...request.headers };
    let body: string | undefined;
    if (request.json !== undefined) {
      body = JSON.stringify(request.json);
      headers['content-type'] = 'application/json';
    } else if (request.form) {
      body = new URLSearchParams(request.form).toString();
      headers['content-type'] = 'application/x-www-form-urlencoded';
    }
    const deadline = callDeadline(signal, timeouts.totalMs);
    try {
      const response = await exchange(pool, { method: request.method, path: basePath + request.path + queryString(request.query), headers, body }, deadline.signal);
      const parsed = parseJson(response.text);
      const answer = { status: response.status, headers: response.headers, body: parsed.value, parseFailed: parsed.failed };
      if (parsed.value !== undefined) bodyTexts.set(answer, response.text);
      return answer;
    } catch (error) {
      if (signal.aborted && !deadline.timedOut) throw signal.reason ?? error;
      throw classifyTransportError(provider, error, deadline.timedOut);
    } finally {
      deadline.clear();
    }
  }

  /**
   * One attempt as the resilience policies see it. A failed answer (see `failedAnswer`) is thrown,
   * so that the breaker counts it and a retryable one is retried (honouring Retry-After); once the
   * policies are done, `run` hands the answer back to the adapter, which maps it with its own tables.
   */
  async function attempt(request: UpstreamRequest, signal: AbortSignal): Promise<UpstreamResponse> {
    const response = await send(request, signal);
    const failure = failedAnswer(provider, response);
    if (failure) throw failure;
    return response;
  }

  const run = (request: UpstreamRequest, signal: AbortSignal | undefined) =>
    execute(request.kind, (callSignal) => attempt(request, callSignal), signal).catch(answerOfFailedAnswer);

  const inFlight = new Map<string, SharedCall>();

  function shared(key: string, request: UpstreamRequest): Promise<UpstreamResponse> {
    let call = inFlight.get(key);
    // A call every waiter abandoned is finishing its abort: later requests start afresh.
    if (!call || call.controller?.signal.aborted) {
      // Only a call whose first waiter can abort can ever be abandoned by all of them (a waiter
      // without a signal stays to the end): the others need no controller (a signal costs ~5 µs).
      const controller = request.signal ? new AbortController() : undefined;
      const fresh: SharedCall = {
        promise: run(request, controller?.signal).finally(() => {
          if (inFlight.get(key) === fresh) inFlight.delete(key);
        }),
        controller,
        waiters: 0,
      };
      inFlight.set(key, fresh);
      call = fresh;
    }
    return join(call, request.signal);
  }

  return {
    provider,
    request(request) {
      const key = dedupKeyOf(request);
      return key === undefined ? run(request, request.signal) : shared(key, request);
    },
    close: () => pool.close(),
  };
}

/**
 * An answer the policies treat as a failed attempt, carrying the answer itself, which the adapter
 * receives once the policies are done with it. `requestSent` is true: a write is never retried.
 */
export class FailedAnswerError extends GatewayError {
  constructor(code: ErrorCode, message: string, readonly response: UpstreamResponse, options: { provider: ProviderName; retryable: boolean }) {
    super(code, message, {
      ...options,
      httpStatus: response.status,
      providerCode: String(response.status),
      retryAfterMs: retryAfterOf(response),
      requestSent: true,
    });
  }
}

/**
 * Whether an answer is a failed attempt: a 429 or 5xx (the provider limiting us or failing; code and
 * retryability from the shared HTTP-status table), or a 2xx whose body is not JSON
 * (PROVIDER_BAD_RESPONSE, not retried: the provider answered and would likely answer the same).
 */
export function failedAnswer(provider: ProviderName, response: UpstreamResponse): FailedAnswerError | undefined {
  const { status } = response;
  if (status === 429 || status >= 500) {
    const rule = ruleForHttpStatus(status);
    return new FailedAnswerError(rule.code, `${provider} answered ${status}`, response, { provider, retryable: rule.retryable });
  }
  if (status >= 200 && status < 300 && response.parseFailed) {
    return new FailedAnswerError('PROVIDER_BAD_RESPONSE', `${provider} sent a body that is not JSON`, response, { provider, retryable: false });
  }
  return undefined;
}

function answerOfFailedAnswer(error: unknown): UpstreamResponse {
  if (error instanceof FailedAnswerError) return error.response;
  throw error;
}

/** One upstream read shared by the identical requests that arrived while it was in flight. */
interface SharedCall {
  promise: Promise<UpstreamResponse>;
  /** Aborts the upstream call once the last waiter has aborted; absent when the first waiter had no signal. */
  controller?: AbortController;
  waiters: number;
}

/**
 * The key under which identical reads share one call, or undefined for a request that must go
 * alone: writes, non-GET methods and requests with a body. Headers are part of the key, so callers
 * with different credentials never share an answer.
 */
export function dedupKeyOf(request: UpstreamRequest): string | undefined {
  if (request.kind !== 'read' || request.method !== 'GET' || request.json !== undefined || request.form) return undefined;
  // Unambiguous: neither a request target nor a header value may hold a line break (RFC 9110/9112),
  // and a header name holds no ':'.
  const headers = Object.entries(request.headers ?? {})
    .map(([name, value]) => `${name.toLowerCase()}:${value}`)
    .sort();
  return `${request.path}${queryString(request.query)}\n${headers.join('\n')}`;
}

/** The JSON text each parsed answer was read from: a joiner's copy is parsed afresh from it. */
const bodyTexts = new WeakMap<UpstreamResponse, string>();

/** A private copy of an answer: re-parsing its text costs less than structuredClone. */
function copyOf(response: UpstreamResponse): UpstreamResponse {
  const text = bodyTexts.get(response);
  const body = text === undefined ? structuredClone(response.body) : JSON.parse(text);
  return { ...response, headers: { ...response.headers }, body };
}

/** Waits for a shared call as one of its waiters: a private copy of the body, and leaving on abort. */
function join(call: SharedCall, signal: AbortSignal | undefined): Promise<UpstreamResponse> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  call.waiters++;
  return new Promise<UpstreamResponse>((resolve, reject) => {
    let left = false;
    const leave = () => {
      if (left) return false;
      left = true;
      call.waiters--;
      signal?.removeEventListener('abort', onAbort);
      return true;
    };
    const onAbort = () => {
      if (!leave()) return;
      if (call.waiters === 0) call.controller?.abort(signal!.reason);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    call.promise.then(
      (response) => {
        // The call has left `inFlight` by now, so no waiter joins any more: the last one to leave
        // takes the answer itself, each other waiter a copy (a lone waiter copies nothing).
        const last = call.waiters === 1;
        if (leave()) resolve(last ? response : copyOf(response));
      },
      (error: unknown) => {
        if (leave()) reject(error);
      },
    );
  });
}

/** A whole answer: status, headers and the body as text. */
interface Exchanged {
  status: number;
  headers: UpstreamResponse['headers'];
  text: string;
}

/**
 * One request and its whole answer through undici's dispatch API. Bodies here are small JSON
 * documents read whole, so the answer is collected straight from the parser: none of the
 * per-call Readable stream, async resource and stream ticks of `pool.request()` + `body.text()`.
 * An abort of `signal` (before or during the call) rejects with its reason.
 */
function exchange(pool: Dispatcher, options: Dispatcher.DispatchOptions, signal: AbortSignal): Promise<Exchanged> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    let controller: Dispatcher.DispatchController | undefined;
    let status = 0;
    let headers: Exchanged['headers'] = {};
    const chunks: Buffer[] = [];
    const onAbort = () => controller?.abort(signal.reason);
    const settle = () => signal.removeEventListener('abort', onAbort);
    signal.addEventListener('abort', onAbort, { once: true });
    pool.dispatch(options, {
      onRequestStart(started) {
        controller = started;
        if (signal.aborted) started.abort(signal.reason);
      },
      // 1xx answers come first and are superseded by the final one.
      onResponseStart(_controller, statusCode, responseHeaders) {
        status = statusCode;
        headers = responseHeaders;
      },
      onResponseData(_controller, chunk) {
        chunks.push(chunk);
      },
      onResponseEnd() {
        settle();
        resolve({ status, headers, text: Buffer.concat(chunks).toString('utf8') });
      },
      onResponseError(_controller, error) {
        settle();
        reject(error);
      },
    });
  });
}

/**
 * One call's abort signal: aborted by the caller's signal, or with a TimeoutError once `totalMs`
 * have passed (`timedOut` then true). Equivalent to AbortSignal.any([signal,
 * AbortSignal.timeout(totalMs)]) at a fraction of its cost per call; `clear()` once the call is over.
 */
function callDeadline(signal: AbortSignal, totalMs: number): { signal: AbortSignal; readonly timedOut: boolean; clear(): void } {
  const controller = new AbortController();
  let timedOut = false;
  const onAbort = () => controller.abort(signal.reason);
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError'));
  }, totalMs);
  timer.unref();
  if (signal.aborted) onAbort();
  else signal.addEventListener('abort', onAbort, { once: true });
  return {
    signal: controller.signal,
    get timedOut() {
      return timedOut;
    },
    clear() {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    },
  };
}

function queryString(query: UpstreamRequest['query']): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined) params.append(key, String(value));
  const text = params.toString();
  return text ? `?${text}` : '';
}

function parseJson(text: string): { value: unknown; failed: boolean } {
  if (text.trim() === '') return { value: undefined, failed: false };
  try {
    return { value: JSON.parse(text), failed: false };
  } catch {
    return { value: undefined, failed: true };
  }
}

/** Error codes meaning the request never left this machine: safe to retry, even a write. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'UND_ERR_CONNECT_TIMEOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

/** Turns an undici failure into a GatewayError that says whether the request may have arrived. */
export function classifyTransportError(provider: ProviderName, error: unknown, timedOut: boolean): GatewayError {
  const code = errorCode(error);
  if (code && NOT_SENT_CODES.has(code)) {
    return new GatewayError('PROVIDER_UNAVAILABLE', `${provider} could not be reached`, {
      provider, retryable: true, requestSent: false, cause: error,
    });
  }
  if (timedOut || (code && TIMEOUT_CODES.has(code))) {
    return new GatewayError('PROVIDER_TIMEOUT', `${provider} did not answer in time`, {
      provider, retryable: true, requestSent: true, cause: error,
    });
  }
  return new GatewayError('PROVIDER_UNAVAILABLE', `${provider} closed the connection`, {
    provider, retryable: true, requestSent: true, cause: error,
  });
}

function errorCode(error: unknown): string | undefined {
  for (let current = error as { code?: unknown; cause?: unknown } | undefined, depth = 0; current && depth < 4; depth++) {
    if (typeof current.code === 'string') return current.code;
    current = current.cause as typeof current;
  }
  return undefined;
}

/**
 * Parses a provider body with its wire schema. A body that does not match is
 * PROVIDER_BAD_RESPONSE: never a crash, never passed on.
 */
export function parseWire<S extends z.ZodType>(provider: ProviderName, schema: S, response: UpstreamResponse): z.infer<S> {
  if (response.parseFailed) {
    throw new GatewayError('PROVIDER_BAD_RESPONSE', `${provider} sent a body that is not JSON`, {
      provider, httpStatus: response.status, retryable: false,
    });
  }
  const result = schema.safeParse(response.body);
  if (!result.success) {
    throw new GatewayError('PROVIDER_BAD_RESPONSE', `${provider} sent a body of an unexpected shape`, {
      provider, httpStatus: response.status, retryable: false, cause: result.error,
    });
  }
  return result.data;
}

/** The Retry-After hint of a response, in milliseconds. */
export const retryAfterOf = (response: UpstreamResponse): number | undefined => parseRetryAfter(response.headers['retry-after']);
