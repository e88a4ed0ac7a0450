// A subscription: registered in the call table, its stream made by the procedure runner,
// started where a resuming client left off (when the stream is Resumable), acknowledged,
// then delivered (pushed or pulled) until it ends with one `rpc.complete` or `rpc.error`.
// {"id":2,"method":"ticks"} → {"id":2,"result":{"subscription":2}}, then rpc.event
// notifications, then one rpc.complete or rpc.error.
import {
  type AnyProcedure,
  PUSHABLE,
  type Pushable,
  RESUMABLE,
  type Resumable,
  VolleyError,
} from '@volley/core';
import { CloseConnectionError } from './close-connection.js';
import type { Connection } from './connection.js';
import { pull, push } from './delivery.js';
import { FollowUp, type Outcome } from './dispatch.js';
import { errorObject, report, toErrorObject } from './error-mapping.js';
import type { IssueBudget } from './issues.js';
import { runProcedure } from './procedure-runner.js';
import { TopicStream } from './pubsub/topic-stream.js';
import { limitError } from './refusals.js';
import { duplicateId } from './replies.js';
import type { Running } from './running.js';
import type { WireId } from './wire.js';

/** What `rpc.resume` asks for: the client's position, when it had one. */
export interface ResumeRequest {
  lastEventId: string | undefined;
}

/**
 * Starts a subscription and gives its acknowledgement, whose follow-up starts delivery
 * once the acknowledgement is on its way. Never rejects.
 */
export async function startSubscription(
  connection: Connection,
  id: WireId | undefined,
  procedure: AnyProcedure,
  path: string,
  input: unknown,
  fallbackInput: unknown[] | undefined,
  resume?: ResumeRequest,
  issueBudget?: IssueBudget,
): Promise<Outcome> {
  if (id === undefined || id === null) {
    const error = new VolleyError({
      code: 'INVALID_REQUEST',
      issues: [
        { path: ['id'], message: `Subscription "${path}" needs a request id that is not null` },
      ],
    });
    // A notification cannot be answered; onError hears of it instead.
    if (id === undefined) {
      report(connection, {
        error,
        connectionId: connection.id,
        path,
        type: 'subscription',
        input,
      });
      return undefined;
    }
    return connection.codec.error(null, toErrorObject(error));
  }
  const { maxSubscriptions, maxIssues } = connection.config.limits;
  if ((connection.callTable?.subscriptions ?? 0) >= maxSubscriptions) {
    connection.config.observer?.limitHit?.('maxSubscriptions', connection.id);
    return connection.codec.error(
      id,
      limitError(
        'TOO_MANY_REQUESTS',
        'maxSubscriptions',
        `Too many subscriptions: at most ${maxSubscriptions} per connection`,
      ),
    );
  }
  const running = connection.calls.begin(id, false);
  if (running === undefined) return duplicateId(connection.codec, id);
  let iterable: AsyncIterable<unknown>;
  let position: string | undefined;
  let recovered: boolean | undefined;
  try {
    iterable = (await runProcedure(procedure, {
      path,
      ctx: connection.ctx,
      input,
      fallbackInput,
      abort: running,
      lastEventId: resume?.lastEventId,
      maxIssues,
      issueBudget,
    })) as AsyncIterable<unknown>;
    // A resumable stream (a pub/sub topic) starts where the client left off, whether or
    // not the procedure passed `lastEventId` on, and says where it starts. It counts as
    // recovered only if it really starts at the client's position. Any other stream
    // cannot resume.
    if (RESUMABLE in iterable) {
      const state = await (iterable as AsyncIterable<unknown> & Resumable)[RESUMABLE](
        resume?.lastEventId,
      );
      position = state.position;
      if (resume !== undefined) {
        recovered =
          state.recovered &&
          resume.lastEventId !== undefined &&
          state.position === resume.lastEventId;
      }
    } else if (resume !== undefined) recovered = false;
  } catch (error) {
    connection.calls.end(id, running);
    if (running.cancelled) return undefined;
    return connection.codec.error(id, errorObject(connection, error, path, 'subscription', input));
  }
  if (running.aborted) {
    // Cancelled or disconnected while it was being set up: release, never start.
    connection.calls.end(id, running);
    iterable[Symbol.asyncIterator]()
      .return?.()
      ?.catch(() => {});
    return undefined;
  }
  running.acked = true;
  return new FollowUp(connection.codec.ack(id, position, recovered), () => {
    // Read at the start: the subscription is closed for whoever saw it open.
    const observer = connection.config.observer;
    const topic = observer === undefined ? undefined : topicOf(iterable);
    observer?.subscriptionOpened?.(connection.id, path, topic);
    // A pushable stream (a pub/sub topic), with no output schema to check each event
    // against, hands its events over as they are published: no promise per event.
    const delivered =
      PUSHABLE in iterable && procedure.def.output === undefined
        ? push(
            connection,
            id,
            running,
            iterable as AsyncIterable<unknown> & Pushable<unknown>,
            path,
          )
        : pull(connection, id, running, procedure, iterable, path);
    running.pump = delivered.then((failure) => {
      finish(connection, id, running, failure, path);
      observer?.subscriptionClosed?.(connection.id, path, topic);
    });
  });
}

/** The topic of a pub/sub topic stream, for observers; `undefined` for any other stream. */
function topicOf(iterable: AsyncIterable<unknown>): string | undefined {
  return iterable instanceof TopicStream ? iterable.topic : undefined;
}

/**
 * A subscription's stream is over: {"method":"rpc.complete","params":{"subscription":2}}
 * when it ran out or was stopped, else {"method":"rpc.error","params":{"subscription":2,"error":{...}}}.
 */
function finish(
  connection: Connection,
  id: WireId,
  running: Running,
  error: unknown,
  path: string,
): void {
  connection.calls.end(id, running);
  // Throwing on abort (an AbortError from a timer, say) is how generators stop.
  if (error === undefined || running.aborted) {
    connection.outbound.send(connection.codec.complete(id));
    return;
  }
  // The stream asks for the whole connection to go (a slow consumer, lost events): the
  // client reconnects and resumes.
  if (error instanceof CloseConnectionError) {
    report(connection, { error, connectionId: connection.id, path, type: 'subscription' });
    connection.close(error.closeCode, error.message);
    return;
  }
  connection.outbound.send(
    connection.codec.subscriptionError(
      id,
      errorObject(connection, error, path, 'subscription', undefined),
    ),
  );
}
