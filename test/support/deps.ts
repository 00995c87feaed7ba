import type { AdapterDeps, AdapterLogger } from '../../src/providers/types.js';

export interface LogEntry {
  level: 'debug' | 'info' | 'warn' | 'error';
  details: object;
  message: string;
}

/** A logger that keeps what it was told, for assertions. */
export function recordingLogger(): AdapterLogger & { entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  const at = (level: LogEntry['level']) => (details: object, message: string) => void entries.push({ level, details, message });
  return { entries, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** A clock tests move forward instead of sleeping. */
export function manualClock(start = Date.parse('2026-11-22T00:00:00Z')) {
  let now = start;
  return { now: () => now, advance: (ms: number) => void (now += ms) };
}

export function testDeps(overrides: Partial<AdapterDeps> = {}): AdapterDeps {
  return {
    logger: recordingLogger(),
    timeouts: { connectMs: 500, headersMs: 2_000, totalMs: 2_000 },
    ...overrides,
  };
}
