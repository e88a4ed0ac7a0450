// One connection's server-to-client calls: the table of requests the server sent its
// client and waits for, by the server's own ids ("s1", "s2", ...). It is apart from the
// call table (`call-table.ts`), which holds the client's requests: an id in one never
// settles anything in the other. Each call has a timeout and may be aborted; both tell
// the client with `rpc.cancel`. A call still waiting when the connection closes rejects
// with `ConnectionClosedError` and is never sent again.
import { type ClientCallOptions, METHODS, paramsFromInput, VolleyError } from '@volley/core';
import type { ClientCallLimits } from './client-calls-options.js';
import { CLIENT_CALL_ID_PREFIX, type ClientResponse, clientError } from './client-calls-wire.js';
import type { ServerCodec } from './codec.js';
import { ConnectionClosedError } from './connection-closed-error.js';

/** Where the calls go out; the connection. */
export interface ClientCallSink {
  readonly isClosed: boolean;
  readonly outbound: { send(frame: string | Uint8Array): void };
  /** The connection's encoding: JSON, or the binary codec its client asked for. */
  readonly codec: Pick<ServerCodec, 'request' | 'notification'>;
}

interface PendingCall {
  readonly path: string;
  readonly resolve: (value: unknown) => void;
  readonly reject: (reason: unknown) => void;
  timer: ReturnType<typeof setTimeout> | undefined;
  /** Removes the abort listener. */
  off: (() => void) | undefined;
}

export class ClientCalls {
  readonly #sink: ClientCallSink;
  readonly #limits: ClientCallLimits;
  readonly #pending = new Map<string, PendingCall>();
  #next = 0;
  /** `ctx.client` over this table, made once by the connection when its router uses it. */
  handle: unknown;

  constructor(sink: ClientCallSink, limits: ClientCallLimits) {
    this.#sink = sink;
    this.#limits = limits;
  }

  /** Calls waiting for the client's answer. */
  get size(): number {
    return this.#pending.size;
  }

  /**
   * Sends a request to the client's handler `path` and resolves with its result.
   * Rejects with the client's `VolleyError`, `TIMEOUT`, `TOO_MANY_REQUESTS`
   * (`maxClientCalls`), the signal's reason, a `TypeError` for input JSON cannot carry,
   * or `ConnectionClosedError`.
   */
  call(path: string, input: unknown, options: ClientCallOptions = {}): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const { signal } = options;
      if (this.#sink.isClosed) throw new ConnectionClosedError(path);
      if (signal?.aborted) throw signal.reason;
      const { maxCalls } = this.#limits;
      if (this.#pending.size >= maxCalls) {
        throw new VolleyError({
          code: 'TOO_MANY_REQUESTS',
          message: `Too many calls to the client waiting: at most ${maxCalls} per connection`,
          limit: 'maxClientCalls',
        });
      }
      const id = CLIENT_CALL_ID_PREFIX + ++this.#next;
      const frame = this.#sink.codec.request(id, path, paramsFromInput(input));
      const pending: PendingCall = { path, resolve, reject, timer: undefined, off: undefined };
      this.#pending.set(id, pending);
      const timeoutMs = options.timeoutMs ?? this.#limits.timeoutMs;
      if (Number.isFinite(timeoutMs)) {
        pending.timer = setTimeout(
          () =>
            this.#expire(
              id,
              new VolleyError({
                code: 'TIMEOUT',
                message: `Client call "${path}" timed out after ${timeoutMs} ms`,
              }),
            ),
          timeoutMs,
        );
      }
      if (signal !== undefined) {
        const onAbort = () => this.#expire(id, signal.reason);
        signal.addEventListener('abort', onAbort, { once: true });
        pending.off = () => signal.removeEventListener('abort', onAbort);
      }
      this.#sink.outbound.send(frame);
    });
  }

  /**
   * A response from the client: `{"id":"s1","result":...}` or `{"id":"s1","error":{...}}`.
   * One whose id the server is not waiting for (never sent, timed out or aborted
   * already, or not the server's at all) is ignored.
   */
  receive(response: ClientResponse): void {
    const { id } = response;
    if (typeof id !== 'string') return;
    const pending = this.#take(id);
    if (pending === undefined) return;
    if (response.error !== undefined) pending.reject(clientError(response.error));
    else pending.resolve(response.result);
  }

  /** The connection closed: every waiting call rejects with `ConnectionClosedError`. */
  closed(): void {
    for (const [id, pending] of [...this.#pending]) {
      this.#take(id);
      pending.reject(new ConnectionClosedError(pending.path));
    }
  }

  /** Timed out or aborted: out of the table, the client told to stop, and rejected. */
  #expire(id: string, reason: unknown): void {
    const pending = this.#take(id);
    if (pending === undefined) return;
    if (!this.#sink.isClosed) {
      this.#sink.outbound.send(this.#sink.codec.notification(METHODS.CANCEL, { id }));
    }
    pending.reject(reason);
  }

  #take(id: string): PendingCall | undefined {
    const pending = this.#pending.get(id);
    if (pending === undefined) return undefined;
    this.#pending.delete(id);
    clearTimeout(pending.timer);
    pending.off?.();
    return pending;
  }
}
