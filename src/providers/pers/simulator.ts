/**
 * The PERS simulator: the documented redeem, redeem-read, offer and auth endpoints as a real
 * HTTP server, with PERS's project-key and session checks, its RFC 7807-like error envelope, the
 * redeem rules, and state seeded with demo offers, balances and redeems.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { decodeJwt, jwtVerify, SignJWT, type JWTPayload } from 'jose';
import { createSimulator, type SimRequest, type SimResponse, type SimRoute, type Simulator } from '../../sim/kit.js';
import type { SimulatorOptions } from '../types.js';
import { PERS_REDEEM_PATHS, type PersRedeemPath } from './adapter.js';
import type { PersRedeemStatus } from './tables.js';

/** The sandbox project key (testnet `pk_test_` prefix, 64 characters in all). */
export const SANDBOX_PROJECT_KEY = 'pk_test_5d7da25450413018e56deea5cc4e355e1b19ad3c2146c3b8fe497ae9';
/** Token balance of users not in the seed, so that any demo caller can redeem [I]. */
export const DEFAULT_TOKEN_BALANCE = 1000;
/** Seeded token balances. */
export const DEMO_BALANCES: Readonly<Record<string, number>> = { 'user-1': 100, 'user-2': 5 };
export const DEMO_OFFER_IDS = { coffee: 'red-coffee', tshirt: 'red-tshirt', retired: 'red-retired' } as const;
export const DEMO_REDEEM_IDS = ['rdm-1001', 'rdm-1002', 'rdm-1003'] as const;
/** Lifetime of simulator access tokens [D: 15 min default]. */
export const SIM_ACCESS_TOKEN_TTL_MS = 15 * 60_000;
/** Lifetime of simulator refresh tokens [I]. */
export const SIM_REFRESH_TOKEN_TTL_MS = 7 * 24 * 3_600_000;
/** The simulated credit token contract. */
export const SIM_TOKEN_ADDRESS = '0x5e1a7c0ffee5e1a7c0ffee5e1a7c0ffee5e1a7c0';

export interface PersSimulatorOptions extends SimulatorOptions {
  /** Which execute-redeem paths answer; default both (doc 2.0.5 and >= 2.0.7). */
  redeemPaths?: readonly PersRedeemPath[];
}

export interface PersSimulator extends Simulator {
  /** A user's current token balance (state inspection for tests). */
  balanceOf(userId: string): number;
}

type Role = 'user' | 'business' | 'admin';
interface Session { sub: string; role: Role; businessId?: string }

interface Offer {
  id: string; name: string; description: string; isActive: boolean;
  creditTokenAmount: number; supply: { available: number; total: number }; maxPerUser: number;
}

interface RedeemRecord {
  id: string; userId: string; redemptionId: string; businessId: string | null; userCountryCode: string | null;
  status: PersRedeemStatus; anonymizedIpAddress: string | null; createdAt: string; updatedAt: string;
  failureReason: string | null; message: string | null;
}

const seedOffers = (): Offer[] => [
  { id: 'red-coffee', name: 'Free coffee', description: 'One free coffee at any participating store', isActive: true,
    creditTokenAmount: 10, supply: { available: 100, total: 100 }, maxPerUser: 5 },
  { id: 'red-tshirt', name: 'Branded T-shirt', description: 'A limited-edition T-shirt', isActive: true,
    creditTokenAmount: 50, supply: { available: 1, total: 10 }, maxPerUser: 1 },
  { id: 'red-retired', name: 'Retired offer', description: 'No longer available', isActive: false,
    creditTokenAmount: 5, supply: { available: 10, total: 10 }, maxPerUser: 1 },
];

const seedRedeem = (id: string, userId: string, redemptionId: string, businessId: string, status: PersRedeemStatus, at: string): RedeemRecord => ({
  id, userId, redemptionId, businessId, userCountryCode: 'ZA', status, anonymizedIpAddress: '10.0.0.0',
  createdAt: at, updatedAt: at, failureReason: null, message: null,
});

