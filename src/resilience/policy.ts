/**
 * Per-provider resilience: one bulkhead, one circuit breaker and a retry loop per provider, plugged
 * into `createUpstream({ execute })`. Built on cockatiel (bulkhead, SamplingBreaker, exponential
 * backoff with full jitter); this module adds the gateway's rules about *what* may be retried.
 *
 * Order, outermost first: bulkhead -> breaker -> retry -> call.
 * - Bulkhead outermost: a rejection is our own load shedding, not evidence about the provider, so it
 *   never reaches the breaker and never skews its error rate. A call that waited in the queue asks
 *   the breaker only when it gets a slot, so if the circuit opened meanwhile it fails fast instead
 *   of hitting a provider known to be down. And a call keeps its slot while it backs off and
 *   retries, so retries can never push concurrency past `maxConcurrent` (no retry storms).
 * - Breaker outside the retries: it judges logical calls (the outcome after retries), and an open
 *   circuit rejects before any attempt. The retry loop also stops early when the circuit opened
 *   (because of other calls) while it was backing off.
 * - Retry innermost, around the bare call: our own loop rather than cockatiel's RetryPolicy, because
 *   the decision depends on the call's kind and on the error (requestSent, retryable, Retry-After),
 *   there is a total time budget, and the sleep is injectable; the delays come from cockatiel's
 *   ExponentialBackoff with its full-jitter generator.
 */
import {
  bulkhead as createBulkhead,
  circuitBreaker,
  CircuitState,
  ExponentialBackoff,
  fullJitterGenerator,
  handleWhen,
  isBrokenCircuitError,
  isBulkheadRejectedError,
  SamplingBreaker,
  TaskCancelledError,
  type IBackoff,
  type IDisposable,
} from 'cockatiel';
import { setMaxListeners } from 'node:events';
import { setTimeout as delay } from 'node:timers/promises';
import { GatewayError, isGatewayError, type ErrorCode } from '../domain/errors.js';
import type { ProviderName } from '../domain/provider.js';
import type { CallKind, UpstreamOptions } from '../http/upstream.js';

export interface ResilienceSettings {
  retry: {
    /** Attempts in total, the first one included (1 = never retry). */
    maxAttempts: number;
    /** Cap of the first backoff delay; each later cap doubles (full jitter: the delay is random in [0, cap)). */
    initialDelayMs: number;
    /** Upper bound of any computed backoff delay (a provider's Retry-After is not capped by it). */
    maxDelayMs: number;
    /** Time budget of one logical call from its first attempt: a retry whose delay would end past it is not made. */
    maxDurationMs: number;
  };
  breaker: {
    /** Share of failed calls (0..1, exclusive) in the window above which the circuit opens. */
    errorRateThreshold: number;
    /** Rolling window the error rate is measured over. */
    windowMs: number;
    /** Calls needed in the window before the error rate may open the circuit (cockatiel's minimumRps x window). */
    minimumCalls: number;
    /** How long the circuit stays open before one probe call is let through (half-open). */
    halfOpenAfterMs: number;
  };
  bulkhead: {
    /** Calls to this provider running at once (each holds its slot across its retries). */
    maxConcurrent: number;
    /** Calls waiting for a slot; beyond that calls are rejected at once. */
    maxQueued: number;
  };
}

/**
 * Defaults modelled on WunderGraph Cosmo's per-subgraph traffic shaping (router config:
 * `traffic_shaping.all.retry` and `circuit_breaker`), tightened where a partner is waiting
 * synchronously on a GraphQL answer.
 */
export const DEFAULT_RESILIENCE: ResilienceSettings = {
  retry: {
    // Cosmo: max_attempts 5. Three attempts in total here: every attempt can take a full upstream
    // timeout while a partner waits on the response, and writes are mostly not retried anyway.
    maxAttempts: 3,
    // Cosmo: interval 3s (backoff_jitter). 100 ms: our transient faults are connect failures and
    // 5xx blips; a provider that needs longer says so with Retry-After, which is honoured.
    initialDelayMs: 100,
    // Cosmo: max_duration 10s, which there caps a single wait. Same role here, at 2 s.
    maxDelayMs: 2_000,
    // No direct Cosmo equivalent (its request_timeout, 60s, bounds the whole call). Retries stop
    // once a further wait would end more than 5 s after the first attempt started.
    maxDurationMs: 5_000,
  },
  breaker: {
    // Cosmo: error_threshold_percentage 50.
    errorRateThreshold: 0.5,
    // Cosmo: rolling_duration 10s (num_buckets 10; cockatiel's SamplingBreaker uses 1 s buckets).
    windowMs: 10_000,
    // Cosmo: request_threshold 20 calls in the rolling window.
    minimumCalls: 20,
    // Cosmo: sleep_window 5s; half_open_attempts 1 and required_successful 1 match cockatiel's
    // single probe whose success closes the circuit.
    halfOpenAfterMs: 5_000,
  },
  bulkhead: {
    // Cosmo: max_concurrent_requests -1 (unbounded), max_conns_per_host 100. 64 matches the
    // upstream pool's default keep-alive connections, so calls never queue inside undici.
    maxConcurrent: 64,
    // A short queue absorbs bursts; beyond it callers get PROVIDER_UNAVAILABLE at once.
    maxQueued: 64,
  },
};

