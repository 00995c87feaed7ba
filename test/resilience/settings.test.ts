import { describe, expect, it } from 'vitest';
import { createProviderResilience, DEFAULT_RESILIENCE } from '../../src/resilience/policy.js';
import { RESILIENCE_ENV_DOCS, resilienceEnvSchema, resilienceSettingsFromEnv } from '../../src/resilience/settings.js';

describe('resilience settings from the environment', () => {
  it('defaults to DEFAULT_RESILIENCE when nothing is set, ignoring other variables', () => {
    expect(resilienceEnvSchema.parse({ PATH: '/usr/bin', NODE_ENV: 'test' })).toEqual(DEFAULT_RESILIENCE);
  });

  it('treats blank values as unset', () => {
    expect(resilienceEnvSchema.parse({ RESILIENCE_RETRY_MAX_ATTEMPTS: '', RESILIENCE_BREAKER_ERROR_RATE: '  ' })).toEqual(DEFAULT_RESILIENCE);
  });

  it('coerces every variable into its place', () => {
    const settings = resilienceSettingsFromEnv({
      RESILIENCE_RETRY_MAX_ATTEMPTS: '4',
      RESILIENCE_RETRY_INITIAL_DELAY_MS: '50',
      RESILIENCE_RETRY_MAX_DELAY_MS: '800',
      RESILIENCE_RETRY_MAX_DURATION_MS: '3000',
      RESILIENCE_BREAKER_ERROR_RATE: '0.25',
      RESILIENCE_BREAKER_WINDOW_MS: '30000',
      RESILIENCE_BREAKER_MIN_CALLS: '10',
      RESILIENCE_BREAKER_HALF_OPEN_AFTER_MS: '15000',
      RESILIENCE_BULKHEAD_MAX_CONCURRENT: '16',
      RESILIENCE_BULKHEAD_MAX_QUEUED: '0',
    });
    expect(settings).toEqual({
      retry: { maxAttempts: 4, initialDelayMs: 50, maxDelayMs: 800, maxDurationMs: 3000 },
      breaker: { errorRateThreshold: 0.25, windowMs: 30000, minimumCalls: 10, halfOpenAfterMs: 15000 },
      bulkhead: { maxConcurrent: 16, maxQueued: 0 },
    });
    // and cockatiel accepts them
    createProviderResilience('capillary', settings).dispose();
  });

  it.each([
    ['RESILIENCE_RETRY_MAX_ATTEMPTS', '0'],
    ['RESILIENCE_RETRY_MAX_ATTEMPTS', '2.5'],
    ['RESILIENCE_RETRY_MAX_ATTEMPTS', 'three'],
    ['RESILIENCE_BREAKER_ERROR_RATE', '1'],
    ['RESILIENCE_BREAKER_ERROR_RATE', '0'],
    ['RESILIENCE_BREAKER_WINDOW_MS', '500'],
    ['RESILIENCE_BULKHEAD_MAX_CONCURRENT', '0'],
    ['RESILIENCE_BULKHEAD_MAX_QUEUED', '-1'],
  ])('rejects %s=%s', (name, value) => {
    expect(resilienceEnvSchema.safeParse({ [name]: value }).success).toBe(false);
  });

  it('rejects a max delay below the initial delay', () => {
    const result = resilienceEnvSchema.safeParse({ RESILIENCE_RETRY_INITIAL_DELAY_MS: '500', RESILIENCE_RETRY_MAX_DELAY_MS: '100' });
    expect(result.success).toBe(false);
  });

  it('documents every variable with its default', () => {
    const names = Object.keys(resilienceEnvSchema.in.shape).sort();
    expect(RESILIENCE_ENV_DOCS.map((row) => row.name).sort()).toEqual(names);
    const defaults = resilienceEnvSchema.parse(
      Object.fromEntries(RESILIENCE_ENV_DOCS.map((row) => [row.name, String(row.default)])),
    );
    expect(defaults).toEqual(DEFAULT_RESILIENCE);
    for (const row of RESILIENCE_ENV_DOCS) expect(row.description.length).toBeGreaterThan(20);
  });
});
