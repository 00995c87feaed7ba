/**
 * The operations a consumer copies run as written against the gateway as `npm start` runs it (a
 * child process in sandbox mode, with the tokens it prints): every operation of
 * examples/operations.graphql (fresh idempotency keys as variables), and every GraphQL block and
 * the curl example of the README. None may answer a GraphQL error or a userError.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kind, parse, type OperationDefinitionNode } from 'graphql';
import { afterEach, describe, expect, it } from 'vitest';
import { OPERATIONS, redeemVoucherAndReadBack } from '../../examples/client.js';
import { OPERATION_RULES } from '../../src/auth/rules.js';
import { ROOT, spawnGateway, type GatewayProcess } from '../support/process.js';
import { freshKey } from './support.js';

interface Started { process: GatewayProcess; endpoint: string; tokens: { user: string; admin: string } }

let running: GatewayProcess | undefined;
afterEach(async () => {
  running?.child.kill('SIGTERM');
  await running?.exited;
  running = undefined;
});

async function start(): Promise<Started> {
  const dir = mkdtempSync(join(tmpdir(), 'gw-examples-'));
  const process = spawnGateway({ PORT: '0', SQLITE_PATH: join(dir, 'gateway.db') });
  running = process;
  const [, url] = await process.waitFor(/listening on (http:\/\/\S+)/);
  const [, user] = await process.waitFor(/user\s+user-1\n\s+Bearer (\S+)/);
  const [, admin] = await process.waitFor(/admin\s+admin-1\n\s+Bearer (\S+)/);
  return { process, endpoint: `${url}/graphql`, tokens: { user: user!, admin: admin! } };
}

type Body = { data?: unknown; errors?: unknown[] };

async function post(endpoint: string, token: string, payload: object, headers: Record<string, string> = {}): Promise<Body> {
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...headers },
    body: JSON.stringify(payload),
  });
  return (await response.json()) as Body;
}

/** Every `userErrors` list anywhere in the data, flattened. */
const userErrorsIn = (value: unknown): unknown[] => {
  if (Array.isArray(value)) return value.flatMap(userErrorsIn);
  if (!value || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, inner]) => (key === 'userErrors' ? (inner as unknown[]) : userErrorsIn(inner)));
};

const operationsOf = (document: string) =>
  parse(document).definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);

/** The admin token, unless a root field of the operation is not the admin's (myRedeems). */
function tokenFor(operation: OperationDefinitionNode, tokens: Started['tokens']): string {
  const root = operation.operation === 'mutation' ? OPERATION_RULES.Mutation : OPERATION_RULES.Query;
  const fields = operation.selectionSet.selections.flatMap((s) => (s.kind === Kind.FIELD ? [s.name.value] : []));
  const adminMay = fields.every((field) => (root as Record<string, readonly string[]>)[field]?.includes('admin'));
  return adminMay ? tokens.admin : tokens.user;
}

/** Ids of every redemption in a result, for RedemptionsByIds. */
const redemptionIdsIn = (data: unknown): string[] => {
  const found: string[] = [];
  const walk = (value: unknown) => {
    if (Array.isArray(value)) return value.forEach(walk);
    if (!value || typeof value !== 'object') return;
    const record = value as Record<string, unknown>;
    if (typeof record.id === 'string' && typeof record.providerId === 'string') found.push(record.id);
    Object.values(record).forEach(walk);
  };
  walk(data);
  return found;
};

/**
 * Runs each operation of `document` in order, mutations first (so the queries read what they
 * made), with fresh keys for `$key` and the ids made so far (collected into `ids`) for `$ids`.
 * Returns each answer by name.
 */
