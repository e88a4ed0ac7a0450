import type { ProcedureType } from './procedure.js';

declare const extraContext: unique symbol;

/**
 * What a middleware returns: the promise `next()` gave it. `TExtra` is the context it
 * added, which later middleware and the resolver see.
 */
export interface MiddlewareResult<TExtra> {
  /** Type-only: the context this middleware adds. */
  readonly [extraContext]?: TExtra;
}

/** The `next` a middleware calls to run the rest of the chain. */
export interface NextFunction {
  /** Runs the rest of the chain with the context unchanged. */
  (): Promise<MiddlewareResult<Record<never, never>>>;
  /** Runs the rest of the chain with `ctx` merged over the current context. */
  <TExtra extends object>(options: { ctx: TExtra }): Promise<MiddlewareResult<TExtra>>;
}

/** What a middleware receives. */
export interface MiddlewareOptions<TCtx> {
  ctx: TCtx;
  /** The raw input, before the procedure's schema has checked it. */
  input: unknown;
  /** The procedure's dotted path, such as `chat.send`. */
  path: string;
  type: ProcedureType;
  /** Aborts when the client cancels or disconnects. A getter: read it rather than spread the options. */
  signal: AbortSignal;
  next: NextFunction;
}

/**
 * A middleware: runs before the resolver, and can extend the context (`next({ ctx })`)
 * or stop the call by throwing a `VolleyError`. It must return what `next()` returned.
 */
export type MiddlewareFunction<TCtx, TExtra extends object> = (
  options: MiddlewareOptions<TCtx>,
) => Promise<MiddlewareResult<TExtra>>;

/** Overwrites the keys of `T` with those of `U`, as `next({ ctx })` does at runtime. */
export type Overwrite<T, U> = {
  [K in keyof T as K extends keyof U ? never : K]: T[K];
} & U;

/** A middleware with its types erased, as the router stores it. */
export type AnyMiddleware = (options: MiddlewareOptions<unknown>) => Promise<unknown>;
