// createCaller's types: the resolver's own output (no JSON round trip), inputs as the
// client takes them, subscriptions as async iterables of their data.
import { initVolley, tracked } from '@volley/core';
import { createCaller } from '@volley/server';
import { expectTypeOf, it } from 'vitest';
import { z } from 'zod';

const v = initVolley<{ user: string }>();
const router = v.router({
  now: v.procedure.query(() => new Date()),
  add: v.procedure
    .input(z.object({ a: z.number(), b: z.number() }))
    .mutation(({ input }) => input.a + input.b),
  optional: v.procedure.input(z.string().optional()).query(({ input }) => input ?? 'none'),
  feed: {
    live: v.procedure.subscription(async function* () {
      yield tracked('1', { n: 1 });
    }),
  },
});

it('types results, inputs and subscriptions from the router', () => {
  const caller = createCaller(router, { user: 'ada' });
  expectTypeOf(caller.now.query()).toEqualTypeOf<Promise<Date>>();
  expectTypeOf(caller.add.mutate).parameter(0).toEqualTypeOf<{ a: number; b: number }>();
  expectTypeOf(caller.add.mutate({ a: 1, b: 2 })).toEqualTypeOf<Promise<number>>();
  expectTypeOf(caller.optional.query()).toEqualTypeOf<Promise<string>>();
  expectTypeOf(caller.feed.live.subscribe()).toEqualTypeOf<AsyncIterableIterator<{ n: number }>>();
  // @ts-expect-error -- a query has no mutate
  caller.now.mutate();
  // @ts-expect-error -- the input is checked
  caller.add.mutate({ a: 1 });
});

it('checks the context against the router', () => {
  // @ts-expect-error -- the router's context needs a user
  createCaller(router, {});
  // @ts-expect-error -- of the right type
  createCaller(router, { user: 1 });
});
