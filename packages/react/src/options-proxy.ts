import { type QueryFunctionContext, skipToken } from '@tanstack/react-query';
import type {
  CallOptions,
  MutationOptions,
  SubscribeOptions,
  Subscription,
  VolleyClient,
} from '@volley/client';
import type { AnyRouter } from '@volley/core';
import { queryKeyOf } from './keys.js';
import type { ConnectionSource, VolleyOptionsProxy, VolleySubscriptionOptionsIn } from './types.js';

/** The client of one procedure, whatever its kind: the methods the helpers call. */
interface ProcedureClient {
  query(input: unknown, options: CallOptions): Promise<unknown>;
  mutate(input: unknown, options?: MutationOptions): Promise<unknown>;
  subscribe(input: unknown, options: SubscribeOptions<unknown>): Subscription<unknown>;
}

/** The procedure a helper is called on. */
interface Target {
  /** Its path, as router keys: `['chat', 'send']`. Frozen: keys hold it. */
  readonly path: readonly string[];
  /** Its client, `client.chat.send`, found on first use. */
  procedure(): ProcedureClient;
  /** The whole client, for its connection state. */
  readonly client: ConnectionSource;
}

/** The helpers, by the name that ends a chain: `volley.a.b.queryOptions(input)`. */
type Helpers = Record<string, (target: Target, args: unknown[]) => unknown>;

const helpers: Helpers = {
  queryOptions({ path, procedure }, [input, options]) {
    const { call, ...rest } = (options ?? {}) as { call?: Omit<CallOptions, 'signal'> };
    const skipped = input === skipToken;
    return {
      ...rest,
      queryKey: queryKeyOf(path, skipped ? undefined : input),
      queryFn: skipped
        ? skipToken
        : ({ signal }: QueryFunctionContext) => procedure().query(input, { ...call, signal }),
    };
  },
  queryKey: ({ path }, [input]) => queryKeyOf(path, input),
  mutationOptions({ path, procedure }, [options]) {
    const { call, ...rest } = (options ?? {}) as { call?: Omit<MutationOptions, 'signal'> };
    return {
      ...rest,
      mutationKey: [path],
      mutationFn: (input: unknown) => procedure().mutate(input, call),
    };
  },
  mutationKey: ({ path }) => [path],
  subscriptionOptions({ path, procedure, client }, [input, options]) {
    const { enabled = true, ...rest } = (options ?? {}) as VolleySubscriptionOptionsIn<unknown>;
    const skipped = input === skipToken;
    return {
      ...rest,
      key: queryKeyOf(path, skipped ? undefined : input),
      enabled: enabled && !skipped,
      client,
      subscribe: (subscribeOptions: SubscribeOptions<unknown>) =>
        procedure().subscribe(input, subscribeOptions),
    };
  },
  pathKey: ({ path }) => [path],
};

/**
 * The node at `path`. A function, so that `volley.a.b.queryOptions(…)` can be called while
 * `volley.a.queryOptions` can still be a procedure of that name (`….queryOptions.queryOptions(…)`).
 * Children are made once and kept, and so is the procedure's client, found on first use.
 */
function node(client: VolleyClient<AnyRouter>, path: readonly string[]): unknown {
  const children: Record<string, unknown> = Object.create(null);
  const name = path[path.length - 1] as string;
  let procedureClient: ProcedureClient | undefined;
  /** The procedure this node's helpers are called on: the parent path. */
  const target: Target = {
    path: Object.freeze(path.slice(0, -1)),
    client,
    procedure() {
      if (!procedureClient) {
        let found: unknown = client;
        for (const key of target.path) found = (found as Record<string, unknown>)[key];
        procedureClient = found as ProcedureClient;
      }
      return procedureClient;
    },
  };
  return new Proxy(() => {}, {
    get(_function, key) {
      // `then` and symbols are asked by `await` and inspectors; a router can't use them.
      if (typeof key !== 'string' || key === 'then') return undefined;
      children[key] ??= node(client, [...path, key]);
      return children[key];
    },
    apply(_function, _this, args: unknown[]) {
      const helper = Object.hasOwn(helpers, name) ? helpers[name] : undefined;
      if (helper && target.path.length > 0) return helper(target, args);
      throw new TypeError(`volley.${path.join('.')}() is not a helper of a procedure`);
    },
  });
}

/**
 * What `createVolleyOptions(client)` asks for when the router type is left out: the client's
 * type does not say which router it is for, so it must be given.
 */
type MissingRouterType = 'Pass the router type: createVolleyOptions<AppRouter>(client)';

/**
 * Creates the typed TanStack Query helpers for the router type `TRouter`, over a Volley
 * client of that router. Nothing is generated and nothing is called until a query,
 * mutation or subscription runs; the helpers are plain TanStack Query options.
 *
 * - queries: `volley.greet.queryOptions(input, options?)`, `volley.greet.queryKey(input?)`;
 * - mutations: `volley.chat.send.mutationOptions(options?)`, `….mutationKey()`;
 * - subscriptions: `volley.chat.onMessage.subscriptionOptions(input, options?)`, for
 *   {@link useSubscription};
 * - every procedure and router: `pathKey()`, to invalidate everything under it.
 *
 * Keys are {@link VolleyQueryKey}s: the path as an array, then `{ input }`. Query
 * functions pass TanStack Query's abort signal to the call, so a query that is cancelled
 * or unmounted tells the server (`rpc.cancel`) and its `signal` aborts there. Errors are
 * the client's own (see {@link VolleyClientError}).
 *
 * @example
 * const volley = createVolleyOptions<AppRouter>(client); // the router type is required
 * const greeting = useQuery(volley.greet.queryOptions({ name: 'Ada' })); // data: string
 * const send = useMutation(volley.chat.send.mutationOptions());
 * queryClient.invalidateQueries({ queryKey: volley.greet.queryKey() });
 */
export function createVolleyOptions<TRouter extends AnyRouter = never>(
  client: [TRouter] extends [never] ? MissingRouterType : VolleyClient<NoInfer<TRouter>>,
): VolleyOptionsProxy<TRouter> {
  const root: Record<string, unknown> = Object.create(null);
  const untyped = client as unknown as VolleyClient<AnyRouter>;
  return new Proxy(root, {
    get(_target, key) {
      if (typeof key !== 'string' || key === 'then') return undefined;
      root[key] ??= node(untyped, [key]);
      return root[key];
    },
  }) as VolleyOptionsProxy<TRouter>;
}
