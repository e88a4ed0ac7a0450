import { ClientClosedError, type VolleyClient, VolleyError } from '@volley/client';
import { initVolley, type PubSubEngine, tracked } from '@volley/core';
import { createMemoryEngine, createPubSub, type ErrorInfo } from '@volley/server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { deferred, type Harness, startHarness, within } from './helpers/harness.js';
import { createProbes, untilAborted } from './helpers/probes.js';

const liveProbes = createProbes();
const liveProbe = liveProbes.get;

let checkedFinally = deferred();

/** The memory engine, counting listeners per topic so a test can wait until all have joined. */
function countingEngine() {
  const inner = createMemoryEngine();
  const counts = new Map<string, number>();
  const watchers = new Set<() => void>();
  const engine: PubSubEngine = {
    ...inner,
    async subscribe(topic, listener) {
      const stop = await inner.subscribe(topic, listener);
      counts.set(topic, (counts.get(topic) ?? 0) + 1);
      for (const watcher of watchers) watcher();
      return () => {
        stop();
        counts.set(topic, (counts.get(topic) ?? 0) - 1);
        for (const watcher of watchers) watcher();
      };
    },
  };
  const listeners = (topic: string, count: number) =>
    new Promise<void>((resolve) => {
      const check = () => {
        if ((counts.get(topic) ?? 0) !== count) return;
        watchers.delete(check);
        resolve();
      };
      watchers.add(check);
      check();
    });
  return { engine, listeners };
}

interface Message {
  from: string;
  text: string;
}
const counting = countingEngine();
const events = createPubSub<{ [room: `room:${string}`]: Message }>({ engine: counting.engine });

const v = initVolley();
const router = v.router({
  ping: v.procedure.query(() => 'pong'),
  ticks: v.procedure.input(z.number().int().min(0)).subscription(async function* ({ input }) {
    for (let i = 0; i < input; i++) yield i;
  }),
  trackedTicks: v.procedure.input(z.number()).subscription(async function* ({ input }) {
    for (let i = 0; i < input; i++) yield tracked(`t${i}`, { n: i });
  }),
  failing: v.procedure.subscription(async function* () {
    yield 1;
    yield 2;
    throw new VolleyError({ code: 'CONFLICT', message: 'Stream broke', data: { after: 2 } });
  }),
  live: v.procedure.input(z.string()).subscription(async function* ({ input, signal }) {
    const probe = liveProbe(input);
    signal.addEventListener('abort', () => probe.aborted.resolve(), { once: true });
    probe.started.resolve();
    try {
      yield 'ready';
      await untilAborted(signal);
      yield 'never sent';
    } finally {
      probe.cleanupStarted.resolve();
      // A "gated" run's cleanup is asynchronous and lasts until the test lets it finish.
      if (input.startsWith('gated')) await probe.cleanupGate.promise;
      probe.finished = true;
      probe.finallyRan.resolve();
    }
  }),
  checked: v.procedure.output(z.number().int()).subscription(async function* () {
    try {
      yield 1;
      yield 2;
      yield 2.5;
      yield 3;
    } finally {
      checkedFinally.resolve();
    }
  }),
  chat: {
    send: v.procedure
      .input(z.object({ room: z.string(), from: z.string(), text: z.string() }))
      .mutation(({ input }) =>
        events.publish(`room:${input.room}`, { from: input.from, text: input.text }),
      ),
    onMessage: v.procedure.input(z.object({ room: z.string() })).subscription(async function* ({
      input,
      signal,
    }) {
      yield* events.subscribe(`room:${input.room}`, { signal });
    }),
  },
});

let harness: Harness<typeof router>;
let serverErrors: ErrorInfo[];
beforeEach(async () => {
  liveProbes.reset();
  checkedFinally = deferred();
  serverErrors = [];
  harness = await startHarness({ router, onError: (info) => serverErrors.push(info) });
});
afterEach(() => harness.close());

/** Settles with the error a promise rejects with, or fails the test if it resolves. */
async function rejection(promise: Promise<unknown>, what: string): Promise<unknown> {
  return within(
    promise.then(
      (value) => {
        throw new Error(`Expected ${what} to fail, got ${JSON.stringify(value)}`);
      },
      (error: unknown) => error,
    ),
    what,
  );
}

