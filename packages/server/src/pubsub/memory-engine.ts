import type { Backlog, PubSubEngine, TopicEvent, TopicListener } from '@volley/core';
import { nanoid } from 'nanoid';
import { createMemoryPresence } from './memory-presence.js';

/**
 * How many recent events the in-memory engine keeps per topic, so that a client that
 * reconnects can be sent what it missed: 1,000. Older positions are "not recovered".
 */
export const DEFAULT_LOG_SIZE = 1_000;

/** Options of {@link createMemoryEngine}. */
export interface MemoryEngineOptions {
  /** See {@link DEFAULT_LOG_SIZE}. `0` keeps no log: every resume is "not recovered". */
  logSize?: number | undefined;
}

interface TopicState {
  /** Sequence number of the newest event; 0 before the first. */
  seq: number;
  /** The newest events, oldest first, at most `logSize`. */
  log: TopicEvent[];
  listeners: Set<TopicListener>;
}

/**
 * The in-memory engine: events go to this process's listeners in publish order, and the
 * last `logSize` of each topic are kept for resuming. An event id is
 * `<epoch>.<sequence>`, where the epoch is a nanoid drawn when the engine is made, so ids
 * are unique across processes and a position from before a restart is never mistaken
 * for one after it. Subscribing is ready at once; it never loses events, so it never
 * reports a gap. Its `presence` is this process's alone (see `createMemoryPresence`).
 *
 * @throws TypeError when `logSize` is not a non-negative integer.
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
    presence: createMemoryPresence(),
    async publish(topic, data) {
      const state = stateOf(topic);
      state.seq += 1;
      const event: TopicEvent = { id: `${epoch}.${state.seq}`, data };
      if (logSize > 0) {
        state.log.push(event);
        if (state.log.length > logSize) state.log.shift();
      }
      // The layer above catches its subscribers' failures; a throw here would be ours.
      for (const listener of state.listeners) listener.event(event);
      return event.id;
    },
    async subscribe(topic, listener) {
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
