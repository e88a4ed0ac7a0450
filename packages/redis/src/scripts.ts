// The Lua scripts, each run atomically by Redis (EVALSHA, falling back to EVAL when Redis
// does not know the script yet, as after a restart). Every script that can be the first
// to touch a topic creates its epoch with HSETNX; a topic whose epoch was just created
// starts with an empty log, so a log from a lost epoch is never served under a new one.
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { TopicKeys } from './ids.js';

const ENSURE_EPOCH = `
if redis.call('HSETNX', KEYS[1], 'epoch', ARGV[1]) == 1 then
  redis.call('DEL', KEYS[2])
end
local epoch = redis.call('HGET', KEYS[1], 'epoch')
`;

/**
 * KEYS: meta, log. ARGV: epoch offered, log size, event JSON, channel.
 * Numbers the event (HINCRBY), appends it to the log with that number as its stream id
 * (so ids are dense and ordered across every node), trims the log to about the log size,
 * and publishes `<epoch> <seq> <json>`. Returns {epoch, seq}.
 */
const PUBLISH = `${ENSURE_EPOCH}
local seq = redis.call('HINCRBY', KEYS[1], 'seq', 1)
local digits = string.format('%d', seq)
if tonumber(ARGV[2]) > 0 then
  redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[2], '0-' .. digits, 'd', ARGV[3])
end
redis.call('PUBLISH', ARGV[4], epoch .. ' ' .. digits .. ' ' .. ARGV[3])
return {epoch, digits}
`;

/** KEYS: meta, log. ARGV: epoch offered. Returns {epoch, seq of the newest event or 0}. */
const HEAD = `${ENSURE_EPOCH}
return {epoch, redis.call('HGET', KEYS[1], 'seq') or '0'}
`;

/**
 * KEYS: meta, log. ARGV: a sequence number. Returns {} when the topic has no epoch (its log
 * was lost and nothing was published since), else {epoch, head seq, entries after the
 * number}: what the log still holds of them, oldest first.
 */
const READ = `
local meta = redis.call('HMGET', KEYS[1], 'epoch', 'seq')
if not meta[1] then return {} end
local head = meta[2] or '0'
if tonumber(ARGV[1]) >= tonumber(head) then return {meta[1], head, {}} end
local from = '0-' .. string.format('%d', tonumber(ARGV[1]) + 1)
return {meta[1], head, redis.call('XRANGE', KEYS[2], from, '+')}
`;

interface Script {
  readonly source: string;
  readonly sha: string;
}

const script = (source: string): Script => ({
  source,
  sha: createHash('sha1').update(source).digest('hex'),
});

const SCRIPTS = { publish: script(PUBLISH), head: script(HEAD), read: script(READ) };

async function run(
  redis: Redis,
  { source, sha }: Script,
  keys: TopicKeys,
  args: Array<string | number>,
): Promise<unknown> {
  try {
    return await redis.evalsha(sha, 2, keys.meta, keys.log, ...args);
  } catch (error) {
    // NOSCRIPT: this Redis has not seen the script (it restarted, or SCRIPT FLUSH); it
    // did not run, so running the source is safe.
    if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
    return redis.eval(source, 2, keys.meta, keys.log, ...args);
  }
}

/** An event's place: its topic's epoch and its number. */
export interface Head {
  readonly epoch: string;
  readonly seq: number;
}

/** What the log holds after a number. */
export interface LogRead extends Head {
  /** The entries after the number still in the log, oldest first, as {seq, json}. */
  readonly entries: ReadonlyArray<{ readonly seq: number; readonly json: string }>;
}

const unexpected = (what: string, reply: unknown) =>
  new Error(`Unexpected reply from Redis to ${what}: ${JSON.stringify(reply)}`);

function headOf(what: string, reply: unknown): Head {
  if (Array.isArray(reply) && typeof reply[0] === 'string') {
    const seq = Number(reply[1]);
    if (Number.isSafeInteger(seq) && seq >= 0) return { epoch: reply[0], seq };
  }
  throw unexpected(what, reply);
}

/** Appends and publishes one event; resolves to its place. */
export async function publishScript(
  redis: Redis,
  keys: TopicKeys,
  epoch: string,
  logSize: number,
  json: string,
): Promise<Head> {
  return headOf(
    'publish',
    await run(redis, SCRIPTS.publish, keys, [epoch, logSize, json, keys.channel]),
  );
}

/** The topic's epoch (made if it has none) and newest number. */
export async function headScript(redis: Redis, keys: TopicKeys, epoch: string): Promise<Head> {
  return headOf('head', await run(redis, SCRIPTS.head, keys, [epoch]));
}

/** The log after `after`, or `undefined` when the topic has no epoch (no log at all). */
export async function readScript(
  redis: Redis,
  keys: TopicKeys,
  after: number,
): Promise<LogRead | undefined> {
  const reply = await run(redis, SCRIPTS.read, keys, [after]);
  if (Array.isArray(reply) && reply.length === 0) return undefined;
  const head = headOf('read', reply);
  const raw = (reply as unknown[])[2];
  if (!Array.isArray(raw)) throw unexpected('read', reply);
  const entries = raw.map((entry: unknown) => {
    // [id, [field, value]]
    if (Array.isArray(entry) && typeof entry[0] === 'string' && Array.isArray(entry[1])) {
      const seq = Number(entry[0].slice(entry[0].indexOf('-') + 1));
      const json = entry[1][1];
      if (entry[0].startsWith('0-') && Number.isSafeInteger(seq) && typeof json === 'string') {
        return { seq, json };
      }
    }
    throw unexpected('read', entry);
  });
  return { ...head, entries };
}

/** Whether `entries` are exactly the numbers after `last` up to `head`, in order. */
export function contiguous(entries: LogRead['entries'], last: number, head: number): boolean {
  if (entries.length !== head - last) return false;
  return entries.every((entry, index) => entry.seq === last + 1 + index);
}