describe('delivery', () => {
  it('delivers events in order to for await, which ends when the generator returns', async () => {
    const client = harness.client();
    const seen: number[] = [];
    for await (const tick of client.ticks.subscribe(5)) seen.push(tick);
    expect(seen).toEqual([0, 1, 2, 3, 4]);
  });

  it('delivers events in order to onData, then calls onComplete', async () => {
    const client = harness.client();
    const log: string[] = [];
    const completed = deferred();
    client.ticks.subscribe(3, {
      onStarted: () => log.push('started'),
      onData: (tick) => log.push(`data ${tick}`),
      onError: (error) => log.push(`error ${String(error)}`),
      onComplete: () => {
        log.push('complete');
        completed.resolve();
      },
    });
    await within(completed.promise, 'onComplete');
    expect(log).toEqual(['started', 'data 0', 'data 1', 'data 2', 'complete']);
  });

  it('exposes the id of the last tracked event received as lastEventId', async () => {
    const client = harness.client();
    const iterated = client.trackedTicks.subscribe(3);
    expect(iterated.lastEventId).toBeUndefined();
    const data: Array<{ n: number }> = [];
    for await (const event of iterated) data.push(event);
    expect(data).toEqual([{ n: 0 }, { n: 1 }, { n: 2 }]);
    expect(iterated.lastEventId).toBe('t2');

    // onData runs as each event arrives, so there lastEventId is that event's id.
    const seen: Array<[number, string | undefined]> = [];
    const completed = deferred();
    const withCallbacks = client.trackedTicks.subscribe(3, {
      onData: (event) => seen.push([event.n, withCallbacks.lastEventId]),
      onComplete: completed.resolve,
    });
    await within(completed.promise, 'onComplete');
    expect(seen).toEqual([
      [0, 't0'],
      [1, 't1'],
      [2, 't2'],
    ]);
  });
});

describe('errors', () => {
  it('throws the thrown VolleyError from for await after the earlier events', async () => {
    const client = harness.client();
    const seen: number[] = [];
    const error = await rejection(
      (async () => {
        for await (const value of client.failing.subscribe()) seen.push(value);
      })(),
      'the failing subscription',
    );
    expect(seen).toEqual([1, 2]);
    expect(error).toBeInstanceOf(VolleyError);
    expect(error).toMatchObject({
      code: 'CONFLICT',
      rpcCode: -32009,
      message: 'Stream broke',
      data: { after: 2 },
    });
  });

  it('calls onError with the thrown VolleyError after the earlier events, and not onComplete', async () => {
    const client = harness.client();
    const log: unknown[] = [];
    const failed = deferred<unknown>();
    client.failing.subscribe(undefined, {
      onData: (value) => log.push(value),
      onComplete: () => log.push('complete'),
      onError: (error) => {
        log.push('error');
        failed.resolve(error);
      },
    });
    const error = await within(failed.promise, 'onError');
    expect(log).toEqual([1, 2, 'error']);
    expect(error).toBeInstanceOf(VolleyError);
    expect(error).toMatchObject({ code: 'CONFLICT', message: 'Stream broke' });
    // A later call on the same connection still works.
    expect(await client.ping.query()).toBe('pong');
  });

  it('fails a subscription whose input does not validate with INVALID_PARAMS', async () => {
    const client = harness.client();
    const error = await rejection(
      (async () => {
        for await (const _ of client.ticks.subscribe(-1)) {
          throw new Error('no event should arrive');
        }
      })(),
      'the invalid subscription',
    );
    expect(error).toBeInstanceOf(VolleyError);
    expect(error).toMatchObject({ code: 'INVALID_PARAMS', rpcCode: -32602 });
    expect((error as VolleyError).issues?.length).toBeGreaterThan(0);

    const viaCallback = deferred<unknown>();
    client.ticks.subscribe(1.5, { onData: () => {}, onError: viaCallback.resolve });
    expect(await within(viaCallback.promise, 'onError')).toMatchObject({ code: 'INVALID_PARAMS' });
  });

  it('refuses to iterate a subscription that delivers to onData', async () => {
    const client = harness.client();
    const completed = deferred();
    const subscription = client.ticks.subscribe(2, {
      onData: () => {},
      onComplete: completed.resolve,
    });
    expect(() => subscription[Symbol.asyncIterator]()).toThrow(TypeError);
    await expect(
      (async () => {
        for await (const _ of subscription) {
          // unreachable
        }
      })(),
    ).rejects.toThrow(TypeError);
    await within(completed.promise, 'the onData subscription to complete anyway');
  });

  it("checks each event against the subscription's output schema", async () => {
    const client = harness.client();
    const seen: number[] = [];
    const error = await rejection(
      (async () => {
        for await (const value of client.checked.subscribe()) seen.push(value);
      })(),
      'the subscription with an invalid event',
    );
    expect(seen).toEqual([1, 2]);
    expect(error).toBeInstanceOf(VolleyError);
    expect(error).toMatchObject({ code: 'INTERNAL_ERROR', message: 'Internal error' });
    await within(checkedFinally.promise, "the generator's finally");
    const reported = serverErrors.find((info) => info.path === 'checked');
    expect(reported?.error.code).toBe('INTERNAL_ERROR');
    expect(String((reported?.error.cause as Error | undefined)?.message)).toContain(
      'Output failed its schema',
    );
  });
});

