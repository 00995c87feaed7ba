import { Redis, type RedisOptions } from 'ioredis';
import {
  assertClaimArgs,
  assertRateLimitArgs,
  finishRefusal,
  isLive,
  journalEntry,
  matchesJournal,
  ownerOf,
  rateLimitResult,
  windowStart,
} from './rules.js';
import type { ClaimStatus, IdempotencyRecord, IdempotencyState, JournalEntry, JournalFilter, Owner, Store } from './types.js';

export interface RedisStoreOptions {
  /** redis://[user:password@]host:port[/db] */
  url: string;
  /** Prepended to every key, so several deployments can share one Redis ('rg:' by default). */
  prefix?: string;
  /** Clock (epoch ms); Date.now by default. */
  now?: () => number;
  /** Extra ioredis options (merged over this store's defaults). */
  redis?: RedisOptions;
  /** Connection errors (ioredis reconnects by itself); without it ioredis logs them. */
  onError?: (error: Error) => void;
}

/*
 * Every read-decide-write is one Lua script, which Redis runs atomically, so any number of
 * gateway replicas can share the store. Times are computed by the caller and passed in as
 * strings: Lua numbers are doubles and tostring() would round large integers.
 *
 * Layout (after the prefix; scope, key and rate-limit keys are URI-encoded so ':' cannot collide):
 *   idem:<scope>:<key>        hash, one idempotency record, PEXPIREd at its ttl
 *   journal                   stream, fields `id` (from journal:seq) and `entry` (JSON)
 *   journal:seq               counter behind journal ids
 *   journal:{scope|key|ref}:<value>  lists of stream ids, the journal's indexes
 *   owners                    hash, resource -> Owner JSON
 *   rl:<key>:<windowStart>    counter of one fixed window, PEXPIREd at the window's end
 */

/** KEYS: record. ARGV: scope, key, operation, inputHash, now, expiresAt, lockedUntil, ttlMs. */
const CLAIM = `
local flat = redis.call('HGETALL', KEYS[1])
local r = {}
for i = 1, #flat, 2 do r[flat[i]] = flat[i + 1] end
local now = tonumber(ARGV[5])
if #flat == 0 or tonumber(r.expiresAt) <= now then
  redis.call('DEL', KEYS[1])
  redis.call('HSET', KEYS[1], 'scope', ARGV[1], 'key', ARGV[2], 'operation', ARGV[3], 'inputHash', ARGV[4],
    'state', 'in_progress', 'attempts', '1', 'createdAt', ARGV[5], 'updatedAt', ARGV[5],
    'expiresAt', ARGV[6], 'lockedUntil', ARGV[7])
  redis.call('PEXPIRE', KEYS[1], ARGV[8])
  return {'claimed', redis.call('HGETALL', KEYS[1])}
end
if r.operation ~= ARGV[3] or r.inputHash ~= ARGV[4] then return {'mismatch', flat} end
if r.state == 'succeeded' or r.state == 'failed' then return {'replay', flat} end
if tonumber(r.lockedUntil) > now then return {'in_progress', flat} end
redis.call('HINCRBY', KEYS[1], 'attempts', 1)
redis.call('HSET', KEYS[1], 'updatedAt', ARGV[5], 'lockedUntil', ARGV[7])
return {'recover', redis.call('HGETALL', KEYS[1])}
`;

/**
 * KEYS: record. ARGV: now, state, response ('' with hasResponse '0' to leave it), hasResponse,
 * providerRef, hasProviderRef. Returns {'ok'} or {'refused', record} for the caller to explain.
 */
