/**
 * The `providers` query and `/readyz`: each provider's mode and health as the gateway sees it,
 * in the shape of the `ProviderHealth` GraphQL type (so /readyz and the query read alike).
 */
import { PROVIDER_NAMES, type ProviderName } from '../domain/provider.js';
import type { ProviderHealth } from '../resilience/policy.js';
import type { Services } from '../services/types.js';

export interface ProviderHealthView extends Omit<ProviderHealth, 'latencyMs'> {
  provider: ProviderName;
  mode: 'simulator' | 'live';
  /** Latency percentiles of the provider's recent attempts, in milliseconds (0 before any call). */
  latencyP50Ms: number;
  latencyP95Ms: number;
  latencyP99Ms: number;
}

export const providerHealth = (services: Services): ProviderHealthView[] =>
  PROVIDER_NAMES.map((provider) => {
    const runtime = services.providers[provider];
    const { latencyMs, ...health } = runtime.health();
    return {
      provider,
      mode: runtime.mode,
      ...health,
      latencyP50Ms: latencyMs.p50,
      latencyP95Ms: latencyMs.p95,
      latencyP99Ms: latencyMs.p99,
    };
  });
