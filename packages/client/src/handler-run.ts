// Runs one client handler for a request from the server: its middleware in order, input
// validation (issues bounded as the server bounds them), and the handler itself. Part of
// `@volley/client/handlers`, never of the default bundle.
import {
  type AnyProcedure,
  type ErrorIssue,
  type NextFunction,
  type StandardSchemaIssue,
  VolleyError,
} from '@volley/core';

/** Most validation issues one -32602 answer carries, then one that counts the rest: 20. */
export const MAX_HANDLER_ISSUES = 20;

/** The longest issue message sent, in characters: 200. */
const MAX_MESSAGE = 200;

const clip = (text: string) =>
  text.length <= MAX_MESSAGE ? text : `${text.slice(0, MAX_MESSAGE - 1)}…`;

/** The issues as they are sent: at most {@link MAX_HANDLER_ISSUES}, each bounded. */
function boundIssues(issues: ReadonlyArray<StandardSchemaIssue>): ErrorIssue[] {
  const bounded = issues.slice(0, MAX_HANDLER_ISSUES).map((issue) => ({
    path: (issue.path ?? []).slice(0, 16).map((segment) => {
      const key = typeof segment === 'object' ? segment.key : segment;
      return typeof key === 'number' ? key : clip(String(key)).slice(0, 64);
    }),
    message: clip(String(issue.message)),
  }));
  const left = issues.length - bounded.length;
  if (left > 0)
    bounded.push({ path: [], message: `… and ${left} more issue${left === 1 ? '' : 's'}` });
  return bounded;
}

/** The runtime value `next()` resolves to; the chain checks a middleware returned it. */
class NextResult {
  constructor(readonly value: unknown) {}
}

/** What running a handler needs. */
export interface HandlerRun {
  path: string;
  ctx: unknown;
  /** The input as the server sent it, before validation. */
  input: unknown;
  signal: AbortSignal;
}

async function validate(procedure: AnyProcedure, input: unknown): Promise<unknown> {
  const schema = procedure.def.input;
  if (schema === undefined) {
    const empty =
      input === undefined ||
      (typeof input === 'object' && input !== null && Object.keys(input).length === 0);
    if (!empty) {
      throw new VolleyError({
        code: 'INVALID_PARAMS',
        issues: [{ path: [], message: 'This handler takes no input' }],
      });
    }
    return undefined;
  }
  const result = await schema['~standard'].validate(input);
  if (result.issues !== undefined) {
    throw new VolleyError({ code: 'INVALID_PARAMS', issues: boundIssues(result.issues) });
  }
  return result.value;
}

async function chain(
  procedure: AnyProcedure,
  run: HandlerRun,
  index: number,
  ctx: unknown,
): Promise<unknown> {
  const { def } = procedure;
  const middleware = def.middlewares[index];
  if (middleware === undefined) {
    const input = await validate(procedure, run.input);
    return def.resolver({ ctx, input, signal: run.signal, path: run.path });
  }
  const next = (async (extra?: { ctx: object }) => {
    const nextCtx =
      extra?.ctx === undefined ? ctx : { ...(ctx as object | undefined), ...extra.ctx };
    return new NextResult(await chain(procedure, run, index + 1, nextCtx));
  }) as NextFunction;
  const returned = await middleware({
    ctx,
    input: run.input,
    path: run.path,
    type: def.type,
    signal: run.signal,
    next,
  });
  if (!(returned instanceof NextResult)) {
    throw new TypeError(
      `A middleware of "${run.path}" returned without returning what next() gave it`,
    );
  }
  return returned.value;
}

/**
 * Runs a handler and resolves with its result (checked by its output schema, if any).
 * Rejects with `VolleyError` `INVALID_PARAMS` when the input fails its schema, and with
 * whatever the middleware or handler throws.
 */
export async function runHandler(procedure: AnyProcedure, run: HandlerRun): Promise<unknown> {
  const value = await chain(procedure, run, 0, run.ctx);
  const output = procedure.def.output;
  if (output === undefined) return value;
  const result = await output['~standard'].validate(value);
  if (result.issues !== undefined) {
    throw new TypeError(`The result of handler "${run.path}" failed its output schema`);
  }
  return result.value;
}
