// The API the recipes serve: any Volley router embeds the same way.
import { initVolley } from '@volley/core';
import { z } from 'zod';

const v = initVolley();

/** Builds a small router whose `whoami` says which one it is, so routing can be checked. */
export function createApiRouter(name: string) {
  return v.router({
    whoami: v.procedure.query(() => name),
    greet: v.procedure
      .input(z.object({ name: z.string() }))
      .query(({ input }) => `Hello, ${input.name}`),
  });
}

export type ApiRouter = ReturnType<typeof createApiRouter>;

/** What each recipe returns: where it listens, and how to stop everything it started. */
export interface Running {
  port: number;
  close(): Promise<void>;
}
