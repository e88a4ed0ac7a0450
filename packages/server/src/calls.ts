// A query or a mutation: registered in the call table (the duplicate-id and `maxInFlight`
// checks), run by the procedure runner, and answered.
// {"id":1,"method":"greet","params":{...}} → {"id":1,"result":...}
import { type AnyProcedure, ERROR_CODES, VolleyError } from '@volley/core';
import type { Connection } from './connection.js';
import type { Outcome } from './dispatch.js';
import { errorObject, report } from './error-mapping.js';
import type { IssueBudget } from './issues.js';
import type { CallOutcome } from './observer.js';
import { runProcedure } from './procedure-runner.js';
import { limitError } from './refusals.js';
import { duplicateId } from './replies.js';
import type { Running } from './running.js';
import { traceContextOf } from './trace-context.js';
import type { WireId } from './wire.js';

/** Told once when an observed call ends, with its outcome and duration. */
type CallEnd = (outcome: CallOutcome, durationMs: number) => void;

/** A call watched by an observer: when it started, and whom to tell when it ends. */
interface Watched {
  readonly end: CallEnd;
  readonly start: number;
}

const OK: CallOutcome = Object.freeze({ ok: true });
const CANCELLED: CallOutcome = Object.freeze({
  ok: false,
  code: ERROR_CODES.CANCELLED,
  name: 'CANCELLED',
});

/** Starts watching a call, if an observer watches calls. */
function watch(
  connection: Connection,
  path: string,
  procedure: AnyProcedure,
  request: object,
): Watched | undefined {
  const started = connection.config.observer?.callStarted;
  if (started === undefined) return undefined;
  const end = started({
    connectionId: connection.id,
    path,
    type: procedure.type as 'query' | 'mutation',
    trace: traceContextOf(request),
  });
  return typeof end === 'function' ? { end, start: performance.now() } : undefined;
}

/**
 * Runs a query or mutation and gives its answer: at once when the procedure is
 * synchronous throughout (no promise at all), else a promise of it. Never rejects.
 */
export function runCall(
  connection: Connection,
  id: WireId | undefined,
  procedure: AnyProcedure,
  path: string,
  input: unknown,
  fallbackInput: unknown[] | undefined,
  issueBudget: IssueBudget | undefined,
  request: object,
): Outcome | Promise<Outcome> {
  const { maxInFlight, maxIssues } = connection.config.limits;
  const table = connection.calls;
  if (table.calls >= maxInFlight) {
    connection.config.observer?.limitHit?.('maxInFlight', connection.id);
    const error = limitError(
      'TOO_MANY_REQUESTS',
      'maxInFlight',
      `Too many calls in flight: at most ${maxInFlight} per connection`,
    );
    if (id !== undefined) return connection.codec.error(id, error);
    // A notification cannot be answered; onError hears of it instead.
    report(connection, {
      error: VolleyError.fromErrorObject(error),
      connectionId: connection.id,
      path,
    });
    return undefined;
  }
  const running = table.begin(id, true);
  if (running === undefined) return duplicateId(connection.codec, id as WireId);
  const watched = connection.config.observer && watch(connection, path, procedure, request);
  let result: unknown;
  try {
    result = runProcedure(procedure, {
      path,
      ctx: connection.ctx,
      input,
      fallbackInput,
      abort: running,
      maxIssues,
      issueBudget,
    });
  } catch (error) {
    return answer(connection, id, running, procedure, path, input, true, error, watched);
  }
  if (!(result instanceof Promise)) {
    return answer(connection, id, running, procedure, path, input, false, result, watched);
  }
  return result.then(
    (value) => answer(connection, id, running, procedure, path, input, false, value, watched),
    (error: unknown) =>
      answer(connection, id, running, procedure, path, input, true, error, watched),
  );
}

/** A call has settled (`failed` says how): release it and make its answer. */
function answer(
  connection: Connection,
  id: WireId | undefined,
  running: Running,
  procedure: AnyProcedure,
  path: string,
  input: unknown,
  failed: boolean,
  value: unknown,
  watched: Watched | undefined,
): Outcome {
  connection.calls.end(id, running);
  // A cancelled call was answered by rpc.cancel already.
  if (running.cancelled) {
    watched?.end(CANCELLED, performance.now() - watched.start);
    return undefined;
  }
  let error = value;
  if (!failed) {
    try {
      const text = id === undefined ? undefined : connection.codec.result(id, value);
      watched?.end(OK, performance.now() - watched.start);
      return text;
    } catch (unencodable) {
      error = unencodable; // a result the codec cannot carry, such as a BigInt in JSON
    }
  }
  const object = errorObject(connection, error, path, procedure.type, input);
  if (watched !== undefined) {
    const name = (object.data as { code?: unknown } | undefined)?.code;
    watched.end(
      { ok: false, code: object.code, name: typeof name === 'string' ? name : 'INTERNAL_ERROR' },
      performance.now() - watched.start,
    );
  }
  return id === undefined ? undefined : connection.codec.error(id, object);
}
