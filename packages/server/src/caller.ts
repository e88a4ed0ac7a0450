// A router called directly, with no socket: for tests of your procedures. It runs the
// same middleware, validation and resolvers as the server, with the context you give.
import {
  type AnyProcedure,
  type AnyRouter,
  type inferProcedureInput,
  isTracked,
  type RouterContext,
  toVolleyError,
} from '@volley/core';
import { DEFAULT_MAX_ISSUES } from './issues.js';
import { checkEvent, runProcedure } from './procedure-runner.js';

/** Options of one direct call. */
export interface CallerOptions {
  /** Aborts the resolver's `signal` (a subscription's too), as a client's cancellation would. */
  signal?: AbortSignal | undefined;
}

/** What a resolver returns (each event's data, for a subscription), as it returns it: no JSON round trip. */
type OutputOf<TProcedure extends AnyProcedure> = NonNullable<TProcedure['$types']>['output'];

interface CallerMethods<TInput, TOutput> {
  query: {
    /** Runs the query. Rejects with a `VolleyError` (the original error is its `cause`). */
    query(input: TInput, options?: CallerOptions): Promise<TOutput>;
  };
  mutation: {
    /** Runs the mutation. Rejects with a `VolleyError` (the original error is its `cause`). */
    mutate(input: TInput, options?: CallerOptions): Promise<TOutput>;
  };
  subscription: {
    /** Runs the subscription: its events' data. Leaving the loop stops it. */
    subscribe(input: TInput, options?: CallerOptions): AsyncIterableIterator<TOutput>;
  };
}

interface OptionalInputCallerMethods<TInput, TOutput> {
  query: {
    /** Runs the query. Rejects with a `VolleyError` (the original error is its `cause`). */
    query(input?: TInput, options?: CallerOptions): Promise<TOutput>;
  };
  mutation: {
    /** Runs the mutation. Rejects with a `VolleyError` (the original error is its `cause`). */
    mutate(input?: TInput, options?: CallerOptions): Promise<TOutput>;
  };
  subscription: {
    /** Runs the subscription: its events' data. Leaving the loop stops it. */
    subscribe(input?: TInput, options?: CallerOptions): AsyncIterableIterator<TOutput>;
  };
}

type CallerProcedure<TProcedure extends AnyProcedure> =
  (undefined extends inferProcedureInput<TProcedure>
    ? OptionalInputCallerMethods<inferProcedureInput<TProcedure>, OutputOf<TProcedure>>
    : CallerMethods<inferProcedureInput<TProcedure>, OutputOf<TProcedure>>)[TProcedure['type']];

type CallerRecord<TRecord> = {
  [K in keyof TRecord]: TRecord[K] extends AnyProcedure
    ? CallerProcedure<TRecord[K]>
    : TRecord[K] extends AnyRouter
      ? CallerRecord<TRecord[K]['record']>
      : CallerRecord<TRecord[K]>;
};

/** A router's procedures, callable directly: `caller.greet.query(input)`, as on the client. */
export type Caller<TRouter extends AnyRouter> = CallerRecord<TRouter['record']>;

/** A signal that never aborts, made only when a resolver reads one and the caller gave none. */
class NoAbort {
  #controller: AbortController | undefined;
  get signal(): AbortSignal {
    this.#controller ??= new AbortController();
    return this.#controller.signal;
  }
}

async function call(
  procedure: AnyProcedure,
  path: string,
  ctx: unknown,
  input: unknown,
  options: CallerOptions = {},
): Promise<unknown> {
  try {
    return await runProcedure(procedure, {
      path,
      ctx,
      input,
      abort: options.signal === undefined ? new NoAbort() : { signal: options.signal },
      maxIssues: DEFAULT_MAX_ISSUES,
    });
  } catch (error) {
    throw toVolleyError(error);
  }
}

async function* subscribe(
  procedure: AnyProcedure,
  path: string,
  ctx: unknown,
  input: unknown,
  options: CallerOptions = {},
): AsyncGenerator<unknown, void, undefined> {
  // The resolver's signal aborts when the caller's does, and when the loop is left.
  const controller = new AbortController();
  const stop = () => controller.abort(options.signal?.reason);
  if (options.signal?.aborted) stop();
  options.signal?.addEventListener('abort', stop, { once: true });
  try {
    const iterable = (await call(procedure, path, ctx, input, {
      signal: controller.signal,
    })) as AsyncIterable<unknown>;
    for await (const item of iterable) {
      if (controller.signal.aborted) return;
      const data = isTracked(item) ? item.data : item;
      yield await checkEvent(procedure, data, DEFAULT_MAX_ISSUES);
    }
  } catch (error) {
    if (controller.signal.aborted) return;
    throw toVolleyError(error);
  } finally {
    options.signal?.removeEventListener('abort', stop);
    controller.abort();
  }
}

/**
 * Calls a router's procedures directly, with no socket and no port: the same middleware,
 * input and output validation and resolvers as over the wire, with `ctx` as the context.
 * Queries and mutations resolve to what the resolver returned (typed, with no JSON round
 * trip); subscriptions are async iterables of their events' data. For tests of your router;
 * to test the protocol too, connect a client in memory (`server.inMemoryWebSocket()`).
 *
 * @example
 * const caller = createCaller(appRouter, { user: 'ada' });
 * expect(await caller.greet.query({ name: 'Ada' })).toBe('Hello, Ada');
 * @throws TypeError when `router` is not a Volley router.
 */
export function createCaller<TRouter extends AnyRouter>(
  router: TRouter,
  ctx: RouterContext<TRouter>,
): Caller<TRouter> {
  if (router?.kind !== 'router')
    throw new TypeError('createCaller: `router` must be a Volley router');
  const root: Record<string, unknown> = {};
  for (const [path, procedure] of router.procedures) {
    const keys = path.split('.');
    let node = root;
    for (const key of keys.slice(0, -1)) {
      node[key] ??= {};
      node = node[key] as Record<string, unknown>;
    }
    const run = (input?: unknown, options?: CallerOptions) =>
      call(procedure, path, ctx, input, options);
    node[keys.at(-1) as string] =
      procedure.type === 'query'
        ? { query: run }
        : procedure.type === 'mutation'
          ? { mutate: run }
          : {
              subscribe: (input?: unknown, options?: CallerOptions) =>
                subscribe(procedure, path, ctx, input, options),
            };
  }
  return root as Caller<TRouter>;
}
