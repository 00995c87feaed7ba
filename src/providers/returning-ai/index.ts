/** Returning.AI: merchant-defined order statuses pushed onto store redemption orders. */
import { z } from 'zod';
import { readProviderEnv, type ProviderModule, type ReturningAiAdapter } from '../types.js';
import { createReturningAiAdapter, type ReturningAiConfig } from './adapter.js';
import { createReturningAiSimulator, SANDBOX_API_KEY } from './simulator.js';

const VARS = [
  'RETURNINGAI_BASE_URL',
  'RETURNINGAI_API_KEY',
  'RETURNINGAI_ORDER_PATH',
  'RETURNINGAI_STATUSES_PATH',
  'RETURNINGAI_TIMEOUT_MS',
] as const;
const OPTIONAL = ['RETURNINGAI_ORDER_PATH', 'RETURNINGAI_STATUSES_PATH', 'RETURNINGAI_TIMEOUT_MS'];

const required = (input: unknown, otherwise: string) => (input === undefined ? 'is required' : otherwise);
const path = () => z.string().regex(/^\/\S*$/, 'must be a path starting with "/"');

const envSchema = z
  .object({
    RETURNINGAI_BASE_URL: z.url({ protocol: /^https?$/, error: (issue) => required(issue.input, 'must be an http(s) URL') }),
    RETURNINGAI_API_KEY: z.string({ error: (issue) => required(issue.input, 'must be a string') }).trim().min(1, 'must not be blank'),
    RETURNINGAI_ORDER_PATH: path()
      .refine((value) => value.includes('{transactionId}'), 'must contain the {transactionId} placeholder')
      .optional(),
    RETURNINGAI_STATUSES_PATH: path().optional(),
    RETURNINGAI_TIMEOUT_MS: z.coerce.number().int().positive().optional(),
  })
  .transform(
    (env): ReturningAiConfig => ({
      baseUrl: env.RETURNINGAI_BASE_URL,
      apiKey: env.RETURNINGAI_API_KEY,
      orderPath: env.RETURNINGAI_ORDER_PATH,
      statusesPath: env.RETURNINGAI_STATUSES_PATH,
      timeoutMs: env.RETURNINGAI_TIMEOUT_MS,
    }),
  );

export const returningAiProvider: ProviderModule<ReturningAiConfig, ReturningAiAdapter> = {
  name: 'returningai',
  title: 'Returning.AI',
  envVars: VARS,
  readConfig: (env) => readProviderEnv(env, VARS, envSchema, OPTIONAL),
  sandboxConfig: (url) => ({ baseUrl: url, apiKey: SANDBOX_API_KEY }),
  createAdapter: createReturningAiAdapter,
  createSimulator: createReturningAiSimulator,
};
