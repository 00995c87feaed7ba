/** PERS (Phygital Experience Rewards System): token redemptions made as the gateway's caller. */
import { z } from 'zod';
import { readProviderEnv, type PersAdapter, type ProviderModule } from '../types.js';
import { createPersAdapter, DEFAULT_REDEEM_PATH, PERS_REDEEM_PATHS, type PersConfig } from './adapter.js';
import { createPersSimulator, SANDBOX_PROJECT_KEY } from './simulator.js';

const VARS = ['PERS_BASE_URL', 'PERS_PROJECT_KEY', 'PERS_REDEEM_PATH', 'PERS_TIMEOUT_MS'] as const;

/** 64 characters: 64 hex, or the testnet `pk_test_` prefix and 56 hex [D: 64-char hex, pk_test_ for testnet]. */
const PROJECT_KEY = /^(?:pk_test_[0-9a-fA-F]{56}|[0-9a-fA-F]{64})$/;

const envSchema = z
  .object({
    PERS_BASE_URL: z.url({ message: 'must be an http(s) URL' }),
    PERS_PROJECT_KEY: z.string({ message: 'is required' }).regex(PROJECT_KEY, 'must be a project key (64 hex characters, or pk_test_ and 56 hex)'),
    PERS_REDEEM_PATH: z.enum(PERS_REDEEM_PATHS, { message: `must be one of ${PERS_REDEEM_PATHS.join(', ')}` }).default(DEFAULT_REDEEM_PATH),
    PERS_TIMEOUT_MS: z.coerce.number().int().positive({ message: 'must be a positive whole number of milliseconds' }).optional(),
  })
  .transform((env): PersConfig => ({
    baseUrl: env.PERS_BASE_URL,
    projectKey: env.PERS_PROJECT_KEY,
    redeemPath: env.PERS_REDEEM_PATH,
    timeoutMs: env.PERS_TIMEOUT_MS,
  }));

export const persProvider: ProviderModule<PersConfig, PersAdapter> = {
  name: 'pers',
  title: 'PERS',
  envVars: VARS,
  readConfig: (env) => readProviderEnv(env, VARS, envSchema, ['PERS_REDEEM_PATH', 'PERS_TIMEOUT_MS']),
  sandboxConfig: (url) => ({ baseUrl: url, projectKey: SANDBOX_PROJECT_KEY }),
  createAdapter: createPersAdapter,
  createSimulator: createPersSimulator,
};
