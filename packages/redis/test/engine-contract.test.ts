// The PubSubEngine contract (packages/core/src/pubsub.ts), run against both engines: the
// in-memory one in @volley/server and the Redis one. For Redis, `a` and `b` are two engines
// on one Redis, as two server processes would be; for memory they are the same engine.
import { randomUUID } from 'node:crypto';
import type { PubSubEngine } from '@volley/core';
import { createRedisEngine } from '@volley/redis';
import { createMemoryEngine } from '@volley/server';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { dataOf, recordingListener } from './helpers/listener.js';
import { type RedisServer, startRedis } from './helpers/services.js';

interface Engines {
  /** Where the test listens. */
  a: PubSubEngine;
  /** Another process on the same topics (the same engine, in memory). */
  b: PubSubEngine;
  /** An engine with a log of its own: its ids are foreign to `a`. */
  foreign: PubSubEngine;
}

interface Subject {
  name: string;
  make(options: { logSize?: number }): Engines;
}

let redis: RedisServer;
const closers: Array<() => Promise<void>> = [];

beforeAll(async () => {
  redis = await startRedis();
});
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});
afterAll(async () => {
  await redis?.close();
});

const subjects: Subject[] = [
  {
    name: 'memory',
    make({ logSize }) {
      const engine = createMemoryEngine({ logSize });
      return { a: engine, b: engine, foreign: createMemoryEngine({ logSize }) };
    },
  },
  {
    name: 'redis',
    make({ logSize }) {
      const keyPrefix = `contract:${randomUUID()}:`;
      const engine = (prefix: string) => {
        const made = createRedisEngine({ redis: redis.url, keyPrefix: prefix, logSize });
        closers.push(() => made.close());
        return made;
      };
      return { a: engine(keyPrefix), b: engine(keyPrefix), foreign: engine(`other:${keyPrefix}`) };
    },
  },
];

describe.each(subjects)('$name engine', (subject) => {
  it('is ready when subscribe resolves: events published after it, from any process, arrive', async () => {
    const { a, b } = subject.make({});
    const listener = recordingListener();
    await a.subscribe('t', listener);
    await b.publish('t', { n: 1 });
    await a.publish('t', { n: 2 });
    await listener.untilEvents(2);
    expect(dataOf(listener.events)).toEqual([{ n: 1 }, { n: 2 }]);
  });

  it('delivers every event once, in id order, as the log holds them', async () => {
    const { a, b } = subject.make({});
    const listener = recordingListener();
    const start = await a.head('t');
    await a.subscribe('t', listener);
    const ids = await Promise.all(
      Array.from({ length: 40 }, (_, n) => (n % 2 === 0 ? a : b).publish('t', n)),
    );
    await listener.untilEvents(40);
    const heard = listener.events.map((event) => event.id);
    expect(new Set(heard).size).toBe(40);
    expect([...heard].sort()).toEqual([...ids].sort());
    // The order heard is the log's order, which is id order.
    expect((await a.backlog('t', start))?.map((event) => event.id)).toEqual(heard);
    expect(listener.gaps).toBe(0);
  });

  it('gives the events after a position, oldest first, and [] after the newest', async () => {
    const { a, b } = subject.make({});
    const ids: string[] = [];
    for (const n of [1, 2, 3, 4, 5]) ids.push(await (n % 2 ? a : b).publish('t', { n }));
    expect(await b.backlog('t', ids[1] as string)).toEqual([
      { id: ids[2], data: { n: 3 } },
      { id: ids[3], data: { n: 4 } },
      { id: ids[4], data: { n: 5 } },
    ]);
    expect(await a.backlog('t', ids[4] as string)).toEqual([]);
  });

  it('head is a position before the next event, even before the first', async () => {
    const { a, b } = subject.make({});
    const empty = await a.head('fresh');
    expect(await b.backlog('fresh', empty)).toEqual([]);
    await b.publish('fresh', 'x');
    const last = await a.publish('fresh', 'y');
    expect(dataOf((await b.backlog('fresh', empty)) ?? [])).toEqual(['x', 'y']);
    expect(await b.head('fresh')).toBe(last);
  });

  it('reports a position trimmed from the log as lost', async () => {
    const { a } = subject.make({ logSize: 5 });
    const first = await a.publish('t', 0);
    // Redis trims `MAXLEN ~` in whole nodes of 100 entries: 300 events are enough.
    for (let n = 1; n < 300; n++) await a.publish('t', n);
    expect(await a.backlog('t', first)).toBeUndefined();
    const recent = await a.head('t');
    await a.publish('t', 300);
    expect(dataOf((await a.backlog('t', recent)) ?? [])).toEqual([300]);
  });

  it('reports a position of another log, a malformed one or one past the head as lost', async () => {
    const { a, foreign } = subject.make({});
    await a.publish('t', 1);
    const theirs = await foreign.publish('t', 1);
    expect(await a.backlog('t', theirs)).toBeUndefined();
    expect(await a.backlog('t', 'not an id')).toBeUndefined();
    expect(await a.backlog('t', '')).toBeUndefined();
    const head = await a.head('t');
    const past = head.replace(/\d+$/, (seq) => String(Number(seq) + 5));
    expect(await a.backlog('t', past)).toBeUndefined();
  });

  it('keeps no log with logSize 0: only the newest position is served', async () => {
    const { a } = subject.make({ logSize: 0 });
    const first = await a.publish('t', 1);
    const second = await a.publish('t', 2);
    expect(await a.backlog('t', first)).toBeUndefined();
    expect(await a.backlog('t', second)).toEqual([]);
  });

  it('stops delivering after unsubscribe, and unsubscribing twice is harmless', async () => {
    const { a, b } = subject.make({});
    const stopped = recordingListener();
    const going = recordingListener();
    const unsubscribe = await a.subscribe('t', stopped);
    await a.subscribe('t', going);
    await b.publish('t', 1);
    await stopped.untilEvents(1);
    unsubscribe();
    unsubscribe();
    await b.publish('t', 2);
    await going.untilEvents(2);
    expect(dataOf(stopped.events)).toEqual([1]);
    expect(dataOf(going.events)).toEqual([1, 2]);
  });

  it('keeps topics apart', async () => {
    const { a, b } = subject.make({});
    const listener = recordingListener();
    await a.subscribe('room:1', listener);
    await b.publish('room:2', 'elsewhere');
    await b.publish('room:1', 'here');
    await listener.untilEvents(1);
    expect(dataOf(listener.events)).toEqual(['here']);
  });
});
