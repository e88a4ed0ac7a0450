// The Volley router under test: greet with a zod input, and a fan-out subscription
// that returns a topic of the server's pub/sub, as an application would write them.
import { initVolley } from '@volley/core';
import { createPubSub, type PubSub } from '@volley/server';
import { z } from 'zod';
import type { FanOutEvent } from './target.js';

/** Counts live subscriptions, so the bench knows when every subscriber listens. */
export interface Listening {
  count: number;
}

/**
 * Builds the router over `events` (the scale workloads pass one on a Redis engine).
 * Subscriptions are counted when the resolver returns the topic stream: the server
 * starts the stream (joining the topic) in the same turn, before the bench can ask for
 * the count and publish.
 */
export function createVolleyRouter(events: PubSub<{ t: FanOutEvent }>, listening: Listening) {
  const v = initVolley();
  return v.router({
    greet: v.procedure
      .input(z.object({ name: z.string() }))
      .query(({ input }) => `Hello, ${input.name}`),
    // The binary workload: bytes back as they came, over MessagePack ...
    echoBytes: v.procedure
      .input(z.custom<Uint8Array>((value) => value instanceof Uint8Array))
      .mutation(({ input }) => input),
    // ... and as base64 text, what a JSON client has to do.
    echoBase64: v.procedure.input(z.string()).mutation(({ input }) => input),
    events: v.procedure.subscription(({ signal }) => {
      listening.count++;
      signal.addEventListener('abort', () => listening.count--, { once: true });
      return events.subscribe('t', { signal });
    }),
  });
}

/** Live subscriptions of {@link volleyRouter}. */
export const listening: Listening = { count: 0 };

export const events = createPubSub<{ t: FanOutEvent }>();

export const volleyRouter = createVolleyRouter(events, listening);

export type VolleyRouter = typeof volleyRouter;
