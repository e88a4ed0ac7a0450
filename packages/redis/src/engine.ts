import type {
  Backlog,
  EngineObserver,
  PubSubEngine,
  TopicEvent,
  TopicListener,
  Unsubscribe,
} from '@volley/core';
import type { Redis } from 'ioredis';
import { asUnavailable, connect, disconnect, whenReady } from './connections.js';
import { EngineClosedError } from './errors.js';
import {
  formatId,
  newEpoch,
  type Position,
  parseId,
  parseMessage,
  type TopicKeys,
  topicKeys,
} from './ids.js';
import { type RedisEngineOptions, resolveOptions } from './options.js';
import { createRedisPresence } from './presence.js';
import { contiguous, headScript, type LogRead, publishScript, readScript } from './scripts.js';
import { TopicFeed } from './topic-feed.js';

/** A `PubSubEngine` (the contract in `@volley/core`) over Redis, which can be closed. */
export interface RedisEngine extends PubSubEngine {
  /**
   * Tells `observer` of every publish that fails (`publishFailed`, with the topic and the
   * error `publish` rejects with) and every time a connection to Redis comes back after
   * it was lost (`engineReconnected('redis')`). Returns the function that detaches it. A
   * throw from the observer goes to `onError`.
   */
  observe(observer: EngineObserver): () => void;
  /**
   * Stops every listener and closes the engine's two connections (QUIT, or a plain
   * disconnect when Redis is unreachable). Calls after it reject with `EngineClosedError`.
   * An ioredis instance given as `redis` is not touched. Idempotent.
   */
  close(): Promise<void>;
}

/** One topic's channel in this process, and the listeners on it. */
interface Channel {
  readonly keys: TopicKeys;
  readonly feeds: Set<TopicFeed>;
  /** Settles once SUBSCRIBE was answered. */
  subscribed: Promise<unknown>;
}

/**
 * A pub/sub engine that shares topics between processes through Redis: pass it to
 * `createPubSub({ engine })` on every server, and an event published on any of them
 * reaches the subscribers of all. It also works without a server, to publish from a
 * worker:
 *
 * ```ts
 * const engine = createRedisEngine({ redis: 'redis://redis.internal:6379' });
 * await engine.publish('room:lobby', { text: 'hi' });
 * await engine.close();
 * ```
 *
 * Each publish runs one Lua script: it numbers the event in the topic's sequence, appends
 * it to the topic's log (a Redis stream trimmed to about `logSize`), and publishes it on
 * the topic's channel. Event ids are `<epoch>:<seq>`: the epoch is made once per topic by
 * whichever process comes first, and changes only when Redis loses the topic's keys, so a
 * position from a lost log is reported lost (`backlog` gives `undefined`) rather than
 * misread. Listeners get each event once, in order: a listener that falls behind (a
 * reconnection, a missed message) reads the log before going on, and one whose missed
 * events are no longer in the log is told with `gap()`. Data travels as JSON.
 *
 * Its `presence` is shared by every node: each node keeps a lease per topic where it has
 * members, and the members of a node that dies leave after `presenceLeaseMs` (see
 * `DEFAULT_PRESENCE_LEASE_MS`).
 *
 * While Redis is unreachable, operations reject with `RedisUnavailableError` after
 * `connectWaitMs`; the connections are re-established on their own (ioredis'
 * `retryStrategy`) and listeners catch up from the log.
 *
 * @throws TypeError when an option is out of range.
 */
