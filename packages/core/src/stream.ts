// Two explicit markers a subscription's event stream can carry, so the server can do more
// with it than iterate it. Pub/sub topic streams (`createPubSub().subscribe`) carry both.
// For people who write such streams; applications just return them from a subscription.

/** Where a resumable stream starts, once started. */
export interface ResumeState {
  /** The position the stream starts after: the id of the last event it will not deliver. */
  readonly position: string;
  /**
   * Whether every event after the position it was asked to start at will be delivered.
   * `false` when that position is unknown or lost; the stream then starts at the newest.
   */
  readonly recovered: boolean;
}

/** Marks a stream that can start at a client's position. See {@link Resumable}. */
export const RESUMABLE: unique symbol = Symbol.for('volley.resumable');

/**
 * An event stream that can start at a position. The server calls `[RESUMABLE]` once,
 * before it takes any event, with the `lastEventId` of a client that resumes (or
 * `undefined` for a new subscription), and tells the client where the stream starts and
 * whether it resumed whole. A stream that was given its own start position (by the
 * application) keeps it; the server then calls the stream recovered only if that position
 * is the client's. So a subscription that forgets to pass `lastEventId` on can never make
 * a client skip events silently.
 *
 * Resolves once the stream has started; rejects if it cannot start (its engine failed).
 */
export interface Resumable {
  /**
   * Starts the stream after `lastEventId` (a resuming client's position), or at the newest
   * event when `undefined`, unless the stream was given a position of its own. Called once.
   */
  [RESUMABLE](lastEventId: string | undefined): Promise<ResumeState>;
}

/** Marks a stream that can push its items. See {@link Pushable}. */
export const PUSHABLE: unique symbol = Symbol.for('volley.pushable');

/** Who takes a pushed stream's items. */
export interface PushConsumer<TItem> {
  /**
   * One item, synchronously, in order. Returns `false` when it cannot take more for now
   * (its socket is congested): the stream holds further items, under its own bound,
   * until `resume()` is called on the control it returned.
   */
  event(item: TItem): boolean;
  /** The stream is over: `error` says why it failed, `undefined` when it ended or was stopped. Called once. */
  end(error: unknown): void;
  /**
   * Optional: `count` items were dropped for this consumer (it was too far behind, and the
   * stream's overflow policy dropped them), so that the server can count them.
   */
  dropped?(count: number): void;
}

/** What a pushing stream gives its consumer. */
export interface PushControl {
  /** The consumer can take items again after returning `false`. */
  resume(): void;
}

/**
 * An event stream that can hand its items to one consumer as they come, instead of being
 * pulled one promise at a time: the fast path for fan-out. The server attaches itself
 * (once, instead of iterating) when the subscription has no output schema to check.
 * Stopping works as for any iterator: `return()`.
 */
export interface Pushable<TItem> {
  /**
   * Attaches the one consumer: items go to it from now on, instead of being pulled.
   *
   * @throws Error when a consumer is already attached.
   */
  [PUSHABLE](consumer: PushConsumer<TItem>): PushControl;
}
