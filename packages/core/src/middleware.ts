import type { ProcedureType } from './procedure.js';
// biome-ignore lint/suspicious/noShadowRestrictedNames: type-only, and the name the compiler prints.
import type { TypeError } from './type-error.js';

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

/**
 * What a middleware must resolve to, for `.use()` and `v.middleware()`: `TResult`
 * (what it does resolve to) when that is `next()`'s result, which alone has the
 * type-only key, else an error that says what to return. Those two spell the
 * middleware's type out rather than name an alias, so that the first line of the
 * error already carries the sentence.
 */
export type MiddlewareReturn<TResult> = typeof extraContext extends keyof TResult
  ? TResult
  : TypeError<"A middleware must return next()'s result: 'return next()' or 'return next({ ctx })'">;

/**
 * The context a middleware adds, from what it resolves to. Its returns are read
 * together (not each on its own): one that returns `next()` on one path and
 * `next({ ctx })` on another adds only what both have.
 */
export type ExtraContext<TResult> = [TResult] extends [
  MiddlewareResult<infer TExtra extends object>,
]
  ? TExtra
  : never;

/** Overwrites the keys of `T` with those of `U`, as `next({ ctx })` does at runtime. */
export type Overwrite<T, U> = {
  [K in keyof T as K extends keyof U ? never : K]: T[K];
} & U;

/** A middleware with its types erased, as the router stores it. */
export type AnyMiddleware = (options: MiddlewareOptions<unknown>) => Promise<unknown>;
