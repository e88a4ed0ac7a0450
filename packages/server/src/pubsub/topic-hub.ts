import type { PubSubEngine, TopicEvent, TopicListener, Unsubscribe } from '@volley/core';
import { SharedEvent } from './shared-event.js';

/** What a hub hands each of its streams. */
export interface HubMember {
  /** A live event, in order. Must not throw. */
  live(event: SharedEvent): void;
  /** The engine lost events of this topic. Must not throw. */
  gap(): void;
}

/**
 * One topic's single engine subscription in this process, shared by every stream of the
 * topic: the engine delivers each event once, and the hub wraps it once (a
 * {@link SharedEvent}) and hands it to each member. The hub goes away with its last member.
 */
export class TopicHub implements TopicListener {
  readonly #members = new Set<HubMember>();
  /** The members as an array, rebuilt only when they change: fan-out makes no copy per event. */
  #snapshot: HubMember[] | undefined;
  /** Resolves once the engine delivers; rejects if it could not subscribe. */
  readonly ready: Promise<void>;
  #unsubscribe: Unsubscribe | undefined;
  #closed = false;
  readonly #onEmpty: () => void;

  constructor(engine: PubSubEngine, topic: string, onEmpty: () => void) {
    this.#onEmpty = onEmpty;
    this.ready = engine.subscribe(topic, this).then(
      (unsubscribe) => {
        // Everyone left while the engine was subscribing.
        if (this.#closed) unsubscribe();
        else this.#unsubscribe = unsubscribe;
      },
      (error: unknown) => {
        this.#close();
        throw error;
      },
    );
    // Its members see the rejection; nobody else must hear of it as unhandled.
    this.ready.catch(() => {});
  }

  /** Adds a member; it hears events from the moment the hub is ready. */
  join(member: HubMember): void {
    this.#members.add(member);
    this.#snapshot = undefined;
  }

  /** Removes a member; the last one out ends the engine subscription. */
  leave(member: HubMember): void {
    if (!this.#members.delete(member)) return;
    this.#snapshot = undefined;
    if (this.#members.size === 0) this.#close();
  }

  #close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#unsubscribe?.();
    this.#onEmpty();
  }

  #everyone(): HubMember[] {
    this.#snapshot ??= [...this.#members];
    return this.#snapshot;
  }

  event(event: TopicEvent): void {
    const shared = new SharedEvent(event);
    for (const member of this.#everyone()) member.live(shared);
  }

  gap(): void {
    for (const member of this.#everyone()) member.gap();
  }
}
