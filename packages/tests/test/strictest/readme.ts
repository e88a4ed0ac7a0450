// The README's snippets under @tsconfig/strictest's settings, changed only where those
// settings ask it of any code: `process.env['PORT']` rather than `process.env.PORT`.
import { setTimeout } from 'node:timers/promises';
import { createClient } from '@volley/client';
import { initVolley } from '@volley/core';
import { createMemoryEngine, createPubSub, createServer } from '@volley/server';
import WebSocket from 'ws';
import { z } from 'zod';

const v = initVolley();

// Quickstart: server.ts
export const appRouter = v.router({
  echo: v.procedure.input(z.string()).query(({ input }) => input),
  greet: v.procedure
    .input(z.object({ name: z.string().min(1) }))
    .query(({ input }) => `Hello, ${input.name}`),
  welcome: v.procedure.subscription(async function* () {
    yield 'Welcome to Volley!';
  }),
  ticks: v.procedure
    .input(
      z.object({ count: z.number().int().min(1).max(100), intervalMs: z.number().default(100) }),
    )
    .subscription(async function* ({ input, signal }) {
      for (let tick = 1; tick <= input.count; tick++) {
        await setTimeout(input.intervalMs, undefined, { signal });
        yield tick;
      }
    }),
});

export type AppRouter = typeof appRouter;

export async function serve(): Promise<void> {
  const server = createServer({ router: appRouter });
  // biome-ignore lint/complexity/useLiteralKeys: noPropertyAccessFromIndexSignature wants brackets.
  const { port } = await server.listen(Number(process.env['PORT'] ?? 3000));
  console.log(`Volley listening on ws://localhost:${port}`);
}

// Quickstart: client.ts
export async function call(): Promise<void> {
  const client = createClient<AppRouter>({
    // biome-ignore lint/complexity/useLiteralKeys: noPropertyAccessFromIndexSignature wants brackets.
    url: process.env['VOLLEY_URL'] ?? 'ws://localhost:3000',
    WebSocket,
  });
  for await (const message of client.welcome.subscribe()) console.log(message);
  console.log(await client.echo.query('Hello Server!'));
  console.log(await client.greet.query({ name: 'Ada' }));
  for await (const tick of client.ticks.subscribe({ count: 3 })) console.log(`tick ${tick}`);
  await client.$close();
}

// Reliability: a resumable subscription, and Security: a subscriber that may fall behind.
const events = createPubSub<{ [topic: `cursor:${string}`]: { x: number; y: number } }>({
  engine: createMemoryEngine({ logSize: 1_000 }),
});

export const cursors = v.router({
  onCursor: v.procedure
    .input(z.object({ doc: z.string() }))
    .subscription(({ input, signal }) =>
      events.subscribe(`cursor:${input.doc}`, { signal, maxBuffered: 10, overflow: 'drop' }),
    ),
  onCursorResumable: v.procedure
    .input(z.object({ doc: z.string() }))
    .subscription(({ input, signal, lastEventId }) =>
      events.subscribe(`cursor:${input.doc}`, { signal, lastEventId }),
    ),
});

// Calling: options that may be absent, passed through.
export async function calling(signal: AbortSignal | undefined): Promise<void> {
  const client = createClient<AppRouter>({
    url: async () => 'ws://localhost:3000',
    WebSocket,
    connectionParams: async () => ({ token: 'secret' }),
    timeoutMs: 30_000,
  });
  await client.greet.query({ name: 'Ada' }, { signal, timeoutMs: 5_000 });
  const subscription = client.ticks.subscribe(
    { count: 3 },
    { onData: () => undefined, onError: () => undefined, onComplete: () => undefined, signal },
  );
  subscription.unsubscribe();
  await client.$reauth();
  await client.$close();
}

// Presence.
interface Message {
  text: string;
}
const withUser = initVolley<{ user: { id: string; name: string } }>();
const rooms = createPubSub<{ [topic: `room:${string}`]: Message }, { name: string }>();

export const presenceRouter = withUser.router({
  // The identity comes from ctx (the server's own), never from the input.
  join: withUser.procedure
    .input(z.object({ room: z.string() }))
    .subscription(({ ctx, input, signal, lastEventId }) =>
      rooms.subscribe(`room:${input.room}`, {
        signal,
        lastEventId,
        presence: { id: ctx.user.id, data: { name: ctx.user.name } },
      }),
    ),
  // [{ id: 'u1', data: { name: 'Ada' } }, ...]
  who: withUser.procedure
    .input(z.object({ room: z.string() }))
    .query(({ input }) => rooms.presence(`room:${input.room}`)),
  // { type: 'join' | 'leave', member }: a join for everyone there first, then each change.
  comings: withUser.procedure
    .input(z.object({ room: z.string() }))
    .subscription(({ input, signal }) => rooms.presenceEvents(`room:${input.room}`, { signal })),
});
