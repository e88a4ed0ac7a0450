// maxSubscriptions: subscriptions open (starting or live) on one connection.
import { VolleyError } from '@volley/client';
import { initVolley } from '@volley/core';
import { DEFAULT_MAX_SUBSCRIPTIONS } from '@volley/server';
import { afterEach, expect, it } from 'vitest';
import { type Harness, startHarness } from './helpers/harness.js';

let opened = 0;
const v = initVolley();
const router = v.router({
  ping: v.procedure.query(() => 'pong'),
  feed: v.procedure.subscription(async function* ({ signal }) {
    opened++;
    yield 'hello';
    await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
  }),
});

let harness: Harness<typeof router> | undefined;
afterEach(async () => {
  opened = 0;
  await harness?.close();
  harness = undefined;
});

const subscribe = (id: number) => ({ jsonrpc: '2.0', id, method: 'feed' });

it('defaults to 100', () => {
  expect(DEFAULT_MAX_SUBSCRIPTIONS).toBe(100);
});

it('refuses the subscription past the limit, and accepts one again after another ends', async () => {
  const started = await startHarness({ router, maxSubscriptions: 2 });
  harness = started;
  const peer = await started.raw();
  for (const id of [1, 2]) {
    expect(await peer.request(subscribe(id))).toEqual({
      jsonrpc: '2.0',
      id,
      result: { subscription: id },
    });
    expect(await peer.next()).toMatchObject({ method: 'rpc.event', params: { subscription: id } });
  }
  expect(await peer.request(subscribe(3))).toEqual({
    jsonrpc: '2.0',
    id: 3,
    error: {
      code: -32029,
      message: 'Too many subscriptions: at most 2 per connection',
      data: { code: 'TOO_MANY_REQUESTS', limit: 'maxSubscriptions' },
    },
  });
  expect(opened).toBe(2);
  // Calls are not subscriptions.
  expect(await peer.request({ jsonrpc: '2.0', id: 4, method: 'ping' })).toMatchObject({
    result: 'pong',
  });
  peer.send({ jsonrpc: '2.0', method: 'rpc.cancel', params: { id: 1 } });
  expect(await peer.next()).toEqual({
    jsonrpc: '2.0',
    method: 'rpc.complete',
    params: { subscription: 1 },
  });
  expect(await peer.request(subscribe(5))).toEqual({
    jsonrpc: '2.0',
    id: 5,
    result: { subscription: 5 },
  });
  expect(opened).toBe(3);
});

it('counts per connection, and the typed client fails the subscription with the limit by name', async () => {
  const started = await startHarness({ router, maxSubscriptions: 1 });
  harness = started;
  const client = started.client();
  const other = started.client();
  const first = client.feed.subscribe()[Symbol.asyncIterator]();
  expect(await first.next()).toEqual({ done: false, value: 'hello' });
  const error = await client.feed
    .subscribe()
    [Symbol.asyncIterator]()
    .next()
    .then(
      () => undefined,
      (reason: unknown) => reason,
    );
  expect(error).toBeInstanceOf(VolleyError);
  expect(error).toMatchObject({ code: 'TOO_MANY_REQUESTS', limit: 'maxSubscriptions' });
  const third = other.feed.subscribe()[Symbol.asyncIterator]();
  expect(await third.next()).toEqual({ done: false, value: 'hello' });
  await first.return?.();
  await third.return?.();
});