const seedRedeems = (): RedeemRecord[] => [
  seedRedeem('rdm-1001', 'user-1', 'red-coffee', 'biz-1', 'COMPLETED', '2026-01-10T09:00:00.000Z'),
  seedRedeem('rdm-1002', 'user-2', 'red-coffee', 'biz-2', 'COMPLETED', '2026-01-11T09:00:00.000Z'),
  seedRedeem('rdm-1003', 'user-1', 'red-tshirt', 'biz-2', 'PENDING', '2026-01-12T09:00:00.000Z'),
];

/** PERS `authType` -> the role of the session it opens. 'system' is not simulated. */
const ROLE_OF_AUTH_TYPE: Readonly<Record<string, Role>> = { user: 'user', business: 'business', tenant: 'admin' };

const CATEGORY_BY_STATUS: Readonly<Record<number, string>> = {
  400: 'VALIDATION', 401: 'SECURITY', 403: 'SECURITY', 404: 'NOT_FOUND', 422: 'DOMAIN_RULE', 429: 'RATE_LIMIT',
};
/** Codes for forced statuses; only those in the error table are documented or inferred [I]. */
const CODE_BY_STATUS: Readonly<Record<number, string>> = {
  400: 'VALIDATION_ERROR', 401: 'UNAUTHORIZED', 403: 'FORBIDDEN', 404: 'NOT_FOUND', 409: 'CONFLICT', 422: 'DOMAIN_RULE_VIOLATION',
  429: 'RATE_LIMIT_EXCEEDED', 500: 'INTERNAL_ERROR', 502: 'BAD_GATEWAY', 503: 'SERVICE_UNAVAILABLE', 504: 'GATEWAY_TIMEOUT',
};
const TITLES: Readonly<Record<number, string>> = {
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 409: 'Conflict', 422: 'Unprocessable Entity',
  429: 'Too Many Requests', 500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout',
};

/** The access-token signing key: simulator-internal, never a real credential. */
const SIGNING_KEY = new TextEncoder().encode('pers-simulator-session-signing-key-not-a-secret');

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isPositiveInt = (value: string | undefined) => value === undefined || /^[1-9]\d*$/.test(value);

/**
 * PERS's error envelope [D: RFC 7807-like; categories other than VALIDATION, SECURITY and
 * DOMAIN_RULE, and codes for forced statuses, are I]. Retryable for 5xx and 429 [I].
 */
export function persErrorBody(status: number, message: string, code = CODE_BY_STATUS[status] ?? 'ERROR', timestamp = new Date().toISOString()) {
  return {
    status, title: TITLES[status] ?? 'Error', detail: message, message, code,
    category: CATEGORY_BY_STATUS[status] ?? (status >= 500 ? 'TECHNICAL' : 'DOMAIN_RULE'),
    timestamp, correlationId: randomUUID(), retryable: status >= 500 || status === 429,
  };
}