export function createRedisEngine(options: RedisEngineOptions = {}): RedisEngine {
  const resolved = resolveOptions(options);
  const { keyPrefix, logSize, connectWaitMs, onError } = resolved;
  const commands = connect(options.redis, resolved);
  const subscriber = connect(options.redis, resolved);
  const channels = new Map<string, Channel>();
  let closed = false;
  let closing: Promise<void> | undefined;
  /** Who watches (see `observe`); the list is replaced, never changed, when one comes or goes. */
  let observers: readonly EngineObserver[] = [];
  /** Tells every observer that has `member`; a throw there goes to `onError`. */
  const tell = <K extends keyof EngineObserver>(
    member: K,
    ...args: Parameters<NonNullable<EngineObserver[K]>>
  ) => {
    for (const observer of observers) {
      try {
        (observer[member] as ((...values: unknown[]) => void) | undefined)?.apply(observer, args);
      } catch (error) {
        onError(error instanceof Error ? error : new Error(String(error)));
      }
    }
  };

  const lastErrors = new WeakMap<Redis, Error>();
  for (const [redis, role] of [
    [commands, 'command'],
    [subscriber, 'pub/sub'],
  ] as const) {
    // ioredis reports every failed attempt; one report per outage is enough.
    let reported = false;
    /** Ready once already: a later 'ready' is a reconnection. */
    let wasReady = false;
    redis.on('error', (error: Error) => {
      lastErrors.set(redis, error);
      if (reported || closed) return;
      reported = true;
      onError(new Error(`Redis ${role} connection: ${error.message}`, { cause: error }));
    });
    redis.on('ready', () => {
      reported = false;
      lastErrors.delete(redis);
      if (wasReady && !closed) tell('engineReconnected', 'redis');
      wasReady = true;
    });
  }

  /** Runs one command on `redis` under the engine's rules (see connections.ts). */
  async function call<T>(redis: Redis, operation: string, command: () => Promise<T>): Promise<T> {
    if (closed) throw new EngineClosedError(operation);
    await whenReady(redis, operation, connectWaitMs, () => lastErrors.get(redis));
    try {
      return await command();
    } catch (error) {
      throw asUnavailable(operation, error);
    }
  }

  const read = (keys: TopicKeys, after: number) =>
    call(commands, 'a log read', () => readScript(commands, keys, after));
  const head = (keys: TopicKeys) =>
    call(commands, 'a head read', () => headScript(commands, keys, newEpoch()));

  const presence = createRedisPresence({
    commands,
    subscriber,
    keyPrefix,
    leaseMs: resolved.presenceLeaseMs,
    call,
    onError,
  });

  subscriber.on('message', (name: string, message: string) => {
    if (presence.message(name, message)) return;
    const channel = channels.get(name);
    if (channel === undefined) return;
    const event = parseMessage(message);
    if (event === undefined) {
      onError(new Error(`A message on ${name} that the engine did not write, ignored`));
      return;
    }
    for (const feed of channel.feeds) feed.message(event);
  });
  // Messages published while the connection is down are lost: hold every listener until
  // it is back and subscribed again, then let each read the log for what it missed.
  subscriber.on('close', () => {
    for (const channel of channels.values()) for (const feed of channel.feeds) feed.suspend();
  });
  subscriber.on('ready', () => {
    presence.reconnected();
    const names = [...channels.keys()];
    if (names.length === 0) return;
    const subscribed = subscriber.subscribe(...names);
    for (const name of names) (channels.get(name) as Channel).subscribed = subscribed;
    subscribed.then(
      () => {
        for (const name of names) {
          for (const feed of channels.get(name)?.feeds ?? []) feed.resume();
        }
      },
      // The connection dropped again; the next 'ready' subscribes again.
      () => {},
    );
  });

  function leave(name: string, feed: TopicFeed): void {
    feed.close();
    const channel = channels.get(name);
    if (channel === undefined || !channel.feeds.delete(feed) || channel.feeds.size > 0) return;
    channels.delete(name);
    // A connection that is down has forgotten it already, and the next 'ready' skips it.
    if (!closed && subscriber.status === 'ready') subscriber.unsubscribe(name).catch(() => {});
  }

  return {
    presence,
    async publish(topic, data) {
      // A TypeError here (a BigInt, a cycle) rejects before anything is sent.
      const json = JSON.stringify(data) ?? 'null';
      const keys = topicKeys(keyPrefix, topic);
      try {
        const { epoch, seq } = await call(commands, 'publish', () =>
          publishScript(commands, keys, newEpoch(), logSize, json),
        );
        return formatId(epoch, seq);
      } catch (error) {
        if (observers.length > 0) tell('publishFailed', topic, error);
        throw error;
      }
    },

    observe(observer: EngineObserver) {
      observers = [...observers, observer];
      return () => {
        observers = observers.filter((watching) => watching !== observer);
      };
    },

    async subscribe(topic: string, listener: TopicListener): Promise<Unsubscribe> {
      if (closed) throw new EngineClosedError('subscribe');
      const keys = topicKeys(keyPrefix, topic);
      const name = keys.channel;
      const feed = new TopicFeed(listener, {
        source: { head: () => head(keys), read: (after) => read(keys, after) },
        retryMs: Math.max(connectWaitMs, 100),
        maxPending: Math.max(logSize, 1_000),
        onError,
      });
      let channel = channels.get(name);
      let subscribed: Promise<unknown>;
      if (channel === undefined) {
        const made: Channel = { keys, feeds: new Set(), subscribed: Promise.resolve() };
        made.subscribed = call(subscriber, 'subscribe', () => subscriber.subscribe(name));
        subscribed = made.subscribed;
        channel = made;
        channels.set(name, made);
      } else {
        // The channel is subscribed already, unless the connection is down: wait (boundedly)
        // for it to be back and subscribed again.
        const existing = channel;
        subscribed = call(subscriber, 'subscribe', () => existing.subscribed);
      }
      channel.feeds.add(feed);
      // Added to the channel before waiting: a drop from here on suspends it, and its
      // start then reads the log for what the drop may have cost.
      try {
        await subscribed;
        // SUBSCRIBE was answered: every event published from now on reaches the feed,
        // which holds it until it knows where the topic stands.
        await feed.start();
      } catch (error) {
        leave(name, feed);
        throw error;
      }
      let stopped = false;
      return () => {
        if (stopped) return;
        stopped = true;
        leave(name, feed);
      };
    },

    async backlog(topic, eventId): Promise<Backlog> {
      const position = parseId(eventId);
      if (position === undefined) return undefined;
      const keys = topicKeys(keyPrefix, topic);
      // Read from where this process's listeners are too, if they are behind the
      // position: they are brought up to the head first, so the layer above (which
      // listens before it reads the backlog) has heard live every event up to the
      // position before it sees the backlog, and can tell what came before it.
      const feeds = [...(channels.get(keys.channel)?.feeds ?? [])].filter(
        (feed) => feed.live && feed.epoch === position.epoch,
      );
      const after = Math.min(position.seq, ...feeds.map((feed) => feed.last));
      const log = await read(keys, after);
      if (log !== undefined) for (const feed of feeds) feed.offer(log, after);
      return backlogAfter(log, position);
    },

    async head(topic) {
      const { epoch, seq } = await head(topicKeys(keyPrefix, topic));
      return formatId(epoch, seq);
    },

    close() {
      closing ??= (async () => {
        // Its members leave now, rather than when its lease runs out.
        await presence.close();
        closed = true;
        for (const channel of channels.values()) for (const feed of channel.feeds) feed.close();
        channels.clear();
        await Promise.all([disconnect(commands), disconnect(subscriber)]);
      })();
      return closing;
    },
  };
}

/** What `backlog` answers for a position, from a read of the log after it (or before it). */
function backlogAfter(log: LogRead | undefined, position: Position): Backlog {
  // No log, another log, or a position past the newest event: not a position we can serve.
  if (log === undefined || log.epoch !== position.epoch || position.seq > log.seq) return undefined;
  const entries = log.entries.filter((entry) => entry.seq > position.seq);
  // Trimmed: the log no longer holds every event after the position.
  if (!contiguous(entries, position.seq, log.seq)) return undefined;
  return entries.map(
    ({ seq, json }): TopicEvent => ({ id: formatId(log.epoch, seq), data: JSON.parse(json) }),
  );
}
