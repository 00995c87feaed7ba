import { getEventListeners } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { GatewayError, type ErrorCode, type GatewayErrorOptions } from '../../src/domain/errors.js';
import type { CallKind } from '../../src/http/upstream.js';
import {
  createProviderResilience,
  DEFAULT_RESILIENCE,
  LATENCY_SAMPLES,
  type ProviderResilience,
  type ResilienceSettings,
} from '../../src/resilience/policy.js';

// ---------------------------------------------------------------------------------------------
// helpers

interface Overrides {
  retry?: Partial<ResilienceSettings['retry']>;
  breaker?: Partial<ResilienceSettings['breaker']>;
  bulkhead?: Partial<ResilienceSettings['bulkhead']>;
}

const settingsWith = (o: Overrides = {}): ResilienceSettings => ({
  retry: { ...DEFAULT_RESILIENCE.retry, ...o.retry },
  breaker: { ...DEFAULT_RESILIENCE.breaker, ...o.breaker },
  bulkhead: { ...DEFAULT_RESILIENCE.bulkhead, ...o.bulkhead },
});

const gatewayError = (code: ErrorCode, options: GatewayErrorOptions = {}) =>
  new GatewayError(code, `${code} from the provider`, { provider: 'pers', ...options });

/** Connect failure: the request never left. */
const notSent = () => gatewayError('PROVIDER_UNAVAILABLE', { retryable: true, requestSent: false });
/** A 503 or a reset after the request was sent. */
const sentUnavailable = (options: GatewayErrorOptions = {}) =>
  gatewayError('PROVIDER_UNAVAILABLE', { retryable: true, requestSent: true, ...options });

/** A sleep that returns at once and keeps the delays it was asked for. */
function recordingSleep() {
  const delays: number[] = [];
  return { delays, sleep: async (ms: number) => void delays.push(ms) };
}

/** A clock the tests move by hand. */
function manualClock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => void (now += ms) };
}

/** A call that fails with the given errors in turn, then answers `value`. */
function scripted<T>(failures: unknown[], value: T) {
  const signals: AbortSignal[] = [];
  const fn = async (signal: AbortSignal): Promise<T> => {
    signals.push(signal);
    const next = failures.shift();
    if (next !== undefined) throw next;
    return value;
  };
  return { fn, signals, get calls() { return signals.length; } };
}

/** A call that always fails with a fresh error from `make`. */
function alwaysFailing(make: () => unknown) {
  let calls = 0;
  return { fn: async (_signal: AbortSignal): Promise<never> => { calls++; throw make(); }, get calls() { return calls; } };
}

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => { resolve = res; reject = rej; });
  return { promise, resolve, reject };
}

/** Lets pending promise callbacks run (one macrotask turn; no timer, no wall clock). */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

const created: ProviderResilience[] = [];
function make(settings: ResilienceSettings, options: Parameters<typeof createProviderResilience>[2] = {}, provider: 'pers' | 'moment' = 'pers') {
  const resilience = createProviderResilience(provider, settings, options);
  created.push(resilience);
  return resilience;
}

afterEach(() => {
  while (created.length) created.pop()!.dispose();
  vi.restoreAllMocks();
  vi.useRealTimers();
});

// ---------------------------------------------------------------------------------------------
// retries

