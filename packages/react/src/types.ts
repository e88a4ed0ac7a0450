import type {
  SkipToken,
  UndefinedInitialDataOptions,
  UnusedSkipTokenOptions,
  UseMutationOptions,
  UseQueryOptions,
} from '@tanstack/react-query';
import type {
  CallOptions,
  ClientClosedError,
  ClientControls,
  ConnectionLostError,
  MutationOptions,
  SubscribeOptions,
  Subscription,
  VolleyError,
} from '@volley/client';
import type {
  AnyProcedure,
  AnyRouter,
  inferProcedureInput,
  inferProcedureOutput,
} from '@volley/core';
import type { VolleyMutationKey, VolleyQueryKey, VolleyTaggedQueryKey } from './keys.js';

/**
 * What a Volley query, mutation or subscription fails with: a `VolleyError` from the server
 * (or `TIMEOUT`), `ConnectionLostError` (a mutation in flight when the connection dropped,
 * or the client gave up reconnecting), `ClientClosedError` (`client.$close()` was called),
 * or a `TypeError` when the input is not JSON (a `BigInt`, a cycle). Tell them apart with
 * `instanceof`. TanStack Query's own cancellation (an unmounted query) is not an error.
 */
export type VolleyClientError = VolleyError | ConnectionLostError | ClientClosedError | TypeError;

/** What reports the connection's state: a Volley client (`$state`, `$onStateChange`). */
export type ConnectionSource = Pick<ClientControls, '$state' | '$onStateChange'>;

/**
 * TanStack Query options accepted by `queryOptions(input, options)`: everything `useQuery`
 * takes except `queryKey` and `queryFn`, which Volley makes, plus `call` for the Volley call.
 */
export type VolleyQueryOptionsIn<TOutput, TData = TOutput> = Omit<
  UseQueryOptions<TOutput, VolleyClientError, TData, VolleyQueryKey>,
  'queryKey' | 'queryFn'
> & {
  /**
   * Options of the Volley call, such as `timeoutMs` (default: the client's). The abort
   * signal is TanStack Query's own, so an unmounted or cancelled query tells the server.
   */
  call?: Omit<CallOptions, 'signal'>;
};

/**
 * What `queryOptions(input)` returns: options for `useQuery`, `useSuspenseQuery`,
 * `useQueries`, `queryClient.fetchQuery` and the like, with a `queryKey` tagged with the
 * output type, so `queryClient.getQueryData(options.queryKey)` is typed too.
 */
export type VolleyQueryOptions<TOutput, TData = TOutput> = UnusedSkipTokenOptions<
  TOutput,
  VolleyClientError,
  TData,
  VolleyQueryKey
> & { queryKey: VolleyTaggedQueryKey<TOutput, VolleyClientError> };

/**
 * What `queryOptions(skipToken)` (or an input that may be `skipToken`) returns: options for
 * `useQuery` whose query does not run while the input is `skipToken`. Not accepted by
 * `useSuspenseQuery`, which cannot skip.
 */
export type VolleySkippableQueryOptions<TOutput, TData = TOutput> = UndefinedInitialDataOptions<
  TOutput,
  VolleyClientError,
  TData,
  VolleyQueryKey
> & { queryKey: VolleyTaggedQueryKey<TOutput, VolleyClientError> };

/**
 * What a mutation's `useMutation` variables are: its input, which may be left out
 * (`mutate()`) when the procedure accepts `undefined`.
 */
// biome-ignore lint/suspicious/noConfusingVoidType: void is what lets `mutate()` omit the argument.
export type MutationVariables<TInput> = undefined extends TInput ? TInput | void : TInput;

/**
 * TanStack Query options accepted by `mutationOptions(options)`: everything `useMutation`
 * takes except `mutationKey` and `mutationFn`, plus `call` for the Volley call.
 */
export type VolleyMutationOptionsIn<TInput, TOutput, TContext = unknown> = Omit<
  UseMutationOptions<TOutput, VolleyClientError, MutationVariables<TInput>, TContext>,
  'mutationKey' | 'mutationFn'
> & {
  /**
   * Options of the Volley call: `timeoutMs` (default: the client's) and `idempotent`
   * (default `false`: a mutation in flight when the connection drops fails with
   * `ConnectionLostError` rather than being sent again).
   */
  call?: Omit<MutationOptions, 'signal'>;
};

/** What `mutationOptions()` returns: options for `useMutation`, with a `mutationKey`. */
export type VolleyMutationOptions<TInput, TOutput, TContext = unknown> = UseMutationOptions<
  TOutput,
  VolleyClientError,
  MutationVariables<TInput>,
  TContext
> & { mutationKey: VolleyMutationKey };

/** The callbacks of a subscription run by `useSubscription`. Each may change between renders. */
export interface SubscriptionCallbacks<TData> {
  /** Each event, in order: where to append to a list (a chat's messages, say). */
  onData?: (data: TData) => void;
  /** The subscription failed; `useSubscription`'s `error` holds the same error. */
  onError?: (error: VolleyClientError) => void;
  /** The server acknowledged the subscription; events may follow. */
  onStarted?: () => void;
  /** The server ended the subscription. */
  onComplete?: () => void;
  /**
   * The subscription came back after a lost connection: `recovered` is true when every
   * event missed meanwhile is being replayed, false when some may be lost (the server could
   * not replay them, or the stream is not resumable), so the app should resync.
   */
  onResumed?: (info: { recovered: boolean }) => void;
}

/** Options of `subscriptionOptions(input, options)`. */
export interface VolleySubscriptionOptionsIn<TData> extends SubscriptionCallbacks<TData> {
  /** `false` leaves the subscription idle (unsubscribed). Default `true`. */
  enabled?: boolean;
  /** How long to wait for the server to acknowledge, in ms. Default: the client's `timeoutMs`. */
  timeoutMs?: number;
}

