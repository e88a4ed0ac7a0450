// A TopicListener that records what it hears, for engine tests.
import type { TopicEvent, TopicListener } from '@volley/core';
import { Waiters } from './waiting.js';

/** A listener that records events and gaps, and can be waited on. */
export interface RecordingListener extends TopicListener {
  readonly events: TopicEvent[];
  /** How many times `gap()` was called. */
  readonly gaps: number;
  /** Resolves once `predicate` holds, checked after each event or gap (and now). */
  until(predicate: () => boolean, what: string, ms?: number): Promise<void>;
  /** Resolves once `count` events were heard in all. */
  untilEvents(count: number, ms?: number): Promise<void>;
}

export function recordingListener(): RecordingListener {
  const events: TopicEvent[] = [];
  let gaps = 0;
  const waiters = new Waiters();
  const listener: RecordingListener = {
    events,
    get gaps() {
      return gaps;
    },
    event(event) {
      events.push(event);
      waiters.notify();
    },
    gap() {
      gaps += 1;
      waiters.notify();
    },
    until(predicate, what, ms = 15_000) {
      return waiters.until(predicate, () => `${what} (${events.length} events, ${gaps} gaps)`, ms);
    },
    untilEvents(count, ms) {
      return listener.until(() => events.length >= count, `${count} events`, ms);
    },
  };
  return listener;
}

/** The data of each event. */
export const dataOf = (events: readonly TopicEvent[]): unknown[] => events.map((e) => e.data);
