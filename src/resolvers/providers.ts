/**
 * The `providers` query and `/readyz`: each provider's mode and health as the gateway sees it.
 */
import { PROVIDER_NAMES, type ProviderName } from '../domain/provider.js';
import type { ProviderHealth } from '../resilience/policy.js';
import type { Services } from '../services/types.js';

export interface ProviderHealthView extends ProviderHealth {
  provider: ProviderName;
  mode: 'simulator' | 'live';
}

export const providerHealth = (services: Services): ProviderHealthView[] =>
  PROVIDER_NAMES.map((provider) => {
    const runtime = services.providers[provider];
    return { provider, mode: runtime.mode, ...runtime.health() };
  });
