import type { ServerTransport } from './transport.js';

/** Who hears that a connection's peer fell behind, and caught up. */
export interface CongestionListener {
  /** More than the high-water mark waits to be written to the peer. */
  congested(): void;
  /** The queue drained to half the mark, or the socket closed. */
  drained(): void;
}

/**
 * Everything a connection sends goes out here, the last step of every call. It watches
 * the queue to the peer: once more than `highWaterMark` bytes wait, the connection is
 * congested until the queue has drained to half the mark. Meanwhile its listener holds
 * back (stops reading, holds unprocessed frames) and subscriptions wait on `drained`, so a
 * stalled peer costs about the mark (plus one frame) however much there is to say.
 */
export class Outbound {
  readonly #transport: ServerTransport;
  readonly #highWaterMark: number;
  readonly #listener: CongestionListener;
  #closed = false;
  #drained: Promise<void> | undefined;
  #release: (() => void) | undefined;

  constructor(transport: ServerTransport, highWaterMark: number, listener: CongestionListener) {
    this.#transport = transport;
    this.#highWaterMark = highWaterMark;
    this.#listener = listener;
  }

  /** One frame: text, or bytes for a binary codec. Dropped once the socket is closed. */
  send(frame: string | Uint8Array): void {
    if (this.#closed) return;
    this.#transport.send(frame);
    this.#check();
  }

  /** One frame made of `head` then `tail` (UTF-8, or bytes when `binary`), without joining them first. */
  sendJoined(head: Uint8Array, tail: Uint8Array, binary: boolean): void {
    if (this.#closed) return;
    this.#transport.sendJoined(head, tail, binary);
    this.#check();
  }

  /** Whether the peer is behind. */
  get congested(): boolean {
    return this.#drained !== undefined;
  }

  /**
   * While the peer is behind: a promise that resolves once it has caught up (or the
   * socket closed). `undefined` otherwise, which is the common case and costs nothing.
   */
  get drained(): Promise<void> | undefined {
    return this.#drained;
  }

  #check(): void {
    if (this.#drained !== undefined || this.#transport.bufferedAmount <= this.#highWaterMark) {
      return;
    }
    this.#drained = new Promise((resolve) => {
      this.#release = resolve;
    });
    this.#listener.congested();
    this.#transport.onDrain(this.#highWaterMark / 2, () => this.#caughtUp());
  }

  #caughtUp(): void {
    const release = this.#release;
    if (release === undefined) return;
    this.#release = undefined;
    this.#drained = undefined;
    if (!this.#closed) this.#listener.drained();
    release();
  }

  /** The socket closed: nothing more goes out, and whoever waits for a drain is let go. */
  closed(): void {
    this.#closed = true;
    this.#caughtUp();
  }
}