export function createPersSimulator(options: PersSimulatorOptions = {}): PersSimulator {
  const now = options.now ?? Date.now;
  const iso = () => new Date(now()).toISOString();
  const livePaths = options.redeemPaths ?? PERS_REDEEM_PATHS;

  let offers = new Map<string, Offer>();
  let balances = new Map<string, number>();
  let redeems: RedeemRecord[] = [];
  let refreshTokens = new Map<string, Session & { expiresAt: number }>();
  let verifiedTokens = new Map<string, JWTPayload>();
  let sequence = 0;

  function reset() {
    offers = new Map(seedOffers().map((offer) => [offer.id, offer]));
    balances = new Map(Object.entries(DEMO_BALANCES));
    redeems = seedRedeems();
    refreshTokens = new Map();
    verifiedTokens = new Map();
    sequence = 1003;
  }
  reset();

  const fail = (status: number, code: string, message: string): SimResponse => ({ status, body: persErrorBody(status, message, code, iso()) });

  /** Every call needs the project key [D]; a missing or wrong key is a 401 SECURITY error [I: 401 rather than 403]. */
  function projectKeyRefusal(request: SimRequest): SimResponse | undefined {
    const key = request.headers['x-project-key'];
    if (key === SANDBOX_PROJECT_KEY) return undefined;
    return fail(401, 'UNAUTHORIZED', key ? 'The project key is not valid' : 'The X-Project-Key header is required');
  }

  async function issueSession(session: Session) {
    const iat = Math.floor(now() / 1000);
    const accessToken = await new SignJWT({ role: session.role, ...(session.businessId ? { businessId: session.businessId } : {}) })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(session.sub)
      .setJti(randomUUID()) // every session distinct, even within one clock tick
      .setIssuedAt(iat)
      .setExpirationTime(iat + SIM_ACCESS_TOKEN_TTL_MS / 1000)
      .sign(SIGNING_KEY);
    const refreshToken = `rt_${randomBytes(24).toString('hex')}`;
    refreshTokens.set(refreshToken, { ...session, expiresAt: now() + SIM_REFRESH_TOKEN_TTL_MS });
    return { status: 201, body: { accessToken, refreshToken } };
  }

  type Authenticated = { session: Session; refusal?: undefined } | { session?: undefined; refusal: SimResponse };

  /**
   * The payload of a valid, unexpired session token. A token's signature is checked once (jose's
   * HMAC goes through the thread pool, ~0.2 ms that a fan-out of reads would queue behind); its
   * expiry on every call, as jose checks it.
   */
  async function verify(token: string): Promise<JWTPayload> {
    const known = verifiedTokens.get(token);
    if (!known) {
      const { payload } = await jwtVerify(token, SIGNING_KEY, { algorithms: ['HS256'], currentDate: new Date(now()) });
      verifiedTokens.set(token, payload);
      return payload;
    }
    if (known.exp !== undefined && known.exp <= Math.floor(now() / 1000)) throw new Error('expired');
    return known;
  }

  /** Project key plus a valid, unexpired session token issued by this simulator. */
  async function authenticate(request: SimRequest): Promise<Authenticated> {
    const refusal = projectKeyRefusal(request);
    if (refusal) return { refusal };
    const match = /^Bearer (\S+)$/.exec(request.headers.authorization ?? '');
    if (!match) return { refusal: fail(401, 'UNAUTHORIZED', 'A PERS session token is required') };
    try {
      const payload = await verify(match[1]!);
      const role = payload.role as Role;
      const businessId = typeof payload.businessId === 'string' ? payload.businessId : undefined;
      return { session: { sub: payload.sub!, role, ...(businessId ? { businessId } : {}) } };
    } catch {
      return { refusal: fail(401, 'INVALID_TOKEN', 'The session token is invalid or expired') };
    }
  }

  /** Users see their own redeems, businesses their business's, admins all [D]. */
  const visibleTo = (session: Session, redeem: RedeemRecord) =>
    session.role === 'admin' || (session.role === 'user' ? redeem.userId === session.sub : redeem.businessId === session.businessId);

  /** The documented redeem fields (the business is kept internally, not returned). */
  const toWire = ({ businessId: _businessId, ...redeem }: RedeemRecord) => redeem;

  const offerToWire = (offer: Offer) => ({
    ...offer, imageUrl: null, type: { id: 1, name: 'Voucher' }, tokenUnits: [], tags: [], countryCodeRestrictions: [],
  });

  async function executeRedeem(request: SimRequest): Promise<SimResponse> {
    const auth = await authenticate(request);
    if (auth.refusal) return auth.refusal;
    const { session } = auth;
    const body = isObject(request.body) ? request.body : {};
    const { redemptionId, businessId } = body;
    if (typeof redemptionId !== 'string' || redemptionId.trim() === '') {
      return fail(400, 'VALIDATION_ERROR', 'redemptionId must be a non-empty string');
    }
    // businessId is documented as required-nullable; a missing one is taken as null [I].
    if (businessId !== undefined && businessId !== null && typeof businessId !== 'string') {
      return fail(400, 'VALIDATION_ERROR', 'businessId must be a string or null');
    }
    // A business acts only for its own business [I, by analogy with the documented read rules].
    if (session.role === 'business' && businessId && businessId !== session.businessId) {
      return fail(403, 'FORBIDDEN', 'A business may only redeem for its own business');
    }
    const forBusiness = session.role === 'business' ? session.businessId ?? null : (businessId as string | null | undefined) ?? null;

    // Redeem rules [I]: exists, active, supply, per-user limit, balance, in that order.
    const offer = offers.get(redemptionId);
    if (!offer) return fail(404, 'REDEMPTION_NOT_FOUND', `Redemption ${redemptionId} was not found`);
    if (!offer.isActive) return fail(422, 'REDEMPTION_INACTIVE', 'The redemption is not active');
    if (offer.supply.available <= 0) return fail(422, 'SUPPLY_EXHAUSTED', 'The redemption has no supply left');
    const userId = session.sub;
    const taken = redeems.filter((r) => r.userId === userId && r.redemptionId === offer.id && r.status !== 'FAILED').length;
    if (taken >= offer.maxPerUser) return fail(422, 'MAX_PER_USER_EXCEEDED', `At most ${offer.maxPerUser} redeems per user`);
    const balance = balances.get(userId) ?? DEFAULT_TOKEN_BALANCE;
    if (balance < offer.creditTokenAmount) return fail(422, 'INSUFFICIENT_TOKEN_BALANCE', 'The token balance is too low');

    balances.set(userId, balance - offer.creditTokenAmount);
    offer.supply.available -= 1;
    sequence += 1;
    const at = iso();
    const redeem: RedeemRecord = {
      id: `rdm-${sequence}`, userId, redemptionId: offer.id, businessId: forBusiness, userCountryCode: null, status: 'COMPLETED',
      anonymizedIpAddress: null, createdAt: at, updatedAt: at, failureReason: null, message: 'Redemption completed',
    };
    redeems.push(redeem);
    // Tokens are burnt, or transferred to the business the redeem is for [I].
    const transaction = {
      id: `tx-${sequence}`, amount: offer.creditTokenAmount, tokenAddress: SIM_TOKEN_ADDRESS, contractTokenId: null, tokenType: 'ERC20',
      type: forBusiness ? 'TRANSFER' : 'BURN', triggerProcessType: 'SPEND', triggerProcessId: redeem.id, status: 'created',
      transactionHash: `0x${createHash('sha256').update(redeem.id).digest('hex')}`,
      senderEntityId: userId, senderEntityType: 'user',
      recipientEntityId: forBusiness, recipientEntityType: forBusiness ? 'business' : null,
    };
    return {
      status: 201, // [I] NestJS default for POST; docs leave 200 vs 201 open.
      body: {
        redeem: toWire(redeem),
        senderTransaction: { transaction, transactionStatus: 'created', signingData: {}, actionable: {}, walletSigningStatus: 'NOT_REQUIRED' },
      },
    };
  }

  const routes: SimRoute[] = [
    {
      route: 'POST /auth/token',
      async handler(request) {
        const refusal = projectKeyRefusal(request);
        if (refusal) return refusal;
        const body = isObject(request.body) ? request.body : {};
        const role = typeof body.authType === 'string' ? ROLE_OF_AUTH_TYPE[body.authType] : undefined;
        if (typeof body.authToken !== 'string' || body.authToken === '' || !role) {
          return fail(400, 'VALIDATION_ERROR', "authToken (string) and authType ('user', 'business' or 'tenant') are required");
        }
        // [I] The tenant's identity provider is trusted: the token's payload is read WITHOUT
        // verifying its signature, and its `sub` becomes the PERS user (or business account) id.
        let sub: unknown;
        try {
          sub = decodeJwt(body.authToken).sub;
        } catch {
          sub = undefined;
        }
        if (typeof sub !== 'string' || sub === '') return fail(401, 'INVALID_TOKEN', 'The authToken is not a token with a subject');
        if (role !== 'business') return issueSession({ sub, role });
        const context = isObject(body.context) ? body.context : {};
        if (typeof context.businessId !== 'string' || context.businessId === '') {
          return fail(400, 'MULTIPLE_CONTEXT_SELECTION_REQUIRED', 'Select the business to act for in context.businessId');
        }
        return issueSession({ sub, role, businessId: context.businessId });
      },
    },
    {
      route: 'POST /auth/refresh',
      async handler(request) {
        const refusal = projectKeyRefusal(request);
        if (refusal) return refusal;
        const token = isObject(request.body) ? request.body.refreshToken : undefined;
        if (typeof token !== 'string' || token === '') return fail(400, 'VALIDATION_ERROR', 'refreshToken (string) is required');
        const stored = refreshTokens.get(token);
        refreshTokens.delete(token); // rotated: each refresh token works once [I]
        if (!stored || stored.expiresAt <= now()) return fail(401, 'INVALID_TOKEN', 'The refresh token is invalid or expired');
        const { expiresAt: _expiresAt, ...session } = stored;
        return issueSession(session);
      },
    },
    ...livePaths.map((path): SimRoute => ({ route: `POST ${path}`, handler: executeRedeem })),
    {
      route: 'GET /redemption-redeems/me',
      async handler(request) {
        const auth = await authenticate(request);
        if (auth.refusal) return auth.refusal;
        // Documented as "requires user authentication"; other roles are refused [I].
        if (auth.session.role !== 'user') return fail(403, 'FORBIDDEN', 'This endpoint requires a user session');
        const { redemptionId } = request.query;
        const mine = redeems.filter((r) => r.userId === auth.session.sub && (!redemptionId || r.redemptionId === redemptionId));
        return { status: 200, body: mine.map(toWire) };
      },
    },
    {
      route: 'GET /redemption-redeems/:id',
      async handler(request) {
        const auth = await authenticate(request);
        if (auth.refusal) return auth.refusal;
        const redeem = redeems.find((r) => r.id === request.params.id);
        // A redeem the caller may not see is reported as missing [I].
        if (!redeem || !visibleTo(auth.session, redeem)) return fail(404, 'REDEEM_NOT_FOUND', `Redeem ${request.params.id} was not found`);
        return { status: 200, body: toWire(redeem) };
      },
    },
    {
      route: 'GET /redemption-redeems',
      async handler(request) {
        const auth = await authenticate(request);
        if (auth.refusal) return auth.refusal;
        const { session } = auth;
        const { redemptionId, userId, businessId, page, limit } = request.query;
        // page/limit are inferred [I]: positive integers, limit at most 100, defaults 1 and 20.
        if (!isPositiveInt(page) || !isPositiveInt(limit) || Number(limit ?? 20) > 100) {
          return fail(400, 'VALIDATION_ERROR', 'page must be >= 1 and limit between 1 and 100');
        }
        // userId/businessId filters are admin-only; other roles are filtered automatically [D].
        const adminFilter = (r: RedeemRecord) =>
          session.role !== 'admin' || ((!userId || r.userId === userId) && (!businessId || r.businessId === businessId));
        const size = Number(limit ?? 20);
        const start = (Number(page ?? 1) - 1) * size;
        const found = redeems
          .filter((r) => visibleTo(session, r) && (!redemptionId || r.redemptionId === redemptionId) && adminFilter(r))
          .slice(start, start + size);
        return { status: 200, body: found.map(toWire) };
      },
    },
    {
      route: 'GET /redemptions/:id',
      handler(request) {
        const refusal = projectKeyRefusal(request);
        if (refusal) return refusal;
        const offer = offers.get(request.params.id!);
        if (!offer) return fail(404, 'REDEMPTION_NOT_FOUND', `Redemption ${request.params.id} was not found`);
        return { status: 200, body: offerToWire(offer) };
      },
    },
  ];

  const simulator = createSimulator({ name: 'pers', routes, errorBody: (status, message) => persErrorBody(status, message, undefined, iso()), reset });
  return Object.assign(simulator, { balanceOf: (userId: string) => balances.get(userId) ?? DEFAULT_TOKEN_BALANCE });
}
