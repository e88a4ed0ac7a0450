// Resumable subscriptions over real sockets: after a cut the client resumes from its last
// event id and gets every missed event once, in order; when the server cannot replay (its
// log was trimmed, it restarted, or the stream is not a topic) it says so.
import {
  type ClientOptions,
  createClient,
  ResyncRequiredError,
  type VolleyClient,
} from '@volley/client';
import { initVolley, type PubSubEngine } from '@volley/core';
import { createMemoryEngine, createPubSub, createServer, type PubSub } from '@volley/server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { z } from 'zod';
import type { NumberEvent, NumbersRouter } from './fixtures/numbers-router.js';
import { startChildServer } from './helpers/child-server.js';
import { deferred, untilState, within } from './helpers/harness.js';
import { startTcpProxy, type TcpProxy } from './helpers/tcp-proxy.js';

type Topics = Record<string, number>;
let events: PubSub<Topics> = createPubSub<Topics>();
let plainRuns = 0;

const v = initVolley();
const router = v.router({
  byNumber: v.procedure
    .input(z.number())
    .subscription(({ input, signal, lastEventId }) =>
      events.subscribe(`number:${input}`, { signal, lastEventId }),
    ),
  byRoom: v.procedure
    .input(z.object({ room: z.string() }))
    .subscription(({ input, signal, lastEventId }) =>
      events.subscribe(`room:${input.room}`, { signal, lastEventId }),
    ),
  /** The same topic, with `lastEventId` not passed on: the server passes it on itself. */
  byRoomForgetful: v.procedure
    .input(z.object({ room: z.string() }))
    .subscription(({ input, signal }) => events.subscribe(`room:${input.room}`, { signal })),
  /** A call that answers at once: a clock for tests, through its own timeout. */
  ping: v.procedure.query(() => 'pong'),
  /** Not a topic: a generator that cannot replay anything. */
  plain: v.procedure.subscription(async function* ({ signal }) {
    plainRuns += 1;
    yield plainRuns;
    await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
  }),
});
type Client = VolleyClient<typeof router>;

let cleanups: Array<() => Promise<void>> = [];
beforeEach(() => {
  events = createPubSub<Topics>();
  plainRuns = 0;
  cleanups = [];
});
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/** A server on port 0 with a proxy in front, and a client through the proxy. */
async function startProxied(
  clientOptions: Partial<ClientOptions> = {},
): Promise<{ proxy: TcpProxy; client: Client }> {
  const server = createServer({ router, heartbeatIntervalMs: 0 });
  cleanups.push(() => server.close());
  const { port } = await server.listen(0, '127.0.0.1');
  const proxy = await startTcpProxy(port);
  cleanups.push(() => proxy.close());
  const client = createClient<typeof router>({
    url: proxy.url,
    WebSocket,
    heartbeatIntervalMs: 0,
    retry: { initialDelayMs: 20, maxDelayMs: 200 },
    ...clientOptions,
  });
  cleanups.push(() => client.$close());
  // First of all, so that a test that failed mid-stall does not leave $close() waiting
  // for a closing handshake that cannot get through.
  cleanups.push(async () => proxy.resume());
  return { proxy, client };
}

/** Collects a subscription's events, and resolves waits for a number of them. */
function collector<T>() {
  const received: T[] = [];
  const waiters: Array<{ count: number; resolve: () => void }> = [];
  return {
    received,
    push(item: T) {
      received.push(item);
      for (const waiter of [...waiters]) {
        if (received.length < waiter.count) continue;
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    },
    /** Resolves once `count` events in all have arrived. */
    until(count: number, what = `${count} events`): Promise<void> {
      return within(
        new Promise<void>((resolve) => {
          if (received.length >= count) resolve();
          else waiters.push({ count, resolve });
        }),
        what,
      );
    },
  };
}

const range = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, index) => from + index);

async function publishAll(topic: string, numbers: number[]): Promise<string[]> {
  const ids: string[] = [];
  for (const n of numbers) ids.push(await events.publish(topic, n));
  return ids;
}

