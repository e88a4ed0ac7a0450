// The aggregator's options, their defaults, and the shape of what it reports: the part of
// aggregator.ts a user configures and reads.
import type { ServerObserver } from '@volley/server';
import type { InspectorSnapshot } from './snapshot.js';

/** Default `windowMs`: rates, recent counts and percentiles are over the last 30 s. */
export const DEFAULT_WINDOW_MS = 30_000;
/**
 * Default `maxProcedures`: procedures tracked one by one (about 2.5 KB each); calls to
 * any more are folded into one row. A router's paths are fixed, so only a router with
 * more procedures than this folds.
 */
export const DEFAULT_MAX_PROCEDURES = 200;
/** Default `maxOrigins`: `Origin` values counted one by one; the rest count as "other". */
export const DEFAULT_MAX_ORIGINS = 50;
/**
 * Default `maxTopics`: pub/sub topics counted one by one; subscriptions to any more count
 * as "other". Topics are often made from user input (room names), hence the cap.
 */
export const DEFAULT_MAX_TOPICS = 200;
/** Default `maxSlowConsumers`: connections remembered as having fallen behind. */
export const DEFAULT_MAX_SLOW_CONSUMERS = 50;
/** Close codes counted one by one (a client may close with any of 3000-4999). */
export const MAX_CLOSE_CODES = 32;

/** Options of {@link createAggregator}. Every cap bounds memory and the snapshot's size. */
export interface AggregatorOptions {
  /** See {@link DEFAULT_WINDOW_MS}. At least 60 ms. */
  windowMs?: number | undefined;
  /** See {@link DEFAULT_MAX_PROCEDURES}. */
  maxProcedures?: number | undefined;
  /** See {@link DEFAULT_MAX_ORIGINS}. */
  maxOrigins?: number | undefined;
  /** See {@link DEFAULT_MAX_TOPICS}. */
  maxTopics?: number | undefined;
  /** See {@link DEFAULT_MAX_SLOW_CONSUMERS}. */
  maxSlowConsumers?: number | undefined;
  /** The clock, in ms since the epoch. Default `Date.now`. */
  now?: (() => number) | undefined;
}

/** What the server itself counts, which is truer than what an observer saw (it may attach late). */
export interface ServerCounts {
  connectionCount: number;
  accepted: number;
  pending: number;
  calls: number;
  subscriptions: number;
}

/** A `ServerObserver` that keeps what the inspector shows. */
export interface Aggregator extends ServerObserver {
  /**
   * Everything it knows now, as the page shows it (without presence, which the inspector
   * adds). `server` gives the server's own counts; without it, the observer's are used.
   */
  snapshot(server?: ServerCounts): InspectorSnapshot;
  /**
   * Calls `listener` when a connection or a subscription opens or closes: the page is
   * then sent a snapshot sooner. The listener must be cheap and must not throw. Returns
   * a function that removes it.
   */
  onChange(listener: () => void): () => void;
}
