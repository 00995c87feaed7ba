/**
 * The HTTP status of a response in which nothing ran. GraphQL puts meaning in `extensions.code`
 * and a response with any data stays 200; but when every error has one of these codes and no
 * field produced data, the whole request failed for that one reason, and HTTP says so:
 * 401 for UNAUTHENTICATED, 429 with `Retry-After` (seconds) for RATE_LIMITED.
 */
import type { ApolloServerPlugin } from '@apollo/server';

export const WHOLE_RESPONSE_STATUS = {
  UNAUTHENTICATED: 401,
  RATE_LIMITED: 429,
} as const satisfies Record<string, number>;

type WholeResponseCode = keyof typeof WHOLE_RESPONSE_STATUS;

const isWholeResponseCode = (code: unknown): code is WholeResponseCode =>
  typeof code === 'string' && Object.hasOwn(WHOLE_RESPONSE_STATUS, code);

export function httpStatusPlugin<TContext extends object>(): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response }) {
          if (response.body.kind !== 'single') return;
          const { errors, data } = response.body.singleResult;
          const code = errors?.[0]?.extensions?.code;
          if (!errors || !isWholeResponseCode(code) || !errors.every((e) => e.extensions?.code === code)) return;
          const nothingRan = !data || Object.values(data).every((value) => value === null);
          if (!nothingRan) return;
          response.http.status = WHOLE_RESPONSE_STATUS[code];
          if (code === 'RATE_LIMITED') {
            const waitMs = Math.max(0, ...errors.map((e) => Number(e.extensions?.retryAfterMs) || 0));
            response.http.headers.set('retry-after', String(Math.max(1, Math.ceil(waitMs / 1000))));
          }
        },
      };
    },
  };
}
