// Types of server-to-client calls: `ctx.client` is typed from the client's router of
// handlers, which holds queries and mutations only.
import { createClient } from '@volley/client';
import { type ClientHandlers, createHandlers } from '@volley/client/handlers';
import { type ClientHandle, initVolley } from '@volley/core';
import { describe, expectTypeOf, it } from 'vitest';
import { z } from 'zod';

const c = initVolley<{ user: string }>();
const clientRouter = c.router({
  confirm: c.procedure
    .input(z.object({ name: z.string() }))
    .query(({ input }) => ({ ok: input.name.length > 0, at: new Date() })),
  files: { remove: c.procedure.input(z.string()).mutation(() => true) },
  ping: c.procedure.query(() => 'pong' as const),
});
type ClientRouter = typeof clientRouter;

describe('ctx.client', () => {
  it('is typed from the client router: inputs, outputs (as JSON), query and mutate', () => {
    const v = initVolley<{ userId: string }>().withClient<ClientRouter>();
    v.procedure.mutation(async ({ ctx }) => {
      expectTypeOf(ctx.userId).toEqualTypeOf<string>();
      const answer = await ctx.client.confirm.query(
        { name: 'a' },
        { timeoutMs: 5, signal: AbortSignal.timeout(5) },
      );
      expectTypeOf(answer).toEqualTypeOf<{ ok: boolean; at: string }>();
      expectTypeOf(await ctx.client.files.remove.mutate('x')).toEqualTypeOf<boolean>();
      // A handler without input may be called without it.
      expectTypeOf(await ctx.client.ping.query()).toEqualTypeOf<'pong'>();
      // @ts-expect-error the input is checked against the handler's schema
      await ctx.client.confirm.query({ name: 1 });
      // @ts-expect-error a query has no mutate
      await ctx.client.confirm.mutate({ name: 'a' });
      // @ts-expect-error no such handler
      await ctx.client.nope.query();
      return null;
    });
  });

  it('is absent without withClient(), and refused over a context with its own client key', () => {
    const plain = initVolley<{ userId: string }>();
    plain.procedure.query(({ ctx }) => {
      // @ts-expect-error only withClient() adds client
      void ctx.client;
      return null;
    });
    const clash = initVolley<{ client: string }>().withClient<ClientRouter>();
    // @ts-expect-error withClient() on a context that has a client key is an error type
    void clash.procedure;
  });

  it('names the router type as ClientHandle, and makes subscriptions an error type', () => {
    expectTypeOf<ClientHandle<ClientRouter>['confirm']>().toHaveProperty('query');
    const withSubscription = c.router({
      events: c.procedure.subscription(async function* () {
        yield 1;
      }),
    });
    expectTypeOf<ClientHandle<typeof withSubscription>['events']>().not.toHaveProperty('query');
  });
});

describe('createHandlers', () => {
  it('takes a router of queries and mutations with its context, and plugs into createClient', () => {
    const handlers = createHandlers(clientRouter, { context: { user: 'ada' }, maxConcurrent: 4 });
    expectTypeOf(handlers).toEqualTypeOf<ClientHandlers>();
    createClient({ url: 'ws://x', handlers });
    // @ts-expect-error the context must match the router's
    createHandlers(clientRouter, { context: { user: 1 } });
  });

  it('refuses a router with a subscription, naming it', () => {
    const nested = c.router({
      live: { feed: c.procedure.subscription(async function* () {}) },
    });
    // @ts-expect-error 'live.feed' is a subscription
    createHandlers(nested);
  });
});
