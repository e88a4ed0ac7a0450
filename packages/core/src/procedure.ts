import type {
  AnyMiddleware,
  ExtraContext,
  MiddlewareFunction,
  MiddlewareOptions,
  MiddlewareResult,
  MiddlewareReturn,
  Overwrite,
} from './middleware.js';
import type { SchemaArgument, SchemaTypes, SchemaTypesOf } from './schema-types.js';
import type { StandardSchemaV1 } from './standard-schema.js';
import type { Tracked, UntrackedData } from './tracked.js';

/** The three kinds of procedure. */
export type ProcedureType = 'query' | 'mutation' | 'subscription';

type MaybePromise<T> = T | Promise<T>;

/** What a resolver receives. */
export interface ResolverOptions<TCtx, TInput> {
  /** The connection's context, extended by middleware. */
  ctx: TCtx;
  /** The input, after the input schema has checked and transformed it. */
  input: TInput;
  /**
   * Aborts when the client cancels, times out or disconnects, or the server closes. A
   * getter, made at first read: read it (or destructure it) rather than spread the options.
   */
  signal: AbortSignal;
  /** The procedure's dotted path, such as `chat.send`. */
  path: string;
  /**
   * For a subscription the client is resuming after a lost connection: the id of the
   * last event it received. Pass it on (`events.subscribe(topic, { signal, lastEventId })`)
   * to replay what it missed.
   */
  lastEventId?: string | undefined;
}

/** A procedure's runtime definition, with its types erased. */
export interface ProcedureDef {
  readonly type: ProcedureType;
  readonly input: StandardSchemaV1 | undefined;
  readonly output: StandardSchemaV1 | undefined;
  readonly middlewares: readonly AnyMiddleware[];
  /** The function given to `.query`, `.mutation` or `.subscription`. */
  readonly resolver: (options: ResolverOptions<unknown, unknown>) => unknown;
  /**
   * Built by `initVolley().withClient()`: its context has `client`, the connection's
   * handle for server-to-client calls, which the server then adds.
   */
  readonly usesClient?: boolean | undefined;
}

/**
 * A defined procedure. `TInput` is what a client passes and `TOutput` what it gets
 * (for a subscription, each event's data).
 */
export interface Procedure<TType extends ProcedureType, TInput, TOutput> {
  readonly kind: 'procedure';
  readonly type: TType;
  readonly def: ProcedureDef;
  /** Type-only, never set at runtime: carries the types to the client. */
  readonly $types?: { readonly input: TInput; readonly output: TOutput };
}

/** Any procedure, whatever its types. */
export type AnyProcedure = Procedure<ProcedureType, unknown, unknown>;

type NoInput = SchemaTypes<undefined, undefined>;
/** What the resolver must return: anything, unless an output schema says otherwise. */
type ReturnOf<TOutput> = TOutput extends SchemaTypes ? TOutput['input'] : unknown;
/** What a client gets: the output schema's output, or else what the resolver returns. */
// `undefined` on the left keeps this from distributing: one step per procedure.
type ResultOf<TOutput extends SchemaTypes | undefined, TResult> = undefined extends TOutput
  ? TResult
  : NonNullable<TOutput>['output'];

/**
 * Builds procedures. Each method returns a new builder, so a partly built one (say,
 * with auth middleware) can be shared. `TInput` and `TOutput` are the input and output
 * schemas' {@link SchemaTypes} (`TOutput` is `undefined` until `.output()`).
 */
export interface ProcedureBuilder<
  TCtx,
  TInput extends SchemaTypes,
  TOutput extends SchemaTypes | undefined,
