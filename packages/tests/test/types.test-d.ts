import { createClient, type Subscription } from '@volley/client';
import {
  type inferRouterInputs,
  type inferRouterOutputs,
  initVolley,
  type Jsonify,
  tracked,
  VolleyError,
} from '@volley/core';
import { createPubSub, createServer } from '@volley/server';
import { describe, expectTypeOf, it } from 'vitest';
import WebSocket from 'ws';
import { z } from 'zod';

interface User {
  id: string;
  admin: boolean;
}

const v = initVolley<{ user: User | null }>();

const authed = v.procedure.use(async ({ ctx, next }) => {
  if (ctx.user === null) throw new VolleyError({ code: 'UNAUTHORIZED' });
  return next({ ctx: { user: ctx.user } });
});

const events = createPubSub<{ [room: `room:${string}`]: { text: string; at: Date } }>();

const router = v.router({
  hello: v.procedure.query(() => 'hi' as const),
  greet: v.procedure
    .input(z.object({ name: z.string() }))
    .query(({ input }) => `Hello, ${input.name}`),
  square: v.procedure.input(z.number()).query(({ input }) => input * input),
  withDefault: v.procedure.input(z.object({ limit: z.number().default(10) })).query(({ input }) => {
    expectTypeOf(input.limit).toEqualTypeOf<number>();
    return input.limit;
  }),
  parsed: v.procedure.input(z.string().transform((text) => text.length)).query(({ input }) => {
    expectTypeOf(input).toEqualTypeOf<number>();
    return input;
  }),
  when: v.procedure.query(() => ({ at: new Date(), note: undefined as string | undefined })),
  checked: v.procedure
    .output(z.object({ count: z.number().transform(String) }))
    .query(() => ({ count: 3 })),
  chat: {
    send: authed
      .input(z.object({ room: z.string(), text: z.string() }))
      .mutation(async ({ input, ctx }) => {
        expectTypeOf(ctx.user).toEqualTypeOf<User>();
        await events.publish(`room:${input.room}`, { text: input.text, at: new Date() });
        return { ok: true as const };
      }),
    onMessage: v.procedure
      .input(z.object({ room: z.string() }))
      .subscription(({ input, signal }) => events.subscribe(`room:${input.room}`, { signal })),
  },
  admin: v.router({
    ticks: v.procedure.subscription(async function* () {
      yield 1;
      yield tracked('2', 2);
    }),
  }),
});

type AppRouter = typeof router;
const client = createClient<AppRouter>({ url: 'ws://127.0.0.1:1', WebSocket, lazy: true });

describe('client inference', () => {
  it('infers inputs and outputs', () => {
    expectTypeOf(client.hello.query).returns.toEqualTypeOf<Promise<'hi'>>();
    expectTypeOf(client.greet.query).parameter(0).toEqualTypeOf<{ name: string }>();
    expectTypeOf(client.greet.query({ name: 'Ada' })).toEqualTypeOf<Promise<string>>();
    expectTypeOf(client.square.query(3)).toEqualTypeOf<Promise<number>>();
    expectTypeOf(client.chat.send.mutate({ room: 'a', text: 'b' })).toEqualTypeOf<
      Promise<{ ok: true }>
    >();
  });

  it('takes the schema input type on the client and its output on the server', () => {
    expectTypeOf(client.withDefault.query)
      .parameter(0)
      .toEqualTypeOf<{ limit?: number | undefined }>();
    expectTypeOf(client.parsed.query).parameter(0).toEqualTypeOf<string>();
    expectTypeOf(client.checked.query()).toEqualTypeOf<Promise<{ count: string }>>();
  });

  it('types outputs as they arrive after JSON', () => {
    expectTypeOf(client.when.query()).toEqualTypeOf<Promise<{ at: string; note?: string }>>();
    expectTypeOf<Jsonify<undefined>>().toEqualTypeOf<null>();
    expectTypeOf<Jsonify<{ f: () => void; n: number }>>().toEqualTypeOf<{ n: number }>();
    expectTypeOf<Jsonify<[Date, 1]>>().toEqualTypeOf<[string, 1]>();
  });

  it('types subscriptions by their events, tracked ones unwrapped', () => {
    expectTypeOf(client.chat.onMessage.subscribe({ room: 'a' })).toEqualTypeOf<
      Subscription<{ text: string; at: string }>
    >();
    expectTypeOf(client.admin.ticks.subscribe()).toEqualTypeOf<Subscription<number>>();
    client.admin.ticks.subscribe(undefined, {
      onData: (tick) => expectTypeOf(tick).toEqualTypeOf<number>(),
    });
  });

  it('offers each procedure only its own operation', () => {
    // @ts-expect-error a query has no mutate
    client.greet.mutate({ name: 'Ada' });
    // @ts-expect-error a mutation has no query
    client.chat.send.query({ room: 'a', text: 'b' });
    // @ts-expect-error a subscription has no query
    client.chat.onMessage.query({ room: 'a' });
    // @ts-expect-error no such procedure
    client.nope.query();
  });

  it('rejects wrong input', () => {
    // @ts-expect-error name must be a string
    client.greet.query({ name: 1 });
    // @ts-expect-error input is required
    client.greet.query();
    // @ts-expect-error a number is expected
    client.square.query('3');
    // @ts-expect-error unknown options are refused
    client.greet.query({ name: 'a' }, { timeout: 5 });
    client.hello.query(undefined, { timeoutMs: 5, signal: AbortSignal.timeout(5) });
  });

  it('exposes control members with a $ prefix', () => {
    expectTypeOf(client.$close).returns.toEqualTypeOf<Promise<void>>();
    expectTypeOf(client.$state).toEqualTypeOf<
      'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed'
    >();
  });
});

describe('router helpers', () => {
  it('infers inputs and outputs of the whole router', () => {
    expectTypeOf<inferRouterInputs<AppRouter>['chat']['send']>().toEqualTypeOf<{
      room: string;
      text: string;
    }>();
    expectTypeOf<inferRouterOutputs<AppRouter>['admin']['ticks']>().toEqualTypeOf<number>();
  });

  it('checks resolver returns against an output schema', () => {
    // @ts-expect-error count must be a number
    v.procedure.output(z.object({ count: z.number() })).query(() => ({ count: 'x' }));
  });
});

describe('server options', () => {
  it('requires createContext when the context has required keys', () => {
    createServer({ router, createContext: () => ({ user: null }) });
    // @ts-expect-error createContext is required for this router
    createServer({ router });
    // @ts-expect-error the context must match the router's
    createServer({ router, createContext: () => ({ user: 'x' }) });
    const open = initVolley();
    createServer({ router: open.router({ a: open.procedure.query(() => 1) }) });
  });
});
