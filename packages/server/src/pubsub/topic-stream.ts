import {
  CLOSE_CODES,
  type PresenceMember,
  PUSHABLE,
  type PubSubEngine,
  type Pushable,
  type PushConsumer,
  type PushControl,
  RESUMABLE,
  type Resumable,
  type ResumeState,
  type Tracked,
  type Unsubscribe,
  VolleyError,
} from '@volley/core';
import { CloseConnectionError } from '../close-connection.js';
import { SharedEvent } from './shared-event.js';
import type { HubMember, TopicHub } from './topic-hub.js';

/**
 * How many events one topic subscription holds for a consumer that has not caught up (a
 * slow client: the server stops taking events for a subscription whose socket is
 * congested), before its `overflow` policy applies rather than grow without bound: 10,000.
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
 * - `'close'`: the subscriber's connection is closed with 4429 (`SLOW_CONSUMER`); the
 *   client reconnects and resumes from its last event.
 */
export type OverflowPolicy = 'error' | 'drop' | 'close';

/** Options of `PubSub.subscribe`. */
export interface TopicSubscribeOptions {
  /** Ends the iteration when it aborts. Pass the resolver's `signal`. */
  signal?: AbortSignal | undefined;
  /**
   * Start after this event instead of at the newest: the events since are replayed from
   * the engine's log before live ones, with none twice. Optional in a subscription: the
   * server passes a resuming client's position on by itself (see `Resumable` in
   * `@volley/core`). Outside one (iterating in your own code), pass it to resume.
   */
  lastEventId?: string | undefined;
  /** See {@link DEFAULT_MAX_BUFFERED_EVENTS}. */
  maxBuffered?: number | undefined;
  /** See {@link OverflowPolicy}. Default `'error'`. */
  overflow?: OverflowPolicy | undefined;
  /**
   * Who this subscriber is on the topic, for `PubSub.presence` and `presenceEvents`: an
   * identity the server derives from the connection (`ctx`), never from the input. The
   * entry is added when the stream starts (before the subscription is acknowledged) and
   * removed when it ends. Past the topic's `maxPresenceMembers`, a new member's stream
   * fails with `TOO_MANY_REQUESTS` (`limit: "maxPresenceMembers"`).
   */
  presence?: PresenceMember | undefined;
}

/** Adds the stream's presence entry; resolves to its leave function. Made by the facade. */
export type EnterPresence = (member: PresenceMember) => Promise<Unsubscribe>;

type Waiter<T> = {
  resolve(result: IteratorResult<T>): void;
  reject(error: unknown): void;
};

const DONE: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined });

/**
 * One subscriber's view of a topic: an async iterator of tracked events that a
 * subscription returns. It is `Resumable` (see `@volley/core`): it starts when the server says where (a
 * resuming client's position), or at its first `next()`. It reads the live side before the
 * engine's log, replays the log, and drops what it gets twice. It is `Pushable`: the
 * server can take its events synchronously as they are published. While its consumer is
 * behind, it buffers up to `maxBuffered` events, then applies its overflow policy.
 */