describe('retries', () => {
  it('retries a read on a retryable error up to maxAttempts, with full-jitter backoff growing within its caps', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0.999); // top of each jitter range: shows the caps
    const { delays, sleep } = recordingSleep();
    const r = make(settingsWith({ retry: { maxAttempts: 4, initialDelayMs: 100, maxDelayMs: 250, maxDurationMs: 60_000 } }), { sleep });
    const call = alwaysFailing(() => sentUnavailable());

    await expect(r.execute('read', call.fn)).rejects.toMatchObject({ code: 'PROVIDER_UNAVAILABLE' });

    expect(call.calls).toBe(4);
    // caps 100, 200, 400 -> 250 (maxDelay); full jitter draws below each cap
    expect(delays).toEqual([99, 199, 249]);
  });

  it('keeps every jittered delay below its cap', async () => {
    const { delays, sleep } = recordingSleep();
    const r = make(settingsWith({ retry: { maxAttempts: 6, initialDelayMs: 50, maxDelayMs: 300, maxDurationMs: 60_000 } }), { sleep });
    for (let i = 0; i < 20; i++) {
      delays.length = 0;
      await expect(r.execute('read', alwaysFailing(() => sentUnavailable()).fn)).rejects.toBeInstanceOf(GatewayError);
      expect(delays).toHaveLength(5);
      delays.forEach((delay, n) => {
        expect(delay).toBeGreaterThanOrEqual(0);
        expect(delay).toBeLessThan(Math.min(300, 50 * 2 ** n));
      });
    }
  });

  it('returns the answer of the attempt that succeeds', async () => {
    const { delays, sleep } = recordingSleep();
    const r = make(settingsWith({ retry: { maxAttempts: 3 } }), { sleep });
    const call = scripted([sentUnavailable(), gatewayError('PROVIDER_TIMEOUT', { retryable: true })], 'ok');

    await expect(r.execute('read', call.fn)).resolves.toBe('ok');
    expect(call.calls).toBe(3);
    expect(delays).toHaveLength(2);
  });

  it('honours Retry-After as the next delay, beyond maxDelayMs', async () => {
    const { delays, sleep } = recordingSleep();
    const r = make(settingsWith({ retry: { maxAttempts: 3, maxDelayMs: 500, maxDurationMs: 10_000 } }), { sleep });
    const call = scripted([gatewayError('RATE_LIMITED', { retryable: true, retryAfterMs: 3_000 })], { balance: 7 });

    await expect(r.execute('read', call.fn)).resolves.toEqual({ balance: 7 });
    expect(delays).toEqual([3_000]);
    expect(call.calls).toBe(2);
  });

  it('gives up and rethrows when Retry-After exceeds the remaining budget', async () => {
    const { delays, sleep } = recordingSleep();
    const r = make(settingsWith({ retry: { maxAttempts: 5, maxDurationMs: 2_000 } }), { sleep });
    const limited = gatewayError('RATE_LIMITED', { retryable: true, retryAfterMs: 2_500 });
    const call = scripted([limited], 'never');

    await expect(r.execute('read', call.fn)).rejects.toBe(limited);
    expect(call.calls).toBe(1);
    expect(delays).toEqual([]);
  });

  it('stops retrying once the total duration budget is spent', async () => {
    const clock = manualClock();
    const { delays, sleep } = recordingSleep();
    const r = make(settingsWith({ retry: { maxAttempts: 10, initialDelayMs: 100, maxDelayMs: 100, maxDurationMs: 5_000 } }), {
      sleep, now: clock.now,
    });
    // each attempt takes 2 s of (manual) time: attempts end at 2 s, 4 s, 6 s
    const call = alwaysFailing(() => { clock.advance(2_000); return sentUnavailable(); });

    await expect(r.execute('read', call.fn)).rejects.toMatchObject({ code: 'PROVIDER_UNAVAILABLE' });
    expect(call.calls).toBe(3);
    expect(delays).toHaveLength(2);
  });

  it.each<[string, () => unknown]>([
    ['NOT_FOUND', () => gatewayError('NOT_FOUND')],
    ['BAD_USER_INPUT', () => gatewayError('BAD_USER_INPUT', { requestSent: false })],
    ['non-retryable PROVIDER_BAD_RESPONSE', () => gatewayError('PROVIDER_BAD_RESPONSE', { retryable: false })],
    ['PROVIDER_AUTH_FAILED', () => gatewayError('PROVIDER_AUTH_FAILED', { retryable: false })],
    ['a plain Error', () => new Error('bug')],
  ])('never retries %s', async (_name, error) => {
    const { delays, sleep } = recordingSleep();
    const r = make(settingsWith({ retry: { maxAttempts: 5 } }), { sleep });
    const call = alwaysFailing(error);

    await expect(r.execute('read', call.fn)).rejects.toBeDefined();
    expect(call.calls).toBe(1);
    expect(delays).toEqual([]);
  });

  it.each<[string, () => GatewayError]>([
    ['a timeout', () => gatewayError('PROVIDER_TIMEOUT', { retryable: true, requestSent: true })],
    ['a reset or 5xx', () => sentUnavailable()],
    ['a 429 with Retry-After', () => gatewayError('RATE_LIMITED', { retryable: true, requestSent: true, retryAfterMs: 10 })],
  ])('never retries a write after %s once the request may have been sent', async (_name, error) => {
    const { delays, sleep } = recordingSleep();
    const r = make(settingsWith({ retry: { maxAttempts: 5 } }), { sleep });
    const call = alwaysFailing(error);

    await expect(r.execute('write', call.fn)).rejects.toMatchObject({ requestSent: true });
    expect(call.calls).toBe(1);
    expect(delays).toEqual([]);
  });

  it('retries a write when the request never left (connect failure)', async () => {
    const { delays, sleep } = recordingSleep();
    const r = make(settingsWith({ retry: { maxAttempts: 3 } }), { sleep });
    const call = scripted([notSent(), notSent()], { orderId: 'o-1' });

    await expect(r.execute('write', call.fn)).resolves.toEqual({ orderId: 'o-1' });
    expect(call.calls).toBe(3);
    expect(delays).toHaveLength(2);
  });

  it('stops a write at the first sent failure even after connect failures', async () => {
    const { sleep } = recordingSleep();
    const r = make(settingsWith({ retry: { maxAttempts: 5 } }), { sleep });
    const timeout = gatewayError('PROVIDER_TIMEOUT', { retryable: true, requestSent: true });
    const call = scripted([notSent(), timeout, notSent()], 'never');

    await expect(r.execute('write', call.fn)).rejects.toBe(timeout);
    expect(call.calls).toBe(2);
  });
});

