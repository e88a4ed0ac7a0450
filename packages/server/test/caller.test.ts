// createCaller: a router called with no socket, through the same runner as the server.
import { initVolley, tracked, VolleyError } from '@volley/core';
import { createCaller, createPubSub } from '@volley/server';
import { expect, it } from 'vitest';
import { z } from 'zod';

const v = initVolley<{ user: string | null }>();
const events = createPubSub<{ news: string }>();
let finallyRan = 0;
let aborted: unknown;
const router = v.router({
  whoami: v.procedure.query(({ ctx }) => ctx.user),
  greet: v.procedure
    .input(z.object({ name: z.string().min(1) }))
    .output(z.string().transform((text) => text.toUpperCase()))
    .query(({ input }) => `Hello, ${input.name}`),
  admin: {
    wipe: v.procedure
      .use(async ({ ctx, next }) => {
        if (ctx.user !== 'root') throw new VolleyError({ code: 'FORBIDDEN' });
        return next();
      })
      .mutation(() => 'wiped'),
  },
  broken: v.procedure.query((): string => {
    throw new Error('database on fire');
  }),
  wait: v.procedure.query(
    ({ signal }) =>
      new Promise((_, reject) => {
        signal.addEventListener('abort', () => {
          aborted = signal.reason;
          reject(signal.reason);
        });
      }),
  ),
  counter: v.procedure.input(z.number()).subscription(async function* ({ input }) {
    try {
      for (let n = 1; n <= input; n++) yield tracked(`n${n}`, n);
    } finally {
      finallyRan++;
    }
  }),
  news: v.procedure.subscription(({ signal }) => events.subscribe('news', { signal })),
});

it('runs queries and mutations with the context, middleware and both schemas', async () => {
  const caller = createCaller(router, { user: 'ada' });
  expect(await caller.whoami.query()).toBe('ada');
  expect(await caller.greet.query({ name: 'Ada' })).toBe('HELLO, ADA');
  await expect(caller.greet.query({ name: '' })).rejects.toMatchObject({
    code: 'INVALID_PARAMS',
    issues: [{ path: ['name'] }],
  });
  await expect(caller.admin.wipe.mutate()).rejects.toMatchObject({ code: 'FORBIDDEN' });
  expect(await createCaller(router, { user: 'root' }).admin.wipe.mutate()).toBe('wiped');
});

it('rejects an unexpected error as INTERNAL_ERROR, with the original as its cause', async () => {
  const error = await createCaller(router, { user: null })
    .broken.query()
    .catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(VolleyError);
  expect(error).toMatchObject({ code: 'INTERNAL_ERROR' });
  expect(((error as VolleyError).cause as Error).message).toBe('database on fire');
});

it("passes the caller's signal to the resolver", async () => {
  const controller = new AbortController();
  const pending = createCaller(router, { user: null }).wait.query(undefined, {
    signal: controller.signal,
  });
  controller.abort('enough');
  await expect(pending).rejects.toBeInstanceOf(VolleyError);
  expect(aborted).toBe('enough');
});

it("iterates a subscription's data, untracked, and runs its finally when the loop is left", async () => {
  const caller = createCaller(router, { user: null });
  const all: number[] = [];
  for await (const n of caller.counter.subscribe(3)) all.push(n);
  expect(all).toEqual([1, 2, 3]);
  const before = finallyRan;
  for await (const n of caller.counter.subscribe(10)) {
    if (n === 2) break;
  }
  expect(finallyRan).toBe(before + 1);
});

it('follows a pub/sub topic until the loop is left', async () => {
  const caller = createCaller(router, { user: null });
  const received: string[] = [];
  let onStarted!: () => void;
  const started = new Promise<void>((resolve) => {
    onStarted = resolve;
  });
  const iterator = caller.news.subscribe(undefined, { onStarted });
  const first = iterator.next();
  // Listening once started: what is published from now on is received.
  await started;
  await events.publish('news', 'one');
  received.push((await first).value as string);
  await events.publish('news', 'two');
  received.push((await iterator.next()).value as string);
  await iterator.return?.();
  expect(received).toEqual(['one', 'two']);
});

it('refuses what is not a router', () => {
  expect(() => createCaller({} as never, {} as never)).toThrow(TypeError);
});
