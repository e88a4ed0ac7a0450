import { VolleyError } from '@volley/client';
import { initVolley } from '@volley/core';
import { afterEach, beforeEach, describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { deferred, type Harness, startHarness, within } from './helpers/harness.js';

/** Resolves with the signal's reason once it aborts (at once if it already has). */
function untilAborted(signal: AbortSignal): Promise<unknown> {
  if (signal.aborted) return Promise.resolve(signal.reason);
  return new Promise((resolve) => {
    signal.addEventListener('abort', () => resolve(signal.reason), { once: true });
  });
}

const CONCURRENT = 1_000;

// What the resolvers report to the test; reset before each test.
let probe = makeProbe();
function makeProbe() {
  return {
    /** `hang` started running on the server. */
    hangStarted: deferred(),
    /** `hang`'s signal aborted, with its reason. */
    hangAborted: deferred<unknown>(),
    hangCalls: 0,
    slowStarted: deferred(),
    slowGate: deferred<string>(),
    /** Waiters of `scrambled`, by input; released in reverse once all have arrived. */
    scrambledWaiters: new Map<number, () => void>(),
    /** The order in which `scrambled` calls were let go. */
    scrambledOrder: [] as number[],
  };
}

const v = initVolley();
const router = v.router({
  ping: v.procedure.query(() => 'pong'),
  echoObject: v.procedure
    .input(z.object({ name: z.string(), tags: z.array(z.string()) }))
    .query(({ input }) => ({ greeting: `Hello, ${input.name}`, tagCount: input.tags.length })),
  rename: v.procedure
    .input(z.object({ from: z.string(), to: z.string() }))
    .mutation(({ input }) => ({ renamed: `${input.from}->${input.to}` })),
  double: v.procedure.input(z.number()).query(({ input }) => input * 2),
  shout: v.procedure.input(z.string()).query(({ input }) => input.toUpperCase()),
  negate: v.procedure.input(z.boolean()).mutation(({ input }) => !input),
  sum: v.procedure
    .input(z.array(z.number()))
    .query(({ input }) => ({ length: input.length, total: input.reduce((a, b) => a + b, 0) })),
  pair: v.procedure
    .input(z.tuple([z.string(), z.number()]))
    .query(({ input: [label, count] }) => `${label}:${count}`),
  nothing: v.procedure.input(z.null()).query(({ input }) => ({ wasNull: input === null })),
  noInput: v.procedure.query(({ input }) => ({ inputWasUndefined: input === undefined })),
  touch: v.procedure.mutation((): void => {}),
  dates: v.procedure.query(() => ({
    at: new Date(0),
    list: [new Date(1_000)],
    missing: undefined as string | undefined,
  })),
  echo: v.procedure.input(z.number()).query(({ input }) => ({ input, tag: `n${input}` })),
  scrambled: v.procedure.input(z.number()).query(async ({ input }) => {
    await new Promise<void>((resolve) => {
      probe.scrambledWaiters.set(input, resolve);
      if (probe.scrambledWaiters.size === CONCURRENT) {
        // Every call is in flight: let them go last-in first-out, once this call awaits too.
        queueMicrotask(() => {
          for (let i = CONCURRENT - 1; i >= 0; i--) probe.scrambledWaiters.get(i)?.();
        });
      }
    });
    probe.scrambledOrder.push(input);
    return { input, tag: `n${input}` };
  }),
  slow: v.procedure.query(async () => {
    probe.slowStarted.resolve();
    return probe.slowGate.promise;
  }),
  fast: v.procedure.query(() => 'fast'),
  gated: v.procedure.input(z.string()).query(async ({ input }) => {
    await probe.slowGate.promise;
    return input;
  }),
  hang: v.procedure.query(async ({ signal }) => {
    probe.hangCalls++;
    probe.hangStarted.resolve();
    probe.hangAborted.resolve(await untilAborted(signal));
    return 'too late';
  }),
});

let harness: Harness<typeof router>;
beforeEach(async () => {
  probe = makeProbe();
  harness = await startHarness({ router });
});
afterEach(() => harness.close());

describe('inputs and outputs', () => {
  it('sends an object input by name and returns an object', async () => {
    const client = harness.client();
    expect(await client.echoObject.query({ name: 'Ada', tags: ['a', 'b'] })).toEqual({
      greeting: 'Hello, Ada',
      tagCount: 2,
    });
    expect(await client.rename.mutate({ from: 'x', to: 'y' })).toEqual({ renamed: 'x->y' });
  });

  it('sends primitive inputs: number, string and boolean', async () => {
    const client = harness.client();
    expect(await client.double.query(21)).toBe(42);
    expect(await client.double.query(0)).toBe(0);
    expect(await client.shout.query('hey')).toBe('HEY');
    expect(await client.shout.query('')).toBe('');
    expect(await client.negate.mutate(false)).toBe(true);
    expect(await client.negate.mutate(true)).toBe(false);
  });

  it('sends an array input whole, whatever its length', async () => {
    const client = harness.client();
    expect(await client.sum.query([1, 2, 3])).toEqual({ length: 3, total: 6 });
    // One- and zero-element arrays are where positional params could be misread.
    expect(await client.sum.query([7])).toEqual({ length: 1, total: 7 });
    expect(await client.sum.query([])).toEqual({ length: 0, total: 0 });
  });

  it('sends a tuple input', async () => {
    const client = harness.client();
    expect(await client.pair.query(['apples', 3])).toBe('apples:3');
  });

  it('sends a null input', async () => {
    const client = harness.client();
    expect(await client.nothing.query(null)).toEqual({ wasNull: true });
  });

  it('calls a procedure without input', async () => {
    const client = harness.client();
    expect(await client.noInput.query()).toEqual({ inputWasUndefined: true });
    expect(await client.ping.query()).toBe('pong');
  });

  it('returns outputs as JSON: a Date becomes a string, undefined a missing key or null', async () => {
    const client = harness.client();
    const result = await client.dates.query();
    expect(result).toStrictEqual({
      at: '1970-01-01T00:00:00.000Z',
      list: ['1970-01-01T00:00:01.000Z'],
    });
    expect('missing' in result).toBe(false);
    expectTypeOf(result.at).toEqualTypeOf<string>();
    expectTypeOf(result.list).toEqualTypeOf<string[]>();
    const touched = await client.touch.mutate();
    expect(touched).toBeNull();
    expectTypeOf(touched).toEqualTypeOf<null>();
  });

  it('rejects an input that is not JSON with a TypeError, and the connection goes on', async () => {
    const client = harness.client();
    const cyclic: Record<string, unknown> = { name: 'Ada', tags: [] };
    cyclic.self = cyclic;
    await expect(client.echoObject.query(cyclic as never)).rejects.toBeInstanceOf(TypeError);
    await expect(client.double.query(10n as never)).rejects.toBeInstanceOf(TypeError);
    expect(await client.ping.query()).toBe('pong');
  });
});

describe('concurrency on one connection', () => {
  it(`correlates ${CONCURRENT} concurrent calls with distinct inputs`, async () => {
    const client = harness.client();
    const inputs = Array.from({ length: CONCURRENT }, (_, i) => i);
    const results = await within(
      Promise.all(inputs.map((i) => client.echo.query(i))),
      'every concurrent call',
      20_000,
    );
    expect(results).toEqual(inputs.map((i) => ({ input: i, tag: `n${i}` })));
    expect(harness.server.connectionCount).toBe(1);
  });

  it(`correlates ${CONCURRENT} concurrent calls answered in reverse order`, async () => {
    const client = harness.client();
    const inputs = Array.from({ length: CONCURRENT }, (_, i) => i);
    const results = await within(
      Promise.all(inputs.map((i) => client.scrambled.query(i))),
      'every scrambled call',
      20_000,
    );
    // The server really did answer last-first...
    expect(probe.scrambledOrder).toEqual([...inputs].reverse());
    // ...and each caller still got its own answer.
    expect(results).toEqual(inputs.map((i) => ({ input: i, tag: `n${i}` })));
    expect(harness.server.connectionCount).toBe(1);
  });

  it('answers a fast call while a slow one on the same connection is still running', async () => {
    const client = harness.client();
    let slowSettled = false;
    const slow = client.slow.query().finally(() => {
      slowSettled = true;
    });
    await within(probe.slowStarted.promise, 'the slow call to start');
    expect(await within(client.fast.query(), 'the fast call')).toBe('fast');
    expect(slowSettled).toBe(false);
    probe.slowGate.resolve('slow');
    expect(await within(slow, 'the slow call')).toBe('slow');
    expect(harness.server.connectionCount).toBe(1);
  });
});

describe('timeouts and cancellation', () => {
  it('rejects with VolleyError TIMEOUT after the per-call timeoutMs and aborts the server signal', async () => {
    const client = harness.client();
    // Open the socket first, so the short timeout cannot fire while the request waits to be sent.
    await client.ping.query();
    const error = await within(
      client.hang.query(undefined, { timeoutMs: 100 }).then(
        () => 'resolved',
        (reason: unknown) => reason,
      ),
      'the call to time out',
    );
    expect(error).toBeInstanceOf(VolleyError);
    expect(error).toMatchObject({ code: 'TIMEOUT', rpcCode: -32008 });
    await within(probe.hangStarted.promise, 'the resolver to start');
    await within(probe.hangAborted.promise, 'the server-side signal to abort');
    // The connection is still usable.
    expect(await client.ping.query()).toBe('pong');
  });

  it("rejects with the AbortSignal's reason and aborts the server signal", async () => {
    const client = harness.client();
    const controller = new AbortController();
    const call = client.hang.query(undefined, { signal: controller.signal });
    const outcome = call.then(
      () => 'resolved',
      (reason: unknown) => reason,
    );
    await within(probe.hangStarted.promise, 'the resolver to start');
    const reason = new Error('the user gave up');
    controller.abort(reason);
    expect(await within(outcome, 'the aborted call to reject')).toBe(reason);
    await within(probe.hangAborted.promise, 'the server-side signal to abort');
    expect(await client.ping.query()).toBe('pong');
  });

  it('never sends a call whose signal has already aborted', async () => {
    const client = harness.client();
    const reason = new Error('aborted up front');
    await expect(client.hang.query(undefined, { signal: AbortSignal.abort(reason) })).rejects.toBe(
      reason,
    );
    // Frames on one connection are served in order: had the call been sent, it would have run by now.
    expect(await client.ping.query()).toBe('pong');
    expect(probe.hangCalls).toBe(0);
  });

  it('never sends a call aborted while it waits for the socket to open', async () => {
    const client = harness.client({ lazy: true });
    expect(client.$state).toBe('idle');
    const controller = new AbortController();
    const call = client.hang.query(undefined, { signal: controller.signal });
    const outcome = call.then(
      () => 'resolved',
      (reason: unknown) => reason,
    );
    expect(client.$state).toBe('connecting');
    const reason = new Error('aborted before send');
    controller.abort(reason);
    expect(await within(outcome, 'the aborted call to reject')).toBe(reason);
    expect(await client.ping.query()).toBe('pong');
    expect(probe.hangCalls).toBe(0);
  });

  it("applies the client's default timeoutMs unless the call sets its own", async () => {
    const client = harness.client({ timeoutMs: 500 });
    await client.ping.query(undefined, { timeoutMs: 10_000 });
    // Started first: were its own timeoutMs ignored, its default timer would fire before the other's.
    let longSettled = false;
    const long = client.gated.query('kept', { timeoutMs: 60_000 }).finally(() => {
      longSettled = true;
    });
    const error = await within(
      client.hang.query().then(
        () => 'resolved',
        (reason: unknown) => reason,
      ),
      'the default timeout',
    );
    expect(error).toBeInstanceOf(VolleyError);
    expect(error).toMatchObject({ code: 'TIMEOUT' });
    await within(probe.hangAborted.promise, 'the server-side signal to abort');
    expect(longSettled).toBe(false);
    probe.slowGate.resolve('go');
    expect(await within(long, 'the call with its own timeout')).toBe('kept');
  });
});

it('rejects a call to a procedure the server does not have with METHOD_NOT_FOUND', async () => {
  const client = harness.client();
  const untyped = client as unknown as { missing: { query(): Promise<unknown> } };
  const error = await untyped.missing.query().then(
    () => 'resolved',
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(VolleyError);
  expect(error).toMatchObject({
    code: 'METHOD_NOT_FOUND',
    rpcCode: -32601,
    message: 'Method not found',
  });
  expect(await client.ping.query()).toBe('pong');
});