export class TopicStream<T>
  implements AsyncIterableIterator<Tracked<T>>, Resumable, Pushable<SharedEvent>, HubMember
{
  readonly #engine: PubSubEngine;
  readonly #topic: string;
  readonly #hubFor: (topic: string) => TopicHub;
  readonly #options: TopicSubscribeOptions;
  #hub: TopicHub | undefined;
  #started: Promise<ResumeState> | undefined;
  /** Events waiting for their consumer, oldest first. */
  readonly #buffer: SharedEvent[] = [];
  #waiter: Waiter<Tracked<T>> | undefined;
  /** Why the stream fails, once its buffered events are taken. */
  #failure: unknown;
  #ended = false;
  /** Live events that arrived while the log was read; released after the replay. */
  #held: SharedEvent[] | undefined;
  /** Ids replayed from the log that may still arrive live, to drop them then. */
  #replayed: Set<string> | undefined;
  /** Push mode: who takes the events, and whether it asked to be held back. */
  #consumer: PushConsumer<SharedEvent> | undefined;
  #paused = false;
  readonly #enterPresence: EnterPresence | undefined;
  /** Removes the stream's presence entry, once it was added. */
  #leavePresence: Unsubscribe | undefined;
  readonly #onAbort = () => this.#end();

  constructor(
    engine: PubSubEngine,
    topic: string,
    hubFor: (topic: string) => TopicHub,
    options: TopicSubscribeOptions,
    enterPresence?: EnterPresence,
  ) {
    this.#enterPresence = enterPresence;
    this.#engine = engine;
    this.#topic = topic;
    this.#hubFor = hubFor;
    this.#options = options;
    const { signal } = options;
    if (signal?.aborted) this.#end();
    else signal?.addEventListener('abort', this.#onAbort, { once: true });
  }

  /** The topic this stream reads. */
  get topic(): string {
    return this.#topic;
  }

  /** Starts the stream after `lastEventId` (a resuming client's), unless it was given its own. */
  [RESUMABLE](lastEventId: string | undefined): Promise<ResumeState> {
    return this.#start(this.#options.lastEventId ?? lastEventId);
  }

  #start(from: string | undefined): Promise<ResumeState> {
    if (this.#started === undefined) {
      this.#started = this.#begin(from);
      // A failing engine fails the iteration; the rejection is also seen by the server.
      this.#started.catch((error: unknown) => {
        this.#failure ??= error;
        this.#end();
      });
    }
    return this.#started;
  }

  // Read the live side before the log (so nothing published in between is lost), then
  // replay the log and drop live events it already holds.
  async #begin(from: string | undefined): Promise<ResumeState> {
    if (this.#ended) return { position: from ?? '', recovered: false };
    const engine = this.#engine;
    const hub = this.#hubFor(this.#topic);
    this.#hub = hub;
    this.#held = [];
    hub.join(this);
    const [, newest] = await Promise.all([
      hub.ready,
      from === undefined ? engine.head(this.#topic) : undefined,
      this.#enter(),
    ]);
    let position = (from ?? newest) as string;
    let backlog = await engine.backlog(this.#topic, position);
    const recovered = backlog !== undefined;
    if (backlog === undefined) {
      // The position is lost: start at the newest event instead, and say so.
      position = await engine.head(this.#topic);
      backlog = (await engine.backlog(this.#topic, position)) ?? [];
    }
    const held = this.#held ?? [];
    this.#held = undefined;
    if (this.#ended) return { position, recovered };
    for (const event of backlog) this.#deliver(new SharedEvent(event));
    if (backlog.length > 0) this.#replayed = new Set(backlog.map((event) => event.id));
    // Live events up to the position itself came before the start.
    let before = held.some((event) => event.id === position);
    for (const event of held) {
      if (before) before = event.id !== position;
      else this.live(event);
    }
    return { position, recovered };
  }

  /** Adds the presence entry, if the stream has one; it is removed when the stream ends. */
  async #enter(): Promise<void> {
    const member = this.#options.presence;
    if (member === undefined || this.#enterPresence === undefined) return;
    const leave = await this.#enterPresence(member);
    if (this.#ended) leave();
    else this.#leavePresence = leave;
  }

  /** A live event from the hub. */
  live(event: SharedEvent): void {
    if (this.#ended) return;
    if (this.#held !== undefined) {
      this.#held.push(event);
      return;
    }
    if (this.#replayed !== undefined) {
      if (this.#replayed.delete(event.id)) return;
      // Events come in order: once one is not a replayed one, none of the rest will come.
      this.#replayed = undefined;
    }
    this.#deliver(event);
  }

  /** The engine lost events: make the client reconnect and resume, so that it is told. */
  gap(): void {
    if (this.#ended) return;
    this.#failure = new CloseConnectionError(CLOSE_CODES.SERVICE_RESTART, {
      code: 'INTERNAL_ERROR',
      message: `Events of topic "${this.#topic}" were lost: reconnect and resume`,
    });
    this.#end();
  }

  #deliver(event: SharedEvent): void {
    if (this.#ended) return;
    const consumer = this.#consumer;
    if (consumer !== undefined && !this.#paused && this.#buffer.length === 0) {
      this.#paused = !consumer.event(event);
      return;
    }
    const waiter = this.#waiter;
    if (waiter !== undefined) {
      this.#waiter = undefined;
      waiter.resolve({ done: false, value: event.item as Tracked<T> });
      return;
    }
    const maxBuffered = this.#options.maxBuffered ?? DEFAULT_MAX_BUFFERED_EVENTS;
    if (this.#buffer.length < maxBuffered) {
      this.#buffer.push(event);
      return;
    }
    const { overflow } = this.#options;
    // One event is lost whichever the policy: the oldest, or this one.
    this.#consumer?.dropped?.(1);
    if (overflow === 'drop') {
      this.#buffer.shift();
      this.#buffer.push(event);
      return;
    }
    const overflowed = {
      code: 'TOO_MANY_REQUESTS',
      message: `Subscriber fell more than ${maxBuffered} events behind topic "${this.#topic}"`,
      limit: 'maxBuffered',
    } as const;
    this.#failure =
      overflow === 'close'
        ? new CloseConnectionError(4429, overflowed)
        : new VolleyError(overflowed);
    this.#end();
  }

  #end(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#hub?.leave(this);
    this.#leavePresence?.();
    this.#leavePresence = undefined;
    this.#options.signal?.removeEventListener('abort', this.#onAbort);
    if (this.#consumer !== undefined) {
      this.#endConsumer();
      return;
    }
    const waiter = this.#waiter;
    if (waiter !== undefined) {
      this.#waiter = undefined;
      if (this.#failure !== undefined) waiter.reject(this.#failure);
      else waiter.resolve(DONE);
    }
  }

  /** Push mode: tells the consumer the stream is over, once nothing it should get is left. */
  #endConsumer(): void {
    const consumer = this.#consumer;
    if (consumer === undefined || !this.#ended) return;
    // Events buffered before a failure go out first, as an iterator would yield them.
    if (this.#paused && this.#failure !== undefined && this.#buffer.length > 0) return;
    const error = this.#failure;
    this.#consumer = undefined;
    this.#failure = undefined;
    this.#buffer.length = 0;
    consumer.end(error);
  }

  /**
   * Push mode, for the server: hands every event to `consumer` as it comes, buffered ones
   * first. See `Pushable` in `@volley/core`.
   *
   * @throws Error when a consumer is already attached.
   */
  [PUSHABLE](consumer: PushConsumer<SharedEvent>): PushControl {
    if (this.#consumer !== undefined) throw new Error('A topic stream has one consumer');
    this.#consumer = consumer;
    this.#resume();
    if (this.#started === undefined) this.#start(this.#options.lastEventId);
    return { resume: () => this.#resume() };
  }

  #resume(): void {
    const consumer = this.#consumer;
    if (consumer === undefined) return;
    this.#paused = false;
    while (this.#buffer.length > 0 && this.#consumer !== undefined) {
      if (!consumer.event(this.#buffer.shift() as SharedEvent)) {
        this.#paused = true;
        return;
      }
    }
    this.#endConsumer();
  }

  /**
   * The next event, tracked (its id is the event's): at once when one is buffered, else when
   * one is published. Rejects when the stream failed (overflow, engine failure), after the
   * events buffered before the failure; done once it ended.
   */
  next(): Promise<IteratorResult<Tracked<T>>> {
    if (this.#started === undefined) this.#start(this.#options.lastEventId);
    const event = this.#buffer.shift();
    if (event !== undefined)
      return Promise.resolve({ done: false, value: event.item as Tracked<T> });
    if (this.#failure !== undefined) {
      const error = this.#failure;
      this.#failure = undefined;
      return Promise.reject(error);
    }
    if (this.#ended) return Promise.resolve(DONE);
    return new Promise((resolve, reject) => {
      this.#waiter = { resolve, reject };
    });
  }

  /** Stops the stream: leaves the topic and drops what is buffered. */
  return(): Promise<IteratorResult<Tracked<T>>> {
    this.#buffer.length = 0;
    this.#failure = undefined;
    this.#end();
    return Promise.resolve(DONE);
  }

  /** The stream is its own iterator: `for await (const event of stream)`. */
  [Symbol.asyncIterator](): this {
    return this;
  }
}
