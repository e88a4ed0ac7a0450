import { paramsFromInput, type SubscriptionAck } from '@volley/core';
import { onAbort } from './abort.js';
import type { EncodeRequest } from './codec.js';
import { ResyncRequiredError } from './errors.js';
import { Method } from './protocol.js';
import type { PendingRequest } from './request-table.js';
import {
  createSubscription,
  type SubscribeOptions,
  type Subscription,
  type SubscriptionSink,
} from './subscription.js';

/** A live subscription, as the client tracks it across connections. */
interface LiveSubscription extends SubscriptionSink {
  /** Starts it again on a new connection with `rpc.resume`, from its position. */
  _resume(): void;
}

/**
 * The client's live subscriptions by id. It is a `Map` for reading (`size`, and `get` to
 * deliver what the server sends one); change it only through these methods.
 */
export interface SubscriptionTable extends ReadonlyMap<unknown, SubscriptionSink> {
  /**
   * Starts subscription `id` and returns it. It fails at once with `refusal` when one is
   * given (the client is closed, or the server unreachable), or with the `TypeError` of an
   * input that is not JSON; an aborted `signal` ends it quietly at once.
   */
  _start(
    id: number,
    path: string,
    input: unknown,
    options: SubscribeOptions<unknown>,
    refusal: Error | undefined,
  ): Subscription<unknown>;
  /**
   * The connection dropped: every acknowledged subscription (one whose request no longer
   * `waits`) resumes on the next connection with `rpc.resume`, from its position.
   */
  _resume(waits: (id: number) => boolean): void;
  /** Forgets every live subscription and returns them, to be failed. */
  _drain(): SubscriptionSink[];
}

/**
 * The subscription table: the live subscriptions, their resume positions, `rpc.resume`
 * after a drop, and what an acknowledgement means. A resumed subscription counts as
 * recovered only when the server says so and starts where the client asked
 * (`lastEventId` equal to the position sent); otherwise events may be missing, and its
 * `onResumed` hears `{ recovered: false }`, or, without one, it fails with
 * `ResyncRequiredError`.
 *
 * What it needs from the client: `enqueue` queues a subscription's request (its start, or
 * `rpc.resume`) for its acknowledgement; `cancel` tells the server to stop one
 * (`rpc.cancel`); `ended` hears that one ended, so that its request, if one still waits,
 * is dropped.
 */
export function createSubscriptionTable(
  enqueue: (id: number, request: PendingRequest) => void,
  cancel: (id: number) => void,
  ended: (id: number) => void,
  /** The codec's request encoder (`encodeRequest` for JSON). */
  encode: EncodeRequest,
): SubscriptionTable {
  const live = new Map<number, LiveSubscription>();
  const methods: Omit<SubscriptionTable, keyof ReadonlyMap<unknown, unknown>> = {
    _start(id, path, input, options, refusal) {
      const { signal, onResumed } = options;
      let off: (() => void) | undefined;
      const [subscription, sink] = createSubscription(options, (unsubscribed) => {
        off?.();
        live.delete(id);
        if (unsubscribed) cancel(id);
        ended(id);
      });

      /**
       * Sends (or, after a lost connection, re-sends) the subscription and awaits its ack.
       * `resumed`: sent as `rpc.resume` from position `from`.
       */
      const send = (frame: string | Uint8Array, resumed?: boolean, from?: string) =>
        enqueue(id, {
          _frame: frame,
          _retriable: true,
          _resuming: resumed,
          _path: path,
          _timeoutMs: options.timeoutMs,
          // The result as the server sent it: each member is tested before it is used.
          _resolve: (ack: SubscriptionAck | undefined) => {
            // A server that says it recovered from another position than ours would leave
            // a gap: only the position we sent counts.
            const recovered = ack?.recovered === true && ack.lastEventId === from;
            if (typeof ack?.lastEventId === 'string' && !recovered)
              sink._position = ack.lastEventId;
            if (!resumed) return options.onStarted?.();
            if (onResumed) onResumed({ recovered });
            else if (!recovered && from !== undefined) {
              // Events may be missing and nobody is listening for it: fail rather than go on
              // with a gap.
              cancel(id);
              sink._fail(new ResyncRequiredError(sink._position));
            }
          },
          _reject: sink._fail,
        });

      const params = paramsFromInput(input);
      if (signal?.aborted) sink._complete();
      else {
        try {
          if (refusal) throw refusal;
          // A TypeError when the input is not JSON (a BigInt, a cycle).
          const frame = encode(id, path, params);
          (sink as LiveSubscription)._resume = () => {
            const from = sink._position;
            // JSON leaves out the members that are undefined.
            send(
              encode(id, Method.RESUME, { method: path, params, lastEventId: from }),
              true,
              from,
            );
          };
          live.set(id, sink as LiveSubscription);
          off = onAbort(signal, subscription.unsubscribe);
          send(frame);
        } catch (error) {
          sink._fail(error);
        }
      }
      return subscription;
    },
    _resume(waits) {
      for (const [id, subscription] of live) if (!waits(id)) subscription._resume();
    },
    _drain() {
      const sinks = [...live.values()];
      live.clear();
      return sinks;
    },
  };
  return Object.assign(live as Map<unknown, LiveSubscription>, methods);
}
