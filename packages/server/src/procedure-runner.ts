// Runs one procedure: its middleware in order, input validation, the resolver, and output
// validation. The same code serves the socket and `createCaller`, so a router tested
// directly behaves as it does on the wire.
import {
  type AnyProcedure,
  type ErrorIssue,
  type NextFunction,
  type ProcedureDef,
  type StandardSchemaV1,
  VolleyError,
} from '@volley/core';
import { boundIssues, type IssueBudget } from './issues.js';

/** The runtime value `next()` resolves to; the chain checks a middleware returned it. */
class NextResult {
  constructor(readonly value: unknown) {}
}

/** What running a procedure needs. */
export interface RunOptions {
  path: string;
  ctx: unknown;
  /** The input as sent, before validation. */
  input: unknown;
  /**
   * A second reading of the params, tried only when `input` fails the schema: `[x]` read
   * as the array itself, `[]` as an empty array (what generic JSON-RPC clients send for a
   * procedure whose input is an array). See PROTOCOL.md, "Params and procedure input".
   */
  fallbackInput?: unknown[] | undefined;
  /**
   * Where the resolver's `signal` comes from. It is read only when the resolver (or a
   * middleware) reads `signal`, so a server can make its controller lazily.
   */
  abort: { readonly signal: AbortSignal };
  /** For a resumed subscription, the last event id the client saw. */
  lastEventId?: string | undefined;
  /** Most validation issues an error carries; see `DEFAULT_MAX_ISSUES`. */
  maxIssues: number;
  /** In a batch, the issues its members' errors may still show together. */
  issueBudget?: IssueBudget | undefined;
}

type Validation = Awaited<ReturnType<StandardSchemaV1['~standard']['validate']>>;

/** Whether `value` is a promise or another thenable, which `await` would wait for. */
function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

/** Validates synchronously when the schema does, else returns a promise. */
function validateWith<T>(
  schema: StandardSchemaV1,
  value: unknown,
  settle: (result: Validation) => T,
): T | Promise<T> {
  const result = schema['~standard'].validate(value);
  return result instanceof Promise ? result.then(settle) : settle(result);
}

const invalidParams = (issues: ErrorIssue[]) => new VolleyError({ code: 'INVALID_PARAMS', issues });

/** Output that fails its schema is the server's bug: the client sees INTERNAL_ERROR. */
function invalidOutput(issues: ErrorIssue[]): VolleyError {
  return new VolleyError({
    code: 'INTERNAL_ERROR',
    cause: new Error(
      `Output failed its schema: ${issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`,
    ),
  });
}

/** `{}`: what generic JSON-RPC clients send as "no params", so it counts as no input. */
function isEmptyObject(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  for (const _key in value) return false;
  return Object.getPrototypeOf(value) === Object.prototype;
}

/**
 * What a resolver receives (`ResolverOptions`). A class, so that `signal` is a getter on
 * the prototype: an object literal with a getter is many times slower to make, and one
 * is made for every call.
 */
class ResolverArgs {
  readonly #abort: RunOptions['abort'];

  constructor(
    readonly ctx: unknown,
    readonly input: unknown,
    readonly path: string,
    readonly lastEventId: string | undefined,
    abort: RunOptions['abort'],
  ) {
    this.#abort = abort;
  }

  /** Read lazily: the server makes its AbortController only when a resolver asks. */
  get signal(): AbortSignal {
    return this.#abort.signal;
  }
}

/** What a middleware receives (`MiddlewareOptions`); a class for the reason {@link ResolverArgs} is. */
class MiddlewareArgs {
  readonly input: unknown;
  readonly path: string;
  readonly #abort: RunOptions['abort'];

  constructor(
    readonly ctx: unknown,
    readonly type: ProcedureDef['type'],
    readonly next: NextFunction,
    options: RunOptions,
  ) {
    this.input = options.input;
    this.path = options.path;
    this.#abort = options.abort;
  }

  /** Read lazily, as a resolver's. */
  get signal(): AbortSignal {
    return this.#abort.signal;
  }
}

