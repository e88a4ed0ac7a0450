// maxInFlight: queries and mutations running at once on one connection.
import { VolleyError } from '@volley/client';
import { initVolley } from '@volley/core';
import { DEFAULT_MAX_IN_FLIGHT, type ErrorInfo } from '@volley/server';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { deferred, type Harness, startHarness, within } from './helpers/harness.js';

let gate = deferred();
let runs = 0;
let allStarted = deferred();
let expected = 0;
let ticks = deferred();

const v = initVolley();
const router = v.router({
  ping: v.procedure.query(() => 'pong'),
  gated: v.procedure.mutation(async () => {
    runs++;
    if (runs === expected) allStarted.resolve();
    await gate.promise;
    return 'done';
  }),
  ticks: v.procedure.subscription(async function* ({ signal }) {
    yield 'first';
    ticks.resolve();
    await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
  }),
});

let harness: Harness<typeof router> | undefined;
const errors: ErrorInfo[] = [];
beforeEach(() => {
  gate = deferred();
  runs = 0;
  allStarted = deferred();
  expected = 0;
  ticks = deferred();
  errors.length = 0;
});
afterEach(async () => {
  gate.resolve();
  await harness?.close();
  harness = undefined;
});

const overLimit = (id: number, max: number) => ({
  jsonrpc: '2.0',
  id,
  error: {
    code: -32029,
    message: `Too many calls in flight: at most ${max} per connection`,
    data: { code: 'TOO_MANY_REQUESTS', limit: 'maxInFlight' },
  },
});

it('defaults to 1,024', () => {
  expect(DEFAULT_MAX_IN_FLIGHT).toBe(1_024);
});

it('refuses the call past the limit without running it, and serves again once one ends', async () => {
  const opened = await startHarness({
    router,
    maxInFlight: 2,
    onError: (info) => errors.push(info),
  });
  harness = opened;
  const peer = await opened.raw();
  expected = 2;
  peer.send({ jsonrpc: '2.0', id: 1, method: 'gated' });
  peer.send({ jsonrpc: '2.0', id: 2, method: 'gated' });
  await within(allStarted.promise, 'two calls running');
  expect(await peer.request({ jsonrpc: '2.0', id: 3, method: 'gated' })).toEqual(overLimit(3, 2));
  // A notification past the limit cannot be answered: it is dropped and onError hears it.
  peer.send({ jsonrpc: '2.0', method: 'gated' });
  expect(await peer.request({ jsonrpc: '2.0', id: 4, method: 'ping' })).toEqual(overLimit(4, 2));
  expect(runs).toBe(2);
  expect(errors.map((info) => [info.error.code, info.error.limit, info.path])).toEqual([
    ['TOO_MANY_REQUESTS', 'maxInFlight', 'gated'],
  ]);
  // Protocol methods are not calls: they are answered whatever is running.
  expect(await peer.request({ jsonrpc: '2.0', id: 5, method: 'rpc.ping' })).toMatchObject({
    result: 'pong',
  });
  gate.resolve();
  const done = [await peer.next(), await peer.next()];
  expect(done).toEqual(
    expect.arrayContaining([
      { jsonrpc: '2.0', id: 1, result: 'done' },
      { jsonrpc: '2.0', id: 2, result: 'done' },
    ]),
  );
  expect(await peer.request({ jsonrpc: '2.0', id: 6, method: 'ping' })).toEqual({
    jsonrpc: '2.0',
    id: 6,
    result: 'pong',
  });
});

it('counts per connection, not subscriptions, and the typed client sees the limit by name', async () => {
  const opened = await startHarness({ router, maxInFlight: 1 });
  harness = opened;
  const first = opened.client();
  const second = opened.client();
  // A live subscription does not take a call's place.
  const subscription = first.ticks.subscribe();
  await within(ticks.promise, 'the subscription to run');
  expected = 1;
  const running = first.gated.mutate();
  await within(allStarted.promise, 'the call to run');
  const refused = await first.ping.query().then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(refused).toBeInstanceOf(VolleyError);
  expect(refused).toMatchObject({ code: 'TOO_MANY_REQUESTS', limit: 'maxInFlight' });
  // Another connection has its own allowance.
  expect(await second.ping.query()).toBe('pong');
  gate.resolve();
  expect(await running).toBe('done');
  expect(await first.ping.query()).toBe('pong');
  subscription.unsubscribe();
});
