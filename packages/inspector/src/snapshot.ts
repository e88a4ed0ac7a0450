// What the inspector's `snapshot` subscription sends: plain JSON, every list bounded by the
// aggregator's caps. The page imports these types only.
import type { Percentiles } from './latency-histogram.js';

/** A count since the inspector started, and over its sliding window. */
export interface WindowedTotal {
  /** Since the inspector started watching. */
  total: number;
  /** Within the last `windowMs`. */
  recent: number;
}

/** Open connections from one `Origin`. */
export interface OriginRow {
  /** The upgrade request's `Origin` header; `null` for clients that sent none (not browsers). */
  origin: string | null;
  /** Open connections from it, accepted or not. */
  count: number;
}

/** Connections turned away for one reason (`RefusalReason`). */
export interface RefusalRow extends WindowedTotal {
  reason: string;
}

/** Connections closed with one close code. */
export interface CloseRow {
  code: number;
  total: number;
}

/** The connections of the observed server. */
export interface ConnectionsSnapshot {
  /** Open connections, accepted or not, as the server counts them (`server.connectionCount`). */
  open: number;
  /** Accepted connections (`server.stats.accepted`). */
  accepted: number;
  /** Connections not accepted yet (`server.stats.pending`). */
  pending: number;
  /** Connections opened since the inspector started. */
  opened: WindowedTotal;
  /** Open connections by `Origin`, most first, at most `maxOrigins` rows. */
  byOrigin: OriginRow[];
  /** Open connections whose origin is past `maxOrigins` (counted, not named). */
  otherOrigins: number;
  /** Refusals by reason, most recent first. */
  refused: RefusalRow[];
  /** Closes by close code, most first, at most `MAX_CLOSE_CODES` rows. */
  closed: CloseRow[];
  /** Closes with a code past `MAX_CLOSE_CODES` (counted, not named). */
  otherCloses: number;
}

/** Who is present in a topic, from the `presence` source. */
export interface PresenceSnapshot {
  /** How many members the source returned. */
  count: number;
  /** Their labels, at most `maxPresenceMembers`. */
  members: string[];
  /** Set instead when the source threw or timed out: its message. */
  error?: string;
}

/** Open subscriptions to one pub/sub topic. */
export interface TopicRow {
  topic: string;
  subscribers: number;
  /** Who is present there; only when the inspector has a `presence` source. */
  presence?: PresenceSnapshot;
}

/** Open subscriptions of one subscription procedure. */
export interface SubscriptionPathRow {
  path: string;
  count: number;
}

/** The observed server's subscriptions. */
export interface SubscriptionsSnapshot {
  /** Open subscriptions, as the server counts them (`server.stats.subscriptions`). */
  open: number;
  /** Open subscriptions by topic, most first, at most `maxTopics` rows. */
  byTopic: TopicRow[];
  /** Open topic subscriptions whose topic is past `maxTopics`. */
  otherTopics: number;
  /** Open subscriptions by procedure, most first. */
  byPath: SubscriptionPathRow[];
}

/** One query or mutation procedure. */
export interface ProcedureRow extends Percentiles {
  /** The procedure's path; `null` for the row that folds every procedure past `maxProcedures`. */
  path: string | null;
  /** `null` on the folded row. */
  type: 'query' | 'mutation' | null;
  calls: WindowedTotal;
  errors: WindowedTotal;
  /** Calls per second over the window. */
  callsPerSecond: number;
  /** Errors per second over the window. */
  errorsPerSecond: number;
  /** Errors by `VolleyError` code name (`BAD_REQUEST`...), since the start, most first. */
  errorsByCode: Array<{ code: string; count: number }>;
}

/** A connection that fell behind: its events were dropped, or reading from it was paused. */
export interface SlowConsumerRow {
  connectionId: string;
  origin: string | null;
  clientAddress: string | null;
  /** Events dropped for it (overflow `drop`, or the subscription closed for it). */
  dropped: number;
  /** Times its outbound queue passed `highWaterMark`. */
  pauses: number;
  /** Whether it is still open. */
  open: boolean;
  /** When it last fell behind (ms since the epoch). */
  lastAt: number;
}

/** A limit that refused something. */
export interface LimitRow extends WindowedTotal {
  /** The option's name (`LimitName`), such as `maxPayload` or `rateLimit`. */
  limit: string;
}

/** A rate: a count since the start, over the window, and per second over the window. */
export interface Rate extends WindowedTotal {
  perSecond: number;
}

/** Everything the inspector page shows, at one moment. */
export interface InspectorSnapshot {
  /** When it was taken (ms since the epoch). */
  at: number;
  /** How long the inspector has watched, in ms. */
  uptimeMs: number;
  /** The sliding window "recent" counts, rates and percentiles are over, in ms. */
  windowMs: number;
  connections: ConnectionsSnapshot;
  subscriptions: SubscriptionsSnapshot;
  /** Queries and mutations, busiest first over the window, at most `maxProcedures` (+1 folded). */
  procedures: ProcedureRow[];
  /** Queries and mutations running now (`server.stats.calls`). */
  callsInFlight: number;
  /** Connections that fell behind, most recent first; closed ones leave after a window. */
  slowConsumers: SlowConsumerRow[];
  /** Limits that refused something, most first. */
  limits: LimitRow[];
  events: { delivered: Rate; dropped: Rate };
  bytes: { in: Rate; out: Rate };
  /** The pub/sub engine (such as `@volley/redis`): failed publishes and reconnections. */
  engine: { publishFailures: WindowedTotal; reconnections: number };
}
