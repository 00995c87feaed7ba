/**
 * Structured JSON logs (pino). Secrets are redacted by path wherever they might appear: caller
 * and provider credentials, tokens, voucher PINs. GraphQL variables are never logged, and request
 * lines carry the path without the query string (a GET can carry a whole document, PINs included).
 */
import { pino, type Logger, type LoggerOptions } from 'pino';

export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers["x-project-key"]',
  'req.headers.cookie',
  'headers.authorization',
  'headers["x-project-key"]',
  'headers["x-cap-api-oauth-token"]',
  '*.token',
  '*.accessToken',
  '*.refreshToken',
  '*.authToken',
  '*.secret',
  '*.secretKey',
  '*.password',
  '*.pin',
  '*.source',
  'variables',
];

interface LoggedRequest {
  method?: string;
  url?: string;
  host?: string;
  ip?: string;
  socket?: { remotePort?: number };
}

/** Fastify's request serializer, minus the query string. */
export const serializeRequest = (req: LoggedRequest) => ({
  method: req.method,
  url: req.url?.split('?')[0],
  host: req.host,
  remoteAddress: req.ip,
  remotePort: req.socket?.remotePort,
});

export function createLogger(level: LoggerOptions['level'] = 'info', destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'redemption-gateway' },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      serializers: { req: serializeRequest },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}

export type { Logger };
