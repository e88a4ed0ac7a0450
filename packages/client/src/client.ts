import {
  type AnyRouter,
  ERROR_CODES,
  type ErrorObject,
  encodeRequest,
  paramsFromInput,
  type SubscriptionAck,
  VolleyError,
} from '@volley/core';
import { type ConnectionState, createConnection } from './connection.js';
import { ClientClosedError, ConnectionLostError, ResyncRequiredError } from './errors.js';
import {
  type ClientOptions,
  DEFAULT_LAZY_IDLE_MS,
  DEFAULT_TIMEOUT_MS,
  resolveLazy,
} from './options.js';
import {
  AUTH,
  authParams,
  CANCEL,
  COMPLETE,
  ERROR,
  EVENT,
  FORBIDDEN,
  INIT_ID,
  RESUME,
  UNAUTHORIZED,
} from './protocol.js';
import { createProxy } from './proxy.js';
import {
  createSubscription,
  type SubscribeOptions,
  type Subscription,
  type SubscriptionSink,
} from './subscription.js';
import type { MutationOptions, VolleyClient } from './types.js';

/** A request made and not yet answered. */
interface Request {
  /** Its frame, sent when a socket opens, and again on a new one after a drop when `retriable`. */
  readonly frame: string;
  /** Whether it went out on the current socket. */
  sent?: boolean;
  /** Whether it may be sent again on a new connection after being sent on a lost one. */
  readonly retriable: boolean;
  /** The procedure, for the timeout's message. */
  readonly path: string;
  /** How long to wait for the answer, in ms. `Infinity`: for ever. */
  readonly timeoutMs: number;
  /** When it times out, on the `performance.now()` clock. */
  deadline?: number;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

/** A response or notification from the server, before it is checked. */
interface ServerMessage {
  id?: unknown;
  result?: unknown;
  error?: unknown;
  method?: unknown;
  params?: { subscription?: unknown; data?: unknown; eventId?: unknown; error?: unknown };
}

/** The error of a response or `rpc.error`: a `VolleyError`, `INTERNAL_ERROR` when malformed. */
function errorFrom(error: unknown): VolleyError {
  const { code, message } = (error ?? {}) as Partial<ErrorObject>;
  return VolleyError.fromErrorObject(
    typeof code === 'number' && typeof message === 'string'
      ? (error as ErrorObject)
      : { code: ERROR_CODES.INTERNAL_ERROR, message: 'Malformed error from the server' },
  );
}

/** A live subscription, as the client tracks it across connections. */
interface LiveSubscription extends SubscriptionSink {
  /** Starts it again on a new connection with `rpc.resume`, from its position. */
  resume(): void;
}

/**
 * Creates a typed client for the router type `TRouter`, which you import with
 * `import type` from your server code: no code generation, no runtime import of it.
 *
 * @example
 * const client = createClient<AppRouter>({ url: 'ws://localhost:3000', WebSocket });
 * const text = await client.greet.query({ name: 'Ada' });
 * @throws TypeError when no WebSocket implementation is available.
 */
export function createClient<TRouter extends AnyRouter>(
  options: ClientOptions,
): VolleyClient<TRouter> {
  const defaultTimeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const { lazy } = options;
  const lazyIdleMs = lazy
    ? ((lazy as { idleMs?: number }).idleMs ?? DEFAULT_LAZY_IDLE_MS)
    : undefined;
  let nextId = 0;
  let idleTimer: ReturnType<typeof setTimeout> | undefined;
  let closed = false;
  const subscriptions = new Map<number, LiveSubscription>();

  /**
   * Tells the server to stop request `id`. Sent only on an open socket, which had every
   * request in the table sent on it; without one, the server has nothing to stop.
   */
  const cancelRemote = (id: number) => connection.send(encodeRequest(undefined, CANCEL, { id }));

  /** Ends a request that timed out or was aborted, once out of the table, and tells the server. */
  const expire = (id: number, request: Request, error: unknown) => {
    cancelRemote(id);
    settled();
    request.reject(error);
  };

  // The pending-request table: id → request, in the order they were made. One timer,
  // armed for the earliest deadline, serves every timeout, so that a call costs no timer
  // of its own; a timeout still fires when its `timeoutMs` has passed.
  const requests = new Map<number, Request>();
  let timer: ReturnType<typeof setTimeout> | undefined;
  /** The deadline the timer is armed for; `Infinity` when it is not armed. */
  let armed = Infinity;

  const arm = (deadline: number) => {
    // A NaN deadline (from a NaN timeout) never fires, as with setTimeout's own checks.
    if (!(deadline < armed)) return;
    clearTimeout(timer);
    armed = deadline;
    // Capped well below setTimeout's limit (2³¹-1 ms), past which it would fire at once;
    // the sweep arms it again.
    timer = setTimeout(sweep, Math.min(deadline - performance.now(), 1e9));
  };

  /** Times out every request past its deadline, then arms the timer for the next one. */
  const sweep = () => {
    armed = Infinity;
    const now = performance.now();
    let next = Infinity;
    for (const [id, request] of requests) {
      const deadline = request.deadline as number;
      // A timer may fire up to a millisecond before the clock reads its deadline.
      if (deadline < now + 1) {
        requests.delete(id);
        // What this runs (a user's onError) may add requests, which arm the timer and are
        // seen by this loop, or close the client, which empties the table.
        expire(
          id,
          request,
          new VolleyError({
            code: 'TIMEOUT',
            message: `"${request.path}" timed out after ${request.timeoutMs} ms`,
          }),
        );
      } else if (deadline < next) next = deadline;
    }
    if (requests.size > 0) arm(next);
  };

  /** Removes a request from the table and returns it, if it was there. */
  const take = (id: unknown) => {
    const request = requests.get(id as number);
    requests.delete(id as number);
    return request;
  };

  /** Empties the table and stops the timer. */
  const clearRequests = () => {
    requests.clear();
    clearTimeout(timer);
    armed = Infinity;
  };

  const connection = createConnection(options, {
    // A socket opened: send everything waiting, in the order it was made. None of it went
    // out on this socket yet (a drop marks every request unsent).
    onOpen() {
      for (const request of requests.values()) {
        request.sent = connection.send(request.frame);
      }
    },
    onMessage: handle,
    onDrop,
  });

  /** Sends a new request now if the socket is open; otherwise it waits for one. */
  const enqueue = (id: number, request: Request) => {
    requests.set(id, request);
    request.deadline = performance.now() + request.timeoutMs;
    arm(request.deadline);
    // A lazy client has work: keep (or get, as send does) its connection.
    clearTimeout(idleTimer);
    request.sent = connection.send(request.frame);
  };

  /** A request or subscription ended: a lazy client with nothing left closes after `idleMs`. */
  const settled = () => {
    if (lazyIdleMs === undefined || closed || requests.size > 0 || subscriptions.size > 0) return;
    clearTimeout(idleTimer);
    idleTimer = setTimeout(() => {
      connection.disconnect();
      // Nothing waits, so the timeout timer has nothing to do: let it not hold the process.
      clearRequests();
    }, lazyIdleMs);
  };

  const failAll = (error: unknown) => {
    const waiting = [...requests.values()];
    const lives = [...subscriptions.values()];
    clearRequests();
    subscriptions.clear();
    for (const request of waiting) request.reject(error);
    for (const live of lives) live.fail(error);
  };

  function call(
    operation: 'query' | 'mutate',
    path: string,
    input: unknown,
    callOptions: MutationOptions,
  ): Promise<unknown> {
    const { signal } = callOptions;
    const id = ++nextId;
    // What the executor throws rejects the call: a TypeError from JSON.stringify when the
    // input is not JSON (a BigInt, a cycle), for one.
    const promise = new Promise((resolve, reject) => {
      if (closed) throw new ClientClosedError();
      if (signal?.aborted) throw signal.reason;
      enqueue(id, {
        frame: encodeRequest(id, path, paramsFromInput(input)),
        // A query is safe to send again after a lost connection; a mutation only when the
        // caller says it is idempotent.
        retriable: operation === 'query' || callOptions.idempotent === true,
        path,
        timeoutMs: callOptions.timeoutMs ?? defaultTimeoutMs,
        resolve,
        reject,
      });
    });
    if (signal) {
      const onAbort = () => {
        const request = take(id);
        if (request) expire(id, request, signal.reason);
      };
      const off = () => signal.removeEventListener('abort', onAbort);
      signal.addEventListener('abort', onAbort, { once: true });
      promise.then(off, off);
    }
    return promise;
  }

  function subscribe(
    path: string,
    input: unknown,
    subscribeOptions: SubscribeOptions<unknown>,
  ): Subscription<unknown> {
    const id = ++nextId;
    const { signal, onResumed } = subscribeOptions;
    const onAbort = () => subscription.unsubscribe();
    const { subscription, sink } = createSubscription(subscribeOptions, (unsubscribed) => {
      signal?.removeEventListener('abort', onAbort);
      subscriptions.delete(id);
      take(id);
      if (unsubscribed) cancelRemote(id);
      settled();
    });

    /** Sends (or, after a lost connection, re-sends) the subscription and awaits its ack. */
    const start = (frame: string, resumed: boolean) =>
      enqueue(id, {
        frame,
        retriable: true,
        path,
        timeoutMs: subscribeOptions.timeoutMs ?? defaultTimeoutMs,
        resolve: (result) => {
          const ack = result as SubscriptionAck | undefined;
          const hadPosition = sink.position !== undefined;
          if (typeof ack?.lastEventId === 'string' && (!hadPosition || ack.recovered === false)) {
            sink.position = ack.lastEventId;
          }
          if (!resumed) return subscribeOptions.onStarted?.();
          const recovered = ack?.recovered === true;
          if (onResumed) onResumed({ recovered });
          else if (!recovered && hadPosition) {
            // Events may be missing and nobody is listening for it: fail rather than go on
            // with a gap.
            cancelRemote(id);
            sink.fail(new ResyncRequiredError(sink.position));
          }
        },
        reject: sink.fail,
      });

    const params = paramsFromInput(input);
    if (signal?.aborted) sink.complete();
    else {
      try {
        if (closed) throw new ClientClosedError();
        // A TypeError when the input is not JSON (a BigInt, a cycle).
        const frame = encodeRequest(id, path, params);
        // JSON leaves out the members that are undefined.
        (sink as LiveSubscription).resume = () =>
          start(
            encodeRequest(id, RESUME, { method: path, params, lastEventId: sink.position }),
            true,
          );
        subscriptions.set(id, sink as LiveSubscription);
        signal?.addEventListener('abort', onAbort, { once: true });
        start(frame, false);
      } catch (error) {
        sink.fail(error);
      }
    }
    return subscription;
  }

  /**
   * One message from the server (never a batch: the server answers one only to a batch,
   * which this client never sends). Read leniently: anything with an `id` is a response,
   * and an `error` that is not a JSON-RPC error object fails the call as `INTERNAL_ERROR`
   * rather than leaving it to time out.
   */
  function handle(message: unknown): void {
    const { id, result, error, method, params } = (message ?? {}) as ServerMessage;
    if (id !== undefined) {
      // {"jsonrpc":"2.0","id":1,"result":…} or {"jsonrpc":"2.0","id":1,"error":{…}}
      if (id === INIT_ID) {
        if (error === undefined) connection.accepted();
        return;
      }
      const request = take(id); // a heartbeat's "pong" matches none
      if (!request) return;
      settled();
      if (error === undefined) request.resolve(result);
      else request.reject(errorFrom(error));
      return;
    }
    const sink = subscriptions.get(params?.subscription as number);
    if (!sink) return; // Already unsubscribed here; the server is catching up.
    switch (method) {
      case EVENT: // {"method":"rpc.event","params":{"subscription":1,"eventId"?:"…","data":…}}
        sink.push(params?.data, typeof params?.eventId === 'string' ? params.eventId : undefined);
        break;
      case COMPLETE: // {"method":"rpc.complete","params":{"subscription":1}}
        sink.complete();
        break;
      case ERROR: // {"method":"rpc.error","params":{"subscription":1,"error":{…}}}
        sink.fail(errorFrom(params?.error));
    }
  }

  /**
   * The socket dropped. Sent requests that may not run twice fail; everything else waits
   * for the next connection. Returns whether to reconnect.
   */
  function onDrop(code: number, reason: string, givingUp: boolean): boolean {
    // Given up, or refused (retrying with the same credentials would only storm the
    // server): everything waiting fails.
    if (givingUp || code === UNAUTHORIZED || code === FORBIDDEN) {
      failAll(
        givingUp
          ? new ConnectionLostError(code, reason)
          : new VolleyError({
              code: code === UNAUTHORIZED ? 'UNAUTHORIZED' : 'FORBIDDEN',
              message: reason || undefined,
            }),
      );
      return false;
    }
    const lost = new ConnectionLostError(code, reason);
    for (const [id, request] of requests) {
      if (request.sent && !request.retriable) {
        requests.delete(id);
        request.reject(lost);
      }
      request.sent = false;
    }
    // Acknowledged subscriptions (those no longer waiting for an answer) resume on the next
    // connection, from their position.
    for (const [id, live] of subscriptions) if (!requests.has(id)) live.resume();
    return lazyIdleMs === undefined || requests.size > 0;
  }

  return createProxy(
    (operation, path, input, callOptions) =>
      operation === 'subscribe'
        ? subscribe(path, input, callOptions)
        : call(operation, path, input, callOptions),
    {
      $close(): Promise<void> {
        if (!closed) {
          closed = true;
          clearTimeout(idleTimer);
          failAll(new ClientClosedError());
        }
        return connection.close();
      },
      async $reauth(): Promise<void> {
        await call('mutate', AUTH, authParams(await resolveLazy(options.connectionParams)), {});
      },
      $onStateChange: connection.onStateChange,
      get $state(): ConnectionState {
        return connection.state;
      },
    },
  ) as VolleyClient<TRouter>;
}