// ---------------------------------------------------------------------------------------------
// signals

describe('abort signals', () => {
  it('passes the call a signal that aborts with the caller\'s', async () => {
    const r = make(settingsWith());
    const caller = new AbortController();
    let seen: AbortSignal | undefined;
    const running = r.execute('read', (signal) => {
      seen = signal;
      return new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(signal.reason)));
    }, caller.signal);
    await settle();
    expect(seen?.aborted).toBe(false);

    const reason = new Error('client went away');
    caller.abort(reason);
    await expect(running).rejects.toBe(reason);
    expect(seen?.aborted).toBe(true);
  });

  it('stops retrying when the caller aborts during the backoff', async () => {
    const caller = new AbortController();
    const reason = new Error('client went away');
    // the backoff "sleep" is where the caller gives up; it never returns
    const sleep = (_ms: number) => { caller.abort(reason); return new Promise<void>(() => {}); };
    const r = make(settingsWith({ retry: { maxAttempts: 5 } }), { sleep });
    const call = alwaysFailing(() => sentUnavailable());

    await expect(r.execute('read', call.fn, caller.signal)).rejects.toBe(reason);
    expect(call.calls).toBe(1);
  });

  it('leaves nothing on a long-lived caller signal once its calls are over', async () => {
    const r = make(settingsWith());
    const caller = new AbortController();
    for (let i = 0; i < 50; i++) await r.execute('read', scripted([], i).fn, caller.signal);
    await expect(r.execute('read', alwaysFailing(() => gatewayError('NOT_FOUND')).fn, caller.signal)).rejects.toThrow('NOT_FOUND');
    expect(getEventListeners(caller.signal, 'abort')).toHaveLength(0);
  });

  it('runs many calls at once without a listener-leak warning', async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => void warnings.push(warning);
    process.on('warning', onWarning);
    try {
      const r = make(settingsWith());
      const gate = deferred<void>();
      const calls = Array.from({ length: 40 }, (_, i) => r.execute('read', async () => { await gate.promise; return i; }));
      await settle();
      gate.resolve();
      await expect(Promise.all(calls)).resolves.toHaveLength(40);
      await settle();
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning')).toEqual([]);
  });

  it('does not start a call whose caller already aborted', async () => {
    const r = make(settingsWith());
    const caller = new AbortController();
    caller.abort(new Error('gone'));
    const call = scripted([], 'x');

    await expect(r.execute('read', call.fn, caller.signal)).rejects.toThrow('gone');
    expect(call.calls).toBe(0);
  });
});

// ---------------------------------------------------------------------------------------------
// circuit breaker

