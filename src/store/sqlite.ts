import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import {
  assertClaimArgs,
  assertRateLimitArgs,
  completed,
  decideClaim,
  finishRefusal,
  isLive,
  journalEntry,
  ownerOf,
  rateLimitResult,
  unknownOutcome,
  windowStart,
} from './rules.js';
import type { ClaimResult, IdempotencyRecord, IdempotencyState, JournalEntry, JournalFilter, Owner, Store } from './types.js';

export interface SqliteStoreOptions {
  /** Database file, created with its folder when missing. ':memory:' for a private in-memory store. */
  path: string;
  /** Clock (epoch ms); Date.now by default. */
  now?: () => number;
  /** How long a writer waits for another process's lock before failing with SQLITE_BUSY (5000 by default). */
  busyTimeoutMs?: number;
}

/** Bump when the schema changes and add the step to MIGRATIONS. */
const SCHEMA_VERSION = 1;

const MIGRATIONS: Record<number, string> = {
  1: `
    CREATE TABLE idempotency (
      scope TEXT NOT NULL,
      key TEXT NOT NULL,
      operation TEXT NOT NULL,
      input_hash TEXT NOT NULL,
      state TEXT NOT NULL CHECK (state IN ('in_progress', 'succeeded', 'failed', 'unknown')),
      response TEXT,
      provider_ref TEXT,
      attempts INTEGER NOT NULL,
      created_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL,
      expires_at INTEGER NOT NULL,
      locked_until INTEGER NOT NULL,
      PRIMARY KEY (scope, key)
    ) WITHOUT ROWID;
    CREATE INDEX idempotency_expires_at ON idempotency (expires_at);

    CREATE TABLE journal (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      at INTEGER NOT NULL,
      scope TEXT NOT NULL,
      operation TEXT NOT NULL,
      provider TEXT NOT NULL,
      idempotency_key TEXT,
      input_hash TEXT NOT NULL,
      provider_ref TEXT,
      outcome TEXT NOT NULL,
      detail TEXT
    );
    CREATE INDEX journal_scope ON journal (scope);
    CREATE INDEX journal_idempotency_key ON journal (idempotency_key);
    CREATE INDEX journal_provider_ref ON journal (provider_ref);
    -- The journal is append-only: the database itself refuses edits.
    CREATE TRIGGER journal_no_update BEFORE UPDATE ON journal BEGIN SELECT RAISE(ABORT, 'journal is append-only'); END;
    CREATE TRIGGER journal_no_delete BEFORE DELETE ON journal BEGIN SELECT RAISE(ABORT, 'journal is append-only'); END;

    CREATE TABLE owners (
      resource TEXT PRIMARY KEY,
      subject TEXT NOT NULL,
      business_id TEXT
    ) WITHOUT ROWID;

    CREATE TABLE rate_limits (
      key TEXT PRIMARY KEY,
      window_start INTEGER NOT NULL,
      window_end INTEGER NOT NULL,
      count INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX rate_limits_window_end ON rate_limits (window_end);
  `,
};

/** Expired records and rate-limit windows are deleted on open and after this many claims and hits. */
const PRUNE_EVERY = 1000;

interface RecordRow {
  scope: string;
  key: string;
  operation: string;
  input_hash: string;
  state: IdempotencyState;
  response: string | null;
  provider_ref: string | null;
  attempts: number;
  created_at: number;
  updated_at: number;
  expires_at: number;
  locked_until: number;
}

interface JournalRow {
  id: number;
  at: number;
  scope: string;
  operation: string;
  provider: string;
  idempotency_key: string | null;
  input_hash: string;
  provider_ref: string | null;
  outcome: JournalEntry['outcome'];
  detail: string | null;
}

const toRecord = (row: RecordRow): IdempotencyRecord => {
  const record: IdempotencyRecord = {
    scope: row.scope,
    key: row.key,
    operation: row.operation,
    inputHash: row.input_hash,
    state: row.state,
    attempts: row.attempts,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    expiresAt: row.expires_at,
    lockedUntil: row.locked_until,
  };
  if (row.response !== null) record.response = row.response;
  if (row.provider_ref !== null) record.providerRef = row.provider_ref;
  return record;
};

const toRow = (record: IdempotencyRecord): RecordRow => ({
  scope: record.scope,
  key: record.key,
  operation: record.operation,
  input_hash: record.inputHash,
  state: record.state,
  response: record.response ?? null,
  provider_ref: record.providerRef ?? null,
  attempts: record.attempts,
  created_at: record.createdAt,
  updated_at: record.updatedAt,
  expires_at: record.expiresAt,
  locked_until: record.lockedUntil,
});

