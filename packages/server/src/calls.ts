// A query or a mutation: registered in the call table (the duplicate-id and `maxInFlight`
// checks), run by the procedure runner, and answered.
// {"id":1,"method":"greet","params":{...}} → {"id":1,"result":...}
import { type AnyProcedure, VolleyError } from '@volley/core';
import type { Connection } from './connection.js';
import type { Outcome } from './dispatch.js';
import { errorObject, report } from './error-mapping.js';
import { runProcedure } from './procedure-runner.js';
import { limitError } from './refusals.js';
import { duplicateId } from './replies.js';
import type { Running } from './running.js';
import type { WireId } from './wire.js';

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
): Outcome | Promise<Outcome> {
  const { maxInFlight, maxIssues } = connection.config.limits;
  const table = connection.calls;
  if (table.calls >= maxInFlight) {
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
  let result: unknown;
  try {
    result = runProcedure(procedure, {
      path,
      ctx: connection.ctx,
      input,
      fallbackInput,
      abort: running,
      maxIssues,
    });
  } catch (error) {
    return answer(connection, id, running, procedure, path, input, true, error);
  }
  if (!(result instanceof Promise)) {
    return answer(connection, id, running, procedure, path, input, false, result);
  }
  return result.then(
    (value) => answer(connection, id, running, procedure, path, input, false, value),
    (error: unknown) => answer(connection, id, running, procedure, path, input, true, error),
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
): Outcome {
  connection.calls.end(id, running);
  // A cancelled call was answered by rpc.cancel already.
  if (running.cancelled) return undefined;
  let error = value;
  if (!failed) {
    if (id === undefined) return undefined;
    try {
      return connection.codec.result(id, value);
    } catch (unencodable) {
      error = unencodable; // a result the codec cannot carry, such as a BigInt in JSON
    }
  }
  const object = errorObject(connection, error, path, procedure.type, input);
  return id === undefined ? undefined : connection.codec.error(id, object);
}
