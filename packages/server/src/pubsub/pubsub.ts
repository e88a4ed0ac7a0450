import type { PubSubEngine } from '@volley/core';
import { createMemoryEngine } from './memory-engine.js';
import { TopicHub } from './topic-hub.js';
import { TopicStream, type TopicSubscribeOptions } from './topic-stream.js';

/** Typed publishing and subscribing over an engine. `TTopics` maps topic names to event data. */
export interface PubSub<TTopics extends Record<string, unknown>> {
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
   * `signal` aborts or the consumer leaves its loop.
   */
  subscribe<TTopic extends keyof TTopics & string>(
    topic: TTopic,
    options?: TopicSubscribeOptions,
  ): TopicStream<TTopics[TTopic]>;
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
 */
export function createPubSub<TTopics extends Record<string, unknown>>(
  options: { engine?: PubSubEngine | undefined } = {},
): PubSub<TTopics> {
  const engine = options.engine ?? createMemoryEngine();
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
  return {
    engine,
    publish: (topic, data) => engine.publish(topic, data),
    subscribe: (topic, subscribeOptions = {}) =>
      new TopicStream(engine, topic, hubFor, subscribeOptions),
  };
}
