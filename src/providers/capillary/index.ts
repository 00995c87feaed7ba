import { z } from 'zod';
import { readProviderEnv, type CapillaryAdapter, type ProviderModule } from '../types.js';
import { createCapillaryAdapter, type CapillaryConfig } from './adapter.js';
import { createCapillarySimulator, SANDBOX_OAUTH_KEY, SANDBOX_OAUTH_SECRET } from './simulator.js';

const VARS = [
  'CAPILLARY_BASE_URL',
  'CAPILLARY_OAUTH_KEY',
  'CAPILLARY_OAUTH_SECRET',
  'CAPILLARY_USERNAME',
  'CAPILLARY_PASSWORD',
  'CAPILLARY_TIMEOUT_MS',
] as const;
const PAIRS = [
  ['CAPILLARY_OAUTH_KEY', 'CAPILLARY_OAUTH_SECRET'],
  ['CAPILLARY_USERNAME', 'CAPILLARY_PASSWORD'],
] as const;

/** Base URL plus OAuth key+secret or till username+password; OAuth wins when both pairs are set. */
const envSchema = z
  .object({
    CAPILLARY_BASE_URL: z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }),
    CAPILLARY_OAUTH_KEY: z.string().optional(),
    CAPILLARY_OAUTH_SECRET: z.string().optional(),
    CAPILLARY_USERNAME: z.string().optional(),
    CAPILLARY_PASSWORD: z.string().optional(),
    CAPILLARY_TIMEOUT_MS: z.coerce.number().int().positive().optional(),
  })
  .superRefine(
    (env, ctx) => {
      let complete = false;
      for (const [a, b] of PAIRS) {
        if (env[a] && env[b]) complete = true;
        else if (env[a] || env[b]) {
          const [missing, present] = env[a] ? [b, a] : [a, b];
          ctx.addIssue({ code: 'custom', path: [missing], message: `is required with ${present}` });
          complete = true; // the half pair is the problem to report
        }
      }
      if (!complete) {
        ctx.addIssue({
          code: 'custom',
          path: ['CAPILLARY_OAUTH_KEY'],
          message: 'set CAPILLARY_OAUTH_KEY and CAPILLARY_OAUTH_SECRET, or CAPILLARY_USERNAME and CAPILLARY_PASSWORD',
        });
      }
    },
    { when: () => true }, // pair problems are reported even when the URL is missing too
  )
  .transform(
    (env): CapillaryConfig => ({
      baseUrl: env.CAPILLARY_BASE_URL,
      auth:
        env.CAPILLARY_OAUTH_KEY && env.CAPILLARY_OAUTH_SECRET
          ? { kind: 'oauth', key: env.CAPILLARY_OAUTH_KEY, secret: env.CAPILLARY_OAUTH_SECRET }
          : { kind: 'basic', username: env.CAPILLARY_USERNAME!, password: env.CAPILLARY_PASSWORD! },
      timeoutMs: env.CAPILLARY_TIMEOUT_MS,
    }),
  );

export const capillaryProvider: ProviderModule<CapillaryConfig, CapillaryAdapter> = {
  name: 'capillary',
  title: 'Capillary',
  envVars: VARS,
  readConfig: (env) => readProviderEnv(env, VARS, envSchema, ['CAPILLARY_TIMEOUT_MS']),
  sandboxConfig: (url) => ({ baseUrl: url, auth: { kind: 'oauth', key: SANDBOX_OAUTH_KEY, secret: SANDBOX_OAUTH_SECRET } }),
  createAdapter: createCapillaryAdapter,
  createSimulator: createCapillarySimulator,
};

export type { CapillaryAuth, CapillaryConfig } from './adapter.js';
