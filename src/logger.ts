/**
 * Structured JSON logs (pino). Secrets are redacted by path wherever they might appear: caller
 * and provider credentials, tokens, voucher PINs. GraphQL variables are never logged, and request
 * lines carry the path without the query string (a GET can carry a whole document, PINs included).
 *
 * The access line of every request ("request completed"; "incoming request" too at debug level)
 * is written by an access logger (`createAccessLogger`): the same format, level and destination,
 * without redaction, because it only ever carries fields built here, none of which can hold a
 * secret. Redaction walks every value of every line (pino's wildcard paths), which made the
 * request lines ~10% of a read's CPU.
 *
 * Lines go to stdout through pino's asynchronous destination, buffered: one write per
 * BUFFER_BYTES of lines (pino's "asynchronous logging"), at least every FLUSH_EVERY_MS, and flushed
 * synchronously when the process exits (pino does that for such destinations). A write per line
 * woke a libuv worker thread and then the event loop for every line: two extra wake-ups per request
 * on the hot path. What a crash that kills the process outright (SIGKILL, OOM) can lose is the
 * last BUFFER_BYTES of lines; an exception or a signal that lets the process exit loses nothing.
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

const formatOptions = {
  base: { service: 'redemption-gateway' },
  serializers: { req: serializeRequest },
  timestamp: pino.stdTimeFunctions.isoTime,
} satisfies LoggerOptions;

const BUFFER_BYTES = 4096;
const FLUSH_EVERY_MS = 500;

let stdout: pino.DestinationStream | undefined;

/** Stdout, buffered (see above): one stream per process, whatever the number of loggers. */
function bufferedStdout(): pino.DestinationStream {
  if (!stdout) {
    const stream = pino.destination({ dest: 1, sync: false, minLength: BUFFER_BYTES });
    setInterval(() => stream.flush(), FLUSH_EVERY_MS).unref();
    stdout = stream;
  }
  return stdout;
}

/** The service logger, writing to `destination` (tests) or to buffered stdout. */
export function createLogger(level: LoggerOptions['level'] = 'info', destination: pino.DestinationStream = bufferedStdout()): Logger {
  return pino({ ...formatOptions, level, redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, destination);
}

/**
 * The access logger of a service logger: same level, format and destination, no redaction. For the
 * per-request lines only, whose every field the caller builds from `serializeRequest`, the request
 * id, the status code and the response time.
 */
export function createAccessLogger(logger: Logger): Logger {
  const destination = (logger as unknown as Record<symbol, pino.DestinationStream>)[pino.symbols.streamSym];
  return pino({ ...formatOptions, level: logger.level }, destination);
}

/** What request-scoped code logs through: Fastify's `request.log`, the resolvers' `context.logger`. */
export type RequestLogger = Pick<Logger, LogMethod>;

type LogMethod = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';
const LOG_METHODS: readonly LogMethod[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];

/**
 * Fastify's per-request child logger (its `childLoggerFactory`), built on first use. Building a
 * pino child runs every binding through the redaction, ~3.5 KB of garbage and a few microseconds
 * per request, and most requests never log through it (their access line goes through the
 * access logger). A line below the level is dropped without building it.
 */
export interface LazyChildLogger extends Pick<Logger, LogMethod> {}
export class LazyChildLogger {
  #child: Logger | undefined;

  constructor(
    private readonly parent: Logger,
    private readonly bindings: pino.Bindings,
    private readonly options: pino.ChildLoggerOptions,
  ) {}

  private get logger(): Logger {
    return (this.#child ??= this.parent.child(this.bindings, this.options));
  }

  get level(): string {
    return this.#child?.level ?? this.options.level ?? this.parent.level;
  }

  set level(level: string) {
    this.logger.level = level;
  }

  child(bindings: pino.Bindings, options?: pino.ChildLoggerOptions): Logger {
    return this.logger.child(bindings, options);
  }

  silent(): void {}

  static {
    for (const method of LOG_METHODS) {
      LazyChildLogger.prototype[method] = function (this: LazyChildLogger, ...args: unknown[]) {
        if (!this.#child && this.options.level === undefined && !this.parent.isLevelEnabled(method)) return;
        (this.logger[method] as (...line: unknown[]) => void)(...args);
      };
    }
  }
}

export type { Logger };
