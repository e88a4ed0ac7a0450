import {
  type Backlog,
  encodeEventTail,
  markResumable,
  type PubSubEngine,
  type Resumable,
  type ResumeState,
  stringifyValue,
  type TopicEvent,
  type Tracked,
  tracked,
  VolleyError,
} from '@volley/core';
import { nanoid } from 'nanoid';

/**
 * How many events one `subscribe()` iterator holds for a consumer that has not caught
 * up (a slow client: the server stops pulling a subscription whose socket is congested),
 * before its `overflow` policy applies rather than grow without bound: 10,000.
 */
export const DEFAULT_MAX_BUFFERED_EVENTS = 10_000;

/**
 * What a topic subscription does when its consumer falls `maxBuffered` events behind:
 *
 * - `'error'` (the default): the iteration fails with `TOO_MANY_REQUESTS`
 *   (`limit: "maxBuffered"`) after the buffered events, so the client's subscription
 *   ends with `rpc.error`; the connection stays.
 * - `'drop'`: the events are volatile (positions, prices, typing indicators): the
 *   oldest buffered one is dropped for each new one, so a slow client gets the newest
 *   `maxBuffered` events and the subscription goes on. Event ids show the gaps.
 * - `'close'`: the subscriber's connection is closed with 4429 (`SLOW_CONSUMER`).
 */
export type OverflowPolicy = 'error' | 'drop' | 'close';

/** Thrown by a topic subscribed with `overflow: 'close'`; the server closes the connection. */
export class SlowConsumerError extends VolleyError {}

/**
 * How many recent events the in-memory engine keeps per topic, so that a client that
 * reconnects can be sent what it missed: 1,000. Older positions are "not recovered".
 */
export const DEFAULT_LOG_SIZE = 1_000;

interface TopicState {
  /** Sequence number of the newest event; 0 before the first. */
  seq: number;
  /** The newest events, oldest first, at most `logSize`. */
  log: TopicEvent[];
  listeners: Set<(event: TopicEvent) => void>;
}

/** Options of {@link createMemoryEngine}. */
export interface MemoryEngineOptions {
  /** See {@link DEFAULT_LOG_SIZE}. */
  logSize?: number;
}

/**
 * The in-memory engine: events go to this process's subscribers in publish order, and
 * the last `logSize` of each topic are kept for resuming. An event id is
 * `<epoch>.<sequence>`, where the epoch is a nanoid drawn when the engine is made, so ids
 * are unique across processes and a position from before a restart is never mistaken
 * for one after it.
 */
