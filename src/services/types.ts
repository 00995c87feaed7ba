/**
 * What a running gateway is made of, built once at boot and shared by every request.
 */
import type { Authenticator } from '../auth/tokens.js';
import type { Config } from '../config.js';
import type { ProviderName } from '../domain/provider.js';
import type { Logger } from '../logger.js';
import type { Adapters } from '../providers/registry.js';
import type { ProviderHealth } from '../resilience/policy.js';
import type { Store } from '../store/types.js';

export interface ProviderRuntime {
  mode: 'simulator' | 'live';
  health(): ProviderHealth;
}

export interface Services {
  config: Config;
  logger: Logger;
  adapters: Adapters;
  providers: Record<ProviderName, ProviderRuntime>;
  store: Store;
  authenticator: Authenticator;
}
