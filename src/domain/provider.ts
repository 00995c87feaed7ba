/** The providers behind the gateway. Adding one adds a name here and a module in the registry. */
export const PROVIDER_NAMES = ['returningai', 'capillary', 'pers', 'triple', 'moment'] as const;
export type ProviderName = (typeof PROVIDER_NAMES)[number];

export const isProviderName = (value: string): value is ProviderName =>
  (PROVIDER_NAMES as readonly string[]).includes(value);