describe('circuit breaker', () => {
  const breakerSettings = settingsWith({
    retry: { maxAttempts: 1 },
    breaker: { errorRateThreshold: 0.5, windowMs: 10_000, minimumCalls: 4, halfOpenAfterMs: 1_000 },
  });

  /** cockatiel times the open period with Date.now(): fake only Date and move it by hand. */
  function fakeDate() {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-11-22T00:00:00Z'));
    return { advance: (ms: number) => vi.setSystemTime(new Date(Date.now() + ms)) };
  }

  async function failTimes(r: ProviderResilience, times: number, error: () => unknown = () => sentUnavailable()) {
    for (let i = 0; i < times; i++) await expect(r.execute('read', alwaysFailing(error).fn)).rejects.toBeDefined();
  }

  it('opens after the threshold, then fails fast without calling the provider', async () => {
    fakeDate();
    const r = make(breakerSettings);

    await failTimes(r, 3);
    expect(r.health().breaker).toBe('closed'); // 3 calls: below minimumCalls
    await failTimes(r, 1);
    expect(r.health().breaker).toBe('open');

    const call = scripted([], 'x');
    const rejection = await r.execute('read', call.fn).catch((error: unknown) => error);
    expect(call.calls).toBe(0);
    expect(rejection).toBeInstanceOf(GatewayError);
    expect(rejection).toMatchObject({
      code: 'PROVIDER_UNAVAILABLE',
      message: 'pers is unavailable (circuit open)',
      provider: 'pers',
      retryable: true,
      requestSent: false,
    });
  });

  it('does not count user errors such as NOT_FOUND as failures', async () => {
    fakeDate();
    const r = make(breakerSettings);
    await failTimes(r, 10, () => gatewayError('NOT_FOUND'));
    await failTimes(r, 10, () => gatewayError('BAD_USER_INPUT'));
    expect(r.health().breaker).toBe('closed');
  });

  it('stays closed while the error rate is at or below the threshold', async () => {
    fakeDate();
    const r = make(breakerSettings);
    for (let i = 0; i < 5; i++) {
      await expect(r.execute('read', async () => 'ok')).resolves.toBe('ok');
      await failTimes(r, 1);
    }
    expect(r.health().breaker).toBe('closed');
  });

  it('goes half-open after halfOpenAfterMs and closes on a successful probe', async () => {
    const date = fakeDate();
    const logs: string[] = [];
    const logger = { warn: (_o: object, m: string) => void logs.push(`warn ${m}`), info: (_o: object, m: string) => void logs.push(`info ${m}`) };
    const r = make(breakerSettings, { logger });
    await failTimes(r, 4);
    expect(r.health().breaker).toBe('open');

    date.advance(999);
    await expect(r.execute('read', async () => 'too early')).rejects.toMatchObject({ message: 'pers is unavailable (circuit open)' });

    date.advance(1);
    const probe = deferred<string>();
    const probeCall = r.execute('read', () => probe.promise);
    expect(r.health().breaker).toBe('half-open');
    probe.resolve('recovered');
    await expect(probeCall).resolves.toBe('recovered');

    expect(r.health().breaker).toBe('closed');
    await expect(r.execute('read', async () => 'normal')).resolves.toBe('normal');
    expect(logs).toEqual(['warn provider circuit opened', 'info provider circuit half-open: probing', 'info provider circuit closed']);
  });

  it('re-opens when the probe fails', async () => {
    const date = fakeDate();
    const r = make(breakerSettings);
    await failTimes(r, 4);
    date.advance(1_000);

    await failTimes(r, 1);
    expect(r.health().breaker).toBe('open');
    const call = scripted([], 'x');
    await expect(r.execute('read', call.fn)).rejects.toMatchObject({ code: 'PROVIDER_UNAVAILABLE', requestSent: false });
    expect(call.calls).toBe(0);
  });

  it('gives a call that waited out the probe a signal still tied to its caller', async () => {
    const date = fakeDate();
    const r = make(breakerSettings);
    await failTimes(r, 4);
    date.advance(1_000);

    const probe = deferred<string>();
    const probeCall = r.execute('read', () => probe.promise);
    const caller = new AbortController();
    let seen: AbortSignal | undefined;
    const waiting = r.execute('read', (signal) => {
      seen = signal;
      return new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(signal.reason)));
    }, caller.signal);
    await settle();
    expect(seen).toBeUndefined(); // held back while the probe runs

    probe.resolve('up');
    await probeCall;
    await settle();
    expect(seen?.aborted).toBe(false);
    const reason = new Error('client went away');
    caller.abort(reason);
    await expect(waiting).rejects.toBe(reason);
    expect(seen?.aborted).toBe(true);
  });

  it('stops retrying when the circuit opened during the backoff', async () => {
    fakeDate();
    let r: ProviderResilience | undefined;
    let opened = false;
    // while the first call backs off, four other calls fail and open the circuit
    const sleep = async (_ms: number) => {
      if (opened) return;
      opened = true;
      await failTimes(r!, 4, () => gatewayError('PROVIDER_BAD_RESPONSE', { retryable: false }));
    };
    r = make(settingsWith({ ...breakerSettings, retry: { maxAttempts: 5 } }), { sleep });
    const call = alwaysFailing(() => sentUnavailable());

    await expect(r.execute('read', call.fn)).rejects.toMatchObject({ code: 'PROVIDER_UNAVAILABLE', requestSent: true });
    expect(r.health().breaker).toBe('open');
    expect(call.calls).toBe(1);
  });

  it("one provider's open circuit does not affect another's", async () => {
    fakeDate();
    const pers = make(breakerSettings, {}, 'pers');
    const moment = make(breakerSettings, {}, 'moment');
    await failTimes(pers, 4);

    expect(pers.health().breaker).toBe('open');
    expect(moment.health().breaker).toBe('closed');
    await expect(moment.execute('read', async () => 'moment ok')).resolves.toBe('moment ok');
    await expect(pers.execute('read', async () => 'x')).rejects.toMatchObject({ message: 'pers is unavailable (circuit open)' });
  });

  it('counts a retried call once, by its final outcome', async () => {
    fakeDate();
    const { sleep } = recordingSleep();
    const r = make(settingsWith({ ...breakerSettings, retry: { maxAttempts: 3 } }), { sleep });
    // 3 logical calls of 3 failed attempts each: 9 attempts, but only 3 calls for the breaker
    await failTimes(r, 3);
    expect(r.health().breaker).toBe('closed');
    expect(r.health().calls).toBe(9);
    await failTimes(r, 1);
    expect(r.health().breaker).toBe('open');
  });
});

