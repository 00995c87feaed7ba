/** Moment Collect · Redemptions: vouchers redeemed with a static secret key. */
import { z } from 'zod';
import { readProviderEnv, type MomentAdapter, type ProviderModule } from '../types.js';
import { createMomentAdapter, type MomentConfig } from './adapter.js';
import { createMomentSimulator, SANDBOX_SECRET_KEY } from './simulator.js';

const VARS = ['MOMENT_BASE_URL', 'MOMENT_SECRET_KEY', 'MOMENT_TIMEOUT_MS'] as const;

const required = (expected: string) => (issue: { input?: unknown }) => (issue.input === undefined ? 'is required' : expected);

const envSchema = z
  .object({
    MOMENT_BASE_URL: z.url({ protocol: /^https?$/, error: required('must be an http(s) URL') }),
    MOMENT_SECRET_KEY: z.string({ error: required('must be a string') }).regex(/^sk_/, 'must be a secret key (sk_...)'),
    MOMENT_TIMEOUT_MS: z.coerce.number().int().positive({ error: 'must be a positive whole number of milliseconds' }).optional(),
  })
  .transform((env): MomentConfig => ({
    baseUrl: env.MOMENT_BASE_URL,
    secretKey: env.MOMENT_SECRET_KEY,
    ...(env.MOMENT_TIMEOUT_MS !== undefined && { timeoutMs: env.MOMENT_TIMEOUT_MS }),
  }));

export const momentProvider: ProviderModule<MomentConfig, MomentAdapter> = {
  name: 'moment',
  title: 'Moment',
  envVars: VARS,
  readConfig: (env) => readProviderEnv(env, VARS, envSchema, ['MOMENT_TIMEOUT_MS']),
  sandboxConfig: (url) => ({ baseUrl: url, secretKey: SANDBOX_SECRET_KEY }),
  createAdapter: createMomentAdapter,
  createSimulator: createMomentSimulator,
};

export type { MomentConfig } from './adapter.js';
export { createMomentAdapter } from './adapter.js';
export { createMomentSimulator } from './simulator.js';
export { createVoucherRedemptionInputSchema, momentRedemptionIdSchema } from './input.js';
