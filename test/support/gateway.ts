/**
 * Starts a real gateway (simulators, adapters, store, HTTP server on an ephemeral loopback port)
 * for a test, and speaks GraphQL to it over HTTP as a client would.
 */
import { mintToken } from '../../src/auth/tokens.js';
import { loadConfig, type Config } from '../../src/config.js';
import { startGateway, type Gateway } from '../../src/gateway.js';
import { createLogger } from '../../src/logger.js';
import { createMemoryStore } from '../../src/store/memory.js';
import type { Store } from '../../src/store/types.js';
import type { Role } from '../../src/domain/caller.js';

export interface GraphQLResponse<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: { data?: T | null; errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[] };
}

export interface TestGateway extends Gateway {
  config: Config;
  tokens: { user: string; otherUser: string; business: string; otherBusiness: string; admin: string };
  token(claims: { subject: string; role: Role; businessId?: string }): Promise<string>;
  gql<T = Record<string, unknown>>(
    query: string,
    options?: { variables?: Record<string, unknown>; token?: string | null; headers?: Record<string, string> },
  ): Promise<GraphQLResponse<T>>;
}

export interface TestGatewayOptions {
  env?: Record<string, string>;
  store?: Store;
  /** Log lines are written here (default: dropped). */
  logDestination?: { write(line: string): void };
}

export async function startTestGateway(options: TestGatewayOptions = {}): Promise<TestGateway> {
  const config = loadConfig({ GATEWAY_MODE: 'sandbox', PORT: '0', LOG_LEVEL: 'warn', ...options.env });
  const logger = createLogger(config.logLevel, options.logDestination ?? { write: () => undefined });
  const gateway = await startGateway(config, { logger, store: options.store ?? createMemoryStore(), port: 0 });
  return withClient(gateway, config);
}

/** Adds the demo callers' tokens and a GraphQL-over-HTTP client to a started gateway. */
export async function withClient(gateway: Gateway, config: Config): Promise<TestGateway> {
  const mint = (claims: { subject: string; role: Role; businessId?: string }) =>
    mintToken(claims, { secret: config.auth.secret!, issuer: config.auth.issuer, audience: config.auth.audience });
  const tokens = {
    user: await mint({ subject: 'user-1', role: 'user' }),
    otherUser: await mint({ subject: 'user-2', role: 'user' }),
    business: await mint({ subject: 'biz-admin-1', role: 'business', businessId: 'biz-1' }),
    otherBusiness: await mint({ subject: 'biz-admin-2', role: 'business', businessId: 'biz-2' }),
    admin: await mint({ subject: 'admin-1', role: 'admin' }),
  };
  return {
    ...gateway,
    config,
    tokens,
    token: mint,
    async gql(query, { variables, token = tokens.admin, headers = {} } = {}) {
      const response = await fetch(`${gateway.url}/graphql`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...headers,
        },
        body: JSON.stringify({ query, variables }),
      });
      return { status: response.status, headers: response.headers, body: (await response.json()) as GraphQLResponse['body'] } as never;
    },
  };
}
