// The procedure runner: middleware, validation, resolver and output checks, as the
// server and createCaller run them. Pure of sockets, so it is tested from values.
import {
  type AnyProcedure,
  initVolley,
  type MiddlewareResult,
  type StandardSchemaV1,
  VolleyError,
} from '@volley/core';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  checkEvent as checkEventWith,
  type RunOptions,
  runProcedure,
} from '../src/procedure-runner.js';

const checkEvent = (procedure: AnyProcedure, data: unknown) => checkEventWith(procedure, data, 20);

interface Ctx {
  user: string | null;
  requestId: number;
}

const v = initVolley<Ctx>();

/** Runs `procedure` as the server would, and settles to what it gave or threw. */
async function call(
  procedure: AnyProcedure,
  input?: unknown,
  overrides: Partial<RunOptions> = {},
): Promise<unknown> {
  return runProcedure(procedure, {
    maxIssues: 20,
    path: 'test.path',
    ctx: { user: 'ada', requestId: 1 },
    input,
    abort: new AbortController(),
    ...overrides,
  });
}

/** The VolleyError a call rejects with; fails the test if it resolves or throws something else. */
async function failure(promise: Promise<unknown>): Promise<VolleyError> {
  const error = await promise.then(
    (value) => {
      throw new Error(`Expected a rejection, got ${JSON.stringify(value)}`);
    },
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(VolleyError);
  return error as VolleyError;
}

/** The message of an error's cause, which only `onError` sees. */
function causeMessage(error: VolleyError): string {
  expect(error.cause).toBeInstanceOf(Error);
  return (error.cause as Error).message;
}

/** A Standard Schema whose `validate` is asynchronous, as some libraries' are. */
function asyncSchema<T>(
  check: (value: unknown) => T | undefined,
  issue: { message: string; path?: Array<PropertyKey | { key: PropertyKey }> },
): StandardSchemaV1<T> {
  return {
    '~standard': {
      version: 1,
      vendor: 'test',
      validate: async (value) => {
        await Promise.resolve();
        const result = check(value);
        return result === undefined ? { issues: [issue] } : { value: result };
      },
    },
  };
}

describe('runProcedure', () => {
  it('runs a resolver with the context, input, signal and path', async () => {
    const signal = new AbortController().signal;
    const ctx = { user: 'ada', requestId: 7 };
    const seen: unknown[] = [];
    const procedure = v.procedure.input(z.object({ n: z.number() })).query((options) => {
      seen.push(options);
      return options.input.n * 2;
    });
    await expect(
      call(procedure, { n: 21 }, { ctx, abort: { signal }, path: 'math.double' }),
    ).resolves.toBe(42);
    expect(seen).toHaveLength(1);
    const options = seen[0] as { ctx: unknown; input: unknown; signal: unknown; path: string };
    expect(options.ctx).toBe(ctx);
    expect(options.input).toEqual({ n: 21 });
    expect(options.signal).toBe(signal);
    expect(options.path).toBe('math.double');
  });

  it('runs middleware in order, around the resolver', async () => {
    const log: string[] = [];
    const procedure = v.procedure
      .use(async ({ next }) => {
        log.push('first:before');
        const result = await next();
        log.push('first:after');
        return result;
      })
      .use(async ({ next }) => {
        log.push('second:before');
        const result = await next();
        log.push('second:after');
        return result;
      })
      .query(() => {
        log.push('resolver');
        return 'done';
      });
    await expect(call(procedure)).resolves.toBe('done');
    expect(log).toEqual([
      'first:before',
      'second:before',
      'resolver',
      'second:after',
      'first:after',
    ]);
  });

  it('gives middleware the raw input, path, type and signal', async () => {
    const signal = new AbortController().signal;
    const seen: unknown[] = [];
    const procedure = v.procedure
      .input(z.string().transform((text) => text.length))
      .use(async ({ input, path, type, signal: given, next }) => {
        seen.push({ input, path, type, signal: given });
        return next();
      })
      .mutation(({ input }) => input);
    await expect(call(procedure, 'four', { abort: { signal }, path: 'p.q' })).resolves.toBe(4);
    expect(seen).toEqual([{ input: 'four', path: 'p.q', type: 'mutation', signal }]);
  });

  it('merges the context each next({ ctx }) adds, without changing the original', async () => {
    const ctx = { user: null, requestId: 1 };
    const seen: unknown[] = [];
    const procedure = v.procedure
      .use(async ({ next }) => next({ ctx: { user: 'ada', role: 'admin' } }))
      .use(async ({ ctx: current, next }) => {
        seen.push(current);
        return next({ ctx: { requestId: 2 } });
      })
      .query(({ ctx: final }) => final);
    await expect(call(procedure, undefined, { ctx })).resolves.toStrictEqual({
      user: 'ada',
      requestId: 2,
      role: 'admin',
    });
    expect(seen).toStrictEqual([{ user: 'ada', requestId: 1, role: 'admin' }]);
    expect(ctx).toStrictEqual({ user: null, requestId: 1 });
  });

  it('passes the same context on when next() adds nothing', async () => {
    const ctx = { user: 'ada', requestId: 3 };
    const procedure = v.procedure.use(async ({ next }) => next()).query(({ ctx: seen }) => seen);
    await expect(call(procedure, undefined, { ctx })).resolves.toBe(ctx);
  });

  it('lets a reusable middleware from initVolley().middleware extend the context', async () => {
    const auth = v.middleware(async ({ ctx, next }) => {
      if (ctx.user === null) throw new VolleyError({ code: 'UNAUTHORIZED' });
      return next({ ctx: { user: ctx.user } });
    });
    const procedure = v.procedure.use(auth).query(({ ctx }) => ctx.user.toUpperCase());
    await expect(call(procedure)).resolves.toBe('ADA');
    const error = await failure(call(procedure, undefined, { ctx: { user: null, requestId: 1 } }));
    expect(error.code).toBe('UNAUTHORIZED');
  });

  it('stops at a middleware that throws, and passes its error on unchanged', async () => {
    let resolved = false;
    const thrown = new Error('boom');
    const procedure = v.procedure
      .use(async () => {
        throw thrown;
      })
      .query(() => {
        resolved = true;
        return 1;
      });
    await expect(call(procedure)).rejects.toBe(thrown);
    expect(resolved).toBe(false);
  });

  it('passes a resolver error on unchanged', async () => {
    const thrown = new VolleyError({ code: 'CONFLICT', message: 'Taken' });
    const procedure = v.procedure.mutation(() => {
      throw thrown;
    });
    await expect(call(procedure)).rejects.toBe(thrown);
  });

  it.each([
    ['returns nothing', async () => undefined],
    ['returns a value of its own', async () => ({ value: 'forged' })],
    [
      'calls next() but returns something else',
      async ({ next }: { next: () => Promise<unknown> }) => {
        await next();
        return 'other';
      },
    ],
  ])('fails with INTERNAL_ERROR when a middleware %s', async (_label, middleware) => {
    const procedure = v.procedure
      .use(middleware as unknown as () => Promise<MiddlewareResult<object>>)
      .query(() => 'resolved');
    const error = await failure(call(procedure, undefined, { path: 'chat.send' }));
    expect(error.code).toBe('INTERNAL_ERROR');
    expect(error.message).toBe('Internal error');
    expect(causeMessage(error)).toBe(
      'A middleware of "chat.send" returned without returning what next() gave it',
    );
  });

  it('fails with INVALID_PARAMS and the issues when the input fails its schema', async () => {
    let resolved = false;
    const procedure = v.procedure
      .input(z.object({ name: z.string(), tags: z.array(z.string()) }))
      .mutation(() => {
        resolved = true;
      });
    const error = await failure(call(procedure, { name: 5, tags: ['a', 7] }));
    expect(error.code).toBe('INVALID_PARAMS');
    expect(error.rpcCode).toBe(-32602);
    expect(error.message).toBe('Invalid params');
    expect(error.issues).toMatchInlineSnapshot(`
      [
        {
          "message": "Invalid input: expected string, received number",
          "path": [
            "name",
          ],
        },
        {
          "message": "Invalid input: expected string, received number",
          "path": [
            "tags",
            1,
          ],
        },
      ]
    `);
    expect(error.issues?.[1]?.path[1]).toBeTypeOf('number');
    expect(resolved).toBe(false);
  });

  it('maps Standard Schema path segments, keyed or not, to strings and numbers', async () => {
    const schema: StandardSchemaV1 = {
      '~standard': {
        version: 1,
        vendor: 'test',
        validate: () => ({
          issues: [
            { message: 'deep', path: [{ key: 'items' }, 2, { key: 3 }, Symbol.for('s')] },
            { message: 'root' },
          ],
        }),
      },
    };
    const procedure = v.procedure.input(schema).query(() => 1);
    const error = await failure(call(procedure, {}));
    expect(error.issues).toStrictEqual([
      { path: ['items', 2, 3, 'Symbol(s)'], message: 'deep' },
      { path: [], message: 'root' },
    ]);
  });

  it.each([
    ['an object', { a: 1 }],
    ['null', null],
    ['an empty array', []],
    ['zero', 0],
    ['an object with a null prototype', Object.create(null)],
  ])(
    'fails with INVALID_PARAMS when a procedure without input is given %s',
    async (_label, input) => {
      let resolved = false;
      const procedure = v.procedure.query(() => {
        resolved = true;
      });
      const error = await failure(call(procedure, input));
      expect(error.code).toBe('INVALID_PARAMS');
      expect(error.issues).toStrictEqual([{ path: [], message: 'This procedure takes no input' }]);
      expect(resolved).toBe(false);
    },
  );

  it('validates the input after middleware, so middleware can reject first', async () => {
    const procedure = v.procedure
      .input(z.number())
      .use(async () => {
        throw new VolleyError({ code: 'FORBIDDEN' });
      })
      .query(({ input }) => input);
    const error = await failure(call(procedure, 'not a number'));
    expect(error.code).toBe('FORBIDDEN');
  });

  it('returns the output, transformed by its schema', async () => {
    const procedure = v.procedure
      .output(z.object({ at: z.number().transform((ms) => new Date(ms).toISOString()) }))
      .query(() => ({ at: 0 }));
    await expect(call(procedure)).resolves.toStrictEqual({ at: '1970-01-01T00:00:00.000Z' });
  });

  it('fails with INTERNAL_ERROR when the output fails its schema', async () => {
    const procedure = v.procedure
      .output(z.object({ count: z.number() }))
      .query(() => ({ count: 'many' }) as unknown as { count: number });
    const error = await failure(call(procedure));
    expect(error.code).toBe('INTERNAL_ERROR');
    expect(error.message).toBe('Internal error');
    expect(error.issues).toBeUndefined();
    expect(causeMessage(error)).toMatchInlineSnapshot(
      `"Output failed its schema: count: Invalid input: expected number, received string"`,
    );
  });

  it('resolves a subscription to the AsyncIterable its resolver returns', async () => {
    const events = (async function* () {
      yield 1;
    })();
    const procedure = v.procedure.subscription(() => events);
    await expect(call(procedure)).resolves.toBe(events);
  });

  it.each([
    ['an array', [1, 2]],
    ['null', null],
    ['undefined', undefined],
    ['a plain object', { next: () => ({ done: true }) }],
    ['a sync generator', (function* () {})()],
  ])('fails with INTERNAL_ERROR when a subscription returns %s', async (_label, returned) => {
    const procedure = v.procedure.subscription(
      (() => returned) as unknown as () => AsyncIterable<number>,
    );
    const error = await failure(call(procedure, undefined, { path: 'feed.live' }));
    expect(error.code).toBe('INTERNAL_ERROR');
    expect(error.cause).toBeInstanceOf(TypeError);
    expect(causeMessage(error)).toBe('Subscription "feed.live" did not return an AsyncIterable');
  });

  describe('with an asynchronous Standard Schema', () => {
    const evenNumber = asyncSchema(
      (value) => (typeof value === 'number' && value % 2 === 0 ? value / 2 : undefined),
      { message: 'Must be even', path: [{ key: 'value' }] },
    );

    it('resolves with the validated input', async () => {
      const procedure = v.procedure.input(evenNumber).query(({ input }) => input);
      await expect(call(procedure, 42)).resolves.toBe(21);
    });

    it('fails with INVALID_PARAMS and its issues', async () => {
      const procedure = v.procedure.input(evenNumber).query(({ input }) => input);
      const error = await failure(call(procedure, 3));
      expect(error.code).toBe('INVALID_PARAMS');
      expect(error.issues).toStrictEqual([{ path: ['value'], message: 'Must be even' }]);
    });

    it('checks the output too', async () => {
      const good = v.procedure.output(evenNumber).query(() => 8);
      await expect(call(good)).resolves.toBe(4);
      const bad = v.procedure.output(evenNumber).query(() => 7);
      const error = await failure(call(bad));
      expect(error.code).toBe('INTERNAL_ERROR');
      expect(causeMessage(error)).toBe('Output failed its schema: value: Must be even');
    });
  });
});

describe('checkEvent', () => {
  const live = v.procedure.output(z.object({ n: z.number() })).subscription(async function* () {});

  it('passes data through when there is no output schema', () => {
    const data = { anything: true };
    expect(
      checkEvent(
        v.procedure.subscription(async function* () {}),
        data,
      ),
    ).toBe(data);
  });

  it('returns the data checked by the output schema', async () => {
    expect(await checkEvent(live, { n: 1, extra: 'dropped' })).toStrictEqual({ n: 1 });
  });

  it('throws INTERNAL_ERROR for an event that fails the output schema', async () => {
    let error: unknown;
    try {
      await checkEvent(live, { n: 'one' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(VolleyError);
    expect((error as VolleyError).code).toBe('INTERNAL_ERROR');
  });
});
