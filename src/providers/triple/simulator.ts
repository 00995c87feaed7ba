/**
 * Triple's documented Partner API contract as a real HTTP server: the OAuth2 token endpoint
 * (served on the same server at POST /oauth2/token), the reward endpoints, bearer-token checks,
 * validation, role-restricted transitions, and Triple's error envelope. Seeded with demo rewards.
 */
import { randomBytes } from 'node:crypto';
import { REWARD_STATUSES, type RewardRejection, type RewardStatus } from '../../domain/redemption.js';
import { createSimulator, type SimRequest, type SimResponse, type Simulator } from '../../sim/kit.js';
import type { SimulatorOptions, TripleRole } from '../types.js';
import { checkTransition, TRIPLE_EXCEPTION_BY_STATUS, TRIPLE_ROLES } from './tables.js';

export const SANDBOX_CLIENT_ID = 'triple-sandbox-client';
export const SANDBOX_CLIENT_SECRET = 'triple-sandbox-secret';
/** Token lifetime the docs give [D]. */
export const TOKEN_TTL_SECONDS = 3600;
export const TOKEN_PATH = '/oauth2/token';

/** A reward as Triple stores and returns it (GET /partner/rewards/{id}) [D]. */
export interface TripleRewardRecord {
  reward_id: string;
  transaction_id: string;
  offer_id: string;
  offer_external_id: string;
  transaction_timestamp: string;
  card_bin: string | null;
  card_last_4: string | null;
  transaction_amount: number;
  transaction_currency_code: string;
  reward_amount: number;
  reward_currency_code: string;
  offer_headline: string;
  merchant_name: string;
  merchant_complete_address: string;
  status: RewardStatus;
  notes: string | null;
  rejection: RewardRejection | null;
  status_updated_at: string;
}

const blueBottle = {
  offer_headline: '10% back at Blue Bottle Coffee',
  merchant_name: 'Blue Bottle Coffee',
  merchant_complete_address: '300 Webster St, Oakland, CA 94607, US',
  card_bin: '411111',
  card_last_4: '1111',
  transaction_currency_code: 'USD',
  reward_currency_code: 'USD',
  notes: null,
  rejection: null,
} as const;

const greenGrocer = {
  offer_headline: '10% back at Green Grocer Market',
  merchant_name: 'Green Grocer Market',
  merchant_complete_address: '12 Market St, San Francisco, CA 94105, US',
  card_bin: '522222',
  card_last_4: '2222',
  transaction_currency_code: 'USD',
  reward_currency_code: 'USD',
  notes: null,
  rejection: null,
} as const;

/** The seeded rewards; `reset()` restores exactly these. */
export const DEMO_REWARDS: readonly Readonly<TripleRewardRecord>[] = [
  {
    ...blueBottle, reward_id: 'rwd-1001', offer_id: 'triple-offer-1', offer_external_id: 'bb-coffee-10', transaction_id: 'triple-txn-1',
    transaction_timestamp: '2026-11-01T09:15:00Z', transaction_amount: 52.5, reward_amount: 5.25,
    status: 'PENDING_MERCHANT_APPROVAL', status_updated_at: '2026-11-01T09:20:00Z',
  },
  {
    ...blueBottle, reward_id: 'rwd-1002', offer_id: 'triple-offer-1', offer_external_id: 'bb-coffee-10', transaction_id: 'triple-txn-2',
    transaction_timestamp: '2026-10-20T17:40:00Z', transaction_amount: 30, reward_amount: 3,
    status: 'DISTRIBUTED_TO_PUBLISHER', status_updated_at: '2026-11-05T08:00:00Z',
  },
  {
    ...greenGrocer, reward_id: 'rwd-1003', offer_id: 'triple-offer-2', offer_external_id: 'green-grocer-10', transaction_id: 'triple-txn-3',
    transaction_timestamp: '2026-11-10T12:00:00Z', transaction_amount: 100, reward_amount: 10,
    status: 'PENDING_REVIEW', status_updated_at: '2026-11-10T12:05:00Z',
  },
  {
    ...greenGrocer, reward_id: 'rwd-1004', offer_id: 'triple-offer-2', offer_external_id: 'green-grocer-10', transaction_id: 'triple-txn-4',
    transaction_timestamp: '2026-11-11T08:30:00Z', transaction_amount: 4.99, reward_amount: 0.5,
    status: 'REJECTED', rejection: 'PURCHASE_AMOUNT_TOO_LOW', status_updated_at: '2026-11-11T08:31:00Z',
  },
];

export interface TripleSimulatorOptions extends SimulatorOptions {
  /** The roles of the partner the demo client acts as [I]; default both. */
  partnerRoles?: readonly TripleRole[];
}