describe("ending a subscription runs the generator's finally", () => {
  async function ended(label: string) {
    const probe = liveProbe(label);
    await within(probe.aborted.promise, `the resolver's signal to abort (${label})`);
    await within(probe.finallyRan.promise, `the generator's finally (${label})`);
  }

  it('when for await is left with break', async () => {
    const client = harness.client();
    const seen: string[] = [];
    for await (const value of client.live.subscribe('break')) {
      seen.push(value);
      break;
    }
    expect(seen).toEqual(['ready']);
    await ended('break');
  });

  it("when the iterator's return() is called while a next() waits, which then ends done", async () => {
    const client = harness.client();
    const iterator = client.live.subscribe('return')[Symbol.asyncIterator]();
    expect(await within(iterator.next(), 'the first event')).toEqual({
      done: false,
      value: 'ready',
    });
    // The generator sends nothing more until aborted, so this next() waits.
    const waiting = iterator.next();
    const returned = iterator.return?.();
    expect(await within(Promise.resolve(returned), 'return()')).toEqual({
      done: true,
      value: undefined,
    });
    expect(await within(waiting, 'the waiting next()')).toEqual({ done: true, value: undefined });
    await ended('return');
  });

  it('when the AbortSignal aborts, and iteration then ends quietly', async () => {
    const client = harness.client();
    const controller = new AbortController();
    const ready = deferred();
    const seen: string[] = [];
    const loop = (async () => {
      for await (const value of client.live.subscribe('signal', { signal: controller.signal })) {
        seen.push(value);
        ready.resolve();
      }
    })();
    await within(ready.promise, 'the first event');
    controller.abort();
    await within(loop, 'the loop to end');
    expect(seen).toEqual(['ready']);
    await ended('signal');
  });

  it('when unsubscribe() is called', async () => {
    const client = harness.client();
    const ready = deferred();
    const onError = deferred<unknown>();
    const subscription = client.live.subscribe('unsubscribe', {
      onData: () => ready.resolve(),
      onError: onError.resolve,
    });
    await within(ready.promise, 'the first event');
    subscription.unsubscribe();
    subscription.unsubscribe();
    await ended('unsubscribe');
    // Quietly: the next call's answer arrives with no error reported in between.
    expect(await client.ping.query()).toBe('pong');
    const settled = await Promise.race([onError.promise, Promise.resolve('no error')]);
    expect(settled).toBe('no error');
  });

  it('when the typed client closes', async () => {
    const client = harness.client();
    const ready = deferred();
    const failed = deferred<unknown>();
    client.live.subscribe('client-close', {
      onData: () => ready.resolve(),
      onError: failed.resolve,
    });
    await within(ready.promise, 'the first event');
    await within(client.$close(), 'the client to close');
    await ended('client-close');
    expect(await within(failed.promise, 'onError')).toBeInstanceOf(ClientClosedError);
  });

  it.each([
    ['closes', 'raw-close'],
    ['is terminated', 'raw-terminate'],
  ])('when a raw socket %s', async (_how, label) => {
    const raw = await harness.raw();
    raw.send({ jsonrpc: '2.0', id: 1, method: 'live', params: [label] });
    expect(await raw.next('the ack')).toEqual({
      jsonrpc: '2.0',
      id: 1,
      result: { subscription: 1 },
    });
    expect(await raw.next('the first event')).toMatchObject({
      method: 'rpc.event',
      params: { subscription: 1, data: 'ready' },
    });
    if (label === 'raw-close') await raw.close();
    else raw.socket.terminate();
    await ended(label);
  });
});

