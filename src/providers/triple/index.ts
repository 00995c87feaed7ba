import { z } from 'zod';
import { readProviderEnv, type ProviderModule, type TripleAdapter } from '../types.js';
import { createTripleAdapter, type TripleConfig } from './adapter.js';
import { createTripleSimulator, SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET, TOKEN_PATH } from './simulator.js';

const VARS = ['TRIPLE_BASE_URL', 'TRIPLE_TOKEN_URL', 'TRIPLE_CLIENT_ID', 'TRIPLE_CLIENT_SECRET', 'TRIPLE_TIMEOUT_MS'] as const;

const required = (expected: string) =>
  z.string({ error: (issue) => (issue.input === undefined ? `is required (${expected})` : `must be ${expected}`) });
const httpUrl = z.url({ protocol: /^https?$/, error: (issue) => (issue.input === undefined ? 'is required (an http(s) URL)' : 'must be an http(s) URL') });

const envSchema = z
  .object({
    TRIPLE_BASE_URL: httpUrl,
    TRIPLE_TOKEN_URL: httpUrl,
    TRIPLE_CLIENT_ID: required('the OAuth2 client id').min(1),
    TRIPLE_CLIENT_SECRET: required('the OAuth2 client secret').min(1),
    TRIPLE_TIMEOUT_MS: z.coerce.number({ error: 'must be a positive integer of milliseconds' })
      .int({ error: 'must be a positive integer of milliseconds' })
      .positive({ error: 'must be a positive integer of milliseconds' })
      .optional(),
  })
  .transform((env): TripleConfig => ({
    baseUrl: env.TRIPLE_BASE_URL,
    tokenUrl: env.TRIPLE_TOKEN_URL,
    clientId: env.TRIPLE_CLIENT_ID,
    clientSecret: env.TRIPLE_CLIENT_SECRET,
    timeoutMs: env.TRIPLE_TIMEOUT_MS,
  }));

/** Triple (tripleup.dev) Partner API: card-linked offer rewards and their status. */
export const tripleProvider: ProviderModule<TripleConfig, TripleAdapter> = {
  name: 'triple',
  title: 'Triple',
  envVars: VARS,
  readConfig: (env) => readProviderEnv(env, VARS, envSchema, ['TRIPLE_TIMEOUT_MS']),
  sandboxConfig: (url) => ({
    baseUrl: url,
    tokenUrl: `${url}${TOKEN_PATH}`,
    clientId: SANDBOX_CLIENT_ID,
    clientSecret: SANDBOX_CLIENT_SECRET,
  }),
  createAdapter: createTripleAdapter,
  createSimulator: createTripleSimulator,
};

export type { TripleConfig } from './adapter.js';
