/** Callbacks and options of `.subscribe(input, options)`. */
export interface SubscribeOptions<TData> {
  /** Ends the subscription (quietly, like `unsubscribe()`) when it aborts. */
  signal?: AbortSignal | undefined;
  /** How long to wait for the server to acknowledge, in ms. Default: the client's `timeoutMs`. */
  timeoutMs?: number | undefined;
  /** Each event, in order. With `onData` set, the subscription cannot also be iterated. */
  onData?: ((data: TData) => void) | undefined;
  /** The subscription failed: a `VolleyError`, `ConnectionLostError` or `ClientClosedError`. */
  onError?: ((error: unknown) => void) | undefined;
  /** The server ended the subscription. */
  onComplete?: (() => void) | undefined;
  /** The server acknowledged the subscription; events may follow. */
  onStarted?: (() => void) | undefined;
  /**
   * The subscription came back after a lost connection. `recovered` is true when every
   * event missed meanwhile is being replayed: the server said so and starts at the very
   * position the client resumed from. False when some may be lost and the app should
   * resync. Without this callback, a subscription that had a position and was not
   * recovered fails with `ResyncRequiredError` instead of going on with a gap.
   */
  onResumed?: ((info: { recovered: boolean }) => void) | undefined;
}

/**
 * A live subscription. Iterate it with `for await` (leaving the loop unsubscribes), or
 * pass `onData` and friends to `.subscribe()`.
 */
export interface Subscription<TData> extends AsyncIterable<TData> {
  /**
   * Where the subscription would resume from: the id of the last tracked event received,
   * or, before any, the position the server said it started at. `undefined` when the
   * stream is not resumable.
   */
  readonly lastEventId: string | undefined;
  /** Stops the subscription and tells the server. Iteration ends (done). Idempotent. */
  unsubscribe(): void;
}

/** How the client feeds a subscription. Internal. */
export interface SubscriptionSink {
  /** The position to resume from: the last event id, or the ack's starting point. */
  _position?: string;
  /** An `rpc.event`'s params: its `data`, and its `eventId` when that is a string. */
  _push(event: { data?: unknown; eventId?: unknown }): void;
  /** The server ended it. */
  _complete(): void;
  _fail(error: unknown): void;
}

/**
 * Makes a subscription and the sink that feeds it. Events are buffered for the
 * iterator until read, unless `onData` takes them. `onEnd` runs once, when it ends
 * for any reason, before the user's callbacks; `unsubscribed` is true when
 * `unsubscribe()` ended it, so the server must be told.
 */
export function createSubscription<TData>(
  options: SubscribeOptions<TData>,
  onEnd: (unsubscribed: boolean) => void,
): [subscription: Subscription<TData>, sink: SubscriptionSink] {
  const buffer: TData[] = [];
  /** Wakes the iterator waiting for an event or the end. */
  let wake: (() => void) | undefined;
  let ended = false;
  /** The error the iterator throws once it has yielded the buffered events. */
  let failure: { _error: unknown } | undefined;
  let iterating = false;

  const end = (unsubscribed: boolean) => {
    ended = true;
    onEnd(unsubscribed);
    wake?.();
  };

  const sink: SubscriptionSink = {
    _push(event) {
      if (ended) return;
      const data = event.data as TData;
      if (event.eventId !== undefined) sink._position = event.eventId as string;
      if (options.onData) options.onData(data);
      else {
        buffer.push(data);
        wake?.();
      }
    },
    _complete() {
      if (ended) return;
      end(false);
      options.onComplete?.();
    },
    _fail(error) {
      if (ended) return;
      // The iterator throws it after the buffered events; onError hears it at once.
      if (iterating || !options.onError) failure = { _error: error };
      end(false);
      options.onError?.(error);
    },
  };

  const subscription: Subscription<TData> = {
    get lastEventId() {
      return sink._position;
    },
    unsubscribe() {
      if (ended) return;
      buffer.length = 0;
      end(true);
    },
    [Symbol.asyncIterator]() {
      if (iterating || options.onData) {
        throw new TypeError('Iterate once, without onData');
      }
      iterating = true;
      const events = (async function* () {
        for (;;) {
          while (buffer.length > 0) yield buffer.shift() as TData;
          if (failure) throw failure._error;
          if (ended) return;
          await new Promise<void>((resolve) => {
            wake = resolve;
          });
        }
      })();
      return {
        next: () => events.next(),
        // Unsubscribed first, so that a next() pending meanwhile ends (done) at once; the
        // generator's own return() would wait for it.
        return() {
          subscription.unsubscribe();
          return events.return();
        },
      };
    },
  };

  return [subscription, sink];
}