export interface TripleSimulator extends Simulator {
  /** Access tokens issued so far, oldest first (for assertions; secrets of the fake only). */
  issuedTokens(): string[];
}

const MESSAGES: Readonly<Record<number, string>> = {
  400: 'The request is malformed.',
  401: 'Client authentication failed.',
  403: 'Client authentication failed.',
  404: 'The url path or path parameter is invalid.',
  409: 'The request conflicts with the current state of the resource.',
  415: 'The request content type is not supported.',
  422: 'The request could not be processed.',
};

/** Triple's error envelope [D]. Statuses Triple names no exception for carry TripleHTTPError [I]. */
export function tripleErrorBody(status: number, message: string, details: unknown[] = []) {
  return {
    status_code: status,
    content: { details, error_message: message, exception: TRIPLE_EXCEPTION_BY_STATUS[status] ?? 'TripleHTTPError' },
  };
}

const fail = (status: number, message = MESSAGES[status] ?? 'Error', details: unknown[] = []): SimResponse => ({
  status,
  body: tripleErrorBody(status, message, details),
});

/** RFC 6749 §5.2 error [I: Triple's token endpoint is assumed standard]. */
const oauthError = (status: number, error: string, headers?: Record<string, string>): SimResponse => ({
  status,
  body: { error },
  headers,
});

const isStatus = (value: unknown): value is RewardStatus => typeof value === 'string' && (REWARD_STATUSES as readonly string[]).includes(value);
const isEntityId = (value: unknown): value is string => typeof value === 'string' && value.trim() !== '' && value.length <= 100;
const isJson = (request: SimRequest) => (request.headers['content-type'] ?? '').includes('application/json');
const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