describe('pub/sub', () => {
  it('delivers what a mutation publishes to every client subscribed to the topic, with event ids', async () => {
    const blue = [harness.client(), harness.client(), harness.client()];
    const red = harness.client();
    const publisher = harness.client();

    const receive = (subscription: AsyncIterable<Message>, count: number) =>
      (async () => {
        const received: Message[] = [];
        for await (const message of subscription) {
          received.push(message);
          if (received.length === count) break;
        }
        return received;
      })();
    // Acknowledged means listening: the server starts a topic stream before it acks.
    const started: Array<Promise<void>> = [];
    const subscribe = (client: VolleyClient<typeof router>, room: string) => {
      const ack = deferred();
      started.push(ack.promise);
      return client.chat.onMessage.subscribe({ room }, { onStarted: () => ack.resolve() });
    };
    const blueSubscriptions = blue.map((client) => subscribe(client, 'blue'));
    const redSubscription = subscribe(red, 'red');
    const blueReceived = blueSubscriptions.map((subscription) => receive(subscription, 2));
    const redReceived = receive(redSubscription, 1);
    await within(Promise.all(started), 'the four subscriptions to start');
    // However many subscribers a topic has, the engine is asked for it once.
    await within(counting.listeners('room:blue', 1), 'one engine listener on room:blue');
    await within(counting.listeners('room:red', 1), 'one engine listener on room:red');

    const firstId = await publisher.chat.send.mutate({ room: 'blue', from: 'ada', text: 'hi' });
    await publisher.chat.send.mutate({ room: 'red', from: 'bob', text: 'elsewhere' });
    const secondId = await publisher.chat.send.mutate({ room: 'blue', from: 'cy', text: 'yo' });
    expect(firstId).not.toBe(secondId);

    for (const received of await within(Promise.all(blueReceived), 'the blue messages')) {
      expect(received).toEqual([
        { from: 'ada', text: 'hi' },
        { from: 'cy', text: 'yo' },
      ]);
    }
    for (const subscription of blueSubscriptions) expect(subscription.lastEventId).toBe(secondId);
    expect(await within(redReceived, 'the red message')).toEqual([
      { from: 'bob', text: 'elsewhere' },
    ]);
    // Leaving the loops ended the server-side iterations, which left the topics.
    await within(counting.listeners('room:blue', 0), 'room:blue to have no listener');
    await within(counting.listeners('room:red', 0), 'room:red to have no listener');
  });
});

describe('on the wire', () => {
  it.each([7, 'sub-7'])(
    'acknowledges subscription %j before its first rpc.event, and completes once',
    async (id) => {
      const raw = await harness.raw();
      raw.send({ jsonrpc: '2.0', id, method: 'trackedTicks', params: [2] });
      expect(await raw.next('the ack')).toEqual({
        jsonrpc: '2.0',
        id,
        result: { subscription: id },
      });
      expect(await raw.next('event 0')).toEqual({
        jsonrpc: '2.0',
        method: 'rpc.event',
        params: { subscription: id, eventId: 't0', data: { n: 0 } },
      });
      expect(await raw.next('event 1')).toEqual({
        jsonrpc: '2.0',
        method: 'rpc.event',
        params: { subscription: id, eventId: 't1', data: { n: 1 } },
      });
      expect(await raw.next('the completion')).toEqual({
        jsonrpc: '2.0',
        method: 'rpc.complete',
        params: { subscription: id },
      });
      expect(await raw.request({ jsonrpc: '2.0', id: 'after', method: 'ping' })).toEqual({
        jsonrpc: '2.0',
        id: 'after',
        result: 'pong',
      });
      expect(raw.backlog).toEqual([]);
    },
  );

  it("answers rpc.cancel on a live subscription with exactly one rpc.complete, after the generator's finally", async () => {
    const raw = await harness.raw();
    const probe = liveProbe('gated-cancel');
    raw.send({ jsonrpc: '2.0', id: 9, method: 'live', params: ['gated-cancel'] });
    expect(await raw.next('the ack')).toEqual({
      jsonrpc: '2.0',
      id: 9,
      result: { subscription: 9 },
    });
    expect(await raw.next('the first event')).toMatchObject({
      method: 'rpc.event',
      params: { subscription: 9, data: 'ready' },
    });

    raw.send({ jsonrpc: '2.0', method: 'rpc.cancel', params: { id: 9 } });
    await within(probe.cleanupStarted.promise, 'the finally block to start');
    // While the finally block is still running, nothing is sent for 9: the next frame
    // is the answer to a request sent after the cancel.
    expect(await raw.request({ jsonrpc: '2.0', id: 'mid', method: 'ping' })).toEqual({
      jsonrpc: '2.0',
      id: 'mid',
      result: 'pong',
    });
    expect(probe.finished).toBe(false);

    probe.cleanupGate.resolve();
    const complete = await raw.next('the completion');
    expect(probe.finished).toBe(true);
    expect(complete).toEqual({
      jsonrpc: '2.0',
      method: 'rpc.complete',
      params: { subscription: 9 },
    });
    await within(probe.aborted.promise, "the resolver's signal to abort");

    // The subscription is gone: a second cancel finds nothing, and nothing else for 9 follows.
    expect(
      await raw.request({ jsonrpc: '2.0', id: 10, method: 'rpc.cancel', params: { id: 9 } }),
    ).toEqual({ jsonrpc: '2.0', id: 10, result: false });
    expect(await raw.request({ jsonrpc: '2.0', id: 11, method: 'ping' })).toEqual({
      jsonrpc: '2.0',
      id: 11,
      result: 'pong',
    });
    expect(raw.backlog).toEqual([]);
  });
});
