import {
  type PresenceChange,
  type PresenceEngine,
  type Unsubscribe,
  VolleyError,
} from '@volley/core';
import { DEFAULT_MAX_BUFFERED_EVENTS } from './topic-stream.js';

/** Options of `PubSub.presenceEvents`. */
export interface PresenceEventsOptions {
  /** Ends the iteration when it aborts. Pass the resolver's `signal`. */
  signal?: AbortSignal | undefined;
  /**
   * How many changes it holds for a consumer that has not caught up before it fails with
   * `TOO_MANY_REQUESTS` (`limit: "maxBuffered"`). Default `DEFAULT_MAX_BUFFERED_EVENTS`.
   */
  maxBuffered?: number | undefined;
}

type Waiter<T> = {
  resolve(result: IteratorResult<T>): void;
  reject(error: unknown): void;
};

const DONE: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined });

/**
 * The joins and leaves of one topic, as an async iterator a subscription can return:
 * first a `join` for every member present when it starts, then each change as it happens.
 * It keeps the ids it has told of, so its consumer never hears a member join twice in a
 * row or leave without having joined, whatever the order in which the snapshot and the
 * live changes arrive. It starts at the first `next()`, and ends when `signal` aborts or
 * the consumer leaves its loop.
 */
export class PresenceStream<TData> implements AsyncIterableIterator<PresenceChange<TData>> {
  readonly #presence: PresenceEngine;
  readonly #topic: string;
  readonly #maxBuffered: number;
  readonly #signal: AbortSignal | undefined;
  readonly #buffer: PresenceChange<TData>[] = [];
  /** The ids told of as present. */
  readonly #present = new Set<string>();
  /** Live changes that came while the snapshot was read. */
  #held: PresenceChange[] | undefined;
  #waiter: Waiter<PresenceChange<TData>> | undefined;
  #failure: unknown;
  #started = false;
  #ended = false;
  #stop: Unsubscribe | undefined;
  readonly #onAbort = () => this.#end();

  constructor(presence: PresenceEngine, topic: string, options: PresenceEventsOptions) {
    this.#presence = presence;
    this.#topic = topic;
    this.#maxBuffered = options.maxBuffered ?? DEFAULT_MAX_BUFFERED_EVENTS;
    this.#signal = options.signal;
    if (this.#signal?.aborted) this.#end();
    else this.#signal?.addEventListener('abort', this.#onAbort, { once: true });
  }

  async #start(): Promise<void> {
    this.#held = [];
    const stop = await this.#presence.watch(this.#topic, (change) => this.#live(change));
    if (this.#ended) {
      stop();
      return;
    }
    this.#stop = stop;
    // Watching before reading: a change made meanwhile is in the snapshot, or held, or both.
    const members = await this.#presence.members(this.#topic);
    const held = this.#held ?? [];
    this.#held = undefined;
    for (const member of members) this.#apply({ type: 'join', member });
    for (const change of held) this.#apply(change);
  }

  #live(change: PresenceChange): void {
    if (this.#held !== undefined) this.#held.push(change);
    else this.#apply(change);
  }

  #apply(change: PresenceChange): void {
    if (this.#ended) return;
    const { id } = change.member;
    if (change.type === 'join') {
      if (this.#present.has(id)) return;
      this.#present.add(id);
    } else if (!this.#present.delete(id)) return;
    this.#deliver(change as PresenceChange<TData>);
  }

  #deliver(change: PresenceChange<TData>): void {
    const waiter = this.#waiter;
    if (waiter !== undefined) {
      this.#waiter = undefined;
      waiter.resolve({ done: false, value: change });
      return;
    }
    if (this.#buffer.length < this.#maxBuffered) {
      this.#buffer.push(change);
      return;
    }
    this.#failure = new VolleyError({
      code: 'TOO_MANY_REQUESTS',
      message: `Subscriber fell more than ${this.#maxBuffered} changes behind the presence of topic "${this.#topic}"`,
      limit: 'maxBuffered',
    });
    this.#end();
  }

  #end(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#stop?.();
    this.#stop = undefined;
    this.#signal?.removeEventListener('abort', this.#onAbort);
    const waiter = this.#waiter;
    if (waiter === undefined) return;
    // A waiter means nothing is buffered: the failure, if any, is next.
    this.#waiter = undefined;
    const error = this.#failure;
    this.#failure = undefined;
    if (error === undefined) waiter.resolve(DONE);
    else waiter.reject(error);
  }

  /**
   * The next change: at once when one is buffered, else when one happens. Rejects when the
   * stream failed (the engine could not watch, or the consumer fell behind), after the
   * changes buffered before; done once it ended.
   */
  next(): Promise<IteratorResult<PresenceChange<TData>>> {
    if (!this.#started && !this.#ended) {
      this.#started = true;
      this.#start().catch((error: unknown) => {
        this.#failure ??= error;
        this.#end();
      });
    }
    const change = this.#buffer.shift();
    if (change !== undefined) return Promise.resolve({ done: false, value: change });
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

  /** Stops watching and drops what is buffered. */
  return(): Promise<IteratorResult<PresenceChange<TData>>> {
    this.#buffer.length = 0;
    this.#failure = undefined;
    this.#end();
    return Promise.resolve(DONE);
  }

  /** The stream is its own iterator: `for await (const change of stream)`. */
  [Symbol.asyncIterator](): this {
    return this;
  }
}
