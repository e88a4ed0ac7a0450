// Misuses of the builder that must not compile, next to the legal uses closest to them,
// which must keep their types. The text of each error is pinned in type-errors.test.ts.
import { createClient } from '@volley/client';
import {
  createRouter,
  type inferRouterInputs,
  type inferRouterOutputs,
  initVolley,
  type MiddlewareFunction,
  type StandardSchemaV1,
} from '@volley/core';
import { describe, expectTypeOf, it } from 'vitest';
import { z } from 'zod';

const v = initVolley<{ user: string | null }>();
const ping = v.procedure.query(() => 'pong' as const);

describe('router keys', () => {
  it('refuses each key createRouter refuses, at the top', () => {
    // @ts-expect-error a key may not contain '.'
    v.router({ 'a.b': ping });
    // @ts-expect-error 'rpc' is reserved for protocol methods
    v.router({ rpc: ping });
    // @ts-expect-error 'then' would make the client proxy look like a promise
    // biome-ignore lint/suspicious/noThenProperty: the key under test.
    v.router({ then: ping });
    // @ts-expect-error '$' starts the client's own methods
    v.router({ $close: ping });
    // @ts-expect-error a key may not be empty
    v.router({ '': ping });
    // @ts-expect-error createRouter refuses the same keys
    createRouter({ 'a.b': ping });
  });

  it('refuses them in plain nested objects and nested routers', () => {
    // @ts-expect-error nested one level
    v.router({ chat: { 'a.b': ping } });
    // @ts-expect-error nested two levels
    v.router({ chat: { room: { $x: ping } } });
    // @ts-expect-error in a router nested in a router
    v.router({ admin: v.router({ rpc: ping }) });
    // biome-ignore lint/suspicious/noThenProperty: the key under test.
    const record = { ok: ping, nested: { then: ping } };
    // @ts-expect-error in a record that is not written inline
    createRouter(record);
  });

  it('takes keys that only look like refused ones, and infers them as before', () => {
    const router = v.router({
      rpcs: ping,
      thenable: ping,
      a$: ping,
      'with-dash': ping,
      0: ping,
      rpcx: { then_: ping },
      sub: v.router({ dollar$: ping }),
    });
    const client = createClient<typeof router>({ url: 'ws://127.0.0.1:1', lazy: true });
    expectTypeOf(client.rpcs.query()).toEqualTypeOf<Promise<'pong'>>();
    expectTypeOf(client.rpcx.then_.query()).toEqualTypeOf<Promise<'pong'>>();
    expectTypeOf(client[0].query()).toEqualTypeOf<Promise<'pong'>>();
    expectTypeOf(client.sub.dollar$.query()).toEqualTypeOf<Promise<'pong'>>();
    expectTypeOf<inferRouterOutputs<typeof router>['thenable']>().toEqualTypeOf<'pong'>();
    expectTypeOf<inferRouterInputs<typeof router>['rpcx']['then_']>().toEqualTypeOf<undefined>();
  });
});

describe('.input() and .output()', () => {
  it('refuses what is not a schema', () => {
    // @ts-expect-error a string is not a schema
    v.procedure.input('name');
    // @ts-expect-error a number is not a schema
    v.procedure.input(42);
    // @ts-expect-error an empty object is not a schema
    v.procedure.input({});
    // @ts-expect-error nor is a zod-like object without `~standard`
    v.procedure.input({ _zod: { input: 1, output: 1 } });
    // @ts-expect-error .output() the same
    v.procedure.output('name');
  });

  it('still reads zod and other Standard Schemas', () => {
    const length: StandardSchemaV1<string, number> = {
      '~standard': {
        version: 1,
        vendor: 'test',
        validate: (value) =>
          typeof value === 'string' ? { value: value.length } : { issues: [{ message: 'No' }] },
      },
    };
    const router = v.router({
      zod: v.procedure.input(z.object({ n: z.number() })).query(({ input }) => input.n),
      other: v.procedure.input(length).query(({ input }) => {
        expectTypeOf(input).toEqualTypeOf<number>();
        return input;
      }),
      out: v.procedure.output(length).query(() => 'four'),
    });
    expectTypeOf<inferRouterInputs<typeof router>>().toEqualTypeOf<{
      zod: { n: number };
      other: string;
      out: undefined;
    }>();
    expectTypeOf<inferRouterOutputs<typeof router>>().toEqualTypeOf<{
      zod: number;
      other: number;
      out: number;
    }>();
  });
});

describe('middleware', () => {
  it('refuses one that does not return what next() gave it', () => {
    // @ts-expect-error returns a number
    v.procedure.use(async () => 1);
    // @ts-expect-error returns nothing
    v.procedure.use(async ({ next }) => {
      await next();
    });
    // @ts-expect-error returns its own object
    v.procedure.use(async ({ ctx }) => ({ ctx }));
    // @ts-expect-error an empty object is not next()'s result either
    v.procedure.use(async () => ({}));
    // @ts-expect-error v.middleware() the same
    v.middleware(async () => 1);
    // @ts-expect-error v.middleware() the same
    v.middleware(async ({ next }) => {
      next();
    });
  });

  it('infers the context as before', () => {
    const authed = v.procedure.use(async ({ ctx, next }) => {
      if (ctx.user === null) throw new Error('no');
      return next({ ctx: { user: ctx.user } });
    });
    authed.query(({ ctx }) => expectTypeOf(ctx.user).toEqualTypeOf<string>());
    // One path adds nothing, the other `admin`: the resolver cannot count on `admin`.
    v.procedure
      .use(async ({ ctx, next }) =>
        ctx.user === null ? next() : next({ ctx: { admin: ctx.user === 'ada' } }),
      )
      .query(({ ctx }) => {
        expectTypeOf(ctx.user).toEqualTypeOf<string | null>();
        expectTypeOf(ctx).not.toHaveProperty('admin');
      });
    // Two paths adding different keys give one context or the other (this used to be
    // refused, as the first path's context was taken for the middleware's).
    v.procedure
      .use(async ({ ctx, next }) =>
        ctx.user === null ? next({ ctx: { a: 1 } }) : next({ ctx: { b: 'x' } }),
      )
      .query(({ ctx }) => {
        expectTypeOf(ctx).toExtend<{ a: number } | { b: string }>();
        expectTypeOf(ctx).not.toHaveProperty('a');
      });
    const withRole = v.middleware(async ({ next }) => next({ ctx: { role: 'admin' as const } }));
    expectTypeOf(withRole).toEqualTypeOf<
      MiddlewareFunction<{ user: string | null }, { role: 'admin' }>
    >();
    v.procedure
      .use(withRole)
      .use(({ next }) => next())
      .query(({ ctx }) => expectTypeOf(ctx.role).toEqualTypeOf<'admin'>());
  });
});
