// The same router in tRPC v11: greet with a zod input, and an async-generator
// subscription over an EventEmitter, the pattern tRPC's documentation shows.
import { EventEmitter, on } from 'node:events';
import { initTRPC } from '@trpc/server';
import { z } from 'zod';
import type { FanOutEvent } from './target.js';

export const emitter = new EventEmitter();
emitter.setMaxListeners(0);

/** Subscriptions currently listening on the emitter, so the bench knows when all are. */
export const listening = { count: 0 };

const t = initTRPC.create();

export const trpcRouter = t.router({
  greet: t.procedure
    .input(z.object({ name: z.string() }))
    .query(({ input }) => `Hello, ${input.name}`),
  events: t.procedure.subscription(async function* ({ signal }) {
    // on() adds its listener at once, so counting after it is safe.
    const topic = on(emitter, 'event', { signal });
    listening.count++;
    try {
      for await (const [event] of topic) yield event as FanOutEvent;
    } finally {
      listening.count--;
    }
  }),
});

export type TrpcRouter = typeof trpcRouter;
