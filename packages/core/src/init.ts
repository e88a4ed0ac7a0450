import type {
  ExtraContext,
  MiddlewareFunction,
  MiddlewareOptions,
  MiddlewareReturn,
} from './middleware.js';
import { createProcedureBuilder, type ProcedureBuilder, type SchemaTypes } from './procedure.js';
import { createRouter, type Router, type RouterRecord } from './router.js';

/** The builders `initVolley` returns, all bound to one context type. */
export interface Volley<TCtx> {
  /** The base procedure builder: no input, no middleware. */
  procedure: ProcedureBuilder<TCtx, SchemaTypes<undefined, undefined>, undefined>;
  /** Makes a router; see {@link createRouter}. */
  router<TRecord extends RouterRecord>(record: TRecord): Router<TCtx, TRecord>;
  /**
   * Types a reusable middleware for this context. Returns it unchanged. It must return
   * what `next()` gave it; anything else is a type error that says so.
   */
  middleware<TResult>(
    middleware: (options: MiddlewareOptions<TCtx>) => Promise<MiddlewareReturn<TResult>>,
  ): MiddlewareFunction<TCtx, ExtraContext<TResult>>;
}

/**
 * Starts a Volley API whose procedures see a context of type `TCtx`, the value the
 * server's `createContext` builds once per connection.
 *
 * @example
 * const v = initVolley<{ user: User | null }>();
 * export const appRouter = v.router({ greet: v.procedure.input(z.string()).query(({ input }) => `Hello, ${input}`) });
 */
export function initVolley<TCtx extends object = Record<never, never>>(): Volley<TCtx> {
  return {
    procedure: createProcedureBuilder<TCtx>(),
    router: (record) => createRouter(record),
    // The check is the parameter's type; what comes back is the same function.
    middleware: <TResult>(
      middleware: (options: MiddlewareOptions<TCtx>) => Promise<MiddlewareReturn<TResult>>,
    ) => middleware as unknown as MiddlewareFunction<TCtx, ExtraContext<TResult>>,
  };
}