// ---------------------------------------------------------------------------------------------
// bulkhead and health

describe('bulkhead', () => {
  it('rejects calls beyond concurrency + queue with PROVIDER_UNAVAILABLE, and reports inFlight/queued', async () => {
    const r = make(settingsWith({ bulkhead: { maxConcurrent: 2, maxQueued: 1 } }));
    const gates = [deferred<number>(), deferred<number>(), deferred<number>()];
    const started: number[] = [];
    const running = gates.map((gate, i) => r.execute('read', () => { started.push(i); return gate.promise; }));
    await settle();

    expect(started).toEqual([0, 1]);
    expect(r.health()).toMatchObject({ inFlight: 2, queued: 1 });

    const call = scripted([], 'x');
    const rejection = await r.execute('write', call.fn).catch((error: unknown) => error);
    expect(call.calls).toBe(0);
    expect(rejection).toBeInstanceOf(GatewayError);
    expect(rejection).toMatchObject({
      code: 'PROVIDER_UNAVAILABLE', message: 'pers: too many concurrent calls', retryable: true, requestSent: false,
    });

    gates[0]!.resolve(0);
    await settle();
    expect(started).toEqual([0, 1, 2]); // the queued call took the freed slot
    expect(r.health()).toMatchObject({ inFlight: 2, queued: 0 });

    gates[1]!.resolve(1);
    gates[2]!.resolve(2);
    await expect(Promise.all(running)).resolves.toEqual([0, 1, 2]);
    expect(r.health()).toMatchObject({ inFlight: 0, queued: 0 });
  });

  it('answers a queued call at once when its caller aborts, and never runs it', async () => {
    const r = make(settingsWith({ bulkhead: { maxConcurrent: 1, maxQueued: 1 } }));
    const gate = deferred<string>();
    const first = r.execute('read', () => gate.promise);
    const caller = new AbortController();
    const queued = scripted([], 'late');
    const second = r.execute('read', queued.fn, caller.signal);
    await settle();
    expect(r.health()).toMatchObject({ inFlight: 1, queued: 1 });

    const reason = new Error('client went away');
    caller.abort(reason);
    await expect(second).rejects.toBe(reason);

    gate.resolve('first');
    await expect(first).resolves.toBe('first');
    await settle();
    expect(queued.calls).toBe(0);
    expect(r.health()).toMatchObject({ inFlight: 0, queued: 0 });
  });

  it('does not count its rejections as provider failures', async () => {
    const r = make(settingsWith({ bulkhead: { maxConcurrent: 1, maxQueued: 0 } }));
    const gate = deferred<string>();
    const first = r.execute('read', () => gate.promise);
    for (let i = 0; i < 30; i++) await expect(r.execute('read', async () => 'x')).rejects.toMatchObject({ code: 'PROVIDER_UNAVAILABLE' });
    gate.resolve('done');
    await first;
    expect(r.health()).toMatchObject({ breaker: 'closed', calls: 1, errorRate: 0 });
  });
});

