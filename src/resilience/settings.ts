/**
 * Resilience settings from the environment. Every variable is optional; a missing or empty one takes
 * its value from DEFAULT_RESILIENCE. The same settings apply to every provider, each provider getting
 * its own bulkhead, breaker and retry budget (see createProviderResilience).
 */
import { z } from 'zod';
import { DEFAULT_RESILIENCE, type ResilienceSettings } from './policy.js';

const blankToUndefined = (value: unknown) => (typeof value === 'string' && value.trim() === '' ? undefined : value);

const integer = (min: number, fallback: number) =>
  z.preprocess(blankToUndefined, z.coerce.number().int().min(min).default(fallback));

const d = DEFAULT_RESILIENCE;

export const resilienceEnvSchema = z
  .object({
    RESILIENCE_RETRY_MAX_ATTEMPTS: integer(1, d.retry.maxAttempts),
    RESILIENCE_RETRY_INITIAL_DELAY_MS: integer(0, d.retry.initialDelayMs),
    RESILIENCE_RETRY_MAX_DELAY_MS: integer(0, d.retry.maxDelayMs),
    RESILIENCE_RETRY_MAX_DURATION_MS: integer(0, d.retry.maxDurationMs),
    // cockatiel's SamplingBreaker needs a rate strictly between 0 and 1.
    RESILIENCE_BREAKER_ERROR_RATE: z.preprocess(
      blankToUndefined,
      z.coerce.number().gt(0).lt(1).default(d.breaker.errorRateThreshold),
    ),
    RESILIENCE_BREAKER_WINDOW_MS: integer(1_000, d.breaker.windowMs),
    RESILIENCE_BREAKER_MIN_CALLS: integer(1, d.breaker.minimumCalls),
    RESILIENCE_BREAKER_HALF_OPEN_AFTER_MS: integer(1, d.breaker.halfOpenAfterMs),
    RESILIENCE_BULKHEAD_MAX_CONCURRENT: integer(1, d.bulkhead.maxConcurrent),
    RESILIENCE_BULKHEAD_MAX_QUEUED: integer(0, d.bulkhead.maxQueued),
  })
  .refine((env) => env.RESILIENCE_RETRY_MAX_DELAY_MS >= env.RESILIENCE_RETRY_INITIAL_DELAY_MS, {
    message: 'RESILIENCE_RETRY_MAX_DELAY_MS must be at least RESILIENCE_RETRY_INITIAL_DELAY_MS',
    path: ['RESILIENCE_RETRY_MAX_DELAY_MS'],
  })
  .transform(
    (env): ResilienceSettings => ({
      retry: {
        maxAttempts: env.RESILIENCE_RETRY_MAX_ATTEMPTS,
        initialDelayMs: env.RESILIENCE_RETRY_INITIAL_DELAY_MS,
        maxDelayMs: env.RESILIENCE_RETRY_MAX_DELAY_MS,
        maxDurationMs: env.RESILIENCE_RETRY_MAX_DURATION_MS,
      },
      breaker: {
        errorRateThreshold: env.RESILIENCE_BREAKER_ERROR_RATE,
        windowMs: env.RESILIENCE_BREAKER_WINDOW_MS,
        minimumCalls: env.RESILIENCE_BREAKER_MIN_CALLS,
        halfOpenAfterMs: env.RESILIENCE_BREAKER_HALF_OPEN_AFTER_MS,
      },
      bulkhead: {
        maxConcurrent: env.RESILIENCE_BULKHEAD_MAX_CONCURRENT,
        maxQueued: env.RESILIENCE_BULKHEAD_MAX_QUEUED,
      },
    }),
  );

export type ResilienceEnv = z.input<typeof resilienceEnvSchema>;

/** Reads the settings from an environment (process.env by default); throws a ZodError on bad values. */
export const resilienceSettingsFromEnv = (env: Record<string, string | undefined> = process.env): ResilienceSettings =>
  resilienceEnvSchema.parse(env);

/** One row per variable, for the README. */
export const RESILIENCE_ENV_DOCS: { name: keyof ResilienceEnv & string; default: number; description: string }[] = [
  {
    name: 'RESILIENCE_RETRY_MAX_ATTEMPTS',
    default: d.retry.maxAttempts,
    description:
      'Attempts per provider call in total, the first included (1 disables retries). Only reads with a retryable error, ' +
      'or any call whose request never left (connect failure), are retried; writes that may have arrived never are.',
  },
  {
    name: 'RESILIENCE_RETRY_INITIAL_DELAY_MS',
    default: d.retry.initialDelayMs,
    description: 'Cap of the first backoff delay; the cap doubles per retry and the delay is random below it (full jitter).',
  },
  {
    name: 'RESILIENCE_RETRY_MAX_DELAY_MS',
    default: d.retry.maxDelayMs,
    description: 'Upper bound of a computed backoff delay. A provider\'s Retry-After is honoured as given instead.',
  },
  {
    name: 'RESILIENCE_RETRY_MAX_DURATION_MS',
    default: d.retry.maxDurationMs,
    description: 'Time budget of one call from its first attempt: a retry whose wait (backoff or Retry-After) would end past it is not made.',
  },
  {
    name: 'RESILIENCE_BREAKER_ERROR_RATE',
    default: d.breaker.errorRateThreshold,
    description:
      'Share of failed calls (between 0 and 1, exclusive) in the window above which a provider\'s circuit opens. ' +
      'Failures are PROVIDER_UNAVAILABLE, PROVIDER_TIMEOUT and PROVIDER_BAD_RESPONSE; user errors do not count.',
  },
  {
    name: 'RESILIENCE_BREAKER_WINDOW_MS',
    default: d.breaker.windowMs,
    description: 'Rolling window the error rate is measured over (at least 1000).',
  },
  {
    name: 'RESILIENCE_BREAKER_MIN_CALLS',
    default: d.breaker.minimumCalls,
    description: 'Calls needed within the window before the error rate may open the circuit.',
  },
  {
    name: 'RESILIENCE_BREAKER_HALF_OPEN_AFTER_MS',
    default: d.breaker.halfOpenAfterMs,
    description: 'How long an open circuit fails calls fast (PROVIDER_UNAVAILABLE) before one probe call is let through; its success closes the circuit.',
  },
  {
    name: 'RESILIENCE_BULKHEAD_MAX_CONCURRENT',
    default: d.bulkhead.maxConcurrent,
    description: 'Calls to one provider running at once; a call keeps its slot while it backs off between retries.',
  },
  {
    name: 'RESILIENCE_BULKHEAD_MAX_QUEUED',
    default: d.bulkhead.maxQueued,
    description: 'Calls waiting for a slot per provider; beyond that calls fail at once with PROVIDER_UNAVAILABLE.',
  },
];
