// The Redis engine's presence: who is on each topic, across every node sharing the Redis.
import { randomBytes } from 'node:crypto';
import type { PresenceChange, PresenceEngine, PresenceMember, Unsubscribe } from '@volley/core';
import type { Redis } from 'ioredis';
import {
  closeScript,
  enterScript,
  leaveScript,
  membersScript,
  type PresenceKeys,
  presenceKeys,
  renewScript,
} from './presence-scripts.js';

/** What the engine lends its presence. */
export interface PresenceDeps {
  readonly commands: Redis;
  readonly subscriber: Redis;
  readonly keyPrefix: string;
  readonly leaseMs: number;
  /** Runs one command under the engine's rules (bounded wait, errors as RedisUnavailableError). */
  call<T>(redis: Redis, operation: string, command: () => Promise<T>): Promise<T>;
  onError(error: Error): void;
}

/** Presence, plus what the engine tells it about its pub/sub connection. */
export interface RedisPresence extends PresenceEngine {
  /** A message on a channel; `false` when the channel is not a presence channel. */
  message(channel: string, message: string): boolean;
  /** The pub/sub connection is back: subscribe again and tell watchers what they missed. */
  reconnected(): void;
  /** Removes this node's entries (its members leave) and stops renewing. */
  close(): Promise<void>;
}

interface Entry {
  readonly member: PresenceMember;
  readonly json: string;
  readonly maxMembers: number;
}

/** One topic's presence as this node knows it. */
interface Topic {
  readonly name: string;
  readonly keys: PresenceKeys;
  /** This node's entries, by entry id. */
  readonly entries: Map<string, Entry>;
  /** Entries whose leave failed (Redis unreachable): retried at each renewal. */
  readonly leaving: Set<string>;
  readonly watchers: Set<(change: PresenceChange) => void>;
  /** While watched: who the watchers were last told is present. */
  known: Map<string, PresenceMember> | undefined;
  /** Settles once the channel is subscribed (and `known` read). */
  watching: Promise<void> | undefined;
  /** Changes heard while `known` is being read, applied after it. */
  held: PresenceChange[] | undefined;
}

/**
 * Presence over Redis (see `PresenceEngine` in @volley/core). Each node holds a lease per
 * topic where it has entries, renewed every `leaseMs / 3`; every script sweeps the entries
 * of nodes whose lease ended, so a node killed without a word has its members leave within
 * about `leaseMs` (plus one renewal period), told by whichever node sweeps first. Joins and
 * leaves travel on a pub/sub channel per topic.
 */