describe('health', () => {
  it('reports error rate and calls over the rolling window', async () => {
    const clock = manualClock();
    const r = make(settingsWith({ retry: { maxAttempts: 1 }, breaker: { windowMs: 10_000, minimumCalls: 100 } }), { now: clock.now });
    expect(r.health()).toMatchObject({ breaker: 'closed', errorRate: 0, calls: 0 });

    await r.execute('read', async () => 1);
    await r.execute('read', async () => 2);
    await expect(r.execute('read', alwaysFailing(() => gatewayError('PROVIDER_BAD_RESPONSE')).fn)).rejects.toBeDefined();
    await expect(r.execute('read', alwaysFailing(() => gatewayError('NOT_FOUND')).fn)).rejects.toBeDefined();
    expect(r.health()).toMatchObject({ errorRate: 0.25, calls: 4 });

    clock.advance(6_000);
    await expect(r.execute('read', alwaysFailing(() => sentUnavailable()).fn)).rejects.toBeDefined();
    expect(r.health()).toMatchObject({ errorRate: 0.4, calls: 5 });

    clock.advance(6_000); // the first four are now older than the window
    expect(r.health()).toMatchObject({ errorRate: 1, calls: 1 });
    clock.advance(10_000);
    expect(r.health()).toMatchObject({ errorRate: 0, calls: 0 });
  });

  it('reports latency percentiles of the attempts', async () => {
    const clock = manualClock();
    const r = make(settingsWith(), { now: clock.now });
    expect(r.health().latencyMs).toEqual({ p50: 0, p95: 0, p99: 0 });

    const latencies = Array.from({ length: 100 }, (_, i) => i + 1).sort(() => Math.random() - 0.5);
    for (const ms of latencies) await r.execute('read', async () => void clock.advance(ms));

    expect(r.health().latencyMs).toEqual({ p50: 50, p95: 95, p99: 99 });
  });

  it(`keeps only the last ${LATENCY_SAMPLES} latencies`, async () => {
    const clock = manualClock();
    const r = make(settingsWith(), { now: clock.now });
    for (let i = 0; i < 100; i++) await r.execute('read', async () => void clock.advance(60_000));
    for (let i = 0; i < LATENCY_SAMPLES; i++) await r.execute('read', async () => void clock.advance(5));

    expect(r.health().latencyMs).toEqual({ p50: 5, p95: 5, p99: 5 });
  });
});

describe('dispose', () => {
  it('aborts running calls and rejects later ones', async () => {
    const r = createProviderResilience('pers', settingsWith());
    let seen: AbortSignal | undefined;
    const running = r.execute('write', (signal) => {
      seen = signal;
      return new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(signal.reason)));
    });
    await settle();
    r.dispose();

    await expect(running).rejects.toMatchObject({ code: 'PROVIDER_UNAVAILABLE', message: 'pers is shutting down' });
    expect(seen?.aborted).toBe(true);
    const call = scripted([], 'x');
    await expect(r.execute('read' as CallKind, call.fn)).rejects.toMatchObject({ message: 'pers is shutting down' });
    expect(call.calls).toBe(0);
  });
});
