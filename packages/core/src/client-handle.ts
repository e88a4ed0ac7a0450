// The types of server-to-client calls: what the server sees of a connection's client
// (`ctx.client.confirm.query(input, options)`), inferred from the client's own router of
// handlers, and the check that such a router holds only queries and mutations. Type-only:
// the server makes the handle, the client (`@volley/client/handlers`) serves the router.
import type { inferProcedureInput, inferProcedureOutput } from './inference.js';
import type { AnyProcedure } from './procedure.js';
import type { AnyRouter } from './router.js';
// biome-ignore lint/suspicious/noShadowRestrictedNames: type-only, and the name the compiler prints.
import type { TypeError } from './type-error.js';

/** Options of one server-to-client call. */
export interface ClientCallOptions {
  /**
   * Aborting rejects the call with the signal's reason and tells the client
   * (`rpc.cancel`), whose handler's own `signal` aborts.
   */
  signal?: AbortSignal | undefined;
  /**
   * Rejects with `VolleyError` `TIMEOUT` after this many ms and tells the client. Default:
   * the server's `clientCallTimeoutMs` (`DEFAULT_CLIENT_CALL_TIMEOUT_MS`, 30 s).
   */
  timeoutMs?: number | undefined;
}

/** What a subscription in a client router becomes: an error that says why. */
type NoSubscription =
  TypeError<'Client handlers are queries and mutations: a client cannot serve a subscription'>;

interface HandleMethods<TInput, TOutput> {
  query: {
    /**
     * Calls the client's query handler. Resolves to its result; rejects with a
     * `VolleyError` (the handler's, or `TIMEOUT`, `METHOD_NOT_FOUND`, `INVALID_PARAMS`,
     * `TOO_MANY_REQUESTS`), the abort reason, or `ConnectionClosedError`.
     */
    query(input: TInput, options?: ClientCallOptions): Promise<TOutput>;
  };
  mutation: {
    /** Calls the client's mutation handler; settles as `query` does. Never re-sent. */
    mutate(input: TInput, options?: ClientCallOptions): Promise<TOutput>;
  };
  subscription: NoSubscription;
}

/** The same, for a handler that accepts `undefined`: the input may be left out. */
interface OptionalHandleMethods<TInput, TOutput> {
  query: {
    /** Calls the client's query handler; see the required-input form. */
    query(input?: TInput, options?: ClientCallOptions): Promise<TOutput>;
  };
  mutation: {
    /** Calls the client's mutation handler; see the required-input form. */
    mutate(input?: TInput, options?: ClientCallOptions): Promise<TOutput>;
  };
  subscription: NoSubscription;
}

type HandleFor<TProcedure extends AnyProcedure> = (undefined extends inferProcedureInput<TProcedure>
  ? OptionalHandleMethods<inferProcedureInput<TProcedure>, inferProcedureOutput<TProcedure>>
  : HandleMethods<
      inferProcedureInput<TProcedure>,
      inferProcedureOutput<TProcedure>
    >)[TProcedure['type']];

/** The handle's shape for a router record: a method object per handler, nested by key. */
export type ClientHandleRecord<TRecord> = {
  [K in keyof TRecord]: TRecord[K] extends AnyProcedure
    ? HandleFor<TRecord[K]>
    : TRecord[K] extends AnyRouter
      ? ClientHandleRecord<TRecord[K]['record']>
      : ClientHandleRecord<TRecord[K]>;
};

/**
 * What the server sees of one connection's client: its handlers, typed from the client's
 * router type `TClientRouter`. `ctx.client.confirm.query(input, { timeoutMs, signal })`
 * sends a JSON-RPC request to that client and resolves with its handler's result.
 */
export type ClientHandle<TClientRouter extends AnyRouter> = ClientHandleRecord<
  TClientRouter['record']
>;

/** The dotted paths of a record's subscriptions, or `never`. */
type SubscriptionPaths<TRecord, TPrefix extends string = ''> = {
  [K in keyof TRecord & string]: TRecord[K] extends AnyProcedure
    ? TRecord[K]['type'] extends 'subscription'
      ? `${TPrefix}${K}`
      : never
    : TRecord[K] extends AnyRouter
      ? SubscriptionPaths<TRecord[K]['record'], `${TPrefix}${K}.`>
      : SubscriptionPaths<TRecord[K], `${TPrefix}${K}.`>;
}[keyof TRecord & string];

/**
 * `unknown` for a router of queries and mutations, which a client can serve; an error
 * naming the first subscription otherwise. Intersect a parameter with it to refuse one.
 */
export type HandlerRouterCheck<TRouter extends AnyRouter> = [
  SubscriptionPaths<TRouter['record']>,
] extends [never]
  ? unknown
  : TypeError<`Client handlers are queries and mutations: '${SubscriptionPaths<TRouter['record']> & string}' is a subscription`>;
