// @volley/client/handlers: serves a router of handlers to the server, for server-to-client
// calls (`ctx.client.confirm.query(...)` on the server). A separate entry point, so that
// the default client bundle carries none of it: without handlers, the client answers
// every request from the server with -32601 by itself.
//
// ← {"jsonrpc":"2.0","id":"s1","method":"confirm","params":{"name":"a.txt"}}
// → {"jsonrpc":"2.0","id":"s1","result":true}
// ← {"jsonrpc":"2.0","method":"rpc.cancel","params":{"id":"s1"}}   (the server gave up)
import {
  type AnyProcedure,
  type AnyRouter,
  type ErrorData,
  type ErrorObject,
  type HandlerRouterCheck,
  inputFromParams,
  METHODS,
  RESERVED_PREFIX,
  type RouterContext,
  toVolleyError,
  VolleyError,
} from '@volley/core';
import { reportHandlerError } from './handler-error-reporter.js';
import { runHandler } from './handler-run.js';
import type { ClientHandlers } from './handlers-link.js';
import type { ServerMessage } from './inbound.js';

export { reportHandlerError } from './handler-error-reporter.js';
export { MAX_HANDLER_ISSUES } from './handler-run.js';
export type { ClientHandlers } from './handlers-link.js';

/**
 * Most handlers one client runs at once: 16. A request from the server beyond it is
 * answered at once with -32029 `TOO_MANY_REQUESTS`, `data.limit: "maxConcurrent"`, without
 * running: a server cannot flood a client.
 */
export const DEFAULT_MAX_CONCURRENT_HANDLERS = 16;

/** What `onError` receives. */
export interface HandlerErrorInfo {
  /** Normalised; the original is `error.cause` when it was not a `VolleyError`. */
  error: VolleyError;
  /** The handler's dotted path. */
  path: string;
}

/** Options of {@link createHandlers}. */
export interface HandlerOptions<TCtx> {
  /**
   * The context the handlers see as `ctx`, or a function that gives it for each call.
   * Default: `{}`.
   */
  context?: TCtx | (() => TCtx) | undefined;
  /** See {@link DEFAULT_MAX_CONCURRENT_HANDLERS}. `Infinity` lifts it. */
  maxConcurrent?: number | undefined;
  /**
   * Send unexpected errors' messages and stacks to the server. Default `false`: the server
   * gets -32603 `Internal error`, and only `onError` sees the real error. A `VolleyError`
   * a handler throws always reaches the server as it is (code, message, `data`).
   */
  exposeErrors?: boolean | undefined;
  /**
   * Called with every error a handler throws (invalid input included). It must not
   * throw. Default {@link reportHandlerError}, which writes unexpected errors
   * (`INTERNAL_ERROR`) with `console.error`; `false` reports nothing.
   */
  onError?: ((info: HandlerErrorInfo) => void) | false | undefined;
}

/** The error object a handler's error is answered with; see `exposeErrors`. */
function errorObject(error: VolleyError, expose: boolean): ErrorObject {
  const cause = error.cause;
  if (expose && error.code === 'INTERNAL_ERROR' && cause instanceof Error) {
    return {
      code: error.rpcCode,
      message: cause.message,
      data: { code: error.code, stack: cause.stack },
    };
  }
  const data: ErrorData = { code: error.code };
  if (error.issues !== undefined) data.issues = error.issues;
  if (error.data !== undefined) data.details = error.data;
  if (error.limit !== undefined) data.limit = error.limit;
  if (expose && error.stack !== undefined) data.stack = error.stack;
  return { code: error.rpcCode, message: error.message, data };
}

/** A handler running for the server's request `id`. */
interface RunningHandler {
  readonly controller: AbortController;
  /** Answered already (cancelled), or its connection dropped: its outcome is not sent. */
  done: boolean;
}

/**
 * Serves `router` (made with `initVolley()`, of queries and mutations only) to the server:
 * pass the result as `createClient({ handlers })`. Each request from the server runs the
 * handler at its `method` with its `params` as input (validated by the handler's schema:
 * -32602 with the issues when it fails), and its result or error is the answer. An unknown
 * handler is -32601. `rpc.cancel` from the server, and a lost connection, abort the
 * handler's `signal`; its outcome is then never sent (after `rpc.cancel`, -32099 is sent
 * at once, as the server does for the client's calls).
 *
 * @example
 * const handlers = initVolley().router({
 *   confirm: v.procedure.input(z.object({ name: z.string() })).query(({ input }) => window.confirm(input.name)),
 * });
 * const client = createClient<AppRouter>({ url, handlers: createHandlers(handlers) });
 * @throws TypeError when the router is not a router, or holds a subscription (a type
 * error too), or `maxConcurrent` is not a positive integer.
 */
