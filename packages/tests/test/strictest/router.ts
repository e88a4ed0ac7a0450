// A server's router as a user on @tsconfig/strictest writes it: inputs with optional and
// defaulted keys, output schemas, middleware (inline and reusable), nested routers and
// plain objects, and subscriptions from a generator and from a pub/sub topic.
import {
  type inferRouterInputs,
  type inferRouterOutputs,
  initVolley,
  tracked,
  VolleyError,
} from '@volley/core';
import { createPubSub } from '@volley/server';
import { z } from 'zod';

export interface User {
  id: string;
  name: string;
  admin: boolean;
}

export interface Context {
  user: User | null;
  /** Set only when the request carried one: optional, as under exactOptionalPropertyTypes. */
  requestId?: string;
}

export interface ChatMessage {
  room: string;
  text: string;
  at: Date;
}

const v = initVolley<Context>();

export const rooms = createPubSub<{ [topic: `room:${string}`]: ChatMessage }>();

const authed = v.procedure.use(async ({ ctx, next }) => {
  if (ctx.user === null) throw new VolleyError({ code: 'UNAUTHORIZED', message: 'Sign in first' });
  return next({ ctx: { user: ctx.user } });
});

const admin = authed.use(async ({ ctx, next }) => {
  if (!ctx.user.admin) throw new VolleyError({ code: 'FORBIDDEN' });
  return next();
});

const timed = v.middleware(async ({ path, next }) => {
  const started = performance.now();
  try {
    return await next({ ctx: { startedAt: started } });
  } finally {
    void path;
  }
});

/** A VolleyError whose optional members come from values that may be absent. */
function notFound(message: string | undefined, cause: unknown, limit?: string): VolleyError {
  return new VolleyError({ code: 'NOT_FOUND', message, cause, data: { limit }, limit });
}

export const appRouter = v.router({
  echo: v.procedure.input(z.string()).query(({ input }) => input),
  greet: v.procedure
    .input(z.object({ name: z.string().min(1), title: z.string().optional() }))
    .query(
      ({ input }) => `Hello, ${input.title === undefined ? '' : `${input.title} `}${input.name}`,
    ),
  page: v.procedure
    .input(z.object({ limit: z.number().int().default(10), cursor: z.string().optional() }))
    .output(z.object({ items: z.array(z.number()), next: z.string().optional() }))
    .query(({ input }) => ({ items: Array.from({ length: input.limit }, (_, i) => i) })),
  whoami: authed.use(timed).query(({ ctx }) => ({ id: ctx.user.id, startedAt: ctx.startedAt })),
  find: v.procedure.input(z.object({ id: z.string() })).query(({ input }) => {
    if (input.id === '') throw notFound(undefined, new Error('empty id'));
    return { id: input.id, at: new Date() };
  }),
  chat: {
    send: authed
      .input(z.object({ room: z.string(), text: z.string().trim().min(1) }))
      .mutation(async ({ input }) => {
        const id = await rooms.publish(`room:${input.room}`, { ...input, at: new Date() });
        return { id };
      }),
    onMessage: v.procedure
      .input(z.object({ room: z.string() }))
      .subscription(({ input, signal, lastEventId }) =>
        rooms.subscribe(`room:${input.room}`, { signal, lastEventId }),
      ),
  },
  admin: v.router({
    ticks: admin
      .input(z.object({ count: z.number().int().min(1), intervalMs: z.number().default(100) }))
      .subscription(async function* ({ input, signal }) {
        for (let tick = 1; tick <= input.count && !signal.aborted; tick++) {
          yield tracked(String(tick), { tick });
        }
      }),
    reset: admin.mutation(() => undefined),
  }),
});

export type AppRouter = typeof appRouter;
export type AppInputs = inferRouterInputs<AppRouter>;
export type AppOutputs = inferRouterOutputs<AppRouter>;
