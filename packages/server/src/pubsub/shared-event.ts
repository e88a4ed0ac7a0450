import { type TopicEvent, type Tracked, tracked } from '@volley/core';
import { eventTail, utf8Bytes } from '../wire.js';

/**
 * One published event as every subscriber of its topic in this process gets it: the same
 * tracked item for all, and the tail of its `rpc.event` frame (event id and data) encoded
 * to bytes once, by the first subscriber that is pushed it. This is the named fast path of
 * fan-out: N subscribers cost one `JSON.stringify` and one UTF-8 encoding, not N.
 */
export class SharedEvent {
  /** The event as a subscription yields it. */
  readonly item: Tracked<unknown>;
  #tail: Uint8Array | undefined;

  constructor(event: TopicEvent) {
    this.item = tracked(event.id, event.data);
  }

  get id(): string {
    return this.item.id;
  }

  /**
   * The `rpc.event` tail as UTF-8 bytes, made on first use.
   *
   * @throws TypeError when the data is not JSON (a BigInt, a cycle); nothing is kept then,
   * so each subscriber fails alike.
   */
  tail(): Uint8Array {
    this.#tail ??= utf8Bytes(eventTail(this.item.data, this.item.id));
    return this.#tail;
  }
}
