// The inspector's memory: a `ServerObserver` that folds what a server reports into counts,
// rates and latency histograms, bounded whatever the traffic. Pure: no timers, no sockets;
// its clock is an option, so tests feed it events and read snapshots.
import type {
  CallOutcome,
  LimitName,
  ObservedCall,
  ObservedConnection,
  RefusalReason,
  ServerObserver,
} from '@volley/server';
import { LatencyHistogram } from './latency-histogram.js';
import { SlotClock, WINDOW_SLOTS, WindowedCount } from './sliding-window.js';
import type {
  InspectorSnapshot,
  ProcedureRow,
  Rate,
  SlowConsumerRow,
  TopicRow,
} from './snapshot.js';

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
/** Limit names, refusal reasons and error codes counted one by one, per kind. */
const MAX_NAMES = 32;

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

interface ProcedureStats {
  path: string | null;
  type: 'query' | 'mutation' | null;
  calls: WindowedCount;
  errors: WindowedCount;
  latency: LatencyHistogram;
  errorsByCode: Map<string, number>;
  /** What `callStarted` returns for this procedure: one function, made once. */
  end: (outcome: CallOutcome, durationMs: number) => void;
}

interface OpenConnection {
  connection: ObservedConnection;
  /** The `Origin` row it is counted in; `undefined` when counted as "other". */
  origin: string | null | undefined;
}

interface SlowConsumer {
  connection: ObservedConnection;
  dropped: number;
  pauses: number;
  open: boolean;
  lastAt: number;
}

/** Adds `n` to `key` in `counts` if it is there or there is room; returns whether it did. */
function countIn<TKey>(counts: Map<TKey, number>, key: TKey, n: number, cap: number): boolean {
  const count = counts.get(key);
  if (count === undefined && counts.size >= cap) return false;
  const next = (count ?? 0) + n;
  if (next <= 0) counts.delete(key);
  else counts.set(key, next);
  return true;
}

/** Reads a positive integer option, or its default. */
function positive(name: string, value: number | undefined, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < min) {
    throw new TypeError(`createAggregator: \`${name}\` must be an integer of at least ${min}`);
  }
  return value;
}

/**
 * Makes an aggregator: attach it to a server (`server.observe(aggregator)`) and read its
 * `snapshot()`. Its memory is bounded by its caps, plus one small entry per open
 * connection (which the server's own `maxConnections` and `maxPendingConnections` bound).
 *
 * @throws TypeError when a cap or `windowMs` is not a positive integer.
 */
