// The observers attached to one server, as the single observer its steps call: `undefined`
// when there are none (each step's one check), else one object whose members call every
// observer that has them, each guarded so that a throw is reported and serving goes on.
import { toVolleyError } from '@volley/core';
import type { CallOutcome, ServerObserver } from './observer.js';
import type { ErrorInfo } from './options.js';

type Member = Exclude<keyof ServerObserver, 'callStarted'>;
type CallEnd = (outcome: CallOutcome, durationMs: number) => void;

const MEMBERS: readonly Member[] = [
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
];

/**
 * One observer made of `observers`, or `undefined` when there are none. It has only the
 * members some observer has, so a step whose event nobody watches still skips it.
 * `onError` hears of a throw from an observer (with connection id `""`).
 */
export function combineObservers(
  observers: readonly ServerObserver[],
  onError: ((info: ErrorInfo) => void) | undefined,
): ServerObserver | undefined {
  if (observers.length === 0) return undefined;
  const failed = (error: unknown) => {
    try {
      onError?.({ error: toVolleyError(error), connectionId: '' });
    } catch {
      // onError is the user's too; nothing more can be done.
    }
  };
  const combined: Record<string, unknown> = {};
  for (const member of MEMBERS) {
    const watching = observers.filter((observer) => typeof observer[member] === 'function');
    if (watching.length === 0) continue;
    combined[member] = (...args: unknown[]) => {
      for (const observer of watching) {
        try {
          (observer[member] as (...values: unknown[]) => void).apply(observer, args);
        } catch (error) {
          failed(error);
        }
      }
    };
  }
  const starting = observers.filter((observer) => typeof observer.callStarted === 'function');
  if (starting.length > 0) {
    combined.callStarted = (call: Parameters<NonNullable<ServerObserver['callStarted']>>[0]) => {
      const ends: CallEnd[] = [];
      for (const observer of starting) {
        try {
          const end = observer.callStarted?.(call);
          if (typeof end === 'function') ends.push(end);
        } catch (error) {
          failed(error);
        }
      }
      if (ends.length === 0) return undefined;
      return (outcome: CallOutcome, durationMs: number) => {
        for (const end of ends) {
          try {
            end(outcome, durationMs);
          } catch (error) {
            failed(error);
          }
        }
      };
    };
  }
  return combined as ServerObserver;
}
