// The Volley router under test: greet with a zod input, and a fan-out subscription
// that returns a topic of the server's pub/sub, as an application would write them.
import { initVolley, type PubSubEngine } from '@volley/core';
import { createMemoryEngine, createPubSub } from '@volley/server';
import { z } from 'zod';
import type { FanOutEvent } from './target.js';

/** Listeners on the engine, so the bench knows when every subscriber is listening. */
export const listening = { count: 0 };

// Counted at the engine, so that the subscription below stays as an application writes it.
const memory = createMemoryEngine();
const engine: PubSubEngine = {
  ...memory,
  subscribe(topic, listener) {
    const unsubscribe = memory.subscribe(topic, listener);
    listening.count++;
    return () => {
      listening.count--;
      unsubscribe();
    };
  },
};

export const events = createPubSub<{ t: FanOutEvent }>({ engine });

const v = initVolley();

export const volleyRouter = v.router({
  greet: v.procedure
    .input(z.object({ name: z.string() }))
    .query(({ input }) => `Hello, ${input.name}`),
  events: v.procedure.subscription(({ signal, lastEventId }) =>
    events.subscribe('t', { signal, lastEventId }),
  ),
});

export type VolleyRouter = typeof volleyRouter;
