/**
 * Shared pieces of the idempotency tests: the executeRedeem document, inputs built from the
 * simulators' demo data, and small readers of GraphQL answers.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_CUSTOMER_A } from '../../src/providers/capillary/simulator.js';
import { ONE_VOUCHER_PIN } from '../../src/providers/moment/simulator.js';
import { createSqliteStore } from '../../src/store/sqlite.js';
import type { GraphQLResponse } from '../support/gateway.js';

export const EXECUTE_REDEEM = /* GraphQL */ `
  mutation Redeem($key: String, $input: ExecuteRedeemInput!) {
    executeRedeem(idempotencyKey: $key, input: $input) {
      replayed
      redemption {
        id provider providerId status { state raw }
        ... on VoucherRedemption { version redeemedAmount { amount currencyCode } errorMessage }
        ... on PointsRedemption { points { amount } externalReferenceNumber billNumber }
        ... on TokenRedeem { userId redemptionId }
      }
      userErrors { code message field provider providerCode }
    }
  }
`;

export interface RedeemPayload {
  replayed: boolean;
  redemption: { id: string; provider: string; providerId: string; status: { state: string; raw: string } } & Record<string, unknown> | null;
  userErrors: { code: string; message: string; field: string[] | null; provider: string | null; providerCode: string | null }[];
}

export type RedeemResponse = GraphQLResponse<{ executeRedeem: RedeemPayload }>;

/** A 1Voucher redemption of `amount` rand from the seeded demo voucher (R100.00). */
export const momentInput = (amount = '25.00', extra: Record<string, unknown> = {}) => ({
  moment: { type: 'ONE_VOUCHER', source: { pin: ONE_VOUCHER_PIN }, amount: { amount, currencyCode: 'ZAR' }, ...extra },
});

/** A points redemption for demo customer A (5000 points). */
export const capillaryInput = (points = '100', billNumber = 'bill-idem-1') => ({
  capillary: { customer: { type: 'MOBILE', value: DEMO_CUSTOMER_A.mobile }, points, billNumber },
});

/** A PERS redeem of a demo offer (no business). */
export const persInput = (redemptionId = 'red-coffee') => ({ pers: { redemptionId } });

/** The payload of a successful executeRedeem answer; fails the test with the whole body otherwise. */
export function payloadOf(response: RedeemResponse): RedeemPayload {
  const payload = response.body.data?.executeRedeem;
  if (!payload || response.body.errors) throw new Error(`expected an executeRedeem payload, got ${JSON.stringify(response.body)}`);
  return payload;
}

/** The single GraphQL error of an answer, with its extensions. */
export function errorOf(response: RedeemResponse) {
  const errors = response.body.errors ?? [];
  if (errors.length !== 1) throw new Error(`expected one GraphQL error, got ${JSON.stringify(response.body)}`);
  return errors[0]!;
}

/** A fresh SQLite file store in its own temporary folder (the gateway's default store). */
export function tempSqlitePath(): string {
  return join(mkdtempSync(join(tmpdir(), 'gw-idem-')), 'gateway.db');
}

export const sqliteStore = (path = tempSqlitePath()) => createSqliteStore({ path });

/** Runs `count` copies of a request at once. */
export const concurrently = <T>(count: number, request: () => Promise<T>): Promise<T[]> =>
  Promise.all(Array.from({ length: count }, request));
