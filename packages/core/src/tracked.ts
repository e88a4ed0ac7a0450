const TRACKED: unique symbol = Symbol.for('volley.tracked');

/** An event with an id, yielded by a subscription so that a client can resume after it. */
export interface Tracked<TData> {
  readonly [TRACKED]: true;
  /** Unique beyond one connection, for example a nanoid or a log offset. */
  readonly id: string;
  readonly data: TData;
}

/**
 * Wraps a subscription event with an id. The event reaches the client as `data`,
 * and `id` travels as the event's `eventId`.
 *
 * @throws TypeError when `id` is not a non-empty string.
 */
export function tracked<TData>(id: string, data: TData): Tracked<TData> {
  if (typeof id !== 'string' || id.length === 0) {
    throw new TypeError('tracked(id, data): id must be a non-empty string');
  }
  return { [TRACKED]: true, id, data };
}

/** Whether a yielded value was made by {@link tracked}. */
export function isTracked(value: unknown): value is Tracked<unknown> {
  return typeof value === 'object' && value !== null && TRACKED in value;
}

/** The data type of a subscription event, with `Tracked` unwrapped. */
export type UntrackedData<TEvent> = TEvent extends Tracked<infer TData> ? TData : TEvent;