export function createRedisPresence(deps: PresenceDeps): RedisPresence {
  const { commands, subscriber, keyPrefix, leaseMs, call, onError } = deps;
  const node = randomBytes(9).toString('base64url');
  const topics = new Map<string, Topic>();
  const byChannel = new Map<string, Topic>();
  let nextEntry = 0;
  let timer: ReturnType<typeof setInterval> | undefined;
  let closed = false;

  const topicOf = (name: string): Topic => {
    let topic = topics.get(name);
    if (topic === undefined) {
      topic = {
        name,
        keys: presenceKeys(keyPrefix, name),
        entries: new Map(),
        leaving: new Set(),
        watchers: new Set(),
        known: undefined,
        watching: undefined,
        held: undefined,
      };
      topics.set(name, topic);
      byChannel.set(topic.keys.channel, topic);
      timer ??= setInterval(renewAll, Math.max(Math.floor(leaseMs / 3), 1)).unref();
    }
    return topic;
  };
  const forget = (topic: Topic) => {
    if (topic.entries.size > 0 || topic.leaving.size > 0 || topic.watchers.size > 0) return;
    topics.delete(topic.name);
    byChannel.delete(topic.keys.channel);
    if (topics.size === 0) {
      clearInterval(timer);
      timer = undefined;
    }
  };

  const enter = (topic: Topic, id: string, entry: Entry) =>
    call(commands, 'a presence entry', () =>
      enterScript(
        commands,
        topic.keys,
        node,
        leaseMs,
        id,
        entry.member.id,
        entry.json,
        entry.maxMembers,
      ),
    );

  const leave = (topic: Topic, id: string) => {
    // Closing removed every entry of this node already.
    if (closed) return;
    call(commands, 'a presence leave', () => leaveScript(commands, topic.keys, node, id)).then(
      () => {
        topic.leaving.delete(id);
        forget(topic);
      },
      // Kept in `leaving`: the next renewal tries again, and the lease keeps it until then.
      (error: unknown) => onError(asError('A presence leave failed; retrying', error)),
    );
  };

  async function renew(topic: Topic): Promise<void> {
    for (const id of topic.leaving) leave(topic, id);
    const held = await call(commands, 'a presence renewal', () =>
      renewScript(commands, topic.keys, node, leaseMs, topic.entries.size > 0),
    );
    if (held) return;
    // Our lease ran out (Redis was unreachable too long) and our entries were swept: they
    // are still live here, so enter them again.
    for (const [id, entry] of topic.entries) await enter(topic, id, entry);
  }

  function renewAll(): void {
    if (closed) return;
    for (const topic of topics.values()) {
      renew(topic).catch((error: unknown) =>
        onError(asError(`Presence renewal of topic "${topic.name}" failed`, error)),
      );
    }
  }

  async function members(topic: string): Promise<PresenceMember[]> {
    const keys = presenceKeys(keyPrefix, topic);
    const list = await call(commands, 'a presence read', () => membersScript(commands, keys));
    return list.flatMap((json) => parseMember(json) ?? []);
  }

  /**
   * Records who is known to be present and tells each watcher, unless it knew already (a
   * change the catch-up after a reconnection told before its message arrived).
   */
  function tell(topic: Topic, change: PresenceChange): void {
    const known = topic.known;
    if (known === undefined) return;
    const { id } = change.member;
    if (change.type === 'join') {
      if (known.has(id)) return;
      known.set(id, change.member);
    } else if (!known.delete(id)) return;
    for (const watcher of [...topic.watchers]) watcher(change);
  }

  /**
   * Subscribes the topic's channel, then reads who is there, holding the changes heard
   * meanwhile; tells watchers the difference from what they knew (after a reconnection),
   * then the held changes that the read did not already show.
   */
  async function listen(topic: Topic): Promise<void> {
    const channel = topic.keys.channel;
    topic.held = [];
    try {
      await call(subscriber, 'a presence watch', () => subscriber.subscribe(channel));
      const now = await members(topic.name);
      const before = topic.known;
      topic.known = new Map(now.map((member) => [member.id, member]));
      if (before !== undefined) {
        for (const [id, member] of before) {
          if (!topic.known.has(id))
            for (const w of [...topic.watchers]) w({ type: 'leave', member });
        }
        for (const [id, member] of topic.known) {
          if (!before.has(id)) for (const w of [...topic.watchers]) w({ type: 'join', member });
        }
      }
    } finally {
      const held = topic.held ?? [];
      topic.held = undefined;
      for (const change of held) tell(topic, change);
    }
  }

  return {
    async enter(name, member, maxMembers) {
      // A TypeError here (a BigInt, a cycle) rejects before anything is sent.
      const json = JSON.stringify({ id: member.id, data: member.data ?? null });
      const topic = topicOf(name);
      const id = String(nextEntry++);
      const entry: Entry = { member, json, maxMembers };
      let entered: boolean;
      try {
        entered = await enter(topic, id, entry);
      } catch (error) {
        forget(topic);
        throw error;
      }
      if (!entered) {
        forget(topic);
        return undefined;
      }
      topic.entries.set(id, entry);
      let left = false;
      return () => {
        if (left) return;
        left = true;
        topic.entries.delete(id);
        topic.leaving.add(id);
        leave(topic, id);
      };
    },

    members,

    async watch(name, listener): Promise<Unsubscribe> {
      const topic = topicOf(name);
      const watcher = (change: PresenceChange) => listener(change);
      topic.watchers.add(watcher);
      const stop = () => {
        if (!topic.watchers.delete(watcher) || topic.watchers.size > 0) return;
        topic.known = undefined;
        topic.watching = undefined;
        if (subscriber.status === 'ready')
          subscriber.unsubscribe(topic.keys.channel).catch(() => {});
        forget(topic);
      };
      topic.watching ??= listen(topic);
      try {
        await topic.watching;
      } catch (error) {
        if (topic.watchers.size === 1) topic.watching = undefined;
        stop();
        throw error;
      }
      return stop;
    },

    message(channel, message) {
      const topic = byChannel.get(channel);
      if (topic === undefined) return channel.endsWith('}:presence');
      const member = parseMember(message.slice(2));
      const type = message.startsWith('j ')
        ? 'join'
        : message.startsWith('l ')
          ? 'leave'
          : undefined;
      if (member === undefined || type === undefined) {
        onError(new Error(`A message on ${channel} that the engine did not write, ignored`));
        return true;
      }
      if (topic.held !== undefined) topic.held.push({ type, member });
      else tell(topic, { type, member });
      return true;
    },

    reconnected() {
      for (const topic of topics.values()) {
        if (topic.watchers.size === 0) continue;
        topic.watching = listen(topic);
        topic.watching.catch((error: unknown) =>
          onError(asError(`Presence of topic "${topic.name}" could not be watched again`, error)),
        );
      }
    },

    async close() {
      if (closed) return;
      closed = true;
      clearInterval(timer);
      timer = undefined;
      const mine = [...topics.values()].filter(
        (topic) => topic.entries.size > 0 || topic.leaving.size > 0,
      );
      // Best effort: a node that cannot say goodbye has its entries expire with its lease.
      await Promise.all(
        mine.map((topic) =>
          call(commands, 'a presence close', () => closeScript(commands, topic.keys, node)).catch(
            () => {},
          ),
        ),
      );
      topics.clear();
      byChannel.clear();
    },
  };
}

/** A member from its JSON, or `undefined` if it is not one. */
function parseMember(json: string): PresenceMember | undefined {
  try {
    const value = JSON.parse(json) as { id?: unknown; data?: unknown };
    if (typeof value?.id === 'string') return { id: value.id, data: value.data ?? null };
  } catch {
    // Not ours.
  }
  return undefined;
}

function asError(message: string, cause: unknown): Error {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new Error(`${message}: ${reason}`, { cause });
}