const journalColumns = { scope: 'scope', idempotencyKey: 'idempotency_key', providerRef: 'provider_ref' } as const;

const fromJournalRow = (row: JournalRow): JournalEntry => {
  const entry: JournalEntry = {
    at: row.at,
    scope: row.scope,
    operation: row.operation,
    provider: row.provider,
    inputHash: row.input_hash,
    outcome: row.outcome,
  };
  if (row.idempotency_key !== null) entry.idempotencyKey = row.idempotency_key;
  if (row.provider_ref !== null) entry.providerRef = row.provider_ref;
  if (row.detail !== null) entry.detail = row.detail;
  return journalEntry(entry, row.id);
};

function migrate(db: Database.Database): void {
  db.transaction(() => {
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version > SCHEMA_VERSION) {
      throw new Error(`store: ${db.name} has schema version ${version}, newer than this gateway's ${SCHEMA_VERSION}`);
    }
    for (let next = version + 1; next <= SCHEMA_VERSION; next++) {
      db.exec(MIGRATIONS[next] ?? '');
      db.pragma(`user_version = ${next}`);
    }
  }).immediate();
}

/**
 * A Store in one SQLite file. Several processes may open the same file: every read-decide-write
 * runs in an IMMEDIATE transaction, which takes the file's write lock before reading.
 * Calls are synchronous underneath (better-sqlite3); a call waiting for another process's lock
 * blocks the event loop for at most `busyTimeoutMs`.
 */
