/** One event published on a topic. */
export interface TopicEvent {
  /** Assigned by the engine; unique beyond one process so that clients can resume after it. */
  readonly id: string;
  readonly data: unknown;
}

/** Stops a listener from receiving events. */
export type Unsubscribe = () => void;

/**
 * Where published events go and come from. `@volley/server` ships an in-memory
 * engine; a Redis engine implements the same interface, so swapping it changes
 * one line of user code.
 */
export interface PubSubEngine {
  /** Publishes `data` on `topic` and resolves to the event's id. */
  publish(topic: string, data: unknown): Promise<string>;
  /** Calls `listener` for each event published on `topic` after this call, in order. */
  subscribe(topic: string, listener: (event: TopicEvent) => void): Unsubscribe;
}
