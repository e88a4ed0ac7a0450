import { setTimeout } from 'node:timers/promises';
import { initVolley } from '@volley/core';
import { createServer } from '@volley/server';
import { z } from 'zod';

const v = initVolley();

export const appRouter = v.router({
  echo: v.procedure.input(z.string()).query(({ input }) => input),
  greet: v.procedure
    .input(z.object({ name: z.string().min(1) }))
    .query(({ input }) => `Hello, ${input.name}`),
  // Pushed to the client the moment it subscribes, then done.
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

const server = createServer({ router: appRouter });
const { port } = await server.listen(Number(process.env.PORT ?? 3000));
console.log(`Volley listening on ws://localhost:${port}`);

// Ctrl-C (SIGINT) or a process manager's SIGTERM: stop accepting, let running calls answer,
// close every socket with 1001, then exit 0. A repeated signal changes nothing (pnpm passes
// on the Ctrl-C its process group already got); close() bounds the wait.
let closing = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, async () => {
    if (closing) return;
    closing = true;
    await server.close();
    process.exit(0);
  });
}