export function createMemoryEngine(options: MemoryEngineOptions = {}): PubSubEngine {
  const logSize = options.logSize ?? DEFAULT_LOG_SIZE;
  if (!Number.isInteger(logSize) || logSize < 0) {
    throw new TypeError('createMemoryEngine: `logSize` must be a non-negative integer');
  }
  const epoch = nanoid();
  const topics = new Map<string, TopicState>();
  const stateOf = (topic: string): TopicState => {
    let state = topics.get(topic);
    if (state === undefined) {
      state = { seq: 0, log: [], listeners: new Set() };
      topics.set(topic, state);
    }
    return state;
  };

  return {
    async publish(topic, data) {
      const state = stateOf(topic);
      state.seq += 1;
      const event: TopicEvent = { id: `${epoch}.${state.seq}`, data };
      if (logSize > 0) {
        state.log.push(event);
        if (state.log.length > logSize) state.log.shift();
      }
      const failures: unknown[] = [];
      // A copy, so a listener that unsubscribes during delivery does not skip another.
      for (const listener of [...state.listeners]) {
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
      const state = stateOf(topic);
      state.listeners.add(listener);
      return () => {
        state.listeners.delete(listener);
      };
    },
    async backlog(topic, eventId): Promise<Backlog> {
      const dot = eventId.lastIndexOf('.');
      if (dot === -1 || eventId.slice(0, dot) !== epoch) return undefined;
      const seq = Number(eventId.slice(dot + 1));
      const state = topics.get(topic);
      const newest = state?.seq ?? 0;
      if (!Number.isInteger(seq) || seq < 0 || seq > newest) return undefined;
      const log = state?.log ?? [];
      const oldest = newest - log.length + 1;
      // Positions older than the log's first event cannot be replayed whole.
      if (seq < oldest - 1) return undefined;
      return log.slice(seq - oldest + 1);
    },
    async head(topic) {
      return `${epoch}.${topics.get(topic)?.seq ?? 0}`;
    },
  };
}

/** Options of {@link PubSub.subscribe}. */
export interface TopicSubscribeOptions {
  /** Ends the iteration when it aborts. Pass the resolver's `signal`. */
  signal?: AbortSignal;
  /**
   * Resume after this event: the events since are replayed from the engine's log before
   * live ones, with none twice. Pass the resolver's `lastEventId`.
   */
  lastEventId?: string;
  /** See {@link DEFAULT_MAX_BUFFERED_EVENTS}. */
  maxBuffered?: number;
  /** See {@link OverflowPolicy}. Default `'error'`. */
  overflow?: OverflowPolicy;
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
   * Listens on `topic` and iterates its events as tracked events, so a subscription can
   * return it (or `yield*` it) and clients see event ids and can resume. It starts after
   * the topic's newest event, or after `lastEventId` when resuming. The iteration ends
   * when `signal` aborts or the consumer leaves its loop.
   */
  subscribe<TTopic extends keyof TTopics & string>(
    topic: TTopic,
    options?: TopicSubscribeOptions,
  ): AsyncIterableIterator<Tracked<TTopics[TTopic]>> & Resumable;
}

// One published event reaches every subscriber as the same immutable tracked object,
// and its data is serialised once for all of them (see `encodedTail`).
const trackedByEvent = new WeakMap<TopicEvent, Tracked<unknown>>();
const dataJson = new WeakMap<Tracked<unknown>, string>();

function sharedTracked(event: TopicEvent): Tracked<unknown> {
  let item = trackedByEvent.get(event);
  if (item === undefined) {
    item = tracked(event.id, event.data);
    trackedByEvent.set(event, item);
    dataJson.set(item, '');
  }
  return item;
}

/**
 * The tail of a topic event's `rpc.event` (its id and data as JSON text), built once per
 * event whatever the number of subscribers; `undefined` for anything not from a topic
 * (whose data may be mutated between yields, so it is never cached).
 */
export function encodedTail(item: unknown): string | undefined {
  const cached = dataJson.get(item as Tracked<unknown>);
  if (cached === undefined) return undefined;
  if (cached !== '') return cached;
  const tracked = item as Tracked<unknown>;
  const tail = encodeEventTail(stringifyValue(tracked.data), tracked.id);
  dataJson.set(tracked, tail);
  return tail;
}

/** The tail last turned into bytes: a pushed event goes to all its subscribers in a row. */
let lastTail: string | undefined;
let lastTailBytes: Buffer | undefined;

/** {@link encodedTail} as UTF-8 bytes, made once per event for all its pushed subscribers. */
export function encodedTailBytes(item: unknown): Buffer | undefined {
  const tail = encodedTail(item);
  if (tail === undefined) return undefined;
  if (tail !== lastTail || lastTailBytes === undefined) {
    lastTailBytes = Buffer.from(tail);
    lastTail = tail;
  }
  return lastTailBytes;
}

type Waiter<T> = {
  resolve(result: IteratorResult<T>): void;
  reject(error: unknown): void;
};

/**
 * Who takes a topic stream's events as they are published (push mode), instead of
 * pulling them one promise at a time: the server, for a subscription that returns the
 * stream itself. Events reach it synchronously, in order.
 */
export interface TopicConsumer {
  /**
   * One event. Returns `false` when the consumer cannot take more for now (its socket is
   * congested): the stream then buffers (under its overflow policy) until `resume()`.
   */
  event(item: Tracked<unknown>): boolean;
  /** The stream ended: `error` is why it failed, `undefined` when it was stopped or ran out. */
  end(error: unknown): void;
}

/** A topic stream's push side. */
export interface TopicSource {
  /** Starts pushing to `consumer`, beginning with what was buffered. Once per stream. */
  attach(consumer: TopicConsumer): void;
  /** The consumer can take events again after returning `false`. */
  resume(): void;
}

const sources = new WeakMap<object, TopicSource>();

/** The push side of a stream from {@link PubSub.subscribe}, or `undefined` for any other. */
export function topicSourceOf(iterable: unknown): TopicSource | undefined {
  return typeof iterable === 'object' && iterable !== null ? sources.get(iterable) : undefined;
}

function iterateTopic<T>(
  engine: PubSubEngine,
  topic: string,
  options: TopicSubscribeOptions,
): AsyncIterableIterator<Tracked<T>> & Resumable {
  const maxBuffered = options.maxBuffered ?? DEFAULT_MAX_BUFFERED_EVENTS;
  const buffer: Array<Tracked<T>> = [];
  let waiter: Waiter<Tracked<T>> | undefined;
  let failure: unknown;
  let ended = false;
  let unsubscribe: (() => void) | undefined;
  /** Ids replayed from the log, which must not be delivered again when they arrive live. */
  let replayed: Set<string> | undefined;
  /** Push mode: who takes the events, and whether it asked to be held back. */
  let consumer: TopicConsumer | undefined;
  let paused = false;

  /** Push mode: tells the consumer the stream is over, once nothing it should get is left. */
  const endConsumer = () => {
    if (consumer === undefined || !ended) return;
    // Events buffered before a failure go out first, as an iterator would yield them.
    if (paused && failure !== undefined && buffer.length > 0) return;
    const taker = consumer;
    const error = failure;
    consumer = undefined;
    failure = undefined;
    buffer.length = 0;
    taker.end(error);
  };

  const end = () => {
    if (ended) return;
    ended = true;
    unsubscribe?.();
    options.signal?.removeEventListener('abort', end);
    if (consumer !== undefined) {
      endConsumer();
      return;
    }
    if (waiter !== undefined) {
      const pending = waiter;
      waiter = undefined;
      if (failure !== undefined) pending.reject(failure);
      else pending.resolve({ done: true, value: undefined });
    }
  };

  const deliver = (event: TopicEvent) => {
    if (ended) return;
    const item = sharedTracked(event) as Tracked<T>;
    if (consumer !== undefined && !paused && buffer.length === 0) {
      paused = !consumer.event(item);
      return;
    }
    if (waiter !== undefined) {
      const pending = waiter;
      waiter = undefined;
      pending.resolve({ done: false, value: item });
    } else if (buffer.length >= maxBuffered) {
      if (options.overflow === 'drop') {
        buffer.shift();
        buffer.push(item);
        return;
      }
      const overflowed = {
        code: 'TOO_MANY_REQUESTS',
        message: `Subscriber fell more than ${maxBuffered} events behind topic "${topic}"`,
        limit: 'maxBuffered',
      } as const;
      failure =
        options.overflow === 'close'
          ? new SlowConsumerError(overflowed)
          : new VolleyError(overflowed);
      end();
    } else buffer.push(item);
  };

  // Live events are held back until the backlog is in the buffer, and checked against it.
  let held: TopicEvent[] | undefined = [];
  const onLive = (event: TopicEvent) => {
    if (held !== undefined) held.push(event);
    else if (replayed === undefined || !replayed.delete(event.id)) deliver(event);
  };

  // Read the live side before the backlog (so nothing published in between is lost),
  // then replay the backlog and drop live events it already holds.
  const start = (async (): Promise<ResumeState> => {
    const from = options.lastEventId ?? (await engine.head(topic));
    if (ended) return { position: from, recovered: false };
    unsubscribe = engine.subscribe(topic, onLive);
    const backlog = await engine.backlog(topic, from);
    const recovered = backlog !== undefined;
    const position = recovered ? from : await engine.head(topic);
    if (backlog !== undefined && backlog.length > 0) {
      replayed = new Set(backlog.map((event) => event.id));
      for (const event of backlog) deliver(event);
    }
    const pending = held ?? [];
    held = undefined;
    for (const event of pending) onLive(event);
    return { position, recovered };
  })();
  // A failing engine fails the iteration; the rejection is also seen by the server.
  start.catch((error: unknown) => {
    failure ??= error;
    end();
  });

  if (options.signal?.aborted) end();
  else options.signal?.addEventListener('abort', end, { once: true });

  const iterator: AsyncIterableIterator<Tracked<T>> = {
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
  const resume = () => {
    if (consumer === undefined) return;
    paused = false;
    while (buffer.length > 0 && consumer !== undefined) {
      const item = buffer.shift() as Tracked<T>;
      if (!consumer.event(item)) {
        paused = true;
        return;
      }
    }
    endConsumer();
  };
  sources.set(iterator, {
    attach(taker) {
      if (consumer !== undefined) throw new Error('A topic stream has one consumer');
      consumer = taker;
      resume();
    },
    resume,
  });
  return markResumable(iterator, start);
}

/**
 * Typed pub/sub. Procedures publish; subscriptions return (or `yield*`) `subscribe`. The
 * engine defaults to {@link createMemoryEngine}; pass another (Redis, say) to share
 * events across nodes without changing the procedures.
 *
 * @example
 * const events = createPubSub<{ [room: `room:${string}`]: Message }>();
 * await events.publish(`room:${id}`, message);
 * .subscription(({ input, signal, lastEventId }) => events.subscribe(`room:${input.id}`, { signal, lastEventId }))
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
