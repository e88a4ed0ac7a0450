/** One event published on a topic. */
export interface TopicEvent {
  /**
   * Assigned by the engine; unique beyond one process and ordered within a topic, so that
   * a client can resume after it.
   */
  readonly id: string;
  readonly data: unknown;
}

/** Stops a listener from receiving events. */
export type Unsubscribe = () => void;

/**
 * What an engine's log holds after a position: the events since, or `undefined` when it
 * no longer knows the position (trimmed, or from before a restart), in which case the
 * subscriber must be told it was not recovered.
 */
export type Backlog = readonly TopicEvent[] | undefined;

/**
 * Where published events go and come from. `@volley/server` ships an in-memory engine;
 * a Redis engine implements the same interface, so swapping it changes one line of user
 * code.
 */
export interface PubSubEngine {
  /** Publishes `data` on `topic`, appends it to the topic's log, and resolves to its id. */
  publish(topic: string, data: unknown): Promise<string>;
  /** Calls `listener` for each event published on `topic` after this call, in order. */
  subscribe(topic: string, listener: (event: TopicEvent) => void): Unsubscribe;
  /** The events of `topic` after `eventId`, from the bounded log. */
  backlog(topic: string, eventId: string): Promise<Backlog>;
  /** The id of the newest event of `topic` (a position to resume from even before any event). */
  head(topic: string): Promise<string>;
}

const RESUMABLE = Symbol.for('volley.resumable');

/**
 * Where a resumable event stream starts: for a fresh subscription, the position it starts
 * after; for a resumed one, also whether everything since `lastEventId` was replayed.
 */
export interface ResumeState {
  /** The position the stream starts after (the client's resume point until an event comes). */
  readonly position: string;
  /** For a resumed stream: whether every event after the client's position will be delivered. */
  readonly recovered: boolean;
}

/** An event stream that knows where it starts, such as a pub/sub topic's. */
export interface Resumable {
  readonly [RESUMABLE]: Promise<ResumeState>;
}

/** Marks `iterable` as resumable, with the state its start resolves to. */
export function markResumable<T extends object>(
  iterable: T,
  state: Promise<ResumeState>,
): T & Resumable {
  return Object.assign(iterable, { [RESUMABLE]: state });
}

/** The resume state of a subscription's stream, or `undefined` if it cannot resume. */
export function resumeStateOf(iterable: unknown): Promise<ResumeState> | undefined {
  return typeof iterable === 'object' && iterable !== null && RESUMABLE in iterable
    ? (iterable as Resumable)[RESUMABLE]
    : undefined;
}