export function createAggregator(options: AggregatorOptions = {}): Aggregator {
  const now = options.now ?? Date.now;
  const windowMs = positive('windowMs', options.windowMs, DEFAULT_WINDOW_MS, 10 * WINDOW_SLOTS);
  const maxProcedures = positive('maxProcedures', options.maxProcedures, DEFAULT_MAX_PROCEDURES);
  const maxOrigins = positive('maxOrigins', options.maxOrigins, DEFAULT_MAX_ORIGINS);
  const maxTopics = positive('maxTopics', options.maxTopics, DEFAULT_MAX_TOPICS);
  const maxSlow = positive(
    'maxSlowConsumers',
    options.maxSlowConsumers,
    DEFAULT_MAX_SLOW_CONSUMERS,
  );
  const startedAt = now();
  const clock = new SlotClock(windowMs, startedAt);
  const slotNow = () => clock.slot(now());

  const open = new Map<string, OpenConnection>();
  let acceptedCount = 0;
  const opened = new WindowedCount();
  const origins = new Map<string | null, number>();
  let otherOrigins = 0;
  const refusals = new Map<string, WindowedCount>();
  const closes = new Map<number, number>();
  let otherCloses = 0;

  const topics = new Map<string, number>();
  let otherTopics = 0;
  const subscriptionPaths = new Map<string, number>();
  let subscriptionCount = 0;

  const procedures = new Map<string, ProcedureStats>();
  let folded: ProcedureStats | undefined;
  let callsRunning = 0;

  const slow = new Map<string, SlowConsumer>();
  const limits = new Map<string, WindowedCount>();
  const delivered = new WindowedCount();
  const dropped = new WindowedCount();
  const bytesIn = new WindowedCount();
  const bytesOut = new WindowedCount();
  const publishFailures = new WindowedCount();
  let reconnections = 0;

  const listeners = new Set<() => void>();
  const changed = () => {
    for (const listener of listeners) listener();
  };

  function procedure(call: ObservedCall): ProcedureStats {
    const known = procedures.get(call.path);
    if (known !== undefined) return known;
    if (procedures.size >= maxProcedures) {
      folded ??= makeProcedure(null, null);
      return folded;
    }
    const made = makeProcedure(call.path, call.type);
    procedures.set(call.path, made);
    return made;
  }

  function makeProcedure(path: string | null, type: ProcedureStats['type']): ProcedureStats {
    const stats: ProcedureStats = {
      path,
      type,
      calls: new WindowedCount(),
      errors: new WindowedCount(),
      latency: new LatencyHistogram(),
      errorsByCode: new Map(),
      end(outcome, durationMs) {
        callsRunning--;
        const slot = slotNow();
        stats.calls.add(slot);
        stats.latency.record(slot, durationMs);
        if (!outcome.ok) {
          stats.errors.add(slot);
          countIn(stats.errorsByCode, outcome.name, 1, MAX_NAMES);
        }
      },
    };
    return stats;
  }

  function windowed(counts: Map<string, WindowedCount>, key: string): WindowedCount | undefined {
    let count = counts.get(key);
    if (count === undefined && counts.size < MAX_NAMES) {
      count = new WindowedCount();
      counts.set(key, count);
    }
    return count;
  }

  /** The slow consumer record for `connectionId`, made (evicting the stalest) if needed. */
  function slowConsumer(connectionId: string): SlowConsumer | undefined {
    const known = slow.get(connectionId);
    if (known !== undefined) return known;
    const connection = open.get(connectionId)?.connection;
    if (connection === undefined) return undefined; // not seen open: attached late
    if (slow.size >= maxSlow) {
      let stalest: [string, SlowConsumer] | undefined;
      for (const entry of slow) {
        // A closed one goes first; among the same kind, the one that fell behind longest ago.
        const [, record] = entry;
        if (
          stalest === undefined ||
          (stalest[1].open && !record.open) ||
          (stalest[1].open === record.open && record.lastAt < stalest[1].lastAt)
        ) {
          stalest = entry;
        }
      }
      if (stalest !== undefined) slow.delete(stalest[0]);
    }
    const made: SlowConsumer = { connection, dropped: 0, pauses: 0, open: true, lastAt: now() };
    slow.set(connectionId, made);
    return made;
  }

  const rate = (count: WindowedCount, slot: number, seconds: number): Rate => {
    const recent = count.recent(slot);
    return { total: count.total, recent, perSecond: perSecond(recent, seconds) };
  };

  return {
    connectionOpened(connection) {
      const origin = connection.origin ?? null;
      const counted = countIn(origins, origin, 1, maxOrigins);
      if (!counted) otherOrigins++;
      open.set(connection.connectionId, { connection, origin: counted ? origin : undefined });
      opened.add(slotNow());
      changed();
    },
    connectionAccepted(connection) {
      if (open.has(connection.connectionId)) acceptedCount++;
      changed();
    },
    connectionRefused(reason: RefusalReason) {
      windowed(refusals, reason)?.add(slotNow());
      changed();
    },
    connectionClosed(connection, code, accepted) {
      const record = open.get(connection.connectionId);
      if (record !== undefined) {
        open.delete(connection.connectionId);
        if (accepted) acceptedCount--;
        if (record.origin === undefined) otherOrigins--;
        else countIn(origins, record.origin, -1, maxOrigins);
      }
      if (!countIn(closes, code, 1, MAX_CLOSE_CODES)) otherCloses++;
      const consumer = slow.get(connection.connectionId);
      if (consumer !== undefined) consumer.open = false;
      changed();
    },
    callStarted(call) {
      callsRunning++;
      return procedure(call).end;
    },
    subscriptionOpened(_connectionId, path, topic) {
      subscriptionCount++;
      countIn(subscriptionPaths, path, 1, maxProcedures);
      if (topic !== undefined && !countIn(topics, topic, 1, maxTopics)) otherTopics++;
      changed();
    },
    subscriptionClosed(_connectionId, path, topic) {
      subscriptionCount = Math.max(0, subscriptionCount - 1);
      countIn(subscriptionPaths, path, -1, maxProcedures);
      // A topic past the cap was counted as "other"; one that has its row now may have been
      // "other" when this subscription opened: the total stays right either way.
      if (topic !== undefined) {
        if (topics.has(topic)) countIn(topics, topic, -1, maxTopics);
        else otherTopics = Math.max(0, otherTopics - 1);
      }
      changed();
    },
    eventsDelivered(_connectionId, _path, count) {
      delivered.add(slotNow(), count);
    },
    eventsDropped(connectionId, _path, count) {
      dropped.add(slotNow(), count);
      const consumer = slowConsumer(connectionId);
      if (consumer === undefined) return;
      consumer.dropped += count;
      consumer.lastAt = now();
    },
    bytes(direction, count) {
      (direction === 'in' ? bytesIn : bytesOut).add(slotNow(), count);
    },
    backpressurePaused(connectionId) {
      const consumer = slowConsumer(connectionId);
      if (consumer === undefined) return;
      consumer.pauses++;
      consumer.lastAt = now();
    },
    limitHit(limit: LimitName) {
      windowed(limits, limit)?.add(slotNow());
    },
    publishFailed() {
      publishFailures.add(slotNow());
    },
    engineReconnected() {
      reconnections++;
    },

    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },

    snapshot(server) {
      const at = now();
      const slot = clock.slot(at);
      const seconds = clock.coveredSeconds(at);
      // Closed slow consumers leave once they have been quiet for a window.
      for (const [id, consumer] of slow) {
        if (!consumer.open && at - consumer.lastAt > windowMs) slow.delete(id);
      }
      const rows = [...procedures.values()];
      if (folded !== undefined) rows.push(folded);
      const procedureRows: ProcedureRow[] = rows.map((stats) => {
        const calls = stats.calls.recent(slot);
        const errors = stats.errors.recent(slot);
        return {
          path: stats.path,
          type: stats.type,
          calls: { total: stats.calls.total, recent: calls },
          errors: { total: stats.errors.total, recent: errors },
          callsPerSecond: perSecond(calls, seconds),
          errorsPerSecond: perSecond(errors, seconds),
          ...stats.latency.percentiles(slot),
          errorsByCode: [...stats.errorsByCode]
            .map(([code, count]) => ({ code, count }))
            .sort((a, b) => b.count - a.count),
        };
      });
      procedureRows.sort(
        (a, b) =>
          b.calls.recent - a.calls.recent ||
          b.calls.total - a.calls.total ||
          String(a.path).localeCompare(String(b.path)),
      );
      const slowRows: SlowConsumerRow[] = [...slow].map(([connectionId, consumer]) => ({
        connectionId,
        origin: consumer.connection.origin ?? null,
        clientAddress: consumer.connection.clientAddress ?? null,
        dropped: consumer.dropped,
        pauses: consumer.pauses,
        open: consumer.open,
        lastAt: consumer.lastAt,
      }));
      slowRows.sort((a, b) => b.lastAt - a.lastAt);
      const byTopic: TopicRow[] = [...topics]
        .map(([topic, subscribers]) => ({ topic, subscribers }))
        .sort((a, b) => b.subscribers - a.subscribers || a.topic.localeCompare(b.topic));
      return {
        at,
        uptimeMs: at - startedAt,
        windowMs,
        connections: {
          open: server?.connectionCount ?? open.size,
          accepted: server?.accepted ?? acceptedCount,
          pending: server?.pending ?? open.size - acceptedCount,
          opened: { total: opened.total, recent: opened.recent(slot) },
          byOrigin: [...origins]
            .map(([origin, count]) => ({ origin, count }))
            .sort((a, b) => b.count - a.count || String(a.origin).localeCompare(String(b.origin))),
          otherOrigins,
          refused: [...refusals]
            .map(([reason, count]) => ({ reason, total: count.total, recent: count.recent(slot) }))
            .sort((a, b) => b.recent - a.recent || b.total - a.total),
          closed: [...closes]
            .map(([code, total]) => ({ code, total }))
            .sort((a, b) => b.total - a.total || a.code - b.code),
          otherCloses,
        },
        subscriptions: {
          open: server?.subscriptions ?? subscriptionCount,
          byTopic,
          otherTopics,
          byPath: [...subscriptionPaths]
            .map(([path, count]) => ({ path, count }))
            .sort((a, b) => b.count - a.count || a.path.localeCompare(b.path)),
        },
        procedures: procedureRows,
        callsInFlight: server?.calls ?? Math.max(0, callsRunning),
        slowConsumers: slowRows,
        limits: [...limits]
          .map(([limit, count]) => ({ limit, total: count.total, recent: count.recent(slot) }))
          .sort((a, b) => b.recent - a.recent || b.total - a.total),
        events: {
          delivered: rate(delivered, slot, seconds),
          dropped: rate(dropped, slot, seconds),
        },
        bytes: { in: rate(bytesIn, slot, seconds), out: rate(bytesOut, slot, seconds) },
        engine: {
          publishFailures: { total: publishFailures.total, recent: publishFailures.recent(slot) },
          reconnections,
        },
      };
    },
  };
}

/** `count` over `seconds`, to two decimals. */
function perSecond(count: number, seconds: number): number {
  return Math.round((count / seconds) * 100) / 100;
}
