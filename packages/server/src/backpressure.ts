import type { ServerTransport } from './transport.js';

/**
 * Holds a connection back while its peer is slow to read: once more than
 * `highWaterMark` bytes wait to be written, the socket stops being read and
 * subscriptions stop being pulled, until the queue has drained to half the mark. So a
 * stalled peer costs at most about the mark (plus one frame), however much the server
 * has to say.
 */
export class Backpressure {
  readonly #transport: ServerTransport;
  readonly #highWaterMark: number;
  #drained: Promise<void> | undefined;
  #release: (() => void) | undefined;

  constructor(transport: ServerTransport, highWaterMark: number) {
    this.#transport = transport;
    this.#highWaterMark = highWaterMark;
  }

  /**
   * While the peer is behind: a promise that resolves once it has caught up (or the
   * socket closed). `undefined` otherwise, which is the common case and costs nothing.
   */
  get drained(): Promise<void> | undefined {
    return this.#drained;
  }

  /** Call after each send: starts holding back when the queue is over the mark. */
  check(): void {
    if (this.#drained !== undefined || this.#transport.onDrain === undefined) return;
    if (this.#transport.bufferedAmount <= this.#highWaterMark) return;
    this.#drained = new Promise((resolve) => {
      this.#release = resolve;
    });
    this.#transport.pause?.();
    this.#transport.onDrain(this.#highWaterMark / 2, () => this.release());
  }

  /** Stops holding back: the queue drained, or the socket is gone. */
  release(): void {
    const release = this.#release;
    if (release === undefined) return;
    this.#release = undefined;
    this.#drained = undefined;
    this.#transport.resume?.();
    release();
  }
}
