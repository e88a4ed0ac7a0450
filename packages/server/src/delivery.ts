import {
  type AnyProcedure,
  checkEvent,
  createEventEncoder,
  encodeEventTail,
  isTracked,
  stringifyValue,
} from '@volley/core';
import { encodedTail, encodedTailBytes, type TopicSource } from './pubsub.js';
import type { Running } from './running.js';

/** What delivering a subscription's events needs from its connection. */
export interface DeliveryHost {
  /** Sends one frame (and starts holding back if the peer is behind). */
  send(text: string): void;
  /** The same, for a frame that is `head` then `tail`, already UTF-8. */
  sendJoined(head: Buffer, tail: Buffer): void;
  /** While the peer is behind: a promise that resolves once it has caught up. */
  drained(): Promise<void> | undefined;
  /**
   * The stream is over, and `running` released: sends `rpc.complete`, or `rpc.error`
   * with `error` when it failed.
   */
  finish(id: string | number, running: Running, error: unknown, path: string): void;
}

/** One acknowledged subscription. */
export interface Delivery {
  id: string | number;
  running: Running;
  procedure: AnyProcedure;
  path: string;
}

/**
 * Pulls a stream one event at a time, checking each against the procedure's output
 * schema if it has one, and stops pulling while the peer is behind. Resolves once the
 * stream has ended (its `finally` included) and the end is sent.
 */
export async function pull(
  host: DeliveryHost,
  { id, running, procedure, path }: Delivery,
  iterable: AsyncIterable<unknown>,
): Promise<void> {
  const encode = createEventEncoder(id);
  const { output } = procedure.def;
  let iterator: AsyncIterator<unknown> | undefined;
  let finished = false;
  let failure: unknown;
  try {
    iterator = iterable[Symbol.asyncIterator]();
    running.iterator = iterator;
    while (!running.aborted) {
      // A peer that reads slowly is not sent more than it can take: wait until it drains.
      const drained = host.drained();
      if (drained !== undefined) await drained;
      const step = await iterator.next();
      if (step.done) {
        finished = true;
        break;
      }
      if (running.aborted) break;
      // {"method":"rpc.event","params":{"subscription":2,"eventId"?:"...","data":...}}
      // A topic event's id and data are encoded once for all its subscribers.
      const shared = output === undefined ? encodedTail(step.value) : undefined;
      if (shared !== undefined) {
        host.send(encode(shared));
        continue;
      }
      let data = step.value;
      let eventId: string | undefined;
      if (isTracked(data)) {
        eventId = data.id;
        data = data.data;
      }
      if (output !== undefined) data = await checkEvent(procedure, data);
      host.send(encode(encodeEventTail(stringifyValue(data), eventId)));
    }
    if (!finished) {
      finished = true;
      await iterator.return?.();
    }
  } catch (error) {
    failure = error;
    if (!finished && iterator !== undefined) {
      // The failure was ours (say, an event that would not encode): stop the generator.
      await Promise.resolve(iterator.return?.()).catch(() => {});
    }
  }
  host.finish(id, running, failure, path);
}

/**
 * Delivers a pub/sub topic's stream in push mode: each event is sent as it is
 * published, with no promise per event; while the peer is behind, the topic holds its
 * events (under its overflow policy) until the socket drains. Resolves once the stream
 * has ended and the end is sent.
 */
export function push(
  host: DeliveryHost,
  { id, running, path }: Delivery,
  iterable: AsyncIterable<unknown>,
  source: TopicSource,
): Promise<void> {
  // The envelope's head is this subscription's, its tail the event's: each is encoded to
  // bytes once (the tail once for all subscribers), and a frame is the two back to back.
  const head = Buffer.from(createEventEncoder(id)(''));
  const iterator = iterable[Symbol.asyncIterator]();
  running.iterator = iterator;
  /** An event that would not encode: the subscription fails with it. */
  let failure: unknown;
  return new Promise((resolve) => {
    source.attach({
      // {"method":"rpc.event","params":{"subscription":2,"eventId":"...","data":...}}
      event: (item) => {
        if (running.aborted || failure !== undefined) return true;
        let tail: Buffer;
        try {
          tail = encodedTailBytes(item) as Buffer;
        } catch (error) {
          failure = error;
          iterator.return?.()?.catch(() => {});
          return true;
        }
        host.sendJoined(head, tail);
        const drained = host.drained();
        if (drained === undefined) return true;
        drained.then(() => source.resume());
        return false;
      },
      end: (error) => {
        host.finish(id, running, failure ?? error, path);
        resolve();
      },
    });
  });
}
