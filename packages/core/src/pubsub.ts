// The contract between Volley's pub/sub and the engine that carries events: in memory
// (`createMemoryEngine` in @volley/server) or over the network (`@volley/redis`). For
// people who write an engine; applications use `createPubSub` and never call it directly.

/** One event published on a topic. */
export interface TopicEvent {
  /**
   * Assigned by the engine. Unique beyond one process, and ordered within its topic: the
   * engine can tell, from an id it gave out, which events of the topic came after it.
   * Clients treat it as an opaque string.
   */
  readonly id: string;
  /** What was published, as the engine carries it (JSON-safe data for a network engine). */
  readonly data: unknown;
}

/**
 * What an engine's log holds after a position: every event of the topic since, oldest
 * first; or `undefined` when the engine cannot promise that (the position was trimmed
 * from the bounded log, comes from a log that was lost, or is not one of its ids).
 * `undefined` is what makes a resumed subscription say `recovered: false`.
 */
export type Backlog = readonly TopicEvent[] | undefined;

/** What an engine tells the one listener of a topic. */
export interface TopicListener {
  /**
   * One event. Called for every event published on the topic (by any process sharing the
   * engine) after the subscription became ready, each exactly once, in id order, never
   * re-entrantly from inside another call. The same object may be given to several
   * listeners; it must not be changed.
   */
  event(event: TopicEvent): void;
  /**
   * The engine lost events of this topic and cannot deliver them (its connection dropped
   * and its log no longer holds what was missed, for example after the log was lost). The
   * subscription stays live; events after the gap follow. Listeners must stop promising
   * continuity to their own subscribers. An engine that never loses events never calls it.
   */
  gap(): void;
}

/**
 * What a pub/sub engine tells whoever watches it (metrics, the inspector): attach it with
 * `engine.observe?.(observer)`. A server's `ServerObserver` has the same members, so one
 * observer can watch both. Every member is optional; a throw from one is swallowed.
 */
export interface EngineObserver {
  /** A `publish` on `topic` rejected with `error` (for example Redis was unreachable). */
  publishFailed?(topic: string, error: unknown): void;
  /** The engine lost its backing service and has it back (`engine` names it: `"redis"`). */
  engineReconnected?(engine: string): void;
}

/** Stops a listener. Idempotent. */
export type Unsubscribe = () => void;

/**
 * Where published events go and come from. `@volley/server` ships an in-memory engine;
 * a network engine (`@volley/redis`) implements the same contract, so swapping engines
 * changes one line of application code. The pub/sub layer above it subscribes once per
 * topic and process, and fans events out to its subscribers itself.
 *
 * The contract, which the resume guarantee ("events are never skipped silently") rests on:
 *
 * - **Readiness.** `subscribe` resolves once the listener will hear every event whose
 *   `publish` resolves after that moment, from any process. Events published earlier are
 *   in `backlog`; the layer above reads the live side first and the log second, and drops
 *   what it receives twice, so an event published while both are being read is neither
 *   lost nor repeated.
 * - **A listener never lags its log.** When `backlog` resolves, the topic's listener has
 *   already been given every event up to the newest one `backlog` returned (or up to
 *   `eventId`, when it returned none). An engine whose live feed can fall behind its log (a
 *   node of a network engine) brings its listener up to date before it answers. This is what
 *   lets the layer above tell the live events that came before a resume position from those
 *   after it.
 * - **Ordering.** A listener hears a topic's events in id order, each once. An engine that
 *   catches up after a lost connection (re-reading its log) must do so before newer live
 *   events, and must drop duplicates itself.
 * - **Errors.** `publish` rejects when the event was not published: it is then in no log
 *   and reached no listener, anywhere. Over a network the outcome can be unknown (the
 *   connection died after the command was sent); the rejection must then say so (for
 *   example `RedisUnavailableError.sent` in `@volley/redis`), since the event may still be
 *   delivered and a retry would publish it twice. `subscribe` rejects when the engine
 *   cannot listen now. `backlog` and `head` reject when the engine cannot answer now (a
 *   network failure); a rejection is never a way of saying "lost".
 * - **Lost positions.** `backlog` returns `undefined` whenever it cannot return every
 *   event after the position: trimmed, from an older log (the log was lost and began
 *   again: ids carry an epoch that changes then), or not an id of this engine. An empty
 *   array means "nothing since", and is only correct when that is certain.
 * - **Gaps.** An engine that finds it missed events it can no longer replay calls the
 *   listener's `gap()` rather than going on silently.
 */
