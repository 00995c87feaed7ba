/**
 * Idempotency across processes, as `npm start` runs them: a key survives a restart on the SQLite
 * file store, and two gateway replicas sharing one real redis-server make one upstream call for
 * one key. The providers are simulators this test process runs, so every gateway reaches the
 * same provider state and the test reads one record of upstream calls.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { mintToken } from '../../src/auth/tokens.js';
import { SANDBOX_AUDIENCE, SANDBOX_ISSUER, SANDBOX_JWT_SECRET } from '../../src/config.js';
import { momentProvider } from '../../src/providers/moment/index.js';
import { SANDBOX_SECRET_KEY } from '../../src/providers/moment/simulator.js';
import { persProvider } from '../../src/providers/pers/index.js';
import { SANDBOX_PROJECT_KEY } from '../../src/providers/pers/simulator.js';
import type { Simulator } from '../../src/sim/kit.js';
import { deriveProviderKey } from '../../src/store/hash.js';
import { spawnGateway, type GatewayProcess } from '../support/process.js';
import { REDIS_MISSING_MESSAGE, startRedisServer } from '../support/redis-server.js';
import type { GraphQLResponse } from '../support/gateway.js';
import { EXECUTE_REDEEM, momentInput, payloadOf, persInput, type RedeemPayload, type RedeemResponse } from './support.js';

const MOMENT_CREATE = 'POST /collect/redemptions';
const PERS_REDEEM = 'POST /redemptions/redeems';
const CONCURRENT = 50;

const mint = (subject: string, role: 'user' | 'admin') =>
  mintToken({ subject, role }, { secret: SANDBOX_JWT_SECRET, issuer: SANDBOX_ISSUER, audience: SANDBOX_AUDIENCE });

async function post(url: string, token: string, key: string, input: unknown): Promise<RedeemResponse> {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: EXECUTE_REDEEM, variables: { key, input } }),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as GraphQLResponse['body'] } as RedeemResponse;
}

let moment: Simulator;
let pers: Simulator;
const started: GatewayProcess[] = [];

/** Starts `npm start`'s entry point with Moment and PERS pointed at this process's simulators. */
async function startGatewayProcess(env: Record<string, string>): Promise<{ url: string; process: GatewayProcess }> {
  const child = spawnGateway({
    PORT: '0',
    LOG_LEVEL: 'warn',
    RATE_LIMIT_REDEEMS_PER_MINUTE: '10000',
    MOMENT_BASE_URL: moment.url,
    MOMENT_SECRET_KEY: SANDBOX_SECRET_KEY,
    PERS_BASE_URL: pers.url,
    PERS_PROJECT_KEY: SANDBOX_PROJECT_KEY,
    ...env,
  });
  started.push(child);
  const [, url] = await child.waitFor(/listening on (http:\/\/\S+)/);
  return { url: url!, process: child };
}

async function stopGatewayProcess(child: GatewayProcess): Promise<void> {
  if (child.child.exitCode === null && child.child.signalCode === null) child.child.kill('SIGTERM');
  expect(await child.exited).toBe(0);
}

beforeAll(async () => {
  moment = momentProvider.createSimulator();
  pers = persProvider.createSimulator();
  await Promise.all([moment.listen(), pers.listen()]);
});
afterAll(async () => {
  for (const child of started) if (child.child.exitCode === null) child.child.kill('SIGKILL');
  await Promise.all([moment.close(), pers.close()]);
});
beforeEach(() => {
  moment.reset();
  pers.reset();
});

describe('a gateway restart on the SQLite file store', () => {
  it('replays a key used before the restart: same answer, replayed, no second upstream call', async () => {
    const sqlitePath = join(mkdtempSync(join(tmpdir(), 'gw-restart-')), 'gateway.db');
    const admin = await mint('admin-1', 'admin');

    const before = await startGatewayProcess({ SQLITE_PATH: sqlitePath });
    const first = payloadOf(await post(before.url, admin, 'before-restart', momentInput('25.00')));
    expect(first).toMatchObject({ replayed: false, userErrors: [], redemption: { status: { state: 'SUCCEEDED' } } });
    await stopGatewayProcess(before.process);

    const after = await startGatewayProcess({ SQLITE_PATH: sqlitePath });
    expect(payloadOf(await post(after.url, admin, 'before-restart', momentInput('25.00')))).toEqual({ ...first, replayed: true });
    // Another input under the same key is still refused after the restart.
    expect(payloadOf(await post(after.url, admin, 'before-restart', momentInput('30.00'))).userErrors.map((e) => e.code)).toEqual(['IDEMPOTENCY_KEY_REUSED']);
    expect(moment.calls(MOMENT_CREATE)).toHaveLength(1);
    await stopGatewayProcess(after.process);
  }, 60_000);
});

const redis = await startRedisServer();

describe.skipIf(!redis)(`two gateway replicas sharing one redis-server (${redis ? 'running' : REDIS_MISSING_MESSAGE})`, () => {
  let urls: string[] = [];
  beforeAll(async () => {
    const replicas = await Promise.all([startGatewayProcess({ REDIS_URL: redis!.url }), startGatewayProcess({ REDIS_URL: redis!.url })]);
    urls = replicas.map((replica) => replica.url);
  }, 60_000);
  afterAll(async () => {
    await Promise.all(started.filter((child) => child.child.exitCode === null).map(stopGatewayProcess));
    await redis?.stop();
  });

  /** Sends `CONCURRENT` requests at once, alternating between the replicas; checks one ran and the rest agree. */
  async function burst(token: string, key: string, input: unknown): Promise<RedeemPayload> {
    const payloads = (await Promise.all(Array.from({ length: CONCURRENT }, (_, i) => post(urls[i % urls.length]!, token, key, input)))).map(payloadOf);
    const ran = payloads.filter((p) => !p.replayed && p.userErrors.length === 0);
    expect(ran).toHaveLength(1);
    for (const payload of payloads) {
      if (payload === ran[0]) continue;
      if (payload.replayed) expect(payload).toEqual({ ...ran[0], replayed: true });
      else expect(payload.userErrors.map((e) => e.code)).toEqual(['IDEMPOTENCY_IN_PROGRESS']);
    }
    return ran[0]!;
  }

  it('make exactly one Moment create for fifty concurrent requests with one key', async () => {
    const admin = await mint('admin-1', 'admin');
    const first = await burst(admin, 'replicas-moment', momentInput('25.00'));
    const creates = moment.calls(MOMENT_CREATE);
    expect(creates).toHaveLength(1);
    expect(creates[0]!.headers['idempotency-key']).toBe(deriveProviderKey('admin::admin-1', 'replicas-moment', 'moment'));
    // Either replica replays it afterwards.
    for (const url of urls) expect(payloadOf(await post(url, admin, 'replicas-moment', momentInput('25.00')))).toEqual({ ...first, replayed: true });
    expect(moment.calls(MOMENT_CREATE)).toHaveLength(1);
  });

  it('make exactly one PERS redeem for fifty concurrent requests with one key', async () => {
    const user = await mint('user-1', 'user');
    await burst(user, 'replicas-pers', persInput());
    expect(pers.calls(PERS_REDEEM)).toHaveLength(1);
    expect(pers.calls(PERS_REDEEM)[0]!.body).toEqual({ redemptionId: 'red-coffee', businessId: null });
  });
});