const FINISH = `
local flat = redis.call('HGETALL', KEYS[1])
local r = {}
for i = 1, #flat, 2 do r[flat[i]] = flat[i + 1] end
if #flat == 0 or tonumber(r.expiresAt) <= tonumber(ARGV[1])
  or r.state == 'succeeded' or r.state == 'failed' then
  return {'refused', flat}
end
redis.call('HSET', KEYS[1], 'state', ARGV[2], 'updatedAt', ARGV[1], 'lockedUntil', '0')
if ARGV[4] == '1' then redis.call('HSET', KEYS[1], 'response', ARGV[3]) end
if ARGV[6] == '1' then redis.call('HSET', KEYS[1], 'providerRef', ARGV[5]) end
return {'ok'}
`;

/** KEYS: stream, seq, index lists... ARGV: entry JSON. Returns the entry's id. */
const JOURNAL = `
local id = redis.call('INCR', KEYS[2])
local sid = redis.call('XADD', KEYS[1], '*', 'id', id, 'entry', ARGV[1])
for i = 3, #KEYS do redis.call('RPUSH', KEYS[i], sid) end
return id
`;

/** KEYS: window counter. ARGV: ms until the window ends. Returns the hit count. */
const HIT = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return count
`;

interface StoreCommands {
  rgClaim(key: string, ...args: string[]): Promise<[ClaimStatus, string[]]>;
  rgFinish(key: string, ...args: string[]): Promise<['ok'] | ['refused', string[]]>;
  rgJournal(...keysThenJson: string[]): Promise<number>;
  rgHit(key: string, ttlMs: string): Promise<number>;
}

function toRecord(flat: string[]): IdempotencyRecord | undefined {
  if (flat.length === 0) return undefined;
  const h: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) h[flat[i] as string] = flat[i + 1] as string;
  const record: IdempotencyRecord = {
    scope: h.scope ?? '',
    key: h.key ?? '',
    operation: h.operation ?? '',
    inputHash: h.inputHash ?? '',
    state: (h.state ?? 'in_progress') as IdempotencyState,
    attempts: Number(h.attempts),
    createdAt: Number(h.createdAt),
    updatedAt: Number(h.updatedAt),
    expiresAt: Number(h.expiresAt),
    lockedUntil: Number(h.lockedUntil),
  };
  if (h.response !== undefined) record.response = h.response;
  if (h.providerRef !== undefined) record.providerRef = h.providerRef;
  return record;
}

/**
 * A Store in Redis for several gateway replicas. The ioredis client connects in the background;
 * `ping()` tells when Redis answers. Commands fail after two reconnect attempts rather than
 * queueing for long, so a Redis outage surfaces as errors instead of hung requests.
 */
export function createRedisStore(options: RedisStoreOptions): Store {
  const clock = options.now ?? Date.now;
  const prefix = options.prefix ?? 'rg:';
  const client = new Redis(options.url, { maxRetriesPerRequest: 2, ...options.redis }) as Redis & StoreCommands;
  if (options.onError) client.on('error', options.onError);
  client.defineCommand('rgClaim', { numberOfKeys: 1, lua: CLAIM });
  client.defineCommand('rgFinish', { numberOfKeys: 1, lua: FINISH });
  client.defineCommand('rgJournal', { lua: JOURNAL });
  client.defineCommand('rgHit', { numberOfKeys: 1, lua: HIT });

  const enc = encodeURIComponent;
  const recordKey = (scope: string, key: string) => `${prefix}idem:${enc(scope)}:${enc(key)}`;
  const streamKey = `${prefix}journal`;
  const seqKey = `${prefix}journal:seq`;
  const indexKey = (field: 'scope' | 'key' | 'ref', value: string) => `${prefix}journal:${field}:${enc(value)}`;
  const ownersKey = `${prefix}owners`;

  const finish = async (scope: string, key: string, action: 'complete' | 'markUnknown', args: string[]) => {
    const now = clock();
    const reply = await client.rgFinish(recordKey(scope, key), String(now), ...args);
    if (reply[0] === 'refused') throw finishRefusal(toRecord(reply[1]), scope, key, now, action);
  };

  const readStream = async (streamIds: string[]): Promise<[string, string[]][]> => {
    if (streamIds.length === 0) return [];
    const pipeline = client.pipeline();
    for (const sid of streamIds) pipeline.xrange(streamKey, sid, sid);
    const replies = (await pipeline.exec()) ?? [];
    return replies.flatMap(([error, rows]) => {
      if (error) throw error;
      return rows as [string, string[]][];
    });
  };

  const parseEntry = ([, fields]: [string, string[]]): JournalEntry => {
    const h: Record<string, string> = {};
    for (let i = 0; i + 1 < fields.length; i += 2) h[fields[i] as string] = fields[i + 1] as string;
    return journalEntry(JSON.parse(h.entry ?? '{}') as JournalEntry, Number(h.id));
  };

  return {
    kind: 'redis',
    async claim(request) {
      assertClaimArgs(request);
      const now = request.now ?? clock();
      const [status, flat] = await client.rgClaim(
        recordKey(request.scope, request.key),
        request.scope,
        request.key,
        request.operation,
        request.inputHash,
        String(now),
        String(now + request.ttlMs),
        String(now + request.lockMs),
        String(request.ttlMs),
      );
      const record = toRecord(flat);
      if (!record) throw new Error(`store.claim: Redis returned no record for status '${status}'`);
      return { status, record };
    },
    async complete(scope, key, result) {
      const ref = result.providerRef;
      await finish(scope, key, 'complete', [result.state, result.response, '1', ref ?? '', ref === undefined ? '0' : '1']);
    },
    async markUnknown(scope, key, providerRef) {
      await finish(scope, key, 'markUnknown', ['unknown', '', '0', providerRef ?? '', providerRef === undefined ? '0' : '1']);
    },
    async release(scope, key) {
      await client.del(recordKey(scope, key));
    },
    async get(scope, key) {
      const record = toRecord(await client.hgetall(recordKey(scope, key)).then((h) => Object.entries(h).flat()));
      return record && isLive(record, clock()) ? record : undefined;
    },
    async journal(entry) {
      const indexes = [indexKey('scope', entry.scope)];
      if (entry.idempotencyKey !== undefined) indexes.push(indexKey('key', entry.idempotencyKey));
      if (entry.providerRef !== undefined) indexes.push(indexKey('ref', entry.providerRef));
      const { id: _ignored, ...stored } = journalEntry(entry, 0);
      await client.rgJournal(String(2 + indexes.length), streamKey, seqKey, ...indexes, JSON.stringify(stored));
    },
    async journalEntries(filter: JournalFilter = {}) {
      // Read through the most selective index given, then apply the whole filter.
      const index =
        filter.providerRef !== undefined
          ? indexKey('ref', filter.providerRef)
          : filter.idempotencyKey !== undefined
            ? indexKey('key', filter.idempotencyKey)
            : filter.scope !== undefined
              ? indexKey('scope', filter.scope)
              : undefined;
      const rows = index ? await readStream(await client.lrange(index, 0, -1)) : await client.xrange(streamKey, '-', '+');
      return rows
        .map(parseEntry)
        .filter((entry) => matchesJournal(entry, filter))
        .sort((a, b) => (a.id ?? 0) - (b.id ?? 0));
    },
    async setOwner(resource, owner) {
      await client.hset(ownersKey, resource, JSON.stringify(ownerOf(owner)));
    },
    async getOwners(resources) {
      if (resources.length === 0) return [];
      const values = await client.hmget(ownersKey, ...resources);
      return values.map((value): Owner | undefined => (value === null ? undefined : ownerOf(JSON.parse(value) as Owner)));
    },
    async hit(key, limit, windowMs, now = clock()) {
      assertRateLimitArgs(limit, windowMs);
      const start = windowStart(now, windowMs);
      const count = await client.rgHit(`${prefix}rl:${enc(key)}:${start}`, String(start + windowMs - now));
      return rateLimitResult(count, limit, start, windowMs, now);
    },
    async ping() {
      await client.ping();
    },
    async close() {
      if (client.status !== 'end') await client.quit();
    },
  };
}
