/**
 * Shared pieces of the schema tests: the seeded demo records as global ids, and views of what the
 * simulators recorded.
 */
import { toGlobalId } from '../../src/domain/ids.js';
import type { ProviderName } from '../../src/domain/provider.js';
import { DEMO_CUSTOMER_A, DEMO_CUSTOMER_B, DEMO_REDEMPTION_A, DEMO_REDEMPTION_B } from '../../src/providers/capillary/simulator.js';
import { SEEDED_REDEMPTION_ID } from '../../src/providers/moment/simulator.js';
import { DEMO_REDEEM_IDS } from '../../src/providers/pers/simulator.js';
import { DEMO_TRANSACTION_IDS } from '../../src/providers/returning-ai/simulator.js';
import { DEMO_REWARDS } from '../../src/providers/triple/simulator.js';
import type { RecordedRequest, Simulator } from '../../src/sim/kit.js';

/** One seeded record: its provider, the reference inside its global id, and its provider id. */
export interface DemoRecord {
  provider: ProviderName;
  ref: string;
  providerId: string;
  id: string;
}

const record = (provider: ProviderName, ref: string, providerId = ref): DemoRecord => ({
  provider, ref, providerId, id: toGlobalId(provider, ref),
});

/** Every seeded redemption of the five simulators (13 in all). */
export const DEMO = {
  orders: Object.values(DEMO_TRANSACTION_IDS).map((id) => record('returningai', id)),
  points: [
    record('capillary', `${DEMO_CUSTOMER_A.id}/${DEMO_REDEMPTION_A}`, DEMO_REDEMPTION_A),
    record('capillary', `${DEMO_CUSTOMER_B.id}/${DEMO_REDEMPTION_B}`, DEMO_REDEMPTION_B),
  ],
  redeems: DEMO_REDEEM_IDS.map((id) => record('pers', id)),
  rewards: DEMO_REWARDS.map((reward) => record('triple', reward.reward_id)),
  vouchers: [record('moment', SEEDED_REDEMPTION_ID)],
};

/** Well-formed ids of records no simulator holds. */
export const MISSING = {
  voucher: record('moment', 'rdm_000000000000000000000000'),
  reward: record('triple', 'rwd-9999'),
};

/** `METHOD /path?query` of each recorded request, in a stable order (parallel calls arrive in any order). */
export const callsOf = (sim: Simulator): string[] =>
  sim.requests.map(requestLine).sort();

export const requestLine = (request: RecordedRequest): string => {
  const query = new URLSearchParams(request.query).toString();
  return `${request.method} ${request.path}${query ? `?${query}` : ''}`;
};

/** A fresh idempotency key per call, so that tests never replay each other. */
let sequence = 0;
export const freshKey = (label: string): string => `${label}-${process.pid}-${Date.now()}-${++sequence}`;
