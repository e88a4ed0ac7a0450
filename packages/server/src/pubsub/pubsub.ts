import {
  type PresenceEngine,
  type PresenceMember,
  type PubSubEngine,
  VolleyError,
} from '@volley/core';
import { createMemoryEngine } from './memory-engine.js';
import { type PresenceEventsOptions, PresenceStream } from './presence-stream.js';
import { TopicHub } from './topic-hub.js';
import { type EnterPresence, TopicStream, type TopicSubscribeOptions } from './topic-stream.js';

/**
 * How many members (distinct presence ids) one topic's presence holds: 1,000. A
 * subscription that would add one more fails with `TOO_MANY_REQUESTS`
 * (`limit: "maxPresenceMembers"`); one more entry of a member already present is always
 * taken. The bound is checked by the engine, across every process sharing it.
 */
export const DEFAULT_MAX_PRESENCE_MEMBERS = 1_000;

/** Options of {@link createPubSub}. */
export interface PubSubOptions {
  /** Where events (and presence) go. Default `createMemoryEngine()`. */
  engine?: PubSubEngine | undefined;
  /** See {@link DEFAULT_MAX_PRESENCE_MEMBERS}. */
  maxPresenceMembers?: number | undefined;
}

/**
 * Typed publishing and subscribing over an engine. `TTopics` maps topic names to event
 * data; `TPresence` is the `data` of a presence member.
 */
export interface PubSub<TTopics extends Record<string, unknown>, TPresence = unknown> {
  /** The engine underneath. */
  readonly engine: PubSubEngine;
  /**
   * Publishes `data` on `topic`; resolves to the event's id.
   *
   * @throws whatever the engine throws when it could not publish (the event then went nowhere).
   */
  publish<TTopic extends keyof TTopics & string>(
    topic: TTopic,
    data: TTopics[TTopic],
  ): Promise<string>;
  /**
   * Listens on `topic` and iterates its events as tracked events, so a subscription can
   * return it (or `yield*` it) and clients see event ids and can resume. Returned from a
   * subscription as it is, it starts where the client resumes from (the server tells it),
   * and its events are pushed to the socket with no promise per event. It ends when
   * `signal` aborts or the consumer leaves its loop. With `presence`, the subscriber is a
   * member of the topic's presence while it lasts.
   *
   * @throws TypeError when `presence` is given and the engine has none, or its `id` is not
   * a non-empty string.
   */
  subscribe<TTopic extends keyof TTopics & string>(
    topic: TTopic,
    options?: TopicSubscribeOptions & { presence?: PresenceMember<TPresence> | undefined },
  ): TopicStream<TTopics[TTopic]>;
  /**
   * Who is on `topic` now, across every process sharing the engine: one member per id.
   *
   * @throws TypeError when the engine has no presence; whatever the engine throws when it
   * cannot answer.
   */
  presence(topic: keyof TTopics & string): Promise<PresenceMember<TPresence>[]>;
  /**
   * The joins and leaves on `topic`, as a stream a subscription can return: a `join` for
   * each member present when it starts, then each change. Not resumable: a client that
   * reconnects subscribes again and is told who is there.
   *
   * @throws TypeError when the engine has no presence.
   */
  presenceEvents(
    topic: keyof TTopics & string,
    options?: PresenceEventsOptions,
  ): PresenceStream<TPresence>;
  /**
   * The topics this process knows of that have presence members now, each with its
   * members: those with a presence entry or a presence watcher in this process (a network
   * engine's topics that only other processes use are not listed). For dashboards such as
   * the inspector.
   */
  presenceTopics(): Promise<Array<{ topic: string; members: PresenceMember<TPresence>[] }>>;
}

/**
 * Typed pub/sub. Procedures publish; subscriptions return (or `yield*`) `subscribe`. The
 * engine defaults to `createMemoryEngine()`; pass another (`@volley/redis`, say) to share
 * events across processes without changing the procedures. Each topic has one engine
 * subscription per `PubSub`, however many subscribers it has.
 *
 * @example
 * const events = createPubSub<{ [room: `room:${string}`]: Message }>();
 * await events.publish(`room:${id}`, message);
 * .subscription(({ input, signal }) => events.subscribe(`room:${input.id}`, { signal }))
 *
 * @throws TypeError when `maxPresenceMembers` is not a positive integer.
 */
