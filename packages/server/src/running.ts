/** A call or subscription this connection is running. */
export class Running {
  /** Answered by `rpc.cancel`: its own outcome must not be sent. */
  cancelled = false;
  /** Set once a subscription has been acknowledged. */
  iterator: AsyncIterator<unknown> | undefined;
  acked = false;
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
}
