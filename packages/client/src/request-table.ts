import { VolleyError } from '@volley/core';
import { later, now } from './timers.js';

/** A request made and not yet answered: a call, or a subscription waiting for its acknowledgement. */
export interface PendingRequest {
  /** Its frame, sent when a socket opens, and again on a new one after a drop when `_retriable`. */
  readonly _frame: string | Uint8Array;
  /** Whether it went out on the current socket. */
  _sent?: boolean;
  /** Whether it may be sent again on a new connection after being sent on a lost one. */
  readonly _retriable: boolean;
  /**
   * A live subscription resuming (`rpc.resume`): it waits out an unreachable server, and
   * its timeout runs only while it is sent, so an outage of any length does not end it.
   */
  readonly _resuming?: boolean;
  /** The procedure, for the timeout's message. */
  readonly _path: string;
  /** How long to wait for the answer, in ms; `Infinity`: for ever. Default: the client's `timeoutMs`. */
  _timeoutMs?: number;
  /** When it times out, on the `now()` clock. */
  _deadline?: number;
  _resolve(value: unknown): void;
  _reject(error: unknown): void;
}

/**
 * The client's requests by id, in the order they were made, with their timeouts. It is a
 * `Map` for reading (`size`, `has`); change it only through these methods, which keep
 * its timer right.
 */
export interface RequestTable extends ReadonlyMap<number, PendingRequest> {
  /** Adds a request and arms its timeout. */
  _add(id: number, request: PendingRequest): void;
  /** Removes a request and returns it, if it was there (an answer came, or its subscription ended). */
  _take(id: unknown): PendingRequest | undefined;
  /** Removes a request, if it is there, tells the owner (`onExpire`), then rejects it with `error`. */
  _expire(id: number, error: unknown): void;
  /** A socket opened: sends every request, in order. `send` says whether it went out. */
  _sendAll(send: (frame: string | Uint8Array) => boolean): void;
  /**
   * The socket dropped: a request that went out and may not run twice (a mutation not
   * marked idempotent) fails with `lost`; every other one waits to be sent again. When
   * the server is `unreachable` (and the client fails fast), every request but a resuming
   * subscription's fails with `lost`.
   */
  _dropped(lost: unknown, unreachable: boolean | undefined): void;
  /** Empties the table, stops its timer, and returns what waited. */
  _drain(): PendingRequest[];
}

/**
 * The pending-request table. One timer, armed for the earliest deadline, serves every
 * timeout, so that a call costs no timer of its own; a timeout still fires when its
 * `timeoutMs` has passed, and rejects with `VolleyError` `TIMEOUT` after `onExpire(id)`
 * (which tells the server to stop it).
 */
export function createRequestTable(
  defaultTimeoutMs: number,
  onExpire: (id: number) => void,
): RequestTable {
  const requests = new Map<number, PendingRequest>();
  let timer: ReturnType<typeof setTimeout> | undefined;
  /** The deadline the timer is armed for; `Infinity` when it is not armed. */
  let armed = Infinity;

  const arm = (deadline: number) => {
    // A NaN deadline (from a NaN timeout) never fires, as with setTimeout's own checks.
    if (!(deadline < armed)) return;
    clearTimeout(timer);
    armed = deadline;
    timer = later(sweep, deadline - now());
  };

  /** Times out every request past its deadline, then arms the timer for the next one. */
  const sweep = () => {
    armed = Infinity;
    const time = now();
    let next = Infinity;
    for (const [id, request] of requests) {
      // A resuming subscription waits out an outage: its timeout runs once it is sent.
      if (request._resuming && !request._sent) continue;
      const deadline = request._deadline as number;
      // A timer may fire up to a millisecond before the clock reads its deadline.
      if (deadline < time + 1) {
        // What this runs (a user's onError) may add requests, which arm the timer and are
        // seen by this loop, or close the client, which empties the table.
        table._expire(
          id,
          new VolleyError({
            code: 'TIMEOUT',
            message: `"${request._path}" timed out after ${request._timeoutMs} ms`,
          }),
        );
      } else if (deadline < next) next = deadline;
    }
    if (requests.size > 0) arm(next);
  };

  const methods: Omit<RequestTable, keyof ReadonlyMap<unknown, unknown>> = {
    _add(id, request) {
      requests.set(id, request);
      // biome-ignore lint/suspicious/noAssignInExpressions: the default timeout, kept on the request for its message: fewer bytes in the browser bundle.
      request._deadline = now() + (request._timeoutMs ??= defaultTimeoutMs);
      arm(request._deadline);
    },
    _take(id) {
      const request = requests.get(id as number);
      requests.delete(id as number);
      return request;
    },
    _expire(id, error) {
      const request = table._take(id);
      if (!request) return;
      onExpire(id);
      request._reject(error);
    },
    _sendAll(send) {
      for (const request of requests.values()) {
        request._sent = send(request._frame);
        if (request._resuming) {
          // biome-ignore lint/suspicious/noAssignInExpressions: fewer bytes in the browser bundle.
          arm((request._deadline = now() + (request._timeoutMs as number)));
        }
      }
    },
    _dropped(lost, unreachable) {
      for (const [id, request] of requests) {
        if (unreachable ? !request._resuming : request._sent && !request._retriable) {
          requests.delete(id);
          request._reject(lost);
        }
        // None of what is left went out on the next socket yet.
        request._sent = false;
      }
    },
    _drain() {
      const waiting = [...requests.values()];
      requests.clear();
      clearTimeout(timer);
      armed = Infinity;
      return waiting;
    },
  };
  const table: RequestTable = Object.assign(requests, methods);
  return table;
}
