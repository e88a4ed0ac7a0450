import type { CallOutcome, ObservedCall, ServerObserver } from '@volley/server';
import { within } from './harness.js';

/** One event an observer heard: its member's name and arguments (`callEnded` for a call's end). */
export interface Heard {
  name: string;
  args: unknown[];
}

/** An observer that records every event, and lets a test wait for one. */
export interface RecordingObserver {
  observer: ServerObserver;
  /** Everything heard so far, in order. */
  heard: Heard[];
  /** The arguments of each event named `name` so far. */
  all(name: string): unknown[][];
  /** Resolves with the first event named `name` (heard already or to come) that `match` accepts. */
  until(name: string, match?: (args: unknown[]) => boolean, what?: string): Promise<unknown[]>;
}

const MEMBERS = [
  'connectionOpened',
  'connectionAccepted',
  'connectionRefused',
  'connectionClosed',
  'subscriptionOpened',
  'subscriptionClosed',
  'eventsDelivered',
  'eventsDropped',
  'bytes',
  'backpressurePaused',
  'limitHit',
  'publishFailed',
  'engineReconnected',
] as const;

/** Makes a {@link RecordingObserver}. */
export function recordingObserver(): RecordingObserver {
  const heard: Heard[] = [];
  const waiters = new Set<{
    name: string;
    match: (args: unknown[]) => boolean;
    resolve(args: unknown[]): void;
  }>();
  const hear = (name: string, args: unknown[]) => {
    heard.push({ name, args });
    for (const waiter of waiters) {
      if (waiter.name === name && waiter.match(args)) {
        waiters.delete(waiter);
        waiter.resolve(args);
      }
    }
  };
  const observer: Record<string, unknown> = {
    callStarted(call: ObservedCall) {
      hear('callStarted', [call]);
      return (outcome: CallOutcome, durationMs: number) =>
        hear('callEnded', [call, outcome, durationMs]);
    },
  };
  for (const member of MEMBERS) observer[member] = (...args: unknown[]) => hear(member, args);
  return {
    observer: observer as ServerObserver,
    heard,
    all: (name) => heard.filter((event) => event.name === name).map((event) => event.args),
    until(name, match = () => true, what = name) {
      const found = heard.find((event) => event.name === name && match(event.args));
      if (found !== undefined) return Promise.resolve(found.args);
      return within(
        new Promise<unknown[]>((resolve) => {
          waiters.add({ name, match, resolve });
        }),
        `the observer to hear ${what}`,
      );
    },
  };
}
