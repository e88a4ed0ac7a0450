// Delivers an acknowledged subscription's events to its connection: pushed as they come
// (a Pushable stream), or pulled one at a time (any other). Either way it holds back
// while the peer is behind, and resolves once the stream is over, with why it failed
// (`undefined` when it ended or was stopped); the subscription step then ends it.
// {"method":"rpc.event","params":{"subscription":2,"eventId"?:"...","data":...}}
import { type AnyProcedure, isTracked, PUSHABLE, type Pushable } from '@volley/core';
import type { Connection } from './connection.js';
import { checkEvent } from './procedure-runner.js';
import { SharedEvent } from './pubsub/shared-event.js';
import type { Running } from './running.js';
import type { WireId } from './wire.js';

/**
 * Pulls a stream one event at a time, checking each against the procedure's output
 * schema if it has one, and stops pulling while the peer is behind.
 */
export async function pull(
  connection: Connection,
  id: WireId,
  running: Running,
  procedure: AnyProcedure,
  iterable: AsyncIterable<unknown>,
  path: string,
): Promise<unknown> {
  const { maxIssues } = connection.config.limits;
  const { codec, outbound } = connection;
  let iterator: AsyncIterator<unknown> | undefined;
  let finished = false;
  try {
    iterator = iterable[Symbol.asyncIterator]();
    running.iterator = iterator;
    while (!running.aborted) {
      // A peer that reads slowly is not sent more than it can take: wait until it drains.
      const drained = outbound.drained;
      if (drained !== undefined) await drained;
      const step = await iterator.next();
      if (step.done) {
        finished = true;
        break;
      }
      if (running.aborted) break;
      let data = step.value;
      let eventId: string | undefined;
      if (isTracked(data)) {
        eventId = data.id;
        data = data.data;
      }
      if (procedure.def.output !== undefined) data = await checkEvent(procedure, data, maxIssues);
      outbound.send(codec.event(id, data, eventId));
      connection.config.observer?.eventsDelivered?.(connection.id, path, 1);
    }
    if (!finished) {
      finished = true;
      await iterator.return?.();
    }
    return undefined;
  } catch (error) {
    if (!finished && iterator !== undefined) {
      // The failure was ours (say, an event that would not encode): stop the generator.
      await Promise.resolve(iterator.return?.()).catch(() => {});
    }
    return error;
  }
}

/**
 * Takes a Pushable stream's events as they are published, with no promise per event. A
 * pub/sub event arrives as a {@link SharedEvent}, whose encoded tail all its subscribers
 * share; this subscription's head is encoded once. While the peer is behind, the stream
 * holds its events (under its overflow policy) until the socket drains.
 */
export function push(
  connection: Connection,
  id: WireId,
  running: Running,
  iterable: AsyncIterable<unknown> & Pushable<unknown>,
  path: string,
): Promise<unknown> {
  const { codec, outbound } = connection;
  const head = codec.eventHead(id);
  const iterator = iterable[Symbol.asyncIterator]();
  running.iterator = iterator;
  /** An event that would not encode: the subscription fails with it. */
  let failure: unknown;
  return new Promise((resolve) => {
    const control = iterable[PUSHABLE]({
      event: (item) => {
        if (running.aborted || failure !== undefined) return true;
        try {
          if (item instanceof SharedEvent)
            outbound.sendJoined(head, item.tail(codec), codec.binary);
          else
            outbound.send(
              codec.event(
                id,
                isTracked(item) ? item.data : item,
                isTracked(item) ? item.id : undefined,
              ),
            );
        } catch (error) {
          failure = error;
          iterator.return?.()?.catch(() => {});
          return true;
        }
        connection.config.observer?.eventsDelivered?.(connection.id, path, 1);
        const drained = outbound.drained;
        if (drained === undefined) return true;
        drained.then(() => control.resume());
        return false;
      },
      end: (error) => resolve(failure ?? error),
      dropped: (count) => {
        const observer = connection.config.observer;
        if (observer === undefined) return;
        observer.limitHit?.('maxBuffered', connection.id);
        observer.eventsDropped?.(connection.id, path, count);
      },
    });
  });
}