/**
 * What `subscriptionOptions(input)` returns, for `useSubscription`: the subscription's
 * identity (`key`, compared by value), how to start it, and where its connection's state
 * comes from.
 */
export interface VolleySubscriptionOptions<TData> extends SubscriptionCallbacks<TData> {
  /** The path and input, as a query key; a new value (by value, not identity) re-subscribes. */
  readonly key: VolleyQueryKey;
  /** Whether to subscribe: `false` when disabled or when the input is `skipToken`. */
  readonly enabled: boolean;
  /** How long to wait for the server to acknowledge, in ms. Default: the client's `timeoutMs`. */
  readonly timeoutMs?: number;
  /** The client, whose `$state` `useSubscription` reports. */
  readonly client: ConnectionSource;
  /** Starts the subscription with these callbacks (the client's `.subscribe(input, options)`). */
  subscribe(options: SubscribeOptions<TData>): Subscription<TData>;
}

/** Key helpers every procedure and router node has. */
export interface PathKeyed {
  /**
   * The key matching every query at or under this path: `[['chat']]`. Use it to
   * invalidate a whole router, or every input of one query.
   */
  pathKey(): VolleyQueryKey;
}

/** What every query has, whatever its input: its keys, and options that may skip. */
interface QueryUtils<TInput, TOutput> extends PathKeyed {
  /** The query's key for `input`; without input, the key matching every input of it. */
  queryKey(input?: TInput): VolleyTaggedQueryKey<TOutput, VolleyClientError>;
  /** Options for `useQuery(…)` that do not run the query while the input is `skipToken`. */
  queryOptions<TData = TOutput>(
    input: TInput | SkipToken,
    options?: VolleyQueryOptionsIn<TOutput, TData>,
  ): VolleySkippableQueryOptions<TOutput, TData>;
}

// Two tables (required and optional input) like the client's, rather than one with a
// rest tuple: fewer instantiations for every procedure used. In each, the `queryOptions`
// with an input comes before the one that may skip, so it is the overload chosen first.
interface RequiredInputUtils<TInput, TOutput> {
  query: {
    /**
     * Options for `useQuery(…)` and the rest of TanStack Query: the key is
     * {@link VolleyQueryKey} and the query function calls the procedure with TanStack
     * Query's abort signal. Pass `skipToken` as the input to keep it from running.
     */
    queryOptions<TData = TOutput>(
      input: TInput,
      options?: VolleyQueryOptionsIn<TOutput, TData>,
    ): VolleyQueryOptions<TOutput, TData>;
  } & QueryUtils<TInput, TOutput>;
  mutation: MutationUtils<TInput, TOutput>;
  subscription: PathKeyed & {
    /** Options for `useSubscription(…)`. Pass `skipToken` as the input to stay idle. */
    subscriptionOptions(
      input: TInput | SkipToken,
      options?: VolleySubscriptionOptionsIn<TOutput>,
    ): VolleySubscriptionOptions<TOutput>;
  };
}

/** The same, for a procedure that accepts `undefined`: the input may be left out. */
interface OptionalInputUtils<TInput, TOutput> {
  query: {
    /** As for a required input (see `RequiredInputUtils`), with an input that may be left out. */
    queryOptions<TData = TOutput>(
      input?: TInput,
      options?: VolleyQueryOptionsIn<TOutput, TData>,
    ): VolleyQueryOptions<TOutput, TData>;
  } & QueryUtils<TInput, TOutput>;
  mutation: MutationUtils<TInput, TOutput>;
  subscription: PathKeyed & {
    /** Options for `useSubscription(…)`. Pass `skipToken` as the input to stay idle. */
    subscriptionOptions(
      input?: TInput | SkipToken,
      options?: VolleySubscriptionOptionsIn<TOutput>,
    ): VolleySubscriptionOptions<TOutput>;
  };
}

interface MutationUtils<TInput, TOutput> extends PathKeyed {
  /** Options for `useMutation(…)`: its variables are the input, its data the output. */
  mutationOptions<TContext = unknown>(
    options?: VolleyMutationOptionsIn<TInput, TOutput, TContext>,
  ): VolleyMutationOptions<TInput, TOutput, TContext>;
  /** The mutation's key, `[path]`, for `useIsMutating` and `useMutationState`. */
  mutationKey(): VolleyMutationKey;
}

type UtilsFor<TInput, TOutput> = undefined extends TInput
  ? OptionalInputUtils<TInput, TOutput>
  : RequiredInputUtils<TInput, TOutput>;

/** A procedure's helpers: queries get query options, mutations mutation options, subscriptions subscription options. */
type DecorateProcedure<TProcedure extends AnyProcedure> = UtilsFor<
  inferProcedureInput<TProcedure>,
  inferProcedureOutput<TProcedure>
>[TProcedure['type']];

/** The helpers of a router record: one node per procedure, nested by key; routers have `pathKey`. */
export type VolleyOptionsRecord<TRecord> = {
  [K in keyof TRecord]: TRecord[K] extends AnyProcedure
    ? DecorateProcedure<TRecord[K]>
    : TRecord[K] extends AnyRouter
      ? VolleyOptionsRecord<TRecord[K]['record']> & PathKeyed
      : VolleyOptionsRecord<TRecord[K]> & PathKeyed;
};

/** The typed TanStack Query helpers for a router type: what `createVolleyOptions` returns. */
export type VolleyOptionsProxy<TRouter extends AnyRouter> = VolleyOptionsRecord<TRouter['record']>;
