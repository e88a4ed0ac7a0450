// Parses an admitted frame and routes each message in it: protocol methods (`rpc.*`) to
// their step, queries and mutations to the call step, subscriptions to the subscription
// step. Each step returns what to answer (an Outcome), which goes out from here, alone or
// in a batch.
import { checkRequest, inputFromParams, RESERVED_PREFIX, type RequestMessage } from '@volley/core';
import { runCall } from './calls.js';
import { isClientResponse } from './client-calls-wire.js';
import type { Frame } from './codec.js';
import type { Connection } from './connection.js';
import { reportInternal } from './error-mapping.js';
import { rawIds } from './frame-scan.js';
import { boundIssues, IssueBudget } from './issues.js';
import { protocolMethod } from './protocol-methods.js';
import { secondReading } from './protocol-params.js';
import { clip, EMPTY_BATCH, EMPTY_BATCH_TEXT, PARSE_ERROR_TEXT, protocolError } from './replies.js';
import { startSubscription } from './subscriptions.js';
import { decodeFrame, idOf, isInexact, PARSE_FAILED, type WireId, wireId } from './wire.js';

/**
 * An answer that has something to do once it is on its way: start a subscription's events
 * after its acknowledgement, or serve the frames that waited behind `rpc.auth`. In a
 * batch, it runs once the whole batch answer is sent.
 */
export class FollowUp {
  constructor(
    /** The response, or `undefined` when there is none (a notification). */
    readonly text: Frame | undefined,
    readonly after: () => void,
  ) {}
}

/** What a step gives back for one message: its response, a follow-up, or nothing to send. */
export type Outcome = Frame | FollowUp | undefined;

/** Sends one settled outcome. */
function send(connection: Connection, outcome: Outcome): void {
  if (outcome === undefined) return;
  if (outcome instanceof FollowUp) {
    if (outcome.text !== undefined) connection.outbound.send(outcome.text);
    outcome.after();
  } else connection.outbound.send(outcome);
}

/** Whether a message's id is a number a double does not hold exactly. */
function inexactId(value: unknown): boolean {
  return isInexact((value as { id?: unknown } | null)?.id);
}

/** One admitted text frame: a message or a batch. */
export function dispatchFrame(connection: Connection, text: string): void {
  const value = decodeFrame(text);
  // not JSON: {"jsonrpc":"2.0","id":null,"error":{"code":-32700,...}}
  if (value === PARSE_FAILED) {
    connection.outbound.send(PARSE_ERROR_TEXT);
    return;
  }
  dispatchValue(connection, value, text);
}

/** The ids' exact text, by position, from the frame they came in (JSON text or a binary codec's bytes). */
function rawIdsOf(connection: Connection, source: string | Uint8Array): Array<string | undefined> {
  return typeof source === 'string' ? rawIds(source) : connection.codec.rawIds(source);
}

/**
 * A decoded frame (from `source`, which gives ids their exact text when a number does
 * not hold them): a message or a batch.
 */
export function dispatchValue(
  connection: Connection,
  value: unknown,
  source: string | Uint8Array,
): void {
  // batch: [request, ...] → [response, ...]
  if (Array.isArray(value)) {
    dispatchBatch(connection, value, source);
    return;
  }
  const outcome = dispatchOne(
    connection,
    value,
    inexactId(value) ? rawIdsOf(connection, source)[0] : undefined,
  );
  if (outcome instanceof Promise) {
    outcome.then(
      (settled) => send(connection, settled),
      (error: unknown) => reportInternal(connection, error),
    );
  } else send(connection, outcome);
}

function dispatchBatch(
  connection: Connection,
  items: unknown[],
  source: string | Uint8Array,
): void {
  if (items.length === 0) {
    connection.outbound.send(
      connection.codec.binary ? connection.codec.error(null, EMPTY_BATCH) : EMPTY_BATCH_TEXT,
    );
    return;
  }
  const raw = items.some(inexactId) ? rawIdsOf(connection, source) : undefined;
  // All members' errors share one budget of issues, so that a batch of many small
  // failing members is not answered many times over its size.
  const budget = new IssueBudget(source.length, connection.config.limits.maxIssues);
  const outcomes = items.map((item, index) => dispatchOne(connection, item, raw?.[index], budget));
  Promise.all(outcomes).then(
    (settled) => {
      const texts: Frame[] = [];
      const followUps: FollowUp[] = [];
      for (const outcome of settled) {
        if (outcome instanceof FollowUp) {
          if (outcome.text !== undefined) texts.push(outcome.text);
          followUps.push(outcome);
        } else if (outcome !== undefined) texts.push(outcome);
      }
      // A batch of notifications only gets no reply at all (spec, section 6).
      if (texts.length > 0) connection.outbound.send(connection.codec.batch(texts));
      for (const followUp of followUps) followUp.after();
    },
    (error: unknown) => reportInternal(connection, error),
  );
}

/**
 * Routes one message. `rawId` is the id's text as sent, when the parsed number is not
 * exact; `budget` bounds the issues of a batch's members together. Never throws or rejects.
 */
function dispatchOne(
  connection: Connection,
  value: unknown,
  rawId: string | undefined,
  budget?: IssueBudget,
): Outcome | Promise<Outcome> {
  // a response to a server-to-client call: {"jsonrpc":"2.0","id":"s1","result":...}
  if (isClientResponse(value)) {
    connection.respond(value);
    return undefined;
  }
  const issues = checkRequest(value);
  // not a request: {"jsonrpc":"2.0","id":<id or null>,"error":{"code":-32600,...}}
  if (issues !== undefined) {
    const { maxIssues } = connection.config.limits;
    return connection.codec.error(
      idOf(value, rawId),
      protocolError('INVALID_REQUEST', boundIssues(issues, maxIssues, budget)),
    );
  }
  const request = value as RequestMessage;
  const { method, params } = request;
  const id: WireId | undefined = wireId(request.id, rawId);
  if (method.startsWith(RESERVED_PREFIX)) return protocolMethod(connection, request, id);
  const procedure = connection.config.procedures.get(method);
  if (procedure === undefined) {
    // notification to an unknown method: no reply (spec, section 4.1)
    if (id === undefined) return undefined;
    return connection.codec.error(
      id,
      protocolError('METHOD_NOT_FOUND', [
        { path: ['method'], message: `No procedure "${clip(method)}"` },
      ]),
    );
  }
  const input = inputFromParams(params);
  const fallback = secondReading(params);
  return procedure.type === 'subscription'
    ? startSubscription(connection, id, procedure, method, input, fallback, undefined, budget)
    : runCall(connection, id, procedure, method, input, fallback, budget, request);
}