export function createSqliteStore(options: SqliteStoreOptions): Store {
  const clock = options.now ?? Date.now;
  if (options.path !== ':memory:' && options.path !== '') mkdirSync(dirname(options.path), { recursive: true });
  const db = new Database(options.path);
  db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
  db.pragma('journal_mode = WAL');
  // NORMAL is durable against process crashes in WAL mode; a power loss may lose the last commits.
  db.pragma('synchronous = NORMAL');
  migrate(db);

  const statements = {
    getRecord: db.prepare<[string, string], RecordRow>('SELECT * FROM idempotency WHERE scope = ? AND key = ?'),
    upsertRecord: db.prepare<[RecordRow]>(`
      INSERT OR REPLACE INTO idempotency
        (scope, key, operation, input_hash, state, response, provider_ref, attempts, created_at, updated_at, expires_at, locked_until)
      VALUES
        (@scope, @key, @operation, @input_hash, @state, @response, @provider_ref, @attempts, @created_at, @updated_at, @expires_at, @locked_until)`),
    deleteRecord: db.prepare<[string, string]>('DELETE FROM idempotency WHERE scope = ? AND key = ?'),
    pruneRecords: db.prepare<[number]>('DELETE FROM idempotency WHERE expires_at <= ?'),
    pruneWindows: db.prepare<[number]>('DELETE FROM rate_limits WHERE window_end <= ?'),
    appendJournal: db.prepare<[Omit<JournalRow, 'id'>]>(`
      INSERT INTO journal (at, scope, operation, provider, idempotency_key, input_hash, provider_ref, outcome, detail)
      VALUES (@at, @scope, @operation, @provider, @idempotency_key, @input_hash, @provider_ref, @outcome, @detail)`),
    setOwner: db.prepare<[string, string, string | null]>(
      'INSERT OR REPLACE INTO owners (resource, subject, business_id) VALUES (?, ?, ?)',
    ),
    getOwner: db.prepare<[string], { subject: string; business_id: string | null }>(
      'SELECT subject, business_id FROM owners WHERE resource = ?',
    ),
    getWindow: db.prepare<[string], { window_start: number; count: number }>(
      'SELECT window_start, count FROM rate_limits WHERE key = ?',
    ),
    ping: db.prepare('SELECT 1'),
    setWindow: db.prepare<[string, number, number, number]>(
      'INSERT OR REPLACE INTO rate_limits (key, window_start, window_end, count) VALUES (?, ?, ?, ?)',
    ),
  };

  // One statement per combination of filter fields (8 at most), so each can use its index.
  const journalQueries = new Map<string, Database.Statement<[Record<string, string>], JournalRow>>();
  const journalQuery = (filter: JournalFilter) => {
    const columns = (['scope', 'idempotencyKey', 'providerRef'] as const).filter((field) => filter[field] !== undefined);
    const id = columns.join(',');
    let statement = journalQueries.get(id);
    if (!statement) {
      const where = columns.map((field) => `${journalColumns[field]} = @${field}`).join(' AND ');
      statement = db.prepare(`SELECT * FROM journal ${where && `WHERE ${where}`} ORDER BY id`);
      journalQueries.set(id, statement);
    }
    return { statement, params: Object.fromEntries(columns.map((field) => [field, filter[field] as string])) };
  };

  const prune = (now: number) => {
    statements.pruneRecords.run(now);
    statements.pruneWindows.run(now);
  };
  prune(clock());
  let writesSincePrune = 0;
  const maybePrune = (now: number) => {
    if (++writesSincePrune < PRUNE_EVERY) return;
    writesSincePrune = 0;
    prune(now);
  };

  const live = (scope: string, key: string, now: number) => {
    const row = statements.getRecord.get(scope, key);
    const record = row && toRecord(row);
    return record && isLive(record, now) ? record : undefined;
  };

  const claim = db.transaction((request: Parameters<Store['claim']>[0], now: number): ClaimResult => {
    const row = statements.getRecord.get(request.scope, request.key);
    const decision = decideClaim(row && toRecord(row), request, now);
    if (decision.write !== 'none') statements.upsertRecord.run(toRow(decision.record));
    return { status: decision.status, record: decision.record };
  });

  const finish = db.transaction(
    (scope: string, key: string, action: 'complete' | 'markUnknown', update: (existing: IdempotencyRecord, now: number) => IdempotencyRecord) => {
      const now = clock();
      const existing = live(scope, key, now);
      const refusal = finishRefusal(existing, scope, key, now, action);
      if (refusal || !existing) throw refusal;
      statements.upsertRecord.run(toRow(update(existing, now)));
    },
  );

  const ownersOf = (resources: readonly string[]) =>
    resources.map((resource): Owner | undefined => {
      const row = statements.getOwner.get(resource);
      return row && ownerOf({ subject: row.subject, businessId: row.business_id ?? undefined });
    });
  /** Owners of many resources in one read transaction: one lock for the batch, not one per row. */
  const readOwners = db.transaction(ownersOf);

  const hit = db.transaction((key: string, limit: number, windowMs: number, now: number) => {
    const start = windowStart(now, windowMs);
    const current = statements.getWindow.get(key);
    const count = current && current.window_start === start ? current.count + 1 : 1;
    statements.setWindow.run(key, start, start + windowMs, count);
    return rateLimitResult(count, limit, start, windowMs, now);
  });

  return {
    kind: 'sqlite',
    async claim(request) {
      assertClaimArgs(request);
      const now = request.now ?? clock();
      const result = claim.immediate(request, now);
      maybePrune(now);
      return result;
    },
    async complete(scope, key, result) {
      finish.immediate(scope, key, 'complete', (existing, now) => completed(existing, result, now));
    },
    async markUnknown(scope, key, providerRef) {
      finish.immediate(scope, key, 'markUnknown', (existing, now) => unknownOutcome(existing, providerRef, now));
    },
    async release(scope, key) {
      statements.deleteRecord.run(scope, key);
    },
    async get(scope, key) {
      return live(scope, key, clock());
    },
    async journal(entry) {
      statements.appendJournal.run({
        at: entry.at,
        scope: entry.scope,
        operation: entry.operation,
        provider: entry.provider,
        idempotency_key: entry.idempotencyKey ?? null,
        input_hash: entry.inputHash,
        provider_ref: entry.providerRef ?? null,
        outcome: entry.outcome,
        detail: entry.detail ?? null,
      });
    },
    async journalEntries(filter = {}) {
      const { statement, params } = journalQuery(filter);
      return statement.all(params).map(fromJournalRow);
    },
    async setOwner(resource, owner) {
      statements.setOwner.run(resource, owner.subject, owner.businessId ?? null);
    },
    async getOwners(resources) {
      return resources.length > 1 ? readOwners.deferred(resources) : ownersOf(resources);
    },
    async hit(key, limit, windowMs, now = clock()) {
      assertRateLimitArgs(limit, windowMs);
      const result = hit.immediate(key, limit, windowMs, now);
      maybePrune(now);
      return result;
    },
    async ping() {
      statements.ping.get();
    },
    async close() {
      if (db.open) db.close();
    },
  };
}
