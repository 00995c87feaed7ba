/**
 * Configuration: the environment, parsed once at boot. Every bad or missing variable is named in
 * one error, and `main.ts` exits non-zero with it. `.env.example` documents each variable.
 */
import { z } from 'zod';
import { PROVIDER_NAMES, type ProviderName } from './domain/provider.js';
import { providerModules } from './providers/registry.js';
import { resilienceEnvSchema } from './resilience/settings.js';
import type { ResilienceSettings } from './resilience/policy.js';

export type GatewayMode = 'sandbox' | 'production';

/** Secret used to sign and verify caller tokens in sandbox mode when AUTH_JWT_SECRET is unset. Never valid in production. */
export const SANDBOX_JWT_SECRET = 'sandbox-only-jwt-secret-not-for-production-use';
export const SANDBOX_ISSUER = 'redemption-gateway-sandbox';
export const SANDBOX_AUDIENCE = 'redemption-gateway';

const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const list = z.string().transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean));

const baseSchema = z.object({
  NODE_ENV: z.string().optional(),
  GATEWAY_MODE: z.enum(['sandbox', 'production']).optional(),
  PORT: int(0, 65535).default(4000),
  HOST: z.string().min(1).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  CORS_ORIGINS: list.default([]),
  INTROSPECTION: bool.optional(),
  LANDING_PAGE: bool.optional(),
  AUTH_JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  AUTH_JWKS_URL: z.url().optional(),
  AUTH_ISSUER: z.string().min(1).optional(),
  AUTH_AUDIENCE: z.string().min(1).optional(),
  SQLITE_PATH: z.string().min(1).default('data/gateway.db'),
  REDIS_URL: z.string().regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL').optional(),
  IDEMPOTENCY_TTL_SECONDS: int(60, 7 * 24 * 3600).default(24 * 3600),
  IDEMPOTENCY_LOCK_SECONDS: int(1, 3600).default(60),
  RATE_LIMIT_REDEEMS_PER_MINUTE: int(1, 100_000).default(30),
  UPSTREAM_CONNECT_TIMEOUT_MS: int(10, 60_000).default(1_000),
  UPSTREAM_HEADERS_TIMEOUT_MS: int(10, 120_000).default(5_000),
  UPSTREAM_TIMEOUT_MS: int(10, 120_000).default(10_000),
  MAX_DEPTH: int(1, 100).default(8),
  MAX_ALIASES: int(1, 1000).default(15),
  MAX_TOKENS: int(10, 100_000).default(1_000),
  MAX_DIRECTIVES: int(1, 1000).default(50),
  MAX_COST: int(1, 1_000_000).default(5_000),
  MAX_BODY_BYTES: int(1_024, 10 * 1024 * 1024).default(100 * 1024),
  SHUTDOWN_GRACE_MS: int(0, 120_000).default(10_000),
  SIMULATOR_LATENCY_MS: int(0, 60_000).default(0),
});

export type ProviderSetting =
  /** On its simulator (sandbox mode); `timeoutMs` from `<PROVIDER>_TIMEOUT_MS` when set. */
  | { name: ProviderName; mode: 'simulator'; timeoutMs?: number }
  | { name: ProviderName; mode: 'live'; config: unknown };

export interface Config {
  mode: GatewayMode;
  port: number;
  host: string;
  logLevel: z.infer<typeof baseSchema>['LOG_LEVEL'];
  corsOrigins: string[];
  introspection: boolean;
  landingPage: boolean;
  auth: { secret?: string; jwksUrl?: string; issuer?: string; audience?: string };
  store: { sqlitePath: string; redisUrl?: string; idempotencyTtlMs: number; lockMs: number };
  rateLimit: { redeemsPerMinute: number };
  upstream: { connectMs: number; headersMs: number; totalMs: number };
  limits: { depth: number; aliases: number; tokens: number; directives: number; cost: number; bodyBytes: number };
  shutdownGraceMs: number;
  /** Latency every embedded simulator adds (sandbox mode; benchmarks and demos). */
  simulatorLatencyMs: number;
  providers: ProviderSetting[];
  resilience: ResilienceSettings;
}

