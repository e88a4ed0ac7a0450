// Fan-out: an event published on a topic is serialised once, whatever the number of
// subscribers; and data a generator mutates between yields is never served stale.
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
    news: v.procedure.subscription(({ signal }) => events.subscribe('news', { signal })),
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

it('sends what a generator yielded at the time, even when it reuses the object', async () => {
  const { router } = makeRouter();
  harness = await startHarness({ router });
  const seen: unknown[] = [];
  for await (const state of harness.client().counter.subscribe()) seen.push(state);
  expect(seen).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
});
