// The Volley router under test: greet with a zod input, and a fan-out subscription
// that yields from the server's pub/sub, as an application would write them.
import { initVolley } from '@volley/core';
import { createPubSub } from '@volley/server';
import { z } from 'zod';
import type { FanOutEvent } from './target.js';

export const events = createPubSub<{ t: FanOutEvent }>();

/** Subscriptions currently inside `events.subscribe`, so the bench knows when all are listening. */
export const listening = { count: 0 };

const v = initVolley();

export const volleyRouter = v.router({
  greet: v.procedure
    .input(z.object({ name: z.string() }))
    .query(({ input }) => `Hello, ${input.name}`),
  events: v.procedure.subscription(async function* ({ signal }) {
    // subscribe() registers its listener at once, so counting after it is safe.
    const topic = events.subscribe('t', { signal });
    listening.count++;
    try {
      yield* topic;
    } finally {
      listening.count--;
    }
  }),
});

export type VolleyRouter = typeof volleyRouter;