/** The validated input: the params as read first, else their second reading, else the first's issues. */
function checkInput(schema: StandardSchemaV1, options: RunOptions): unknown | Promise<unknown> {
  return validateWith(schema, options.input, (first) => {
    if (first.issues === undefined) return first.value;
    const fail = () =>
      invalidParams(boundIssues(first.issues, options.maxIssues, options.issueBudget));
    if (options.fallbackInput === undefined) throw fail();
    return validateWith(schema, options.fallbackInput, (second) => {
      if (second.issues !== undefined) throw fail();
      return second.value;
    });
  });
}

// Synchronous all the way when the schema and the resolver are: a call then costs no
// promise at all, and the server can answer it in the same turn it read it.
function resolve(def: ProcedureDef, options: RunOptions, ctx: unknown): unknown {
  if (def.input !== undefined) {
    const input = checkInput(def.input, options);
    return isThenable(input)
      ? Promise.resolve(input).then((valid) => run(def, options, ctx, valid))
      : run(def, options, ctx, input);
  }
  if (options.input !== undefined && !isEmptyObject(options.input)) {
    throw invalidParams([{ path: [], message: 'This procedure takes no input' }]);
  }
  return run(def, options, ctx, undefined);
}

function run(def: ProcedureDef, options: RunOptions, ctx: unknown, input: unknown): unknown {
  const result = def.resolver(
    new ResolverArgs(ctx, input, options.path, options.lastEventId, options.abort),
  );
  return isThenable(result)
    ? Promise.resolve(result).then((settled) => check(def, options, settled))
    : check(def, options, result);
}

function check(def: ProcedureDef, options: RunOptions, result: unknown): unknown {
  if (def.type === 'subscription') {
    if (typeof (result as AsyncIterable<unknown> | null)?.[Symbol.asyncIterator] !== 'function') {
      throw new VolleyError({
        code: 'INTERNAL_ERROR',
        cause: new TypeError(`Subscription "${options.path}" did not return an AsyncIterable`),
      });
    }
    return result;
  }
  return def.output === undefined ? result : checkOutput(def.output, result, options.maxIssues);
}

function checkOutput(schema: StandardSchemaV1, value: unknown, maxIssues: number): unknown {
  return validateWith(schema, value, (result) => {
    if (result.issues !== undefined) throw invalidOutput(boundIssues(result.issues, maxIssues));
    return result.value;
  });
}

async function runChain(
  def: ProcedureDef,
  options: RunOptions,
  index: number,
  ctx: unknown,
): Promise<unknown> {
  const middleware = def.middlewares[index];
  if (middleware === undefined) return await resolve(def, options, ctx);
  // NextResult is the runtime face of the type-only MiddlewareResult.
  const next = (async (extra?: { ctx: object }) => {
    const nextCtx =
      extra?.ctx === undefined ? ctx : { ...(ctx as object | undefined), ...extra.ctx };
    return new NextResult(await runChain(def, options, index + 1, nextCtx));
  }) as NextFunction;
  const returned = await middleware(new MiddlewareArgs(ctx, def.type, next, options));
  if (!(returned instanceof NextResult)) {
    throw new VolleyError({
      code: 'INTERNAL_ERROR',
      cause: new TypeError(
        `A middleware of "${options.path}" returned without returning what next() gave it`,
      ),
    });
  }
  return returned.value;
}

/**
 * Runs a procedure: its middleware in order, input validation, the resolver, and
 * output validation. For a query or mutation it gives the output; for a subscription,
 * the `AsyncIterable` of its events (each checked with {@link checkEvent}). When nothing on
 * the way is asynchronous (no middleware, a synchronous schema and resolver) it returns
 * the value itself, or throws; otherwise a promise of it, which rejects instead.
 *
 * @throws VolleyError `INVALID_PARAMS` when the input fails its schema; whatever the
 * middleware or resolver throws, unchanged.
 */
export function runProcedure(procedure: AnyProcedure, options: RunOptions): unknown {
  const def = procedure.def;
  return def.middlewares.length === 0
    ? resolve(def, options, options.ctx)
    : runChain(def, options, 0, options.ctx);
}

/**
 * Checks one subscription event against the procedure's output schema, if it has one.
 * Returns the value to send (or a promise of it).
 *
 * @throws VolleyError `INTERNAL_ERROR` when the event fails the schema.
 */
export function checkEvent(procedure: AnyProcedure, data: unknown, maxIssues: number): unknown {
  const output = procedure.def.output;
  return output === undefined ? data : checkOutput(output, data, maxIssues);
}