export interface ProviderHealth {
  breaker: 'closed' | 'open' | 'half-open';
  /** Failed attempts / attempts over the breaker's rolling window (0 when there were none). */
  errorRate: number;
  /** Attempts that reached the call in the breaker's rolling window. */
  calls: number;
  /** Latency of the last LATENCY_SAMPLES attempts, nearest-rank percentiles (0 when none yet). */
  latencyMs: { p50: number; p95: number; p99: number };
  /** Calls holding a bulkhead slot (running or backing off between attempts). */
  inFlight: number;
  /** Calls waiting for a bulkhead slot. */
  queued: number;
}

export interface ProviderResilience {
  execute: NonNullable<UpstreamOptions['execute']>;
  health(): ProviderHealth;
  /** Stops the policies: running and queued calls are aborted, later calls are rejected. */
  dispose(): void;
}

export interface ResilienceLogger {
  warn(o: object, m: string): void;
  info(o: object, m: string): void;
}

export interface ResilienceOptions {
  logger?: ResilienceLogger;
  /** Clock for the retry budget, latencies and the health window. Defaults to performance.now(). */
  now?: () => number;
  /** Backoff sleep; tests inject one that records delays. Defaults to a timer. */
  sleep?: (ms: number) => Promise<void>;
}

/** Latency samples kept per provider for the percentiles. */
export const LATENCY_SAMPLES = 512;

/** The failures that say something about the provider's health; user errors (NOT_FOUND...) do not. */
export const BREAKER_FAILURE_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'PROVIDER_UNAVAILABLE',
  'PROVIDER_TIMEOUT',
  'PROVIDER_BAD_RESPONSE',
]);

export const isProviderFailure = (error: unknown): error is GatewayError =>
  isGatewayError(error) && BREAKER_FAILURE_CODES.has(error.code);

/**
 * Whether a failed attempt may be repeated: only retryable GatewayErrors, and for a write only when
 * the request certainly never left (connect failure). A write that may have arrived is never retried.
 */
export function isRetryableFailure(kind: CallKind, error: unknown): error is GatewayError {
  if (!isGatewayError(error) || !error.retryable) return false;
  return kind === 'read' || error.requestSent === false;
}

