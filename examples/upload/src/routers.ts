import { initVolley, VolleyError } from '@volley/core';
import { z } from 'zod';

// The client's handlers: what the server may ask it. Chunks travel as base64 strings
// for now; the binary codec will let them travel as bytes.
const c = initVolley<{ approve: (name: string, size: number) => boolean }>();
export const clientRouter = c.router({
  confirm: c.procedure
    .input(z.object({ name: z.string(), size: z.number().int() }))
    .query(({ ctx, input }) => ctx.approve(input.name, input.size)),
});
export type ClientRouter = typeof clientRouter;

// The server's procedures, which call the client through `ctx.client`.
export function createUploadRouter(store: Map<string, Buffer>) {
  const v = initVolley().withClient<ClientRouter>();
  const uploads = new Map<string, Buffer[]>();
  return v.router({
    chunk: v.procedure
      .input(z.object({ name: z.string().min(1), data: z.base64() }))
      .mutation(({ input }) => {
        const parts = uploads.get(input.name) ?? [];
        parts.push(Buffer.from(input.data, 'base64'));
        uploads.set(input.name, parts);
        return parts.reduce((sum, part) => sum + part.length, 0);
      }),
    finish: v.procedure.input(z.object({ name: z.string() })).mutation(async ({ ctx, input }) => {
      const file = Buffer.concat(uploads.get(input.name) ?? []);
      uploads.delete(input.name);
      // Ask the client before storing: a typed call the other way round.
      const approved = await ctx.client.confirm.query({ name: input.name, size: file.length });
      if (!approved) throw new VolleyError({ code: 'CONFLICT', message: 'Declined by the user' });
      store.set(input.name, file);
      return { stored: file.length };
    }),
  });
}
export type UploadRouter = ReturnType<typeof createUploadRouter>;