export class ConfigError extends Error {
  constructor(readonly issues: string[]) {
    super(`Invalid configuration:\n${issues.map((issue) => `  - ${issue}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const issuesOf = (error: z.ZodError) => error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);

/**
 * Caller-token settings that parse but are unsafe: both key sources at once (which one verifies
 * would be a guess), none in production, and in production a JWKS without issuer and audience (a
 * token the identity provider issued for another service must not pass here).
 */
function authIssues(env: z.infer<typeof baseSchema>, mode: GatewayMode): string[] {
  if (env.AUTH_JWT_SECRET && env.AUTH_JWKS_URL) return ['AUTH_JWT_SECRET and AUTH_JWKS_URL: set one, not both'];
  if (mode !== 'production') return [];
  if (!env.AUTH_JWT_SECRET && !env.AUTH_JWKS_URL) return ['AUTH_JWT_SECRET or AUTH_JWKS_URL: one is required in production'];
  if (!env.AUTH_JWKS_URL) return [];
  return (['AUTH_ISSUER', 'AUTH_AUDIENCE'] as const)
    .filter((name) => !env[name])
    .map((name) => `${name}: required with AUTH_JWKS_URL in production`);
}

/** Parses the environment into a Config, or throws a ConfigError naming every bad variable. */
export function loadConfig(env: Readonly<Record<string, string | undefined>> = process.env): Config {
  const clean = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
  const issues: string[] = [];
  const base = baseSchema.safeParse(clean);
  const resilience = resilienceEnvSchema.safeParse(clean);
  if (!base.success) issues.push(...issuesOf(base.error));
  if (!resilience.success) issues.push(...issuesOf(resilience.error));

  const mode: GatewayMode = (base.success ? base.data.GATEWAY_MODE : undefined)
    ?? (env.GATEWAY_MODE === 'production' || (!env.GATEWAY_MODE && env.NODE_ENV === 'production') ? 'production' : 'sandbox');

  const providers: ProviderSetting[] = [];
  for (const name of PROVIDER_NAMES) {
    const module = providerModules[name];
    const result = module.readConfig(clean);
    if (result.status === 'ok') providers.push({ name, mode: 'live', config: result.config });
    else if (result.status === 'invalid') issues.push(...result.issues.map((issue) => `${module.title}: ${issue}`));
    else if (mode === 'production') {
      issues.push(`${module.title}: not configured (set ${module.envVars.filter((v) => !/_TIMEOUT_MS$|_PATH$/.test(v)).join(', ')}); simulators run in sandbox mode only`);
    } else {
      const variable = module.envVars.find((v) => v.endsWith('_TIMEOUT_MS'));
      const timeout = variable === undefined ? undefined : int(1, 600_000).optional().safeParse(clean[variable]);
      if (timeout && !timeout.success) issues.push(`${variable}: must be a whole number of milliseconds from 1 to 600000`);
      providers.push({ name, mode: 'simulator', ...(timeout?.data ? { timeoutMs: timeout.data } : {}) });
    }
  }

  if (base.success) issues.push(...authIssues(base.data, mode));
  if (issues.length > 0 || !base.success || !resilience.success) throw new ConfigError(issues);

  const e = base.data;
  const sandbox = mode === 'sandbox';
  const useSandboxAuth = sandbox && !e.AUTH_JWT_SECRET && !e.AUTH_JWKS_URL;
  return {
    mode,
    port: e.PORT,
    host: e.HOST ?? (sandbox ? '127.0.0.1' : '0.0.0.0'),
    logLevel: e.LOG_LEVEL,
    corsOrigins: ['https://studio.apollographql.com', ...e.CORS_ORIGINS],
    introspection: e.INTROSPECTION ?? sandbox,
    landingPage: e.LANDING_PAGE ?? sandbox,
    auth: useSandboxAuth
      ? { secret: SANDBOX_JWT_SECRET, issuer: SANDBOX_ISSUER, audience: SANDBOX_AUDIENCE }
      : { secret: e.AUTH_JWT_SECRET, jwksUrl: e.AUTH_JWKS_URL, issuer: e.AUTH_ISSUER, audience: e.AUTH_AUDIENCE },
    store: {
      sqlitePath: e.SQLITE_PATH,
      redisUrl: e.REDIS_URL,
      idempotencyTtlMs: e.IDEMPOTENCY_TTL_SECONDS * 1000,
      lockMs: e.IDEMPOTENCY_LOCK_SECONDS * 1000,
    },
    rateLimit: { redeemsPerMinute: e.RATE_LIMIT_REDEEMS_PER_MINUTE },
    upstream: {
      connectMs: e.UPSTREAM_CONNECT_TIMEOUT_MS,
      headersMs: e.UPSTREAM_HEADERS_TIMEOUT_MS,
      totalMs: e.UPSTREAM_TIMEOUT_MS,
    },
    limits: {
      depth: e.MAX_DEPTH,
      aliases: e.MAX_ALIASES,
      tokens: e.MAX_TOKENS,
      directives: e.MAX_DIRECTIVES,
      cost: e.MAX_COST,
      bodyBytes: e.MAX_BODY_BYTES,
    },
    shutdownGraceMs: e.SHUTDOWN_GRACE_MS,
    simulatorLatencyMs: e.SIMULATOR_LATENCY_MS,
    providers,
    resilience: resilience.data,
  };
}