export interface PubSubEngine {
  /**
   * Publishes `data` on `topic`: appends it to the topic's log and delivers it to every
   * listener of the topic, in every process. Resolves to the event's id.
   *
   * @throws when the event could not be published (see the contract above).
   */
  publish(topic: string, data: unknown): Promise<string>;
  /**
   * Starts delivering the events of `topic` to `listener`; resolves, once ready (see the
   * contract above), to the function that stops it.
   */
  subscribe(topic: string, listener: TopicListener): Promise<Unsubscribe>;
  /** Every event of `topic` after `eventId`, or `undefined` if the engine cannot promise that. */
  backlog(topic: string, eventId: string): Promise<Backlog>;
  /**
   * The id of the newest event of `topic`: a position to start after, which `backlog`
   * accepts even before the topic's first event.
   */
  head(topic: string): Promise<string>;
  /**
   * Optional: tells `observer` of publish failures and reconnections from now on; returns
   * the function that detaches it. An engine that has nothing to report (the in-memory
   * one, which cannot fail) leaves it out.
   */
  observe?(observer: EngineObserver): () => void;
  /**
   * Who is on each topic (see `PresenceEngine`). Optional: an engine without it
   * carries events only, and `createPubSub` refuses presence over it with a TypeError.
   * Both engines Volley ships have it.
   */
  readonly presence?: PresenceEngine | undefined;
}

/**
 * One member of a topic's presence: an identity the server chose (from the connection's
 * context, never from what a client sent) and what others may see of it.
 */
export interface PresenceMember<TData = unknown> {
  /** The identity. Several entries with one id (a user's tabs, on any node) are one member. */
  readonly id: string;
  /** What is shown of the member (a name, an avatar): JSON-safe, small. */
  readonly data: TData;
}

/** A member came (its first entry arrived) or went (its last entry went). */
export interface PresenceChange<TData = unknown> {
  readonly type: 'join' | 'leave';
  readonly member: PresenceMember<TData>;
}

/**
 * The presence half of an engine: which identities are on a topic, across every process
 * sharing the engine. The pub/sub layer enters one entry per subscription that declares a
 * presence, and leaves it when the subscription ends.
 *
 * The contract:
 *
 * - **Entries and members.** `enter` adds an entry; entries are counted per member id, so
 *   the member joins when its first entry arrives and leaves when its last one goes. The
 *   member's `data` is that of its first entry; later entries' data is ignored until it has
 *   left.
 * - **Bounded.** `enter` refuses (resolves `undefined`) a new member when the topic has
 *   `maxMembers` members already; an entry of a member already present is always taken.
 * - **Expiry.** An entry lives until its leave function runs, or until the process that
 *   entered it dies: a network engine gives each process a lease it keeps renewing, and
 *   removes the entries of a process whose lease ran out (telling watchers `leave`).
 * - **Changes.** A watcher hears each join and leave of the topic, from any process, in the
 *   order the engine applied them, from the moment `watch` resolves. A watcher that was cut
 *   off (a lost connection) is brought up to date with the changes it missed, as joins and
 *   leaves, when it is back.
 * - **Errors.** `enter`, `members` and `watch` reject when the engine cannot answer now. A
 *   leave function never throws; a network engine retries a leave that failed.
 */
export interface PresenceEngine {
  /**
   * Adds one entry for `member` on `topic`; resolves to the function that removes it
   * (idempotent), or to `undefined` when `member` is new and the topic already has
   * `maxMembers` members.
   */
  enter(
    topic: string,
    member: PresenceMember,
    maxMembers: number,
  ): Promise<Unsubscribe | undefined>;
  /** The members of `topic` now, one per id, in no particular order. */
  members(topic: string): Promise<PresenceMember[]>;
  /** Tells `listener` each join and leave on `topic`; resolves, once it will, to the stop function. */
  watch(topic: string, listener: (change: PresenceChange) => void): Promise<Unsubscribe>;
}