export function createHandlers<TRouter extends AnyRouter>(
  router: TRouter & HandlerRouterCheck<TRouter>,
  options: HandlerOptions<RouterContext<TRouter>> = {},
): ClientHandlers {
  if (router?.kind !== 'router') throw new TypeError('createHandlers: pass a Volley router');
  for (const [path, procedure] of router.procedures) {
    if (procedure.type === 'subscription') {
      throw new TypeError(
        `createHandlers: "${path}" is a subscription: client handlers are queries and mutations`,
      );
    }
  }
  const maxConcurrent = options.maxConcurrent ?? DEFAULT_MAX_CONCURRENT_HANDLERS;
  if (
    !(maxConcurrent > 0) ||
    (Number.isFinite(maxConcurrent) && !Number.isInteger(maxConcurrent))
  ) {
    throw new TypeError('createHandlers: `maxConcurrent` must be a positive integer or Infinity');
  }
  const expose = options.exposeErrors ?? false;
  const onError = options.onError === false ? undefined : (options.onError ?? reportHandlerError);
  const contextOf = () => {
    const { context } = options;
    return (typeof context === 'function' ? (context as () => unknown)() : context) ?? {};
  };
  let used = false;

  return (connection, codec) => {
    const send = connection._send;
    // Answers in the client's encoding: JSON text, or the codec's bytes.
    const encodeError = (id: unknown, error: ErrorObject) =>
      codec.stringify({ jsonrpc: '2.0', id, error });
    const encodeResult = (id: unknown, result: unknown) =>
      codec.stringify({ jsonrpc: '2.0', id, result: result ?? null });
    if (used) throw new TypeError('createHandlers: one handlers object serves one client');
    used = true;
    /** Handlers running, by the server's request id. */
    const running = new Map<unknown, RunningHandler>();

    // The socket dropped (or the client idles or closes): every handler is aborted and
    // its outcome dropped. The server has rejected those calls already, and an answer on
    // the next socket could be taken for one of that connection's own ids.
    connection._onStateChange((state) => {
      if (state === 'open') return;
      for (const entry of running.values()) {
        entry.done = true;
        entry.controller.abort(new Error('The connection to the server was lost'));
      }
      running.clear();
    });

    const report = (error: VolleyError, path: string) => {
      try {
        onError?.({ error, path });
      } catch {
        // onError is the user's; a throw there must not stop serving.
      }
    };

    const refuse = (id: unknown, error: VolleyError) =>
      send(encodeError(id, errorObject(error, false)));

    /** `rpc.cancel`: stops the handler, answers -32099 for it; whether one was running. */
    const cancel = (target: unknown): boolean => {
      const entry = running.get(target);
      if (entry === undefined) return false;
      running.delete(target);
      entry.done = true;
      entry.controller.abort(new VolleyError({ code: 'CANCELLED' }));
      refuse(target, new VolleyError({ code: 'CANCELLED', message: 'Cancelled' }));
      return true;
    };

    return (message: ServerMessage) => {
      const { id, method, params } = message;
      if (method === METHODS.CANCEL) {
        // {"method":"rpc.cancel","params":{"id":"s1"}}
        const found = cancel((params as { id?: unknown } | undefined)?.id);
        if (id !== undefined) send(encodeResult(id, found));
        return;
      }
      // A notification (a stale subscription's, or a handler called without an id) gets
      // no answer and runs nothing: only the server's requests are served.
      if (id === undefined || typeof method !== 'string') return;
      const procedure: AnyProcedure | undefined = method.startsWith(RESERVED_PREFIX)
        ? undefined
        : router.procedures.get(method);
      if (procedure === undefined) {
        refuse(
          id,
          new VolleyError({
            code: 'METHOD_NOT_FOUND',
            issues: [{ path: ['method'], message: `No handler "${method.slice(0, 64)}"` }],
          }),
        );
        return;
      }
      if (running.has(id)) {
        refuse(
          id,
          new VolleyError({
            code: 'INVALID_REQUEST',
            issues: [{ path: ['id'], message: 'Request id is already in flight' }],
          }),
        );
        return;
      }
      if (running.size >= maxConcurrent) {
        refuse(
          id,
          new VolleyError({
            code: 'TOO_MANY_REQUESTS',
            message: `Too many handlers running: at most ${maxConcurrent}`,
            limit: 'maxConcurrent',
          }),
        );
        return;
      }
      const entry: RunningHandler = { controller: new AbortController(), done: false };
      running.set(id, entry);
      const settle = (text: () => string | Uint8Array) => {
        if (entry.done) return;
        entry.done = true;
        running.delete(id);
        send(text());
      };
      const fail = (thrown: unknown) => {
        const error = toVolleyError(thrown);
        report(error, method);
        settle(() => encodeError(id, errorObject(error, expose)));
      };
      const input = inputFromParams(params as Parameters<typeof inputFromParams>[0]);
      runHandler(procedure, {
        path: method,
        ctx: contextOf(),
        input,
        signal: entry.controller.signal,
      }).then(
        (result) =>
          settle(() => {
            try {
              return encodeResult(id, result);
            } catch (unencodable) {
              const error = toVolleyError(unencodable);
              report(error, method);
              return encodeError(id, errorObject(error, expose));
            }
          }),
        fail,
      );
    };
  };
}