export function createProviderResilience(
  provider: ProviderName,
  settings: ResilienceSettings,
  options: ResilienceOptions = {},
): ProviderResilience {
  const { logger } = options;
  const now = options.now ?? (() => performance.now());
  const sleep: (ms: number, signal: AbortSignal) => Promise<void> = options.sleep
    ? (ms) => options.sleep!(ms)
    : (ms, signal) => delay(ms, undefined, { signal });

  const bulkhead = createBulkhead(settings.bulkhead.maxConcurrent, settings.bulkhead.maxQueued);
  const breaker = circuitBreaker(
    handleWhen((error) => isProviderFailure(error)),
    {
      halfOpenAfter: settings.breaker.halfOpenAfterMs,
      breaker: new SamplingBreaker({
        threshold: settings.breaker.errorRateThreshold,
        duration: settings.breaker.windowMs,
        // cockatiel counts a minimum rate; half a call of slack keeps float rounding from asking
        // for minimumCalls + 1.
        minimumRps: ((settings.breaker.minimumCalls - 0.5) * 1000) / settings.breaker.windowMs,
      }),
    },
  );
  const backoffFactory = new ExponentialBackoff({
    generator: fullJitterGenerator,
    initialDelay: settings.retry.initialDelayMs,
    maxDelay: settings.retry.maxDelayMs,
  });

  const window = new RollingCounts(settings.breaker.windowMs, now);
  const latencies = new LatencyRing(LATENCY_SAMPLES);
  const lifetime = new AbortController();
  // Every call in flight listens on it (a few listeners each, removed when the call ends), so its
  // count is bounded by the bulkhead, not by time: no "possible leak" warning past 10.
  setMaxListeners(0, lifetime.signal);

  const subscriptions: IDisposable[] = [
    breaker.onBreak((reason) => {
      const error = 'error' in reason ? reason.error : undefined;
      logger?.warn(
        { provider, code: isGatewayError(error) ? error.code : undefined, err: error?.message, isolated: 'isolated' in reason },
        'provider circuit opened',
      );
    }),
    breaker.onHalfOpen(() => logger?.info({ provider }, 'provider circuit half-open: probing')),
    breaker.onReset(() => logger?.info({ provider }, 'provider circuit closed')),
  ];

  const circuitOpen = () =>
    new GatewayError('PROVIDER_UNAVAILABLE', `${provider} is unavailable (circuit open)`, {
      provider, retryable: true, requestSent: false,
    });
  const bulkheadFull = () =>
    new GatewayError('PROVIDER_UNAVAILABLE', `${provider}: too many concurrent calls`, {
      provider, retryable: true, requestSent: false,
    });
  const disposedError = () =>
    new GatewayError('PROVIDER_UNAVAILABLE', `${provider} is shutting down`, {
      provider, retryable: false, requestSent: false,
    });

  /** Runs `call` with the retry rules; `signal` already combines cockatiel's and the caller's. */
  async function withRetries<T>(kind: CallKind, call: (signal: AbortSignal) => Promise<T>, signal: AbortSignal): Promise<T> {
    const startedAt = now();
    let backoff: IBackoff<unknown> | undefined;
    let lastError: GatewayError | undefined;
    for (let attempt = 1; ; attempt++) {
      signal.throwIfAborted();
      // The circuit opened (because of other calls) while this one backed off: stop here.
      if (lastError && circuitIsOpen()) throw lastError;
      const attemptStartedAt = now();
      try {
        const value = await call(signal);
        record(attemptStartedAt, false);
        return value;
      } catch (error) {
        if (signal.aborted) throw error;
        record(attemptStartedAt, isProviderFailure(error));
        if (!isRetryableFailure(kind, error) || attempt >= settings.retry.maxAttempts) throw error;
        if (circuitIsOpen()) throw error;
        lastError = error;
        backoff = backoff ? backoff.next(undefined) : backoffFactory.next();
        const delayMs = error.retryAfterMs ?? backoff.duration;
        const remainingMs = settings.retry.maxDurationMs - (now() - startedAt);
        if (delayMs > remainingMs) {
          logger?.info({ provider, kind, attempt, code: error.code, delayMs, remainingMs }, 'retry budget exhausted; giving up');
          throw error;
        }
        logger?.info({ provider, kind, attempt, code: error.code, delayMs }, 'retrying provider call');
        await sleepUnlessAborted(delayMs, signal);
      }
    }
  }

  const circuitIsOpen = () => breaker.state === CircuitState.Open || breaker.state === CircuitState.Isolated;

  function record(startedAt: number, failed: boolean): void {
    latencies.push(now() - startedAt);
    window.add(failed);
  }

  function sleepUnlessAborted(ms: number, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return Promise.reject(signal.reason);
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => reject(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
      sleep(ms, signal).then(
        () => { signal.removeEventListener('abort', onAbort); resolve(); },
        (error: unknown) => { signal.removeEventListener('abort', onAbort); reject(signal.aborted ? signal.reason : error); },
      );
    });
  }

  const execute = async <T>(kind: CallKind, call: (signal: AbortSignal) => Promise<T>, callerSignal?: AbortSignal): Promise<T> => {
    if (lifetime.signal.aborted) throw disposedError();
    const link = callerSignal ? linkSignals(callerSignal, lifetime.signal) : undefined;
    const outer = link?.signal ?? lifetime.signal;
    try {
      const run = bulkhead.execute(
        ({ signal: bulkheadSignal }) =>
          breaker.execute(({ signal: breakerSignal }) => {
            // cockatiel hands the bulkhead's signal on, except to calls that waited out a half-open
            // probe (they get a never-aborted one): always compose with the caller's.
            if (breakerSignal === outer) return withRetries(kind, call, outer);
            const inner = linkSignals(breakerSignal, outer);
            return withRetries(kind, call, inner.signal).finally(inner.unlink);
          }, bulkheadSignal),
        outer,
      );
      // A call waiting in the bulkhead queue is only dropped by cockatiel when its turn comes:
      // answer an aborted caller at once instead of when a slot frees up.
      return await untilAborted(run, outer);
    } catch (error) {
      if (isBrokenCircuitError(error)) throw circuitOpen();
      if (isBulkheadRejectedError(error)) throw bulkheadFull();
      // (cockatiel 3.2.1's isTaskCancelledError tests the wrong property: use instanceof.)
      if (error instanceof TaskCancelledError && outer.aborted) throw outer.reason;
      throw error;
    } finally {
      link?.unlink();
    }
  };

  return {
    execute,
    health: () => ({
      breaker: breakerStateName(breaker.state),
      errorRate: window.errorRate(),
      calls: window.calls(),
      latencyMs: latencies.percentiles(),
      inFlight: settings.bulkhead.maxConcurrent - bulkhead.executionSlots,
      queued: settings.bulkhead.maxQueued - bulkhead.queueSlots,
    }),
    dispose: () => {
      if (lifetime.signal.aborted) return;
      lifetime.abort(disposedError());
      for (const subscription of subscriptions) subscription.dispose();
    },
  };
}

