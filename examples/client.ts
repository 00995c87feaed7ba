/**
 * A schema consumer's typed client for examples/operations.graphql, built on the types
 * graphql-codegen generates (src/generated/operations.ts). Small on purpose: it exists so that a
 * schema change that breaks these operations fails `npm run typecheck`, and a test runs it against
 * a live gateway.
 */
import { readFileSync } from 'node:fs';
import type {
  RedeemVoucherMutation,
  RedeemVoucherMutationVariables,
  RedemptionsByIdsQuery,
  RedemptionsByIdsQueryVariables,
} from '../src/generated/operations.js';

/** The operations file as written. */
export const OPERATIONS = readFileSync(new URL('./operations.graphql', import.meta.url), 'utf8');

export interface GraphQLResult<TData> {
  data?: TData | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
}

/** Runs one named operation of OPERATIONS against `endpoint` (e.g. http://127.0.0.1:4000/graphql). */
export async function execute<TData, TVariables extends Record<string, unknown>>(
  endpoint: string,
  token: string,
  operationName: string,
  variables: TVariables,
): Promise<GraphQLResult<TData>> {
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: OPERATIONS, operationName, variables }),
  });
  return (await response.json()) as GraphQLResult<TData>;
}

type ListedRedemption = NonNullable<RedemptionsByIdsQuery['redemptions'][number]>;

/** One line per redemption, reading each concrete type's own fields. */
export function summarize(redemption: ListedRedemption): string {
  const head = `${redemption.provider} ${redemption.providerId} ${redemption.status.state}`;
  if ('version' in redemption) return `${head} v${redemption.version} ${redemption.redeemedAmount?.amount ?? '-'}`;
  if ('points' in redemption) return `${head} ${redemption.points.amount} points`;
  if ('rewardStatus' in redemption) return `${head} ${redemption.rewardStatus ?? 'unknown reward status'}`;
  if ('redemptionId' in redemption) return `${head} offer ${redemption.redemptionId}`;
  if ('statusId' in redemption) return `${head} status ${redemption.statusId}`;
  return head;
}

/** Redeems the demo voucher with `key`, then reads it back with RedemptionsByIds: the consumer path end to end. */
export async function redeemVoucherAndReadBack(endpoint: string, token: string, key: string): Promise<string[]> {
  const redeemed = await execute<RedeemVoucherMutation, RedeemVoucherMutationVariables>(endpoint, token, 'RedeemVoucher', { key });
  const id = redeemed.data?.executeRedeem.redemption?.id;
  if (!id) throw new Error(`RedeemVoucher returned no redemption: ${JSON.stringify(redeemed)}`);
  const read = await execute<RedemptionsByIdsQuery, RedemptionsByIdsQueryVariables>(endpoint, token, 'RedemptionsByIds', { ids: [id] });
  return (read.data?.redemptions ?? []).map((redemption) => (redemption ? summarize(redemption) : 'missing'));
}
