import { VolleyError } from './error.js';
import { type NextFunction, NextResult } from './middleware.js';
import type { AnyProcedure, ProcedureDef } from './procedure.js';
import type { ErrorIssue } from './protocol/messages.js';
import type { StandardSchemaIssue, StandardSchemaV1 } from './standard-schema.js';

function issuePath(issue: StandardSchemaIssue): Array<string | number> {
  if (issue.path === undefined) return [];
  return issue.path.map((segment) => {
    const key = typeof segment === 'object' ? segment.key : segment;
    return typeof key === 'number' ? key : String(key);
  });
}

function toIssues(issues: ReadonlyArray<StandardSchemaIssue>): ErrorIssue[] {
  return issues.map((issue) => ({ path: issuePath(issue), message: issue.message }));
}

function settleValidation(
  result: Awaited<ReturnType<StandardSchemaV1['~standard']['validate']>>,
  fail: (issues: ErrorIssue[]) => VolleyError,
): unknown {
  if (result.issues !== undefined) throw fail(toIssues(result.issues));
  return result.value;
}

/**
 * Checks `value` against `schema`. Resolves to the (possibly transformed) value, or
 * throws the error `fail` makes from the issues.
 */
function validate(
  schema: StandardSchemaV1,
  value: unknown,
  fail: (issues: ErrorIssue[]) => VolleyError,
): unknown {
  const result = schema['~standard'].validate(value);
  return result instanceof Promise
    ? result.then((settled) => settleValidation(settled, fail))
    : settleValidation(result, fail);
}

const invalidParams = (issues: ErrorIssue[]) => new VolleyError({ code: 'INVALID_PARAMS', issues });

/** Output that fails its schema is the server's bug: the client sees INTERNAL_ERROR. */
const invalidOutput = (issues: ErrorIssue[]) =>
  new VolleyError({
    code: 'INTERNAL_ERROR',
    cause: new Error(
      `Output failed its schema: ${issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`,
    ),
  });

/** `{}`: what generic JSON-RPC clients send as "no params", so it counts as no input. */
function isEmptyObject(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  for (const _key in value) return false;
  return Object.getPrototypeOf(value) === Object.prototype;
}

/** What running a procedure needs. */
export interface CallOptions {
  path: string;
  ctx: unknown;
  /** The input as sent, before validation. */
  input: unknown;
  /**
   * Where the resolver's `signal` comes from: an `AbortController`, or anything with a
   * `signal`. It is read only when the resolver (or a middleware) reads `signal`, so a
   * server can make its controller lazily.
   */
  abort: { readonly signal: AbortSignal };
  /** For a resumed subscription, the last event id the client saw. */
  lastEventId?: string;
}

/** Whether `value` is a promise or another thenable, which `await` would wait for. */
function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

/**
 * What a resolver receives (`ResolverOptions`). A class, so that `signal` is a getter on
 * the prototype: an object literal with a getter is many times slower to make, and one
 * is made for every call.
 */
class ResolverArgs {
  readonly #abort: CallOptions['abort'];

  constructor(
    readonly ctx: unknown,
    readonly input: unknown,
    readonly path: string,
    readonly lastEventId: string | undefined,
    abort: CallOptions['abort'],
  ) {
    this.#abort = abort;
  }

  /** Read lazily: the server makes its AbortController only when a resolver asks. */
  get signal(): AbortSignal {
    return this.#abort.signal;
  }
}

// Synchronous all the way when the schema and the resolver are: a call then costs no
// promise at all, and the server can answer it in the same turn it read it.
function resolve(def: ProcedureDef, options: CallOptions, ctx: unknown): unknown {
  if (def.input !== undefined) {
    const input = validate(def.input, options.input, invalidParams);
    return isThenable(input)
      ? Promise.resolve(input).then((valid) => run(def, options, ctx, valid))
      : run(def, options, ctx, input);
  }
  if (options.input !== undefined && !isEmptyObject(options.input)) {
    throw invalidParams([{ path: [], message: 'This procedure takes no input' }]);
  }
  return run(def, options, ctx, undefined);
}

/** What a middleware receives (`MiddlewareOptions`); a class for the reason {@link ResolverArgs} is. */
class MiddlewareArgs {
  readonly input: unknown;
  readonly path: string;
  readonly #abort: CallOptions['abort'];

  constructor(
    readonly ctx: unknown,
    readonly type: ProcedureDef['type'],
    readonly next: NextFunction,
    options: CallOptions,
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

function run(def: ProcedureDef, options: CallOptions, ctx: unknown, input: unknown): unknown {
  const result = def.resolver(
    new ResolverArgs(ctx, input, options.path, options.lastEventId, options.abort),
  );
  return isThenable(result)
    ? Promise.resolve(result).then((settled) => check(def, options, settled))
    : check(def, options, result);
}

function check(def: ProcedureDef, options: CallOptions, result: unknown): unknown {
  if (def.type === 'subscription') {
    if (typeof (result as AsyncIterable<unknown> | null)?.[Symbol.asyncIterator] !== 'function') {
      throw new VolleyError({
        code: 'INTERNAL_ERROR',
        cause: new TypeError(`Subscription "${options.path}" did not return an AsyncIterable`),
      });
    }
    return result;
  }
  return def.output === undefined ? result : validate(def.output, result, invalidOutput);
}

async function runChain(
  def: ProcedureDef,
  options: CallOptions,
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
 * the `AsyncIterable` of its events (whose output is checked per event with
 * {@link checkEvent}). When nothing on the way is asynchronous (no middleware, a
 * synchronous schema and resolver) it returns the value itself, or throws; otherwise a
 * promise of it, which rejects instead.
 *
 * @throws VolleyError `INVALID_PARAMS` when the input fails its schema; whatever the
 * middleware or resolver throws, unchanged.
 */
export function callProcedure(procedure: AnyProcedure, options: CallOptions): unknown {
  const def = procedure.def;
  return def.middlewares.length === 0
    ? resolve(def, options, options.ctx)
    : runChain(def, options, 0, options.ctx);
}

/**
 * Checks one subscription event against the procedure's output schema, if it has
 * one. Returns the value to send (or a promise of it).
 *
 * @throws VolleyError `INTERNAL_ERROR` when the event fails the schema.
 */
export function checkEvent(procedure: AnyProcedure, data: unknown): unknown {
  const output = procedure.def.output;
  return output === undefined ? data : validate(output, data, invalidOutput);
}
