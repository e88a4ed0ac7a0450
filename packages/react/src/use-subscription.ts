import { hashKey } from '@tanstack/react-query';
import type { ConnectionState } from '@volley/client';
import { useCallback, useEffect, useRef, useState } from 'react';
import type { VolleyClientError, VolleySubscriptionOptions } from './types.js';
import { useConnectionState } from './use-connection-state.js';

/**
 * Where a subscription run by `useSubscription` is:
 * - `idle`: not subscribed (`enabled: false`, or the input is `skipToken`);
 * - `connecting`: subscribed, waiting for the server to acknowledge, or to resume it after
 *   a lost connection;
 * - `active`: acknowledged; events arrive as they are sent;
 * - `complete`: the server ended it;
 * - `error`: it failed (see `error`).
 */
export type SubscriptionStatus = 'idle' | 'connecting' | 'active' | 'complete' | 'error';

/** What `useSubscription` returns. */
export interface SubscriptionResult<TData> {
  /** The last event received, `undefined` before the first (and after the input changes). */
  data: TData | undefined;
  /** Why it failed, once `status` is `error`; `null` otherwise. */
  error: VolleyClientError | null;
  /** Where the subscription is. See {@link SubscriptionStatus}. */
  status: SubscriptionStatus;
  /** The client's connection state, as {@link useConnectionState} reports it. */
  connectionState: ConnectionState;
  /**
   * After the last reconnection: `true` when every event missed meanwhile was replayed,
   * `false` when some may be lost (the app should resync, e.g. refetch a list);
   * `undefined` until the subscription has been resumed once.
   */
  recovered: boolean | undefined;
  /**
   * Unsubscribes and subscribes afresh, with state cleared: after an error, or after a
   * resync when `recovered` was false.
   */
  reset(): void;
}

/** The subscription's own state, for the key (and generation) it was made for. */
interface State<TData> {
  /** The subscription this is the state of: the reset count, `enabled` and the key's hash. */
  readonly of: string;
  data: TData | undefined;
  error: VolleyClientError | null;
  status: SubscriptionStatus;
  recovered: boolean | undefined;
}

const initial = <TData>(of: string, enabled: boolean): State<TData> => ({
  of,
  data: undefined,
  error: null,
  status: enabled ? 'connecting' : 'idle',
  recovered: undefined,
});

/**
 * Runs a Volley subscription while the component is mounted: subscribes on mount,
 * re-subscribes when the input changes (compared by value, through its key), and
 * unsubscribes on unmount or when disabled, which tells the server (`rpc.cancel`), so its
 * generator's `finally` runs. React StrictMode's double mount subscribes, unsubscribes and
 * subscribes again, leaving one subscription on the server.
 *
 * It reports the last event (`data`), the error, the status, the client's connection state
 * and whether the last resume lost events (`recovered`). The callbacks (`onData` to
 * append events to a list, `onError`, …) are read afresh on every render and changing them
 * does not re-subscribe.
 *
 * After a lost connection the client resumes the subscription by itself; when events may
 * have been missed, the hook does not fail with `ResyncRequiredError` as the client would
 * without `onResumed`: it goes on and reports `recovered: false` (and calls `onResumed`).
 * A failure (server error, `TIMEOUT` waiting for the acknowledgement, closed client, a
 * client that gave up reconnecting) sets `status: 'error'`; `reset()` subscribes again.
 *
 * @example
 * const { data, status, connectionState } = useSubscription(
 *   volley.chat.onMessage.subscriptionOptions({ room }, {
 *     onData: (message) => setMessages((list) => [...list, message]),
 *   }),
 * );
 */
export function useSubscription<TData>(
  options: VolleySubscriptionOptions<TData>,
): SubscriptionResult<TData> {
  const { client, enabled } = options;
  const connectionState = useConnectionState(client);
  const [generation, setGeneration] = useState(0);
  const of = `${generation}:${enabled}:${hashKey(options.key)}`;
  const [state, setState] = useState(() => initial<TData>(of, enabled));

  // The latest options, for callbacks that may change on every render. Written in an effect
  // declared before the one that subscribes, so that it runs first.
  const latest = useRef(options);
  useEffect(() => {
    latest.current = options;
  });

  useEffect(() => {
    // Kept when it is already this subscription's (the first mount, StrictMode's second).
    setState((previous) => (previous.of === of ? previous : initial<TData>(of, enabled)));
    if (!enabled) return;
    let live = true;
    /** Updates this subscription's state, unless a newer subscription has replaced it. */
    const update = (change: Partial<State<TData>>) => {
      if (live)
        setState((previous) => (previous.of === of ? { ...previous, ...change } : previous));
    };
    const subscription = latest.current.subscribe({
      timeoutMs: latest.current.timeoutMs,
      onStarted() {
        update({ status: 'active' });
        latest.current.onStarted?.();
      },
      onData(data) {
        update({ data, status: 'active' });
        latest.current.onData?.(data);
      },
      onError(error) {
        update({ error: error as VolleyClientError, status: 'error' });
        latest.current.onError?.(error as VolleyClientError);
      },
      onComplete() {
        update({ status: 'complete' });
        latest.current.onComplete?.();
      },
      // Always given, so that the hook knows of every resume (and a gap is reported in
      // `recovered` rather than failing the subscription).
      onResumed(info) {
        update({ recovered: info.recovered, status: 'active' });
        latest.current.onResumed?.(info);
      },
    });
    // A drop sends an acknowledged subscription back to `connecting` until it is resumed.
    const stopWatching = client.$onStateChange((connection) => {
      if (connection === 'open' || !live) return;
      setState((previous) =>
        previous.of === of && previous.status === 'active'
          ? { ...previous, status: 'connecting' }
          : previous,
      );
    });
    return () => {
      live = false;
      stopWatching();
      subscription.unsubscribe();
    };
  }, [of, enabled, client]);

  const reset = useCallback(() => setGeneration((count) => count + 1), []);
  // Until the effect has run for a new key, report a fresh state rather than the last
  // key's events.
  const current = state.of === of ? state : initial<TData>(of, enabled);
  return {
    data: current.data,
    error: current.error,
    status: current.status,
    connectionState,
    recovered: current.recovered,
    reset,
  };
}
