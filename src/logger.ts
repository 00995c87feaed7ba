/**
 * Structured JSON logs (pino). Secrets are redacted by path wherever they might appear: caller
 * and provider credentials, tokens, voucher PINs. GraphQL variables are never logged.
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

export function createLogger(level: LoggerOptions['level'] = 'info', destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'redemption-gateway' },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}

export type { Logger };
