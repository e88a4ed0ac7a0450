// The protocol's own methods, under the reserved `rpc.` prefix.
import {
  ERROR_CODES,
  inputFromParams,
  METHODS,
  type RequestMessage,
  toVolleyError,
} from '@volley/core';
import type { Frame } from './codec.js';
import type { Connection } from './connection.js';
import { FollowUp, type Outcome } from './dispatch.js';
import { report, toErrorObject } from './error-mapping.js';
import { Handshake } from './handshake.js';
import { boundIssues } from './issues.js';
import {
  CANCEL_NEEDS_ID,
  cancelTarget,
  connectionParamsOf,
  parseResume,
  secondReading,
} from './protocol-params.js';
import { clip, protocolError } from './replies.js';
import { startSubscription } from './subscriptions.js';
import type { WireId } from './wire.js';

/** Answers a protocol method. Never throws or rejects. */
export function protocolMethod(
  connection: Connection,
  request: RequestMessage,
  id: WireId | undefined,
): Outcome | Promise<Outcome> {
  switch (request.method) {
    // {"id":1,"method":"rpc.cancel","params":{"id":2}}: stop call or subscription 2.
    case METHODS.CANCEL:
      return cancel(connection, request, id);
    // {"id":4,"method":"rpc.resume","params":{"method":"feed","params":...,"lastEventId":"..."}}
    // → {"id":4,"result":{"subscription":4,"recovered":true,"lastEventId":"..."}}
    case METHODS.RESUME:
      return resume(connection, request, id);
    // {"id":6,"method":"rpc.auth","params":{"connectionParams":...}} → {"id":6,"result":true}
    case METHODS.AUTH:
      return auth(connection, request, id);
    // {"id":3,"method":"rpc.discover"} → {"id":3,"result":{"openrpc":"1.3.2",...}}, unless off.
    case METHODS.DISCOVER:
      if (connection.config.discovery === undefined) return noSuchMethod(connection, request, id);
      return connection.config.discovery.answer(connection, id);
    // {"id":5,"method":"rpc.ping"} → {"id":5,"result":"pong"}: the client's heartbeat.
    case METHODS.PING:
      return id === undefined ? undefined : connection.codec.result(id, 'pong');
    // rpc.init after the first frame (the handshake answers the first): the connection is
    // already set up.
    case METHODS.INIT:
      if (id === undefined) return undefined;
      return connection.codec.error(
        id,
        protocolError('INVALID_REQUEST', [
          { path: ['method'], message: 'rpc.init must be the first message of a connection' },
        ]),
      );
    default:
      return noSuchMethod(connection, request, id);
  }
}

function noSuchMethod(
  connection: Connection,
  request: RequestMessage,
  id: WireId | undefined,
): Outcome {
  if (id === undefined) return undefined;
  return connection.codec.error(
    id,
    protocolError('METHOD_NOT_FOUND', [
      { path: ['method'], message: `No protocol method "${clip(request.method)}"` },
    ]),
  );
}

function resume(
  connection: Connection,
  request: RequestMessage,
  id: WireId | undefined,
): Outcome | Promise<Outcome> {
  const resumed = parseResume(request.params);
  if (Array.isArray(resumed)) {
    if (id === undefined) return undefined;
    const { maxIssues } = connection.config.limits;
    return connection.codec.error(
      id,
      protocolError('INVALID_PARAMS', boundIssues(resumed, maxIssues)),
    );
  }
  const { method, params, lastEventId } = resumed;
  const procedure = connection.config.procedures.get(method);
  if (procedure?.type !== 'subscription') {
    if (id === undefined) return undefined;
    return connection.codec.error(
      id,
      protocolError('METHOD_NOT_FOUND', [
        { path: ['params', 'method'], message: `No subscription "${clip(method)}"` },
      ]),
    );
  }
  const fallback = secondReading(params);
  return startSubscription(connection, id, procedure, method, inputFromParams(params), fallback, {
    lastEventId,
  });
}

function cancel(connection: Connection, request: RequestMessage, id: WireId | undefined): Outcome {
  const target = cancelTarget(request.params);
  if (target === undefined) {
    return id === undefined
      ? undefined
      : connection.codec.error(id, protocolError('INVALID_PARAMS', CANCEL_NEEDS_ID));
  }
  const running = connection.callTable?.get(target);
  if (running !== undefined && !running.cancelled) {
    running.cancelled = !running.acked;
    running.stop();
    // A call (or a subscription not yet acknowledged) is answered now, once.
    if (running.cancelled) {
      connection.outbound.send(
        connection.codec.error(running.id ?? target, {
          code: ERROR_CODES.CANCELLED,
          message: 'Cancelled',
          data: { code: 'CANCELLED' },
        }),
      );
    }
  }
  return id === undefined ? undefined : connection.codec.result(id, running !== undefined);
}

/**
 * Builds the context anew from fresh connection params (a refreshed token), for the
 * calls that follow; those already running keep theirs. Frames that arrive meanwhile
 * wait, as before acceptance. A refusal (`UNAUTHORIZED` or `FORBIDDEN` from
 * `createContext`) is answered with that error and leaves the context as it was.
 */
async function auth(
  connection: Connection,
  request: RequestMessage,
  id: WireId | undefined,
): Promise<Outcome> {
  const waiting = Handshake.reauth(connection);
  let text: Frame | undefined;
  try {
    connection.accept(await connection.makeContext(connectionParamsOf(request.params), connection));
    if (id !== undefined) text = connection.codec.result(id, true);
  } catch (error) {
    const volleyError = toVolleyError(error);
    const refused = volleyError.code === 'UNAUTHORIZED' || volleyError.code === 'FORBIDDEN';
    if (!refused) report(connection, { error: volleyError, connectionId: connection.id });
    if (id !== undefined) {
      text = connection.codec.error(
        id,
        refused ? toErrorObject(volleyError) : protocolError('INTERNAL_ERROR'),
      );
    }
  }
  // Serve what waited once this answer is on its way.
  return new FollowUp(text, () => waiting.done());
}
