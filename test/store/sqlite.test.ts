import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { createSqliteStore } from '../../src/store/sqlite.js';
import type { ClaimRequest, ClaimStatus } from '../../src/store/types.js';
import { describeStoreBehaviour } from './store-behaviour.js';

const dir = mkdtempSync(join(tmpdir(), 'rg-store-'));
let files = 0;
const freshPath = () => join(dir, `store-${++files}.db`);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describeStoreBehaviour('sqlite (file)', (now) => createSqliteStore({ path: freshPath(), now }));
describeStoreBehaviour('sqlite (:memory:)', (now) => createSqliteStore({ path: ':memory:', now }));

const claimRequest: ClaimRequest = { scope: 's', key: 'k', operation: 'redeemPoints', inputHash: 'h', ttlMs: 60_000, lockMs: 10_000 };

describe('sqlite store', () => {
  it('opens the file in WAL mode with the current schema version, creating its folder', async () => {
    const path = join(dir, 'nested', 'deeper', 'gateway.db');
    const store = createSqliteStore({ path });
    await store.ping();
    await store.close();
    const db = new Database(path, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('user_version', { simple: true })).toBe(1);
    db.close();
  });

  it('keeps claims, results, journal and owners across a close and reopen', async () => {
    const path = freshPath();
    const first = createSqliteStore({ path });
    await first.claim(claimRequest);
    await first.complete('s', 'k', { state: 'succeeded', response: '{"id":"r1"}', providerRef: 'rgabc' });
    await first.journal({ at: 1, scope: 's', operation: 'redeemPoints', provider: 'moment', inputHash: 'h', outcome: 'succeeded' });
    await first.setOwner('moment:r1', { subject: 'alice' });
    await first.close();

    const reopened = createSqliteStore({ path });
    const replay = await reopened.claim(claimRequest);
    expect(replay.status).toBe('replay');
    expect(replay.record).toMatchObject({ state: 'succeeded', response: '{"id":"r1"}', providerRef: 'rgabc' });
    expect(await reopened.journalEntries({ scope: 's' })).toHaveLength(1);
    expect(await reopened.getOwners(['moment:r1'])).toStrictEqual([{ subject: 'alice' }]);
    await reopened.close();
  });

  it('deletes expired records when it opens', async () => {
    const path = freshPath();
    let now = 1_000_000;
    const first = createSqliteStore({ path, now: () => now });
    await first.claim(claimRequest);
    await first.claim({ ...claimRequest, key: 'long-lived', ttlMs: 120_000 });
    await first.close();
    now += 60_000;
    await createSqliteStore({ path, now: () => now }).close();
    const db = new Database(path, { readonly: true });
    expect(db.prepare('SELECT key FROM idempotency').pluck().all()).toStrictEqual(['long-lived']);
    db.close();
  });

  it('refuses a file written by a newer schema version', () => {
    const path = freshPath();
    const db = new Database(path);
    db.pragma('user_version = 99');
    db.close();
    expect(() => createSqliteStore({ path })).toThrow(/schema version 99, newer than this gateway's 1/);
  });

  it('refuses edits to the journal at the database level', async () => {
    const path = freshPath();
    const store = createSqliteStore({ path });
    await store.journal({ at: 1, scope: 's', operation: 'op', provider: 'moment', inputHash: 'h', outcome: 'started' });
    await store.close();
    const db = new Database(path);
    expect(() => db.prepare("UPDATE journal SET outcome = 'succeeded'").run()).toThrow('journal is append-only');
    expect(() => db.prepare('DELETE FROM journal').run()).toThrow('journal is append-only');
    db.close();
  });

  it('hands exactly one claim to 50 interleaved claims over two connections to one file', async () => {
    const path = freshPath();
    const a = createSqliteStore({ path });
    const b = createSqliteStore({ path });
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => (i % 2 ? a : b).claim(claimRequest)));
    expect(results.filter((result) => result.status === 'claimed')).toHaveLength(1);
    await Promise.all([a.close(), b.close()]);
  });

  it('hands exactly one claim to 50 concurrent claims from two processes sharing one file', async () => {
    const path = freshPath();
    // Create the schema first so both children start from the same file.
    await createSqliteStore({ path }).close();
    const script = fileURLToPath(new URL('./fixtures/sqlite-claimer.ts', import.meta.url));
    const cwd = fileURLToPath(new URL('../..', import.meta.url));
    const children = [0, 1].map(() => {
      const child = spawn(process.execPath, ['--import', 'tsx', script, path, 'shared-key', '25'], {
        cwd,
        stdio: ['pipe', 'pipe', 'inherit'],
      });
      const lines = createInterface({ input: child.stdout });
      const next = () => new Promise<string>((resolve, reject) => {
        lines.once('line', resolve);
        child.once('exit', (code) => reject(new Error(`sqlite-claimer exited with ${code}`)));
      });
      return { child, next };
    });
    // Both children have opened the store before either starts claiming.
    const ready = children.map((c) => c.next());
    expect(await Promise.all(ready)).toStrictEqual(['ready', 'ready']);
    const outputs = children.map((c) => c.next());
    for (const { child } of children) child.stdin.write('go\n');
    const statuses = (await Promise.all(outputs)).flatMap((line) => JSON.parse(line) as ClaimStatus[]);
    expect(statuses).toHaveLength(50);
    expect(statuses.filter((status) => status === 'claimed')).toHaveLength(1);
    expect(statuses.filter((status) => status === 'in_progress')).toHaveLength(49);
  });
});