export function createTripleSimulator(options: TripleSimulatorOptions = {}): TripleSimulator {
  const now = options.now ?? Date.now;
  const roles = options.partnerRoles ?? TRIPLE_ROLES;
  const tokens = new Map<string, number>();
  const issued: string[] = [];
  let rewards = new Map<string, TripleRewardRecord>();
  const seed = () => void (rewards = new Map(DEMO_REWARDS.map((r) => [r.reward_id, { ...r }])));
  seed();

  function issueToken(request: SimRequest): SimResponse {
    const [scheme, encoded = ''] = (request.headers.authorization ?? '').split(' ');
    const [id, secret] = Buffer.from(encoded, 'base64').toString('utf8').split(':');
    if (scheme?.toLowerCase() !== 'basic' || id !== SANDBOX_CLIENT_ID || secret !== SANDBOX_CLIENT_SECRET) {
      return oauthError(401, 'invalid_client', { 'www-authenticate': 'Basic realm="triple"' });
    }
    if (!(request.headers['content-type'] ?? '').includes('application/x-www-form-urlencoded') || !isObject(request.body)) {
      return oauthError(400, 'invalid_request');
    }
    if (request.body.grant_type !== 'client_credentials') return oauthError(400, 'unsupported_grant_type');
    const token = `triple_at_${randomBytes(16).toString('hex')}`;
    tokens.set(token, now() + TOKEN_TTL_SECONDS * 1000);
    issued.push(token);
    return { status: 200, body: { access_token: token, token_type: 'Bearer', expires_in: TOKEN_TTL_SECONDS } };
  }

  /** Null when the bearer token is valid; else the NotAuthenticated envelope with `status`. */
  function refuse(request: SimRequest, status: 401 | 403): SimResponse | null {
    const match = /^Bearer (.+)$/.exec(request.headers.authorization ?? '');
    const expiresAt = match ? tokens.get(match[1]!) : undefined;
    return expiresAt !== undefined && expiresAt > now() ? null : fail(status);
  }

  const byPair = (offerId: string, transactionId: string) =>
    [...rewards.values()].find((r) => r.offer_id === offerId && r.transaction_id === transactionId);

  /** Applies a status change under the role rules; 409 for a disallowed move, 422 for missing notes [I]. */
  function transition(reward: TripleRewardRecord, to: RewardStatus, notes: string | undefined): SimResponse | null {
    const problem = checkTransition(roles, reward.status, to, notes);
    if (problem) {
      const detail = { field: problem.field?.join('.') ?? 'status', message: problem.message };
      return problem.code === 'INVALID_TRANSITION'
        ? fail(409, `The reward cannot move from ${reward.status} to ${to}.`, [detail])
        : fail(422, `Notes are required to set ${to}.`, [detail]);
    }
    if (notes !== undefined) reward.notes = notes;
    if (reward.status !== to) {
      reward.status = to;
      reward.status_updated_at = new Date(now()).toISOString();
    }
    return null;
  }

  /** POST /partner/rewards.update_status: 403 for a bad token, as its page documents [D]. */
  function updateStatus(request: SimRequest): SimResponse {
    const refused = refuse(request, 403);
    if (refused) return refused;
    if (!isJson(request)) return fail(415);
    const body = request.body;
    const details: { field: string; message: string }[] = [];
    if (!isObject(body)) return fail(400, 'The request body must be a JSON object.');
    if (!isStatus(body.status)) details.push({ field: 'status', message: `must be one of ${REWARD_STATUSES.join(', ')}` });
    if (!isEntityId(body.offer_id)) details.push({ field: 'offer_id', message: 'must be a non-empty id of at most 100 characters' });
    if (!isEntityId(body.transaction_id)) details.push({ field: 'transaction_id', message: 'must be a non-empty id of at most 100 characters' });
    if (details.length > 0) return fail(400, MESSAGES[400], details);
    const reward = byPair(body.offer_id as string, body.transaction_id as string);
    if (!reward) return fail(404, 'No reward matches the offer_id and transaction_id.');
    // The body has no notes field [D], so a denial (which needs notes) is refused here with 422 [I].
    return transition(reward, body.status as RewardStatus, undefined) ?? { status: 200, body: { ok: true } };
  }

  /** PATCH /partner/rewards/{id} [D]; a bad token is 401 here [I: docs say 401 or 403]. */
  function patchReward(request: SimRequest): SimResponse {
    const refused = refuse(request, 401);
    if (refused) return refused;
    if (!isJson(request)) return fail(415);
    const body = request.body;
    if (!isObject(body)) return fail(400, 'The request body must be a JSON object.');
    const details: { field: string; message: string }[] = [];
    if (!isStatus(body.status)) details.push({ field: 'status', message: `must be one of ${REWARD_STATUSES.join(', ')}` });
    if (body.notes !== undefined && body.notes !== null && typeof body.notes !== 'string') details.push({ field: 'notes', message: 'must be a string' });
    // Only Triple sets rejection and notification [D]; a partner sending them is refused [I].
    for (const field of ['rejection', 'notification']) {
      if (body[field] !== undefined && body[field] !== null) details.push({ field, message: 'is set by Triple only' });
    }
    if (details.length > 0) return fail(400, MESSAGES[400], details);
    const reward = rewards.get(request.params.id ?? '');
    if (!reward) return fail(404);
    const refusedMove = transition(reward, body.status as RewardStatus, typeof body.notes === 'string' ? body.notes : undefined);
    if (refusedMove) return refusedMove;
    const { reward_amount, reward_currency_code, notes, offer_id, rejection, reward_id, status, status_updated_at } = reward;
    return {
      status: 200,
      body: { amount: reward_amount, currency_code: reward_currency_code, notes, offer_id, rejection, reward_id, status, status_updated_at },
    };
  }

  function getReward(request: SimRequest): SimResponse {
    const reward = rewards.get(request.params.id ?? '');
    return refuse(request, 401) ?? (reward ? { status: 200, body: reward } : fail(404));
  }

  /** GET /partner/rewards?status= [S]; offer_id / transaction_id filters [I]. Up to 1000, no paging [D]. */
  function listRewards(request: SimRequest): SimResponse {
    const refused = refuse(request, 401);
    if (refused) return refused;
    const { status, offer_id: offerId, transaction_id: transactionId } = request.query;
    if (status !== undefined && !isStatus(status)) {
      return fail(400, MESSAGES[400], [{ field: 'status', message: `must be one of ${REWARD_STATUSES.join(', ')}` }]);
    }
    const found = [...rewards.values()].filter(
      (r) =>
        (status === undefined || r.status === status) &&
        (offerId === undefined || r.offer_id === offerId) &&
        (transactionId === undefined || r.transaction_id === transactionId),
    );
    return { status: 200, body: { rewards: found.slice(0, 1000) } };
  }

  const simulator = createSimulator({
    name: 'triple',
    routes: [
      { route: `POST ${TOKEN_PATH}`, handler: issueToken },
      { route: 'POST /partner/rewards.update_status', handler: updateStatus },
      { route: 'PATCH /partner/rewards/:id', handler: patchReward },
      { route: 'GET /partner/rewards/:id', handler: getReward },
      { route: 'GET /partner/rewards', handler: listRewards },
    ],
    errorBody: (status, message) => tripleErrorBody(status, message),
    reset: seed,
  });
  return Object.assign(simulator, { issuedTokens: () => [...issued] });
}
