import { initVolley, type PubSubEngine, VolleyError } from '@volley/core';
import { createPubSub } from '@volley/server';
import { z } from 'zod';

/** Who is on this connection: the name given in the connection URL (`?name=Ada`). */
export interface ChatContext {
  name: string | null;
}

export interface ChatMessage {
  room: string;
  author: string;
  text: string;
  sentAt: string;
}

const v = initVolley<ChatContext>();
const room = z.string().regex(/^[a-z0-9-]{1,32}$/, 'Rooms are 1-32 of a-z, 0-9 and -');

/** Only a connection that named itself can post. */
const named = v.procedure.use(async ({ ctx, next }) => {
  if (ctx.name === null) {
    throw new VolleyError({ code: 'UNAUTHORIZED', message: 'Connect with ?name=<you> to post' });
  }
  return next({ ctx: { name: ctx.name } });
});

/**
 * The chat's procedures. Rooms live in `engine`: in memory by default (one process), or
 * `createRedisEngine()` from @volley/redis to run several chat servers as one.
 */
export function createChatRouter(options: { engine?: PubSubEngine } = {}) {
  // Who is in each room: everyone named who listens to it (see `onMessage`).
  const rooms = createPubSub<{ [topic: `room:${string}`]: ChatMessage }, { name: string }>(options);
  return v.router({
    send: named
      .input(z.object({ room, text: z.string().trim().min(1).max(2_000) }))
      .mutation(async ({ input, ctx }) => {
        const message: ChatMessage = {
          room: input.room,
          author: ctx.name,
          text: input.text,
          sentAt: new Date().toISOString(),
        };
        const id = await rooms.publish(`room:${input.room}`, message);
        return { id };
      }),
    // Each message arrives as a tracked event, so clients see its id. A client that
    // reconnects resumes with the last id it saw: passing it on replays what it missed.
    // A named listener is in the room's presence while it listens; its name comes from
    // the connection (ctx), never from the input. Two tabs of one name count once.
    onMessage: v.procedure
      .input(z.object({ room }))
      .subscription(({ input, signal, lastEventId, ctx }) =>
        rooms.subscribe(`room:${input.room}`, {
          signal,
          lastEventId,
          presence: ctx.name === null ? undefined : { id: ctx.name, data: { name: ctx.name } },
        }),
      ),
    /** The names of who is in the room now, sorted. */
    who: v.procedure
      .input(z.object({ room }))
      .query(async ({ input }) =>
        (await rooms.presence(`room:${input.room}`)).map((member) => member.data.name).sort(),
      ),
    /** Who is in the room (a join for each at first), then who comes and goes. */
    onPresence: v.procedure
      .input(z.object({ room }))
      .subscription(({ input, signal }) => rooms.presenceEvents(`room:${input.room}`, { signal })),
  });
}

export type ChatRouter = ReturnType<typeof createChatRouter>;

/** Reads the connection's name from the upgrade URL. */
export function chatContext(url: string | undefined): ChatContext {
  const name = new URL(url ?? '/', 'http://localhost').searchParams.get('name');
  return { name: name === null || name.trim() === '' ? null : name.trim().slice(0, 40) };
}
