import type {
  AnyProcedure,
  AnyRouter,
  CodecName,
  inferProcedureInput,
  inferProcedureOutput,
} from '@volley/core';
import type { ConnectionState, StateListener } from './connection.js';
import type { Disconnect } from './disconnect.js';
import type { SubscribeOptions, Subscription } from './subscription.js';

/** Options of one query or mutation. */
export interface CallOptions {
  /** Aborting rejects the call with the signal's reason and tells the server (`rpc.cancel`). */
  signal?: AbortSignal | undefined;
  /**
   * Rejects with `VolleyError` `TIMEOUT` after this many ms and tells the server.
   * Default: the client's `timeoutMs`.
   */
  timeoutMs?: number | undefined;
}

/** Options of one mutation. */
export interface MutationOptions extends CallOptions {
  /**
   * The mutation is safe to run twice, so after a lost connection the client may send it
   * again. Default `false`: a mutation that was sent and not answered when the connection
   * dropped rejects with `ConnectionLostError` and is never re-sent silently.
   */
  idempotent?: boolean | undefined;
}

// Two tables rather than one with a rest tuple (`...args: [input?: TInput, ...]`): the
// tuple was instantiated for every procedure a client calls, about 5% of its check.
interface ProcedureClients<TInput, TOutput> {
  query: {
    /** Calls the query. Resolves to its result; rejects with a `VolleyError`, a lost-connection error or the abort reason. */
    query(input: TInput, options?: CallOptions): Promise<TOutput>;
  };
  mutation: {
    /** Calls the mutation. Resolves to its result; rejects with a `VolleyError`, a lost-connection error or the abort reason. */
    mutate(input: TInput, options?: MutationOptions): Promise<TOutput>;
  };
  subscription: {
    /** Starts the subscription. Iterate the result, or pass `onData`. */
    subscribe(input: TInput, options?: SubscribeOptions<TOutput>): Subscription<TOutput>;
  };
}

/** The same, for a procedure that accepts `undefined`: the input may be left out. */
interface OptionalInputClients<TInput, TOutput> {
  query: {
    /** Calls the query. Resolves to its result; rejects with a `VolleyError`, a lost-connection error or the abort reason. */
    query(input?: TInput, options?: CallOptions): Promise<TOutput>;
  };
  mutation: {
    /** Calls the mutation. Resolves to its result; rejects with a `VolleyError`, a lost-connection error or the abort reason. */
    mutate(input?: TInput, options?: MutationOptions): Promise<TOutput>;
  };
  subscription: {
    /** Starts the subscription. Iterate the result, or pass `onData`. */
    subscribe(input?: TInput, options?: SubscribeOptions<TOutput>): Subscription<TOutput>;
  };
}

/** A procedure's methods: with an optional input when it accepts `undefined`. */
type ClientsFor<TInput, TOutput> = undefined extends TInput
  ? OptionalInputClients<TInput, TOutput>
  : ProcedureClients<TInput, TOutput>;

type DecorateProcedure<TProcedure extends AnyProcedure, TCodec extends CodecName> = ClientsFor<
  inferProcedureInput<TProcedure>,
  inferProcedureOutput<TProcedure, TCodec>
>[TProcedure['type']];

/**
 * The client shape of a router record: a method object per procedure, nested by key,
 * with outputs as they arrive over `TCodec` (`json` by default).
 */
export type DecorateRecord<TRecord, TCodec extends CodecName = 'json'> = {
  [K in keyof TRecord]: TRecord[K] extends AnyProcedure
    ? DecorateProcedure<TRecord[K], TCodec>
    : TRecord[K] extends AnyRouter
      ? DecorateRecord<TRecord[K]['record'], TCodec>
      : DecorateRecord<TRecord[K], TCodec>;
};

/** Control methods of a client. Router keys cannot start with `$`, so these never clash. */
export interface ClientControls {
  /**
   * Closes the socket with 1000. Waiting calls reject and live subscriptions fail with
   * `ClientClosedError`; later calls reject with it too. Resolves once the socket is closed.
   */
  $close(): Promise<void>;
  /**
   * Sends the connection params again (asking for them afresh when they are a function,
   * so a refreshed token goes out) in `rpc.auth`, and resolves once the server has
   * rebuilt the connection's context; later calls run with it. Long-lived sockets outlive
   * tokens: call it before yours expires. Rejects with `VolleyError` `UNAUTHORIZED` or
   * `FORBIDDEN` when the server refuses them; the connection then keeps its context.
   */
  $reauth(): Promise<void>;
  /** Where the connection is: `idle`, `connecting`, `open`, `reconnecting` or `closed`. */
  readonly $state: ConnectionState;
  /**
   * Why the last connection, or the last attempt to open one, ended: `refused`, `closed`,
   * `timeout`, `heartbeat`, `denied` or `error`, with the close code and reason (see
   * `Disconnect`). Updated at every failed attempt, even when `$state` stays
   * `reconnecting`; kept after the client connects again, so read it beside `$state`.
   * `undefined` until the first; a close the client chose (`$close()`, a lazy client
   * idling) does not count.
   */
  readonly $lastDisconnect: Disconnect | undefined;
  /**
   * Calls `listener(state, disconnect)` on every change of `$state`. `disconnect` says why
   * the client is not connected: given with `reconnecting`, and with `idle` after giving
   * up or being denied (4401/4403); `undefined` with `connecting`, `open`, `closed`, and
   * when a lazy client idles. A failed attempt that leaves `$state` at `reconnecting` calls
   * no listener: read `$lastDisconnect`. Returns a function that stops it.
   */
  $onStateChange(listener: StateListener): () => void;
}

/**
 * The typed client for a router type, speaking `TCodec` (`json` by default; `msgpack`
 * with `codec: msgpack` from `@volley/client/msgpack`, where bytes arrive as `Uint8Array`).
 */
export type VolleyClient<
  TRouter extends AnyRouter,
  TCodec extends CodecName = 'json',
> = DecorateRecord<TRouter['record'], TCodec> & ClientControls;
