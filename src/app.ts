/**
 * The HTTP server: Fastify 5 with Apollo Server 5 at /graphql (and the Sandbox landing page at /
 * in sandbox mode), /healthz (liveness) and /readyz (readiness), CORS for Apollo Studio, CSRF
 * prevention on, request bodies capped (413), batching off, mutations over POST only (Apollo
 * answers 405 to a mutation over GET), abuse limits (src/plugins/limits.ts), and in production
 * no introspection unless configured, no field suggestions and no limit values in error text.
 */
import { randomUUID } from 'node:crypto';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import {
  ApolloServerPluginLandingPageLocalDefault,
  ApolloServerPluginLandingPageProductionDefault,
} from '@apollo/server/plugin/landingPage/default';
import fastifyApollo, { fastifyApolloDrainPlugin } from '@as-integrations/fastify';
import cors from '@fastify/cors';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { GraphQLError } from 'graphql';
import { unauthenticated } from './auth/tokens.js';
import { createContext, type GatewayContext } from './context.js';
import { isGatewayError } from './domain/errors.js';
import { createAccessLogger, LazyChildLogger, type Logger } from './logger.js';
import { createSchema } from './graphql/schema.js';
import { createErrorFormatter } from './plugins/errors.js';
import { httpStatusPlugin } from './plugins/http-status.js';
import { createLimits } from './plugins/limits.js';
import { providerHealth } from './resolvers/providers.js';
import type { Services } from './services/types.js';

export interface AppOptions {
  /** Headers the Sandbox landing page pre-fills (a demo token in sandbox mode). */
  sandboxHeaders?: Record<string, string>;
}

export interface App {
  fastify: FastifyInstance;
  apollo: ApolloServer<GatewayContext>;
  /** Stops accepting, lets in-flight requests finish, then stops Apollo. */
  drain(): Promise<void>;
}

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * One access line per request, "request completed", with the request, the status and the time, as
 * gateways log (Fastify's "incoming request" line is kept at debug level, for following a request
 * that never completes). Both are written by the access logger (see logger.ts): the service
 * logger's redaction would find nothing in them and costs more than the rest of the line. Failed
 * requests ("request errored", with the error) stay with the redacting logger.
 */
class AccessLogController extends LogController {
  constructor(private readonly access: Logger) {
    super();
  }

  override incomingRequest(request: FastifyRequest): void {
    this.access.debug({ reqId: request.id, req: request }, 'incoming request');
  }

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (error) return super.requestCompleted(error, request, reply);
    this.access.info({ reqId: request.id, req: request, res: { statusCode: reply.statusCode }, responseTime: reply.elapsedTime }, 'request completed');
  }
}

export async function createApp(services: Services, options: AppOptions = {}): Promise<App> {
  const { config, logger } = services;
  const production = config.mode === 'production';
  let draining = false;

  const fastify = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    logController: new AccessLogController(createAccessLogger(logger)),
    childLoggerFactory: (parent, bindings, options) => new LazyChildLogger(parent as Logger, bindings, options),
    bodyLimit: config.limits.bodyBytes,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
  });

  const limits = createLimits<GatewayContext>(config.limits, { hideLimits: production, blockFieldSuggestions: production });

  const landingPage = !config.landingPage
    ? ApolloServerPluginLandingPageDisabled()
    : production
      ? ApolloServerPluginLandingPageProductionDefault({ footer: false })
      : ApolloServerPluginLandingPageLocalDefault({ embed: true, headers: options.sandboxHeaders });

  const apollo = new ApolloServer<GatewayContext>({
    schema: createSchema(),
    introspection: config.introspection,
    csrfPrevention: true,
    allowBatchedHttpRequests: false,
    includeStacktraceInErrorResponses: false,
    hideSchemaDetailsFromClientErrors: production,
    formatError: createErrorFormatter(logger, { hideLimits: production }),
    validationRules: limits.validationRules,
    parseOptions: limits.parseOptions,
    plugins: [
      ...limits.plugins,
      landingPage,
      fastifyApolloDrainPlugin(fastify),
      httpStatusPlugin<GatewayContext>(),
      // No field carries a cache hint and no answer may be cached: skip the per-field hint bookkeeping.
      ApolloServerPluginCacheControlDisabled(),
    ],
    logger,
  });
  await apollo.start();

  await fastify.register(cors, {
    origin: config.corsOrigins,
    methods: ['GET', 'POST', 'OPTIONS'],
    allowedHeaders: ['authorization', 'content-type', 'apollo-require-preflight', 'x-apollo-operation-name', 'idempotency-key', 'x-request-id'],
    maxAge: 600,
  });

  const context = async (request: FastifyRequest): Promise<GatewayContext> => {
    let caller;
    try {
      caller = await services.authenticator.authenticate(request.headers.authorization);
    } catch (error) {
      // Every failure is the same UNAUTHENTICATED answer (the formatter shows the GatewayError).
      const cause = isGatewayError(error) ? error : unauthenticated();
      throw new GraphQLError(cause.message, { originalError: cause, extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } });
    }
    const key = request.headers['idempotency-key'];
    return createContext(services, {
      caller,
      requestId: request.id,
      logger: request.log as GatewayContext['logger'],
      idempotencyKeyHeader: typeof key === 'string' ? key : undefined,
    });
  };

  await fastify.register(fastifyApollo(apollo), { path: '/graphql', context });
  if (config.landingPage) await fastify.register(fastifyApollo(apollo), { path: '/', method: 'GET', context });

  // Fastify's own 404 echoes the URL, query string included, into the answer and the log: a
  // voucher PIN sent in a query would leak. Name the path only.
  fastify.setNotFoundHandler((request, reply) => {
    void reply.code(404).send({ error: 'Not Found', message: `No route for ${request.method} ${request.url.split('?')[0]}` });
  });
  fastify.get('/healthz', async () => ({ status: 'ok' }));
  fastify.get('/readyz', async (_request, reply) => {
    const store = await services.store.ping().then(() => 'ok', () => 'unavailable');
    const ready = !draining && store === 'ok';
    reply.code(ready ? 200 : 503);
    return { status: ready ? 'ready' : draining ? 'draining' : 'not ready', store, providers: providerHealth(services) };
  });

  return {
    fastify,
    apollo,
    async drain() {
      draining = true;
      await fastify.close();
    },
  };
}