describe.each([
  {
    kind: 'a primitive input',
    topic: 'number:5',
    subscribe: (client: Client, options: Parameters<Client['byNumber']['subscribe']>[1]) =>
      client.byNumber.subscribe(5, options),
  },
  {
    kind: 'an object input',
    topic: 'room:lobby',
    subscribe: (client: Client, options: Parameters<Client['byRoom']['subscribe']>[1]) =>
      client.byRoom.subscribe({ room: 'lobby' }, options),
  },
  {
    kind: 'a procedure that does not pass lastEventId on',
    topic: 'room:lobby',
    subscribe: (client: Client, options: Parameters<Client['byRoom']['subscribe']>[1]) =>
      client.byRoomForgetful.subscribe({ room: 'lobby' }, options),
  },
])('a topic subscription with $kind', ({ topic, subscribe }) => {
  it('resumes after a cut with recovered: true and gets every missed event once, in order', async () => {
    const { proxy, client } = await startProxied();
    const got = collector<number>();
    const started = deferred();
    const resumed = deferred<{ recovered: boolean }>();
    const subscription = subscribe(client, {
      onStarted: () => started.resolve(),
      onData: (n) => got.push(n),
      onResumed: (info) => resumed.resolve(info),
    });
    await within(started.promise, 'the subscription to start');
    await publishAll(topic, range(1, 5));
    await got.until(5);
    // Blackholed: the server sends 6..10 into the void, where the cut loses them.
    proxy.stall();
    await publishAll(topic, range(6, 10));
    proxy.cut();
    await untilState(client, 'reconnecting');
    // Published with no connection at all.
    await publishAll(topic, range(11, 15));
    // Another topic's events must not leak in: the resumed input is the same input.
    await publishAll(topic === 'number:5' ? 'number:6' : 'room:hall', [100, 101]);
    proxy.resume();
    expect(await within(resumed.promise, 'the subscription to resume')).toEqual({
      recovered: true,
    });
    const ids = await publishAll(topic, range(16, 20));
    await got.until(20);
    expect(got.received).toEqual(range(1, 20));
    expect(subscription.lastEventId).toBe(ids.at(-1));
  });
});

it('replays with the live side read first: events published while the backlog is read arrive once, in order', async () => {
  // An engine whose backlog read is slow, as a remote log's would be: events can be
  // published before it takes its snapshot (so they are both live and replayed) and
  // after (so only the live side has them).
  const inner = createMemoryEngine();
  const gate = {
    armed: false,
    asked: deferred(),
    snapshot: deferred(),
    taken: deferred(),
    answer: deferred(),
  };
  const engine: PubSubEngine = {
    ...inner,
    async backlog(topic, eventId) {
      if (!gate.armed) return inner.backlog(topic, eventId);
      gate.asked.resolve();
      await gate.snapshot.promise;
      const backlog = await inner.backlog(topic, eventId);
      gate.taken.resolve();
      await gate.answer.promise;
      return backlog;
    },
  };
  events = createPubSub<Topics>({ engine });
  const { proxy, client } = await startProxied();
  const got = collector<number>();
  const started = deferred();
  const resumed = deferred<{ recovered: boolean }>();
  client.byNumber.subscribe(7, {
    onStarted: () => started.resolve(),
    onData: (n) => got.push(n),
    onResumed: (info) => resumed.resolve(info),
  });
  await within(started.promise, 'the subscription to start');
  await publishAll('number:7', [1, 2]);
  await got.until(2);
  proxy.stall();
  proxy.cut();
  await untilState(client, 'reconnecting');
  await publishAll('number:7', [3, 4]);
  gate.armed = true;
  proxy.resume();
  await within(gate.asked.promise, 'the server to read the backlog');
  // In the snapshot and live.
  await publishAll('number:7', [5, 6]);
  gate.snapshot.resolve();
  await within(gate.taken.promise, 'the snapshot');
  // Live only.
  await publishAll('number:7', [7, 8]);
  gate.answer.resolve();
  expect(await within(resumed.promise, 'the subscription to resume')).toEqual({
    recovered: true,
  });
  await publishAll('number:7', [9]);
  await got.until(9);
  expect(got.received).toEqual(range(1, 9));
});

it('reports recovered: false when the log no longer holds the position, and goes on live', async () => {
  events = createPubSub<Topics>({ engine: createMemoryEngine({ logSize: 3 }) });
  const { proxy, client } = await startProxied();
  const got = collector<number>();
  const started = deferred();
  const resumed = deferred<{ recovered: boolean }>();
  client.byNumber.subscribe(1, {
    onStarted: () => started.resolve(),
    onData: (n) => got.push(n),
    onResumed: (info) => resumed.resolve(info),
  });
  await within(started.promise, 'the subscription to start');
  await publishAll('number:1', [1, 2]);
  await got.until(2);
  proxy.stall();
  proxy.cut();
  await untilState(client, 'reconnecting');
  // Ten missed, three kept: 3..9 are gone.
  await publishAll('number:1', range(3, 12));
  proxy.resume();
  expect(await within(resumed.promise, 'the subscription to resume')).toEqual({
    recovered: false,
  });
  await publishAll('number:1', [13, 14]);
  await got.until(4);
  // It goes on from the live edge, without replaying part of what it missed.
  expect(got.received).toEqual([1, 2, 13, 14]);
});

