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
/** The connection an `Outbound` writes for: its transport, its mark, and who hears of congestion. */
export interface OutboundOwner extends CongestionListener {
  readonly transport: ServerTransport;
  /** Bytes that may wait for the peer before it counts as behind (`highWaterMark`). */
  readonly highWaterMark: number;
}

export class Outbound {
  // Three fields, not six: every idle connection has one of these.
  readonly #owner: OutboundOwner;
  #closed = false;
  /** While the peer is behind: what resolves once it caught up. */
  #waiter: { promise: Promise<void>; release: () => void } | undefined;

  constructor(owner: OutboundOwner) {
    this.#owner = owner;
  }

  /** One frame: text, or bytes for a binary codec. Dropped once the socket is closed. */
  send(frame: string | Uint8Array): void {
    if (this.#closed) return;
    this.#owner.transport.send(frame);
    this.#check();
  }

  /** One frame made of `head` then `tail` (UTF-8, or bytes when `binary`), without joining them first. */
  sendJoined(head: Uint8Array, tail: Uint8Array, binary: boolean): void {
    if (this.#closed) return;
    this.#owner.transport.sendJoined(head, tail, binary);
    this.#check();
  }

  /** Whether the peer is behind. */
  get congested(): boolean {
    return this.#waiter !== undefined;
  }

  /**
   * While the peer is behind: a promise that resolves once it has caught up (or the
   * socket closed). `undefined` otherwise, which is the common case and costs nothing.
   */
  get drained(): Promise<void> | undefined {
    return this.#waiter?.promise;
  }

  #check(): void {
    const owner = this.#owner;
    if (this.#waiter !== undefined || owner.transport.bufferedAmount <= owner.highWaterMark) {
      return;
    }
    let release = () => {};
    const promise = new Promise<void>((resolve) => {
      release = resolve;
    });
    this.#waiter = { promise, release };
    owner.congested();
    owner.transport.onDrain(owner.highWaterMark / 2, () => this.#caughtUp());
  }

  #caughtUp(): void {
    const waiter = this.#waiter;
    if (waiter === undefined) return;
    this.#waiter = undefined;
    if (!this.#closed) this.#owner.drained();
    waiter.release();
  }

  /** The socket closed: nothing more goes out, and whoever waits for a drain is let go. */
  closed(): void {
    this.#closed = true;
    this.#caughtUp();
  }
}