> {
  /**
   * Validates the input with a zod schema or another Standard Schema (valibot, arktype,
   * ...). Replaces an earlier one. Anything else is a type error that says so.
   */
  input<TSchema>(
    schema: SchemaArgument<TSchema, '.input()'>,
  ): ProcedureBuilder<TCtx, SchemaTypesOf<TSchema>, TOutput>;
  /**
   * Validates what the resolver returns (each event, for a subscription) with a zod
   * schema or another Standard Schema. A failure is a server bug: the client gets
   * `INTERNAL_ERROR` and `onError` the issues.
   */
  output<TSchema>(
    schema: SchemaArgument<TSchema, '.output()'>,
  ): ProcedureBuilder<TCtx, TInput, SchemaTypesOf<TSchema>>;
  /**
   * Adds a middleware, which runs before input validation in the order added. It must
   * return what `next()` gave it; anything else is a type error that says so.
   */
  use<TResult>(
    middleware: (options: MiddlewareOptions<TCtx>) => Promise<MiddlewareReturn<TResult>>,
  ): ProcedureBuilder<Overwrite<TCtx, ExtraContext<TResult>>, TInput, TOutput>;
  /** A read. A client may retry it after a lost connection. */
  query<TResult extends ReturnOf<TOutput>>(
    resolver: (options: ResolverOptions<TCtx, TInput['output']>) => MaybePromise<TResult>,
  ): Procedure<'query', TInput['input'], ResultOf<TOutput, TResult>>;
  /** A write. A client never re-sends it without being told it is idempotent. */
  mutation<TResult extends ReturnOf<TOutput>>(
    resolver: (options: ResolverOptions<TCtx, TInput['output']>) => MaybePromise<TResult>,
  ): Procedure<'mutation', TInput['input'], ResultOf<TOutput, TResult>>;
  /**
   * A stream of events: an async generator (or any `AsyncIterable`). Yield
   * `tracked(id, data)` to give an event an id. The generator's `finally` runs when
   * the client cancels or disconnects; `signal` aborts at the same moment.
   */
  subscription<TEvent extends ReturnOf<TOutput> | Tracked<ReturnOf<TOutput>>>(
    resolver: (options: ResolverOptions<TCtx, TInput['output']>) => AsyncIterable<TEvent>,
  ): Procedure<'subscription', TInput['input'], ResultOf<TOutput, UntrackedData<TEvent>>>;
}

interface BuilderState {
  input: StandardSchemaV1 | undefined;
  output: StandardSchemaV1 | undefined;
  middlewares: readonly AnyMiddleware[];
  usesClient?: boolean | undefined;
}

function makeProcedure(
  state: BuilderState,
  type: ProcedureType,
  resolver: ProcedureDef['resolver'],
): AnyProcedure {
  if (typeof resolver !== 'function') {
    throw new TypeError(`A ${type} needs a resolver function`);
  }
  return { kind: 'procedure', type, def: { ...state, type, resolver } };
}

function builderFrom(state: BuilderState): ProcedureBuilder<unknown, NoInput, undefined> {
  // The generics exist only for the caller; at runtime every builder is this one shape.
  const builder = {
    input: (schema: StandardSchemaV1) => builderFrom({ ...state, input: schema }),
    output: (schema: StandardSchemaV1) => builderFrom({ ...state, output: schema }),
    use: (middleware: MiddlewareFunction<unknown, object>) =>
      builderFrom({
        ...state,
        middlewares: [...state.middlewares, middleware as AnyMiddleware],
      }),
    query: (resolver: ProcedureDef['resolver']) => makeProcedure(state, 'query', resolver),
    mutation: (resolver: ProcedureDef['resolver']) => makeProcedure(state, 'mutation', resolver),
    subscription: (resolver: ProcedureDef['resolver']) =>
      makeProcedure(state, 'subscription', resolver),
  };
  return builder as unknown as ProcedureBuilder<unknown, NoInput, undefined>;
}

/**
 * A procedure builder with no input, output or middleware, for context `TCtx`.
 * `usesClient` marks its procedures as ones whose context has the connection's `client`.
 */
export function createProcedureBuilder<TCtx>(
  usesClient?: boolean,
): ProcedureBuilder<TCtx, NoInput, undefined> {
  const state: BuilderState = { input: undefined, output: undefined, middlewares: [] };
  if (usesClient) state.usesClient = true;
  return builderFrom(state) as ProcedureBuilder<TCtx, NoInput, undefined>;
}

export type { MiddlewareResult, SchemaTypes };
