// Fan-out: an event published on a topic is serialised once, whatever the number of
// subscribers; an event that cannot be serialised fails the subscriptions it reaches
// and nothing else; and data a generator mutates between yields is never served stale.
import { initVolley } from '@volley/core';
import { createPubSub } from '@volley/server';
import { afterEach, expect, it } from 'vitest';
import { deferred, type Harness, startHarness, within } from './helpers/harness.js';

let harness: Harness<ReturnType<typeof makeRouter>['router']> | undefined;
afterEach(() => harness?.close());

function makeRouter() {
  const v = initVolley();
  const events = createPubSub<{ news: unknown }>();
  const router = v.router({
    // The topic returned as it is (the server pushes its events) ...
    news: v.procedure.subscription(({ signal }) => events.subscribe('news', { signal })),
    // ... and wrapped in a generator (the server pulls them).
    wrappedNews: v.procedure.subscription(async function* ({ signal }) {
      yield* events.subscribe('news', { signal });
    }),
    counter: v.procedure.subscription(async function* () {
      const state = { n: 0 };
      // The same object, changed between yields: each event must carry its own value.
      for (let i = 1; i <= 3; i++) {
        state.n = i;
        yield state;
      }
    }),
  });
  return { router, events };
}

it('serialises a topic event once for all its subscribers', async () => {
  const { router, events } = makeRouter();
  harness = await startHarness({ router });
  const subscribers = 5;
  const received: unknown[] = [];
  const allReceived = deferred();
  const started: Array<Promise<void>> = [];
  for (let i = 0; i < subscribers; i++) {
    const ready = deferred();
    started.push(ready.promise);
    harness.client().news.subscribe(undefined, {
      onStarted: () => ready.resolve(),
      onData: (data) => {
        received.push(data);
        if (received.length === subscribers) allReceived.resolve();
      },
    });
  }
  await within(Promise.all(started), 'every subscription to start');
  let serialised = 0;
  await events.publish('news', {
    toJSON() {
      serialised += 1;
      return { headline: 'once' };
    },
  });
  await within(allReceived.promise, 'every subscriber to get the event');
  expect(received).toEqual(Array.from({ length: subscribers }, () => ({ headline: 'once' })));
  expect(serialised).toBe(1);
});

it.each(['news', 'wrappedNews'] as const)(
  'fails each %s subscription with rpc.error on an event that cannot be serialised, and goes on serving',
  async (procedure) => {
    const { router, events } = makeRouter();
    const reported: unknown[] = [];
    harness = await startHarness({ router, onError: ({ error }) => reported.push(error) });
    const failures: unknown[] = [];
    const failed = deferred();
    const started: Array<Promise<void>> = [];
    for (let i = 0; i < 2; i++) {
      const ready = deferred();
      started.push(ready.promise);
      harness.client()[procedure].subscribe(undefined, {
        onStarted: () => ready.resolve(),
        onError: (error) => {
          failures.push(error);
          if (failures.length === 2) failed.resolve();
        },
      });
    }
    await within(Promise.all(started), 'both subscriptions to start');
    // The publisher is not the one at fault for a subscriber's encoding; it is not thrown at.
    await expect(events.publish('news', { size: 1n })).resolves.toEqual(expect.any(String));
    await within(failed.promise, 'both subscriptions to fail');
    expect(failures).toEqual([
      expect.objectContaining({ code: 'INTERNAL_ERROR', message: 'Internal error' }),
      expect.objectContaining({ code: 'INTERNAL_ERROR', message: 'Internal error' }),
    ]);
    expect(String((reported[0] as Error).cause)).toMatch(/BigInt/);
    // A new subscriber gets the next event.
    const next = deferred<unknown>();
    const ready = deferred();
    harness.client()[procedure].subscribe(undefined, {
      onStarted: () => ready.resolve(),
      onData: (data) => next.resolve(data),
    });
    await within(ready.promise, 'a new subscription to start');
    await events.publish('news', { headline: 'after' });
    expect(await within(next.promise, 'the next event')).toEqual({ headline: 'after' });
  },
);

it('pushes events of every frame length and of any UTF-8 intact, in order', async () => {
  const { router, events } = makeRouter();
  harness = await startHarness({ router });
  // A frame's length takes 7 bits, 16 bits or 64 bits; and 'é' and '🏐' take more bytes
  // than characters, which only a byte-length frame header gets right.
  const sent: unknown[] = [
    0,
    { text: 'short' },
    { text: 'é'.repeat(60) },
    { text: 'a'.repeat(1_000) },
    { text: '🏐'.repeat(20_000) },
    { text: 'z'.repeat(70_000) },
    { text: 'after' },
  ];
  const received: unknown[] = [];
  const all = deferred();
  const ready = deferred();
  harness.client().news.subscribe(undefined, {
    onStarted: () => ready.resolve(),
    onData: (data) => {
      received.push(data);
      if (received.length === sent.length) all.resolve();
    },
  });
  await within(ready.promise, 'the subscription to start');
  for (const event of sent) await events.publish('news', event);
  await within(all.promise, 'every event');
  expect(received).toEqual(sent);
});

it('sends what a generator yielded at the time, even when it reuses the object', async () => {
  const { router } = makeRouter();
  harness = await startHarness({ router });
  const seen: unknown[] = [];
  for await (const state of harness.client().counter.subscribe()) seen.push(state);
  expect(seen).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
});
