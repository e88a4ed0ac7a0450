// The presence Lua scripts, each run atomically by Redis. A topic's presence is four keys
// (see `PresenceKeys`); every script first sweeps the entries of processes (nodes) whose
// lease ran out, telling the topic's presence channel that their members left. Time is
// Redis's own (TIME), so the nodes' clocks never need to agree.
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

/** The Redis names of one topic's presence; all carry the topic's hash tag. */
export interface PresenceKeys {
  /** Sorted set: node id → the time (ms, Redis's clock) its lease on the topic ends. */
  readonly nodes: string;
  /** Hash: `<node id> <entry id>` → member id: one field per entry (subscription). */
  readonly entries: string;
  /** Hash: member id → how many entries it has. */
  readonly counts: string;
  /** Hash: member id → the member as JSON (`{"id","data"}`), from its first entry. */
  readonly members: string;
  /** Pub/sub channel: `j <member JSON>` when a member joins, `l <member JSON>` when it leaves. */
  readonly channel: string;
}

export function presenceKeys(prefix: string, topic: string): PresenceKeys {
  const base = `${prefix}{${topic}}:presence`;
  return {
    nodes: `${base}:nodes`,
    entries: `${base}:entries`,
    counts: `${base}:counts`,
    members: `${base}:members`,
    channel: base,
  };
}

// KEYS: nodes, entries, counts, members. ARGV[1]: the channel. Defines `now` and
// `leave_entry`, and removes the entries of every node whose lease ended.
const SWEEP = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local function leave_entry(field, id)
  redis.call('HDEL', KEYS[2], field)
  if redis.call('HINCRBY', KEYS[3], id, -1) <= 0 then
    redis.call('HDEL', KEYS[3], id)
    local json = redis.call('HGET', KEYS[4], id)
    redis.call('HDEL', KEYS[4], id)
    if json then redis.call('PUBLISH', ARGV[1], 'l ' .. json) end
  end
end
local function leave_nodes(dead)
  local all = redis.call('HGETALL', KEYS[2])
  for i = 1, #all, 2 do
    local field = all[i]
    if dead[string.sub(field, 1, string.find(field, ' ', 1, true) - 1)] then
      leave_entry(field, all[i + 1])
    end
  end
end
local expired = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now)
if #expired > 0 then
  local dead = {}
  for _, node in ipairs(expired) do dead[node] = true end
  redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
  leave_nodes(dead)
end
`;

/**
 * ARGV: channel, node, lease ms, entry id, member id, member JSON, max members.
 * Renews the node's lease and adds the entry (again: idempotent per entry); a new member
 * joins (published), unless the topic has max members already. Returns 1, or 0 if refused.
 */
const ENTER = `${SWEEP}
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[2])
local field = ARGV[2] .. ' ' .. ARGV[4]
if redis.call('HEXISTS', KEYS[2], field) == 1 then return 1 end
local count = tonumber(redis.call('HGET', KEYS[3], ARGV[5]) or '0')
if count == 0 and redis.call('HLEN', KEYS[3]) >= tonumber(ARGV[7]) then return 0 end
redis.call('HSET', KEYS[2], field, ARGV[5])
redis.call('HINCRBY', KEYS[3], ARGV[5], 1)
if count == 0 then
  redis.call('HSET', KEYS[4], ARGV[5], ARGV[6])
  redis.call('PUBLISH', ARGV[1], 'j ' .. ARGV[6])
end
return 1
`;

/** ARGV: channel, node, entry id. Removes the entry; its member leaves with its last one. */
const LEAVE = `${SWEEP}
local field = ARGV[2] .. ' ' .. ARGV[3]
local id = redis.call('HGET', KEYS[2], field)
if id then leave_entry(field, id) end
return 1
`;

/**
 * ARGV: channel, node, lease ms, '1' if the node has entries here. Sweeps; renews the
 * node's lease if it has entries. Returns 0 when it has entries but its lease was gone
 * (it ran out and they were swept: the node must enter them again), else 1.
 */
const RENEW = `${SWEEP}
if ARGV[4] ~= '1' then return 1 end
local held = redis.call('ZSCORE', KEYS[1], ARGV[2])
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[2])
if held then return 1 end
return 0
`;

/** ARGV: channel. Sweeps; returns every member's JSON. */
const MEMBERS = `${SWEEP}
return redis.call('HVALS', KEYS[4])
`;

/** ARGV: channel, node. Removes every entry of the node (it is closing) and its lease. */
const CLOSE = `${SWEEP}
redis.call('ZREM', KEYS[1], ARGV[2])
local gone = {}
gone[ARGV[2]] = true
leave_nodes(gone)
return 1
`;

interface Script {
  readonly source: string;
  readonly sha: string;
}

const script = (source: string): Script => ({
  source,
  sha: createHash('sha1').update(source).digest('hex'),
});

const SCRIPTS = {
  enter: script(ENTER),
  leave: script(LEAVE),
  renew: script(RENEW),
  members: script(MEMBERS),
  close: script(CLOSE),
};

async function run(
  redis: Redis,
  { source, sha }: Script,
  keys: PresenceKeys,
  args: Array<string | number>,
): Promise<unknown> {
  const all = [keys.nodes, keys.entries, keys.counts, keys.members, keys.channel, ...args];
  try {
    return await redis.evalsha(sha, 4, ...all);
  } catch (error) {
    // NOSCRIPT: Redis has not seen the script (a restart, SCRIPT FLUSH): it did not run.
    if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
    return redis.eval(source, 4, ...all);
  }
}

/** Adds an entry; resolves `false` when the topic is full and the member new. */
export async function enterScript(
  redis: Redis,
  keys: PresenceKeys,
  node: string,
  leaseMs: number,
  entry: string,
  memberId: string,
  json: string,
  maxMembers: number,
): Promise<boolean> {
  const reply = await run(redis, SCRIPTS.enter, keys, [
    node,
    leaseMs,
    entry,
    memberId,
    json,
    maxMembers,
  ]);
  return reply === 1;
}

/** Removes an entry. */
export async function leaveScript(
  redis: Redis,
  keys: PresenceKeys,
  node: string,
  entry: string,
): Promise<void> {
  await run(redis, SCRIPTS.leave, keys, [node, entry]);
}

/** Sweeps, and renews the node's lease; resolves `false` when its entries were swept. */
export async function renewScript(
  redis: Redis,
  keys: PresenceKeys,
  node: string,
  leaseMs: number,
  hasEntries: boolean,
): Promise<boolean> {
  return (await run(redis, SCRIPTS.renew, keys, [node, leaseMs, hasEntries ? '1' : '0'])) === 1;
}

/** Every member's JSON. */
export async function membersScript(redis: Redis, keys: PresenceKeys): Promise<string[]> {
  const reply = await run(redis, SCRIPTS.members, keys, []);
  if (!Array.isArray(reply) || !reply.every((item) => typeof item === 'string')) {
    throw new Error(`Unexpected reply from Redis to a presence read: ${JSON.stringify(reply)}`);
  }
  return reply;
}

/** Removes every entry of the node on the topic. */
export async function closeScript(redis: Redis, keys: PresenceKeys, node: string): Promise<void> {
  await run(redis, SCRIPTS.close, keys, [node]);
}
