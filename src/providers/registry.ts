/**
 * Every provider the gateway knows. Adding a provider adds its folder and one line here.
 */
import type { ProviderName } from '../domain/provider.js';
import { capillaryProvider } from './capillary/index.js';
import { momentProvider } from './moment/index.js';
import { persProvider } from './pers/index.js';
import { returningAiProvider } from './returning-ai/index.js';
import { tripleProvider } from './triple/index.js';
import type { ProviderAdapter, ProviderModule } from './types.js';

export const providerModules = {
  returningai: returningAiProvider,
  capillary: capillaryProvider,
  pers: persProvider,
  triple: tripleProvider,
  moment: momentProvider,
  // Each module keeps its own config type; `any` only lets the table hold them side by side.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
} as const satisfies Record<ProviderName, ProviderModule<any, ProviderAdapter>>;

/** The adapters of one running gateway, by provider. */
export type Adapters = { [K in ProviderName]: ReturnType<(typeof providerModules)[K]['createAdapter']> };
