import {
  type PubSubEngine,
  type TopicEvent,
  type Tracked,
  tracked,
  VolleyError,
} from '@volley/core';
import { nanoid } from 'nanoid';

/**
 * How many events one `subscribe()` iterator holds for a consumer that has not caught
 * up, before it fails with `TOO_MANY_REQUESTS` rather than grow without bound: 10,000.
 */
export const DEFAULT_MAX_BUFFERED_EVENTS = 10_000;

/**
 * The in-memory engine: events go to this process's subscribers, in publish order.
 * Event ids are nanoids, unique across processes.
 */
export function createMemoryEngine(): PubSubEngine {
  const listeners = new Map<string, Set<(event: TopicEvent) => void>>();
  return {
    async publish(topic, data) {
      const event: TopicEvent = { id: nanoid(), data };
      const set = listeners.get(topic);
      if (set === undefined) return event.id;
      const failures: unknown[] = [];
      // A copy, so a listener that unsubscribes during delivery does not skip another.
      for (const listener of [...set]) {
        try {
          listener(event);
        } catch (error) {
          failures.push(error);
        }
      }
      if (failures.length > 0) {
        throw new AggregateError(failures, `${failures.length} listener(s) of "${topic}" threw`);
      }
      return event.id;
    },
    subscribe(topic, listener) {
      let set = listeners.get(topic);
      if (set === undefined) {
        set = new Set();
        listeners.set(topic, set);
      }
      set.add(listener);
      return () => {
        set.delete(listener);
        if (set.size === 0 && listeners.get(topic) === set) listeners.delete(topic);
      };
    },
  };
}

/** Options of {@link PubSub.subscribe}. */
export interface TopicSubscribeOptions {
  /** Ends the iteration when it aborts. Pass the resolver's `signal`. */
  signal?: AbortSignal;
  /** See {@link DEFAULT_MAX_BUFFERED_EVENTS}. */
  maxBuffered?: number;
}

/** Typed publishing and subscribing over an engine. `TTopics` maps topic names to event data. */
export interface PubSub<TTopics extends Record<string, unknown>> {
  /** The engine underneath. */
  readonly engine: PubSubEngine;
  /** Publishes `data` on `topic`; resolves to the event's id. */
  publish<TTopic extends keyof TTopics & string>(
    topic: TTopic,
    data: TTopics[TTopic],
  ): Promise<string>;
  /**
   * Listens on `topic` from this call on, and iterates its events as tracked events,
   * so a subscription can `yield*` them and clients see their ids. The iteration ends
   * when `signal` aborts or the consumer leaves its loop.
   */
  subscribe<TTopic extends keyof TTopics & string>(
    topic: TTopic,
    options?: TopicSubscribeOptions,
  ): AsyncIterableIterator<Tracked<TTopics[TTopic]>>;
}

type Waiter<T> = {
  resolve(result: IteratorResult<T>): void;
  reject(error: unknown): void;
};

function iterateTopic<T>(
  engine: PubSubEngine,
  topic: string,
  options: TopicSubscribeOptions,
): AsyncIterableIterator<Tracked<T>> {
  const maxBuffered = options.maxBuffered ?? DEFAULT_MAX_BUFFERED_EVENTS;
  const buffer: Array<Tracked<T>> = [];
  let waiter: Waiter<Tracked<T>> | undefined;
  let failure: unknown;
  let ended = false;

  const end = () => {
    if (ended) return;
    ended = true;
    unsubscribe();
    options.signal?.removeEventListener('abort', end);
    if (waiter !== undefined) {
      const pending = waiter;
      waiter = undefined;
      if (failure !== undefined) pending.reject(failure);
      else pending.resolve({ done: true, value: undefined });
    }
  };

  const unsubscribe = engine.subscribe(topic, (event) => {
    if (ended) return;
    const item = tracked(event.id, event.data as T);
    if (waiter !== undefined) {
      const pending = waiter;
      waiter = undefined;
      pending.resolve({ done: false, value: item });
    } else if (buffer.length >= maxBuffered) {
      failure = new VolleyError({
        code: 'TOO_MANY_REQUESTS',
        message: `Subscriber fell more than ${maxBuffered} events behind topic "${topic}"`,
      });
      end();
    } else buffer.push(item);
  });
  if (options.signal?.aborted) end();
  else options.signal?.addEventListener('abort', end, { once: true });

  return {
    next() {
      const item = buffer.shift();
      if (item !== undefined) return Promise.resolve({ done: false, value: item });
      if (failure !== undefined) {
        const error = failure;
        failure = undefined;
        return Promise.reject(error);
      }
      if (ended) return Promise.resolve({ done: true, value: undefined });
      return new Promise((resolve, reject) => {
        waiter = { resolve, reject };
      });
    },
    return() {
      buffer.length = 0;
      failure = undefined;
      end();
      return Promise.resolve({ done: true, value: undefined });
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

/**
 * Typed pub/sub. Procedures publish; subscriptions `yield*` from `subscribe`. The
 * engine defaults to {@link createMemoryEngine}; pass another (Redis, say) to share
 * events across nodes without changing the procedures.
 *
 * @example
 * const events = createPubSub<{ [room: `room:${string}`]: Message }>();
 * await events.publish(`room:${id}`, message);
 * yield* events.subscribe(`room:${id}`, { signal });
 */
export function createPubSub<TTopics extends Record<string, unknown>>(
  options: { engine?: PubSubEngine } = {},
): PubSub<TTopics> {
  const engine = options.engine ?? createMemoryEngine();
  return {
    engine,
    publish: (topic, data) => engine.publish(topic, data),
    subscribe: (topic, subscribeOptions = {}) => iterateTopic(engine, topic, subscribeOptions),
  };
}
