import type { ClientHandle } from './client-handle.js';
import type {
  ExtraContext,
  MiddlewareFunction,
  MiddlewareOptions,
  MiddlewareReturn,
} from './middleware.js';
import { createProcedureBuilder, type ProcedureBuilder, type SchemaTypes } from './procedure.js';
import { type AnyRouter, createRouter, type Router, type RouterRecord } from './router.js';
// biome-ignore lint/suspicious/noShadowRestrictedNames: type-only, and the name the compiler prints.
import type { TypeError } from './type-error.js';

/**
 * The builders `initVolley` returns. `TCtx` is the context `createContext` builds;
 * `TProcedureCtx` is what procedures and middleware see, which is `TCtx` unless
 * {@link Volley.withClient} added the connection's `client` to it.
 */
export interface Volley<TCtx, TProcedureCtx = TCtx> {
  /** The base procedure builder: no input, no middleware. */
  procedure: ProcedureBuilder<TProcedureCtx, SchemaTypes<undefined, undefined>, undefined>;
  /** Makes a router; see {@link createRouter}. */
  router<TRecord extends RouterRecord>(record: TRecord): Router<TCtx, TRecord>;
  /**
   * Types a reusable middleware for this context. Returns it unchanged. It must return
   * what `next()` gave it; anything else is a type error that says so.
   */
  middleware<TResult>(
    middleware: (options: MiddlewareOptions<TProcedureCtx>) => Promise<MiddlewareReturn<TResult>>,
  ): MiddlewareFunction<TProcedureCtx, ExtraContext<TResult>>;
  /**
   * The same builders, whose procedures also see `ctx.client`: the connection's client,
   * typed from the client's router of handlers (`TClientRouter`, imported with
   * `import type`), for server-to-client calls such as
   * `ctx.client.confirm.query(input, { timeoutMs, signal })`. The server adds `client` to
   * the context of every connection (a shallow copy of what `createContext` returned).
   * A context that has a `client` key of its own is a type error.
   *
   * @example
   * const v = initVolley<Ctx>().withClient<ClientRouter>();
   */
  withClient<TClientRouter extends AnyRouter>(): 'client' extends keyof TCtx
    ? TypeError<"withClient() adds 'client' to the context, which has a 'client' key already: rename yours">
    : Volley<TCtx, TCtx & { client: ClientHandle<TClientRouter> }>;
}

/**
 * Starts a Volley API whose procedures see a context of type `TCtx`, the value the
 * server's `createContext` builds once per connection. The client uses it too, for its
 * own router of handlers (see `@volley/client/handlers`).
 *
 * @example
 * const v = initVolley<{ user: User | null }>();
 * export const appRouter = v.router({ greet: v.procedure.input(z.string()).query(({ input }) => `Hello, ${input}`) });
 */
export function initVolley<TCtx extends object = Record<never, never>>(): Volley<TCtx> {
  return makeVolley<TCtx>(false) as Volley<TCtx>;
}

function makeVolley<TCtx>(usesClient: boolean): Volley<TCtx, unknown> {
  return {
    procedure: createProcedureBuilder<unknown>(usesClient),
    router: (record) => createRouter(record),
    // The check is the parameter's type; what comes back is the same function.
    middleware: <TResult>(
      middleware: (options: MiddlewareOptions<unknown>) => Promise<MiddlewareReturn<TResult>>,
    ) => middleware as unknown as MiddlewareFunction<unknown, ExtraContext<TResult>>,
    // Types only, but its procedures are marked, so that the server adds `client`.
    withClient: () => makeVolley<TCtx>(true) as never,
  };
}
