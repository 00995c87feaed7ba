/**
 * Helpers for the attack suite: a gateway in production mode (every provider configured "live"
 * through the environment, pointing at simulators this helper starts), raw HTTP to a gateway,
 * a JWKS endpoint on loopback, and a log capture.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, type JWK, type CryptoKey } from 'jose';
import { loadConfig, type Config } from '../../src/config.js';
import { startGateway, type Gateway } from '../../src/gateway.js';
import { createLogger } from '../../src/logger.js';
import { SANDBOX_PASSWORD, SANDBOX_USERNAME } from '../../src/providers/capillary/simulator.js';
import { SANDBOX_SECRET_KEY } from '../../src/providers/moment/simulator.js';
import { SANDBOX_PROJECT_KEY } from '../../src/providers/pers/simulator.js';
import { providerModules } from '../../src/providers/registry.js';
import { SANDBOX_API_KEY } from '../../src/providers/returning-ai/simulator.js';
import { SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET, TOKEN_PATH } from '../../src/providers/triple/simulator.js';
import type { Simulator } from '../../src/sim/kit.js';
import { createMemoryStore } from '../../src/store/memory.js';
import { withClient, type GraphQLResponse, type TestGateway } from '../support/gateway.js';

export const PRODUCTION_SECRET = 'production-test-secret-0123456789abcdef';
export const PRODUCTION_ISSUER = 'https://id.example.test/';
export const PRODUCTION_AUDIENCE = 'redemption-gateway-prod';

/** Lines a gateway logged, kept for searching. */
export function captureLogs() {
  const lines: string[] = [];
  return { lines, destination: { write: (line: string) => void lines.push(line) }, text: () => lines.join('') };
}

export interface ProductionGateway extends Omit<TestGateway, 'simulators'> {
  simulators: Record<'moment' | 'capillary' | 'pers' | 'triple' | 'returningai', Simulator>;
  /** The provider part of the environment the gateway was configured with. */
  providerEnv: Record<string, string>;
}

/**
 * A gateway with GATEWAY_MODE=production: introspection, landing page and field suggestions off,
 * limit values hidden. Providers are "live", configured from environment variables that point at
 * simulators (Capillary with till credentials, to exercise the Basic scheme).
 */
export async function startProductionGateway(options: { env?: Record<string, string>; logDestination?: { write(line: string): void } } = {}): Promise<ProductionGateway> {
  const sims = {
    moment: providerModules.moment.createSimulator(),
    capillary: providerModules.capillary.createSimulator(),
    pers: providerModules.pers.createSimulator(),
    triple: providerModules.triple.createSimulator(),
    returningai: providerModules.returningai.createSimulator(),
  };
  await Promise.all(Object.values(sims).map((sim) => sim.listen()));
  const providerEnv = {
    MOMENT_BASE_URL: sims.moment.url,
    MOMENT_SECRET_KEY: SANDBOX_SECRET_KEY,
    CAPILLARY_BASE_URL: sims.capillary.url,
    CAPILLARY_USERNAME: SANDBOX_USERNAME,
    CAPILLARY_PASSWORD: SANDBOX_PASSWORD,
    PERS_BASE_URL: sims.pers.url,
    PERS_PROJECT_KEY: SANDBOX_PROJECT_KEY,
    TRIPLE_BASE_URL: sims.triple.url,
    TRIPLE_TOKEN_URL: `${sims.triple.url}${TOKEN_PATH}`,
    TRIPLE_CLIENT_ID: SANDBOX_CLIENT_ID,
    TRIPLE_CLIENT_SECRET: SANDBOX_CLIENT_SECRET,
    RETURNINGAI_BASE_URL: sims.returningai.url,
    RETURNINGAI_API_KEY: SANDBOX_API_KEY,
  };
  const config = loadConfig({
    GATEWAY_MODE: 'production',
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'info',
    AUTH_JWT_SECRET: PRODUCTION_SECRET,
    AUTH_ISSUER: PRODUCTION_ISSUER,
    AUTH_AUDIENCE: PRODUCTION_AUDIENCE,
    ...providerEnv,
    ...options.env,
  });
  const logger = createLogger(config.logLevel, options.logDestination ?? { write: () => undefined });
  const gateway = await startGateway(config, { logger, store: createMemoryStore(), port: 0 });
  return withProductionClient(gateway, config, { simulators: sims, providerEnv, stop: async () => {
    await gateway.stop();
    await Promise.all(Object.values(sims).map((sim) => sim.close()));
  } });
}

/** A sandbox-mode gateway from this environment, with no token helpers (for JWKS-configured gateways). */
export async function startBareGateway(env: Record<string, string>): Promise<Gateway> {
  const config = loadConfig({ GATEWAY_MODE: 'sandbox', PORT: '0', LOG_LEVEL: 'warn', ...env });
  return startGateway(config, { logger: createLogger('silent'), store: createMemoryStore(), port: 0 });
}

type Extra = Pick<ProductionGateway, 'simulators' | 'providerEnv' | 'stop'>;

/** Adds tokens and a GraphQL client to a gateway (test/support/gateway.ts), plus this suite's extras. */
async function withProductionClient(gateway: Gateway, config: Config, extra: Extra): Promise<ProductionGateway> {
  return { ...(await withClient(gateway, config)), ...extra };
}

/** POSTs any JSON body to /graphql; the body is parsed when it is JSON. */
export async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<GraphQLResponse & { text: string }> {
  const raw = typeof body === 'string' ? body : JSON.stringify(body);
  const response = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: raw });
  return readResponse(response);
}

export async function readResponse(response: Response): Promise<GraphQLResponse & { text: string }> {
  const text = await response.text();
  let parsed: GraphQLResponse['body'] = {};
  try {
    parsed = JSON.parse(text) as GraphQLResponse['body'];
  } catch {
    // not JSON: callers assert on text
  }
  return { status: response.status, headers: response.headers, body: parsed, text };
}

/** A JWKS endpoint on loopback serving one RS256 public key; counts how often it was read. */
export async function startJwksServer(): Promise<{
  url: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
  /** The public key as SPKI PEM: what an algorithm-confusion attacker uses as an HMAC secret. */
  publicPem: string;
  kid: string;
  fetches(): number;
  close(): Promise<void>;
}> {
  const kid = 'test-key-1';
  const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
  let fetches = 0;
  const server: Server = createServer((_req, res) => {
    fetches += 1;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ keys: [publicJwk] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    privateKey,
    publicJwk,
    publicPem: await exportSPKI(publicKey),
    kid,
    fetches: () => fetches,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** An RS256 token signed with a JWKS server's key. */
export function signRs256(
  key: CryptoKey,
  kid: string,
  claims: Record<string, unknown>,
  options: { issuer?: string; audience?: string; expiresIn?: string | number; notBefore?: string | number } = {},
): Promise<string> {
  const jwt = new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' }).setIssuedAt().setExpirationTime(options.expiresIn ?? '1h');
  if (options.issuer) jwt.setIssuer(options.issuer);
  if (options.audience) jwt.setAudience(options.audience);
  if (options.notBefore !== undefined) jwt.setNotBefore(options.notBefore);
  return jwt.sign(key);
}

/** base64url of a UTF-8 string or bytes. */
export const b64url = (value: string | Uint8Array) => Buffer.from(value).toString('base64url');