it('resumes a plain generator (not a topic) with recovered: false, with or without onResumed', async () => {
  const { proxy, client } = await startProxied();
  const withCallback = collector<number>();
  const without = collector<number>();
  const resumed = deferred<{ recovered: boolean }>();
  const failures: unknown[] = [];
  client.plain.subscribe(undefined, {
    onData: (n) => withCallback.push(n),
    onResumed: (info) => resumed.resolve(info),
  });
  client.plain.subscribe(undefined, {
    onData: (n) => without.push(n),
    onError: (error) => failures.push(error),
  });
  await withCallback.until(1);
  await without.until(1);
  proxy.cut();
  expect(await within(resumed.promise, 'the subscription to resume')).toEqual({
    recovered: false,
  });
  // Both run again: with no position there is no gap to resync, so neither fails.
  await withCallback.until(2);
  await without.until(2);
  expect(plainRuns).toBe(4);
  expect(failures).toEqual([]);
});

describe('after the server is killed and restarted', () => {
  it('onResumed hears recovered: false before any event of the new process; without it, ResyncRequiredError', async () => {
    const child = await startChildServer({ paceMs: 5 });
    cleanups.push(() => child.close());
    const proxy = await startTcpProxy(child.port);
    cleanups.push(() => proxy.close());
    const client = createClient<NumbersRouter>({
      url: proxy.url,
      WebSocket,
      heartbeatIntervalMs: 0,
      retry: { initialDelayMs: 20, maxDelayMs: 200 },
    });
    cleanups.push(() => client.$close());

    const told = collector<NumberEvent>();
    const resumes: Array<{ recovered: boolean; afterEvents: number }> = [];
    const resumed = deferred();
    client.numbers.subscribe(undefined, {
      onData: (event) => told.push(event),
      onResumed: (info) => {
        resumes.push({ ...info, afterEvents: told.received.length });
        resumed.resolve();
      },
    });
    const untold = collector<NumberEvent>();
    const failed = deferred<unknown>();
    const plain = client.numbers.subscribe(undefined, {
      onData: (event) => untold.push(event),
      onError: (error) => failed.resolve(error),
    });
    await told.until(10);
    await untold.until(10);
    const lastSeen = plain.lastEventId;
    expect(lastSeen).toMatch(/\.\d+$/);

    await child.restart();

    const error = await within(failed.promise, 'the subscription without onResumed to fail');
    expect(error).toBeInstanceOf(ResyncRequiredError);
    expect((error as ResyncRequiredError).lastEventId).toBe(plain.lastEventId);
    await within(resumed.promise, 'the subscription with onResumed to resume');
    expect(resumes).toEqual([{ recovered: false, afterEvents: expect.any(Number) }]);
    const before = resumes[0]?.afterEvents ?? 0;
    await told.until(before + 10, 'events of the new process');
    // Every event before the resume came from the first process, every one after from the second.
    expect(told.received.slice(0, before).every((event) => event.incarnation === 1)).toBe(true);
    expect(told.received.slice(before).every((event) => event.incarnation === 2)).toBe(true);
    // After the gap it is consecutive again.
    const after = told.received.slice(before).map((event) => event.seq);
    expect(after).toEqual(range(after[0] ?? 0, (after[0] ?? 0) + after.length - 1));
  });
});

it('a resuming subscription outlasts an outage longer than its timeout, then resumes whole', async () => {
  const { proxy, client } = await startProxied({ connectTimeoutMs: 100 });
  const got = collector<number>();
  const started = deferred();
  const resumed = deferred<{ recovered: boolean }>();
  const failures: unknown[] = [];
  client.byNumber.subscribe(8, {
    timeoutMs: 200,
    onStarted: () => started.resolve(),
    onData: (n) => got.push(n),
    onResumed: (info) => resumed.resolve(info),
    onError: (error) => failures.push(error),
  });
  await within(started.promise, 'the subscription to start');
  await publishAll('number:8', [1]);
  await got.until(1);
  proxy.stall();
  proxy.cut();
  await untilState(client, 'reconnecting');
  // The outage outlasts the subscription's timeout: a call made now, with three times that
  // timeout, times out while the server is still unreachable.
  await expect(client.ping.query(undefined, { timeoutMs: 600 })).rejects.toMatchObject({
    code: 'TIMEOUT',
  });
  await publishAll('number:8', [2]);
  proxy.resume();
  expect(await within(resumed.promise, 'the subscription to resume')).toEqual({ recovered: true });
  await publishAll('number:8', [3]);
  await got.until(3);
  expect(got.received).toEqual([1, 2, 3]);
  expect(failures).toEqual([]);
});
