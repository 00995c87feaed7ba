/**
 * One formatter for every GraphQL error. GatewayErrors show their code, provider and retry hints
 * in `extensions`; errors graphql-js and Apollo raise about the request itself (parse, validation,
 * limits) pass as they are (with limit values removed when `hideLimits`); anything else is masked
 * as INTERNAL_SERVER_ERROR and logged with its cause, which never reaches the client.
 *
 * A GatewayError wrapped by Apollo (a failed context: "Context creation failed: ...") is shown as
 * the GatewayError itself, so a bad token and a missing one get the very same answer.
 */
import type { GraphQLError, GraphQLFormattedError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import { isGatewayError } from '../domain/errors.js';
import type { Logger } from '../logger.js';
import { maskLimitError } from './limits.js';

export function createErrorFormatter(logger: Logger, options: { hideLimits?: boolean } = {}) {
  const hideLimits = options.hideLimits ?? false;
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = gatewayCause(unwrapResolverError(error));
    if (isGatewayError(original)) {
      return {
        message: original.message,
        locations: formatted.locations,
        path: formatted.path,
        extensions: {
          code: original.code,
          ...(original.provider ? { provider: original.provider } : {}),
          ...(original.providerCode ? { providerCode: original.providerCode } : {}),
          retryable: original.retryable,
          ...(original.retryAfterMs !== undefined ? { retryAfterMs: original.retryAfterMs } : {}),
          ...(original.idempotencyKey ? { idempotencyKey: original.idempotencyKey } : {}),
          ...(original.field ? { field: original.field } : {}),
        },
      };
    }
    // Errors about the request itself (parse, validation, limits, CSRF, variable coercion) are
    // GraphQL errors with no foreign cause: ours to show. (Checked by shape: graphql-js can be
    // loaded twice, as ESM and CommonJS, so instanceof is not reliable.)
    if (isGraphQLErrorLike(original) && !isForeign(original.originalError)) return maskLimitError(stripInternals(formatted), hideLimits);
    logger.error({ err: original, path: formatted.path }, 'unexpected error, masked');
    return { message: 'Internal server error', locations: formatted.locations, path: formatted.path, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
  };
}

const isGraphQLErrorLike = (value: unknown): value is GraphQLError =>
  value instanceof Error && 'extensions' in value && 'locations' in value && 'path' in value;

/** The GatewayError under a chain of GraphQL errors wrapping it, else the error itself. */
function gatewayCause(error: unknown): unknown {
  let cause = error;
  for (let depth = 0; depth < 3 && isGraphQLErrorLike(cause) && cause.originalError; depth++) cause = cause.originalError;
  return isGatewayError(cause) ? cause : error;
}

const isForeign = (cause: unknown) => cause !== undefined && cause !== null && !isGraphQLErrorLike(cause);

function stripInternals(formatted: GraphQLFormattedError): GraphQLFormattedError {
  const { stacktrace: _stacktrace, ...extensions } = (formatted.extensions ?? {}) as Record<string, unknown>;
  return { ...formatted, extensions };
}