async function runAll(started: Started, document: string, ids: string[] = []): Promise<Record<string, Body>> {
  const operations = operationsOf(document);
  const ordered = [...operations.filter((o) => o.operation === 'mutation'), ...operations.filter((o) => o.operation !== 'mutation')];
  const answers: Record<string, Body> = {};
  const send = (operationName: string, variables: object, token: string) =>
    post(started.endpoint, token, { query: document, operationName, variables });
  for (const operation of ordered) {
    const name = operation.name!.value;
    const wants = new Set(operation.variableDefinitions?.map((v) => v.variable.name.value));
    const variables = { ...(wants.has('key') ? { key: freshKey(name) } : {}), ...(wants.has('ids') ? { ids } : {}) };
    answers[name] = await send(name, variables, tokenFor(operation, started.tokens));
    if (operation.operation === 'mutation') ids.push(...redemptionIdsIn(answers[name]!.data));
  }
  return answers;
}

const expectClean = (answers: Record<string, Body>) => {
  for (const [name, body] of Object.entries(answers)) {
    expect({ name, errors: body.errors, userErrors: userErrorsIn(body.data) }).toEqual({ name, errors: undefined, userErrors: [] });
    expect(body.data).toBeTruthy();
  }
};

describe('examples/operations.graphql against npm start', () => {
  it('runs every operation as written with no errors and no userErrors', async () => {
    const started = await start();
    const answers = await runAll(started, OPERATIONS);

    expect(Object.keys(answers).sort()).toEqual([
      'ApproveReward', 'EditRedemptionBill', 'FulfilmentLists', 'MyRedeems', 'RedeemOffer', 'RedeemPoints', 'RedeemVoucher',
      'RedemptionsByIds', 'ShipOrder', 'Viewer',
    ]);
    expectClean(answers);
    // RedemptionsByIds read back the three redemptions the mutations made, in order.
    const read = (answers.RedemptionsByIds!.data as { redemptions: { provider: string }[] }).redemptions;
    expect(read.map((r) => r.provider)).toEqual(['MOMENT', 'CAPILLARY', 'PERS']);
  });

  it('runs through the typed client (examples/client.ts) end to end', async () => {
    const started = await start();
    const lines = await redeemVoucherAndReadBack(started.endpoint, started.tokens.user, freshKey('client'));
    expect(lines).toEqual([expect.stringMatching(/^MOMENT rdm_[0-9a-f]{24} SUCCEEDED v3 25\.00$/)]);
  });
});

describe('the README examples against npm start', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const blocks = [...readme.matchAll(/```graphql\n([\s\S]*?)```/g)].map((m) => m[1]!);

  it('runs every GraphQL block as written with no errors and no userErrors', async () => {
    expect(blocks.length).toBeGreaterThan(0);
    const started = await start();
    const answers: Record<string, Body> = {};
    const ids: string[] = [];
    // Blocks run in README order, so RedemptionsByIds reads what the redeem block made.
    for (const block of blocks) Object.assign(answers, await runAll(started, block, ids));

    expect(Object.keys(answers)).toEqual(expect.arrayContaining(['FulfilmentLists', 'ShipOrder', 'RedeemPoints', 'RedeemOffer', 'RedemptionsByIds']));
    expectClean(answers);
    const read = (answers.RedemptionsByIds!.data as { redemptions: { provider: string }[] }).redemptions;
    expect(read.map((r) => r.provider)).toEqual(['CAPILLARY', 'PERS']);
  });

  it('runs the curl example as written', async () => {
    const curl = /curl -s \S+ -H 'content-type: application\/json' \\\n\s+-H "authorization: Bearer \$TOKEN" -H 'idempotency-key: ([^']+)' \\\n\s+-d '([^']+)'/.exec(readme);
    expect(curl).not.toBeNull();
    const started = await start();
    const body = await post(started.endpoint, started.tokens.admin, JSON.parse(curl![2]!) as object, { 'idempotency-key': curl![1]! });

    expect(body.errors).toBeUndefined();
    expect(body.data).toMatchObject({ executeRedeem: { replayed: false, userErrors: [], redemption: { status: { state: 'SUCCEEDED' } } } });
  });
});
