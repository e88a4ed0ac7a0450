/** What the table needs to settle one call. */
export interface PendingCall<TValue> {
  /** Settles the call with its result. */
  resolve(value: TValue): void;
  /** Settles the call with an error (its timeout's, or the connection's). */
  reject(error: unknown): void;
}

interface Entry<TValue> extends PendingCall<TValue> {
  timer: ReturnType<typeof setTimeout> | undefined;
}

/**
 * Request/response correlation: maps a request id to the promise waiting for its
 * response, with an optional timeout. It knows nothing about sockets, so the client
 * uses it for its calls and a server can use it for calls it makes to a client.
 */
export class PendingCalls<TId, TValue = unknown> {
  #entries = new Map<TId, Entry<TValue>>();

  /** How many calls are waiting. */
  get size(): number {
    return this.#entries.size;
  }

  /** Whether `id` is waiting. */
  has(id: TId): boolean {
    return this.#entries.has(id);
  }

  /**
   * Registers a call. After `timeoutMs` (when given and finite) the entry is removed
   * and `onTimeout` runs; it should reject the call.
   *
   * @throws Error when `id` is already waiting: ids must be unique while in flight.
   */
  add(id: TId, call: PendingCall<TValue>, timeoutMs?: number, onTimeout?: () => void): void {
    if (this.#entries.has(id)) throw new Error(`Request id ${String(id)} is already in flight`);
    let timer: ReturnType<typeof setTimeout> | undefined;
    if (timeoutMs !== undefined && Number.isFinite(timeoutMs)) {
      timer = setTimeout(() => {
        this.#entries.delete(id);
        onTimeout?.();
      }, timeoutMs);
    }
    this.#entries.set(id, { resolve: call.resolve, reject: call.reject, timer });
  }

  /** Removes the call without settling it. Returns whether it was waiting. */
  delete(id: TId): boolean {
    const entry = this.#entries.get(id);
    if (entry === undefined) return false;
    if (entry.timer !== undefined) clearTimeout(entry.timer);
    this.#entries.delete(id);
    return true;
  }

  /** Resolves the call. Returns false when it was not waiting (late or unknown response). */
  resolve(id: TId, value: TValue): boolean {
    const entry = this.#entries.get(id);
    if (entry === undefined) return false;
    this.delete(id);
    entry.resolve(value);
    return true;
  }

  /** Rejects the call. Returns false when it was not waiting. */
  reject(id: TId, error: unknown): boolean {
    const entry = this.#entries.get(id);
    if (entry === undefined) return false;
    this.delete(id);
    entry.reject(error);
    return true;
  }

  /** Rejects every waiting call with `error`, for example when the connection is lost. */
  rejectAll(error: unknown): void {
    const entries = [...this.#entries.values()];
    this.#entries.clear();
    for (const entry of entries) {
      if (entry.timer !== undefined) clearTimeout(entry.timer);
      entry.reject(error);
    }
  }
}
