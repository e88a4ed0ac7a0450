import type { WireId } from './wire.js';

/** A call or subscription a connection is running. */
export class Running {
  /** Its request id as it is echoed (`undefined` for a notification). */
  id: WireId | undefined;
  /** A query or mutation (counted apart from subscriptions). */
  isCall = false;
  /** Answered by `rpc.cancel`: its own outcome must not be sent. */
  cancelled = false;
  /** Set once a subscription has been acknowledged. */
  acked = false;
  /** A subscription's iterator, once delivery has it: stopping it wakes a pending `next()`. */
  iterator: AsyncIterator<unknown> | undefined;
  /** A subscription's delivery, which settles once its stream's `finally` has run. */
  pump: Promise<void> | undefined;
  #aborted = false;
  // Made only when someone reads `signal`: most resolvers never do, and an
  // AbortController per call was the largest cost of a call on the server.
  #controller: AbortController | undefined;

  /** Aborts when the call is cancelled or its connection closes. */
  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      if (this.#aborted) this.#controller.abort();
    }
    return this.#controller.signal;
  }

  get aborted(): boolean {
    return this.#aborted;
  }

  abort(): void {
    if (this.#aborted) return;
    this.#aborted = true;
    this.#controller?.abort();
  }

  /** Aborts, and wakes a subscription's iterator that waits for its next event. */
  stop(): void {
    this.abort();
    // Iterators that honour return() while a next() is pending (pub/sub ones do) stop at
    // once; an async generator queues it and stops at its next await or yield.
    const returned = this.iterator?.return?.();
    if (returned !== undefined) Promise.resolve(returned).catch(() => {});
  }
}