export function createPubSub<TTopics extends Record<string, unknown>, TPresence = unknown>(
  options: PubSubOptions = {},
): PubSub<TTopics, TPresence> {
  const engine = options.engine ?? createMemoryEngine();
  const maxMembers = options.maxPresenceMembers ?? DEFAULT_MAX_PRESENCE_MEMBERS;
  if (!Number.isInteger(maxMembers) || maxMembers < 1) {
    throw new TypeError('createPubSub: `maxPresenceMembers` must be a positive integer');
  }
  const hubs = new Map<string, TopicHub>();
  const hubFor = (topic: string): TopicHub => {
    let hub = hubs.get(topic);
    if (hub === undefined) {
      const made = new TopicHub(engine, topic, () => {
        if (hubs.get(topic) === made) hubs.delete(topic);
      });
      hubs.set(topic, made);
      hub = made;
    }
    return hub;
  };

  /** How many presence entries and watchers this process has per topic. */
  const known = new Map<string, number>();
  const track = (topic: string, by: 1 | -1) => {
    const count = (known.get(topic) ?? 0) + by;
    if (count > 0) known.set(topic, count);
    else known.delete(topic);
  };

  const presenceOf = (): PresenceEngine => {
    if (engine.presence === undefined) {
      throw new TypeError('createPubSub: this engine has no presence (`engine.presence`)');
    }
    return engine.presence;
  };

  /** Adds one entry for `member` on `topic`, counted in `known` while it lasts. */
  const enterPresence = async (topic: string, given: PresenceMember) => {
    const presence = presenceOf();
    const member = checkMember(given);
    const leave = await presence.enter(topic, member, maxMembers);
    if (leave === undefined) {
      throw new VolleyError({
        code: 'TOO_MANY_REQUESTS',
        message: `Topic "${topic}" has ${maxMembers} members already`,
        limit: 'maxPresenceMembers',
      });
    }
    track(topic, 1);
    let left = false;
    return () => {
      if (left) return;
      left = true;
      track(topic, -1);
      leave();
    };
  };

  return {
    engine,
    publish: (topic, data) => engine.publish(topic, data),
    subscribe: (topic, subscribeOptions = {}) => {
      // Refused at once (not when the stream starts): an engine without presence, no id.
      if (subscribeOptions.presence !== undefined) {
        presenceOf();
        checkMember(subscribeOptions.presence);
      }
      const enter: EnterPresence = (member) => enterPresence(topic, member);
      return new TopicStream(engine, topic, hubFor, subscribeOptions, enter);
    },
    presence: (topic) => presenceOf().members(topic) as Promise<PresenceMember<TPresence>[]>,
    presenceEvents: (topic, eventsOptions = {}) =>
      new PresenceStream<TPresence>(watchCounted(presenceOf(), topic), topic, eventsOptions),
    async presenceTopics() {
      const presence = presenceOf();
      const listed = await Promise.all(
        [...known.keys()].map(async (topic) => ({
          topic,
          members: (await presence.members(topic)) as PresenceMember<TPresence>[],
        })),
      );
      return listed.filter((entry) => entry.members.length > 0);
    },
  };

  /** The engine's presence, with this process's watchers of `topic` counted in `known`. */
  function watchCounted(presence: PresenceEngine, topic: string): PresenceEngine {
    return {
      enter: presence.enter.bind(presence),
      members: presence.members.bind(presence),
      async watch(watched, listener) {
        const stop = await presence.watch(watched, listener);
        track(topic, 1);
        let stopped = false;
        return () => {
          if (stopped) return;
          stopped = true;
          track(topic, -1);
          stop();
        };
      },
    };
  }
}

/**
 * A member as the engine gets it: `id` a string, `data` as given.
 *
 * @throws TypeError when `id` is not a non-empty string.
 */
function checkMember(member: PresenceMember): PresenceMember {
  if (typeof member.id !== 'string' || member.id === '') {
    throw new TypeError('PubSub.subscribe: `presence.id` must be a non-empty string');
  }
  return { id: member.id, data: member.data };
}
