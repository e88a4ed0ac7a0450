import { type TopicEvent, type Tracked, tracked } from '@volley/core';
import type { ServerCodec } from '../codec.js';

/**
 * One published event as every subscriber of its topic in this process gets it: the same
 * tracked item for all, and the tail of its `rpc.event` frame (event id and data) encoded
 * to bytes once per codec, by the first subscriber of that codec that is pushed it. This is
 * the named fast path of fan-out: N subscribers cost one `JSON.stringify` and one UTF-8
 * encoding (and one MessagePack encoding if some speak it), not N. The bytes
 * are kept only while the event is being fanned out (`release()`), so a subscriber that is
 * behind and holds the event for later costs its data, not its data twice.
 */
export class SharedEvent {
  /** The event as a subscription yields it. */
  readonly item: Tracked<unknown>;
  /** The codec of `#tail`: the first a subscriber asked for. */
  #codec: ServerCodec | undefined;
  #tail: Uint8Array | undefined;
  /** Tails in other codecs (JSON and MessagePack subscribers of one topic), made on first use. */
  #others: Map<ServerCodec, Uint8Array> | undefined;
  #sharing = true;

  constructor(event: TopicEvent) {
    this.item = tracked(event.id, event.data);
  }

  get id(): string {
    return this.item.id;
  }

  /**
   * The `rpc.event` tail in `codec` (UTF-8 for JSON), made on first use.
   *
   * @throws TypeError when the codec cannot carry the data (a BigInt or a cycle in JSON);
   * nothing is kept then, so each subscriber fails alike.
   */
  tail(codec: ServerCodec): Uint8Array {
    if (codec === this.#codec && this.#tail !== undefined) return this.#tail;
    return this.#others?.get(codec) ?? this.#encode(codec);
  }

  #encode(codec: ServerCodec): Uint8Array {
    const tail = codec.eventTail(this.item.data, this.item.id);
    if (!this.#sharing) return tail;
    if (this.#codec === undefined) {
      this.#codec = codec;
      this.#tail = tail;
    } else {
      this.#others ??= new Map();
      this.#others.set(codec, tail);
    }
    return tail;
  }

  /** Fan-out is over: later `tail()` calls (a subscriber catching up) encode afresh. */
  release(): void {
    this.#sharing = false;
    this.#codec = undefined;
    this.#tail = undefined;
    this.#others = undefined;
  }
}
