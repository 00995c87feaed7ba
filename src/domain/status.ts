/**
 * The canonical redemption states every provider status maps onto. The provider's own value
 * is always kept beside it (`raw`). A status missing from a provider's table maps to PENDING
 * and is logged: only an explicit success or failure is ever reported as one.
 */
export const REDEMPTION_STATES = [
  'PENDING',
  'PROCESSING',
  'RESERVED',
  'SUCCEEDED',
  'FAILED',
  'REVERSED',
  'CANCELLED',
  'UNKNOWN',
] as const;
export type RedemptionState = (typeof REDEMPTION_STATES)[number];

export interface RedemptionStatus {
  state: RedemptionState;
  /** The provider's value verbatim (a status string, a code, or a status record id). */
  raw: string;
  /** Display name, where the provider has one (Returning.AI merchant statuses). */
  name?: string;
  /** The provider's coarse bucket, where it has one (Returning.AI `category`). */
  category?: string;
  /** Display color, where the provider has one (Returning.AI `color`). */
  color?: string;
}

export interface StatusLogger {
  warn(details: object, message: string): void;
}

/** Looks a raw status up in a provider's table; unknown values become PENDING and are logged. */
export function toStatus(
  table: Readonly<Record<string, RedemptionState>>,
  raw: string,
  context: { provider: string; logger?: StatusLogger },
  extra: Omit<RedemptionStatus, 'state' | 'raw'> = {},
): RedemptionStatus {
  const state = Object.hasOwn(table, raw) ? table[raw] : undefined;
  if (state === undefined) {
    context.logger?.warn({ provider: context.provider, rawStatus: raw }, 'unmapped provider status; reported as PENDING');
  }
  return { state: state ?? 'PENDING', raw, ...extra };
}
