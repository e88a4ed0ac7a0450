/** Callbacks and options of `.subscribe(input, options)`. */
export interface SubscribeOptions<TData> {
  /** Ends the subscription (quietly, like `unsubscribe()`) when it aborts. */
  signal?: AbortSignal;
  /** How long to wait for the server to acknowledge, in ms. Default: the client's `timeoutMs`. */
  timeoutMs?: number;
  /** Each event, in order. With `onData` set, the subscription cannot also be iterated. */
  onData?: (data: TData) => void;
  /** The subscription failed: a `VolleyError`, `ConnectionLostError` or `ClientClosedError`. */
  onError?: (error: unknown) => void;
  /** The server ended the subscription. */
  onComplete?: () => void;
  /** The server acknowledged the subscription; events may follow. */
  onStarted?: () => void;
  /**
   * The subscription came back after a lost connection. `recovered` is true when every
   * event missed meanwhile is being replayed; false when some may be lost and the app
   * should resync. Without this callback, a subscription that had a position and was not
   * recovered fails with `ResyncRequiredError` instead of going on with a gap.
   */
  onResumed?: (info: { recovered: boolean }) => void;
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
  started(): void;
  /** The position to resume from: the last event id, or the ack's starting point. */
  readonly position: string | undefined;
  /** Records a position from an acknowledgement, when no event has given one. */
  setPosition(position: string): void;
  push(data: unknown, eventId: string | undefined): void;
  complete(): void;
  fail(error: unknown): void;
}

type Waiter = { resolve(result: IteratorResult<never>): void; reject(error: unknown): void };

const DONE: IteratorReturnResult<undefined> = { done: true, value: undefined };

/**
 * Makes a subscription and the sink that feeds it. Events are buffered for the
 * iterator until read, unless `onData` takes them.
 */
export function createSubscription<TData>(
  options: SubscribeOptions<TData>,
  onUnsubscribe: () => void,
): { subscription: Subscription<TData>; sink: SubscriptionSink } {
  const buffer: unknown[] = [];
  let waiter: Waiter | undefined;
  let ended = false;
  let failure: { error: unknown } | undefined;
  let iterating = false;
  let lastEventId: string | undefined;

  const settleWaiter = () => {
    if (waiter === undefined) return;
    const pending = waiter;
    waiter = undefined;
    if (failure !== undefined) {
      pending.reject(failure.error);
      failure = undefined;
    } else pending.resolve(DONE);
  };

  const stop = () => {
    if (ended) return false;
    ended = true;
    return true;
  };

  const subscription: Subscription<TData> = {
    get lastEventId() {
      return lastEventId;
    },
    unsubscribe() {
      if (!stop()) return;
      buffer.length = 0;
      settleWaiter();
      onUnsubscribe();
    },
    [Symbol.asyncIterator](): AsyncIterator<TData> {
      if (options.onData !== undefined) {
        throw new TypeError('This subscription delivers to onData, so it cannot also be iterated');
      }
      if (iterating) throw new TypeError('A subscription can be iterated only once');
      iterating = true;
      return {
        next: () => {
          if (buffer.length > 0)
            return Promise.resolve({ done: false, value: buffer.shift() as TData });
          if (failure !== undefined) {
            const { error } = failure;
            failure = undefined;
            return Promise.reject(error);
          }
          if (ended) return Promise.resolve(DONE);
          return new Promise<IteratorResult<TData>>((resolve, reject) => {
            waiter = { resolve, reject } as Waiter;
          });
        },
        return: () => {
          subscription.unsubscribe();
          return Promise.resolve(DONE);
        },
      };
    },
  };

  const sink: SubscriptionSink = {
    started: () => options.onStarted?.(),
    get position() {
      return lastEventId;
    },
    setPosition(position) {
      lastEventId = position;
    },
    push(data, eventId) {
      if (ended) return;
      if (eventId !== undefined) lastEventId = eventId;
      if (options.onData !== undefined) options.onData(data as TData);
      else if (waiter !== undefined) {
        const pending = waiter;
        waiter = undefined;
        (pending.resolve as (result: IteratorResult<unknown>) => void)({
          done: false,
          value: data,
        });
      } else buffer.push(data);
    },
    complete() {
      if (!stop()) return;
      settleWaiter();
      options.onComplete?.();
    },
    fail(error) {
      if (!stop()) return;
      // The iterator throws it after the buffered events; onError hears it at once.
      if (iterating || options.onError === undefined) failure = { error };
      settleWaiter();
      options.onError?.(error);
    },
  };

  return { subscription, sink };
}