/**
 * A signal that aborts when `a` or `b` does, like AbortSignal.any([a, b]); `unlink()` once the call
 * is over removes its listeners. Not AbortSignal.any: on Node 20 each composite stays in every
 * source's dependants until that source aborts (nodejs/node#55351), and `lifetime` never aborts
 * while the gateway runs, so every call with a caller's signal left a WeakRef behind for good (the
 * 10-minute soak's live heap grew ~0.7 MB a minute). It is also ~2x cheaper per call.
 */
function linkSignals(a: AbortSignal, b: AbortSignal): { signal: AbortSignal; unlink(): void } {
  const controller = new AbortController();
  const onA = () => controller.abort(a.reason);
  const onB = () => controller.abort(b.reason);
  const unlink = () => {
    a.removeEventListener('abort', onA);
    b.removeEventListener('abort', onB);
  };
  if (a.aborted || b.aborted) controller.abort(a.aborted ? a.reason : b.reason);
  else {
    a.addEventListener('abort', onA, { once: true });
    b.addEventListener('abort', onB, { once: true });
  }
  return { signal: controller.signal, unlink };
}

/** `promise`, or a rejection with the signal's reason as soon as it aborts (the promise is left to settle alone). */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      promise.catch(() => undefined);
      reject(signal.reason);
    };
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => { signal.removeEventListener('abort', onAbort); resolve(value); },
      (error: unknown) => { signal.removeEventListener('abort', onAbort); reject(error); },
    );
  });
}

function breakerStateName(state: CircuitState): ProviderHealth['breaker'] {
  switch (state) {
    case CircuitState.Closed:
      return 'closed';
    case CircuitState.HalfOpen:
      return 'half-open';
    default:
      // Open, or Isolated (held open by hand): either way calls fail fast.
      return 'open';
  }
}

const WINDOW_BUCKETS = 10;

/** Calls and failures over a rolling window, in WINDOW_BUCKETS time buckets. */
class RollingCounts {
  private readonly bucketMs: number;
  private readonly buckets = Array.from({ length: WINDOW_BUCKETS }, () => ({ epoch: -Infinity, calls: 0, failures: 0 }));

  constructor(windowMs: number, private readonly now: () => number) {
    this.bucketMs = Math.max(1, windowMs / WINDOW_BUCKETS);
  }

  add(failed: boolean): void {
    const epoch = Math.floor(this.now() / this.bucketMs);
    const bucket = this.buckets[((epoch % WINDOW_BUCKETS) + WINDOW_BUCKETS) % WINDOW_BUCKETS]!;
    if (bucket.epoch !== epoch) Object.assign(bucket, { epoch, calls: 0, failures: 0 });
    bucket.calls++;
    if (failed) bucket.failures++;
  }

  private totals(): { calls: number; failures: number } {
    const current = Math.floor(this.now() / this.bucketMs);
    let calls = 0;
    let failures = 0;
    for (const bucket of this.buckets) {
      if (bucket.epoch > current - WINDOW_BUCKETS && bucket.epoch <= current) {
        calls += bucket.calls;
        failures += bucket.failures;
      }
    }
    return { calls, failures };
  }

  calls(): number {
    return this.totals().calls;
  }

  errorRate(): number {
    const { calls, failures } = this.totals();
    return calls === 0 ? 0 : failures / calls;
  }
}

/** The last `size` latencies, overwritten in a ring. */
class LatencyRing {
  private readonly samples: Float64Array;
  private next = 0;
  private count = 0;

  constructor(size: number) {
    this.samples = new Float64Array(size);
  }

  push(ms: number): void {
    this.samples[this.next] = ms;
    this.next = (this.next + 1) % this.samples.length;
    this.count = Math.min(this.count + 1, this.samples.length);
  }

  percentiles(): ProviderHealth['latencyMs'] {
    if (this.count === 0) return { p50: 0, p95: 0, p99: 0 };
    const sorted = this.samples.slice(0, this.count).sort();
    const rank = (p: number) => sorted[Math.min(this.count - 1, Math.max(0, Math.ceil(p * this.count) - 1))]!;
    return { p50: rank(0.5), p95: rank(0.95), p99: rank(0.99) };
  }
}
