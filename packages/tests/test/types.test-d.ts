import { createClient, type Subscription } from '@volley/client';
import {
  type inferRouterInputs,
  type inferRouterOutputs,
  initVolley,
  type Jsonify,
  type StandardSchemaV1,
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

  it('takes discovery options, or false', () => {
    const open = initVolley();
    const router = open.router({ a: open.procedure.query(() => 1) });
    createServer({ router, discovery: false });
    createServer({ router, discovery: { info: { title: 'Shop', version: '1.0.0' } } });
    // The documented converter for zod mini: a function of the schema and its side.
    createServer({
      router,
      discovery: {
        toJSONSchema: (schema, io) => {
          expectTypeOf(schema).toEqualTypeOf<StandardSchemaV1>();
          expectTypeOf(io).toEqualTypeOf<'input' | 'output'>();
          return z.toJSONSchema(schema as z.ZodType, { io, target: 'draft-07' });
        },
      },
    });
    // @ts-expect-error discovery is on by default: `true` is not an option
    createServer({ router, discovery: true });
    // @ts-expect-error a converter returns JSON Schema (or undefined), not a string
    createServer({ router, discovery: { toJSONSchema: () => 'string' } });
  });
});

// Not zod: a hand-written Standard Schema, so `.input()` and `.output()` take the
// overload that reads `~standard.types` rather than zod's `_zod`.
const textLength: StandardSchemaV1<string, number> = {
  '~standard': {
    version: 1,
    vendor: 'test',
    validate: (value) =>
      typeof value === 'string' ? { value: value.length } : { issues: [{ message: 'Not text' }] },
  },
};

const schemaRouter = v.router({
  measure: v.procedure.input(textLength).query(({ input }) => {
    expectTypeOf(input).toEqualTypeOf<number>();
    return input;
  }),
  measured: v.procedure.output(textLength).mutation(() => 'four'),
  maybe: v.procedure.input(z.string().optional()).query(({ input }) => input ?? 'none'),
  zodOut: v.procedure
    .input(z.object({ at: z.string() }))
    .output(z.object({ at: z.string().transform((text) => new Date(text)) }))
    .query(({ input }) => input),
  dated: v.procedure.query(() => ({
    at: new Date(),
    n: 1,
    gone: () => 1,
    maybe: 2 as number | undefined,
  })),
});
const schemaClient = createClient<typeof schemaRouter>({
  url: 'ws://127.0.0.1:1',
  WebSocket,
  lazy: true,
});

describe('schema inference', () => {
  it('reads any Standard Schema: its input on the client, its output on the server', () => {
    expectTypeOf(schemaClient.measure.query).parameter(0).toEqualTypeOf<string>();
    expectTypeOf(schemaClient.measure.query('abc')).toEqualTypeOf<Promise<number>>();
    expectTypeOf(schemaClient.measured.mutate()).toEqualTypeOf<Promise<number>>();
    expectTypeOf<inferRouterInputs<typeof schemaRouter>['measure']>().toEqualTypeOf<string>();
    // @ts-expect-error the schema takes a string
    schemaClient.measure.query(3);
    // @ts-expect-error the output schema takes a string, so the resolver must return one
    v.procedure.output(textLength).query(() => 4);
  });

  it('reads zod output schemas, transforms included', () => {
    expectTypeOf(schemaClient.zodOut.query({ at: 'x' })).toEqualTypeOf<Promise<{ at: string }>>();
    expectTypeOf<inferRouterOutputs<typeof schemaRouter>['zodOut']>().toEqualTypeOf<{
      at: string;
    }>();
  });

  it('lets the input be left out when the schema accepts undefined', () => {
    expectTypeOf(schemaClient.maybe.query).parameter(0).toEqualTypeOf<string | undefined>();
    expectTypeOf(schemaClient.maybe.query()).toEqualTypeOf<Promise<string>>();
  });

  it('refuses what is not a schema, saying what it expected', () => {
    // @ts-expect-error a string is not a schema (no overload matches: not a zod nor a Standard Schema)
    v.procedure.input('name');
  });
});

describe('Jsonify', () => {
  it('returns plain JSON as it is', () => {
    type Plain = { a: string; n: number[]; nested: { ok: boolean | null }; tuple: [1, 'x'] };
    expectTypeOf<Jsonify<Plain>>().toEqualTypeOf<Plain>();
    expectTypeOf<Jsonify<'hi'>>().toEqualTypeOf<'hi'>();
    expectTypeOf<Jsonify<readonly { id: string }[]>>().toEqualTypeOf<readonly { id: string }[]>();
  });

  it('leaves unknown and any alone', () => {
    expectTypeOf<Jsonify<unknown>>().toEqualTypeOf<unknown>();
    // biome-ignore lint/suspicious/noExplicitAny: any must come back as it went in.
    expectTypeOf<Jsonify<any>>().toBeAny();
  });

  it('converts what JSON changes, inside plain objects too', () => {
    expectTypeOf(schemaClient.dated.query()).toEqualTypeOf<
      Promise<{ at: string; n: number; maybe?: number }>
    >();
    expectTypeOf<Jsonify<string | undefined>>().toEqualTypeOf<string | null>();
    expectTypeOf<Jsonify<{ list: { d: Date; f?: () => void }[] }>>().toEqualTypeOf<{
      list: { d: string }[];
    }>();
    expectTypeOf<Jsonify<{ a: string } | { b: Date; u: string | undefined }>>().toEqualTypeOf<
      { a: string } | { b: string; u?: string }
    >();
    interface WithMethods {
      id: string;
      at: Date;
      rename(name: string): void;
    }
    expectTypeOf<Jsonify<WithMethods>>().toEqualTypeOf<{ id: string; at: string }>();
  });
});
