// The Redis engine through faults, each on a redis-server of the test's own: Redis
// stopped, restarted with and without its data, flushed, the pub/sub connection cut, a
// listener cut off for longer than the log. Counted with numbered events: none heard
// twice, none lost unless a gap was reported.
import { randomUUID } from 'node:crypto';
import type { TopicEvent } from '@volley/core';
import { createRedisEngine, type RedisEngine, RedisUnavailableError } from '@volley/redis';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../../tests/test/helpers/child-server.js';
import { startTcpProxy } from '../../tests/test/helpers/tcp-proxy.js';
import { dataOf, recordingListener } from './helpers/listener.js';
import { type Published, startPublisher } from './helpers/publisher.js';
import { type RedisServer, startRedis } from './helpers/services.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function redisServer(options: { persist?: boolean } = {}): Promise<RedisServer> {
  const server = await startRedis(options);
  cleanups.push(() => server.close());
  return server;
}

function engine(url: string, options: Parameters<typeof createRedisEngine>[0] = {}): RedisEngine {
  const made = createRedisEngine({ redis: url, keyPrefix: 'faults:', onError: false, ...options });
  cleanups.push(() => made.close());
  return made;
}

function admin(url: string): Redis {
  const redis = new Redis(url, { lazyConnect: true });
  cleanups.push(async () => {
    redis.disconnect();
  });
  return redis;
}

/** Resolves once `condition` holds, checking every 20 ms (for state only Redis can tell). */
async function until(condition: () => Promise<boolean>, what: string, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** How many connections are subscribed to a channel. */
async function subscribers(redis: Redis, channel: string): Promise<number> {
  const [, count] = (await redis.pubsub('NUMSUB', channel)) as [string, number];
  return Number(count);
}

/**
 * The numbers heard, checked against what was published: strictly increasing (so none
 * twice and none out of order), every successful publish heard (when `complete`), and
 * nothing heard that was refused.
 */
function expectHeard(events: TopicEvent[], published: Published, complete: boolean): number[] {
  const heard = dataOf(events) as number[];
  for (let i = 1; i < heard.length; i++) expect(heard[i]).toBeGreaterThan(heard[i - 1] as number);
  const heardSet = new Set(heard);
  if (complete) expect(published.ok.filter((n) => !heardSet.has(n))).toEqual([]);
  expect(published.refused.filter((n) => heardSet.has(n))).toEqual([]);
  return heard;
}

describe('Redis down', () => {
  it('rejects promptly with RedisUnavailableError (not sent), and works again once Redis is back', async () => {
    const redis = await redisServer();
    let noticed!: () => void;
    const lost = new Promise<void>((resolve) => {
      noticed = resolve;
    });
    const a = engine(redis.url, { connectWaitMs: 500, onError: () => noticed() });
    await a.subscribe('t', recordingListener());
    const before = await a.publish('t', 'before');
    await redis.stop();

    // Before ioredis has seen the connection close, a publish is refused at the write;
    // after, it waits up to connectWaitMs for a reconnection that does not come.
    for (const attempt of ['at once', 'once the loss is reported']) {
      if (attempt !== 'at once') await lost;
      const started = performance.now();
      const failure = await a.publish('t', 'during').catch((error: unknown) => error);
      const elapsed = performance.now() - started;
      console.log(`publish ${attempt} with Redis down: rejected after ${elapsed.toFixed(0)} ms`);
      expect(failure).toBeInstanceOf(RedisUnavailableError);
      expect((failure as RedisUnavailableError).sent).toBe(false);
    }
    // Not being able to answer is never "lost": backlog and head reject too.
    await expect(a.backlog('t', before)).rejects.toBeInstanceOf(RedisUnavailableError);
    await expect(a.head('t')).rejects.toBeInstanceOf(RedisUnavailableError);
    // Whether the topic's channel is already subscribed by another listener or new.
    for (const topic of ['t', 'other']) {
      await expect(a.subscribe(topic, recordingListener())).rejects.toBeInstanceOf(
        RedisUnavailableError,
      );
    }

    await redis.start();
    let after: string | undefined;
    await until(async () => {
      after = await a.publish('t', 'after').catch(() => undefined);
      return after !== undefined;
    }, 'a publish to succeed after the restart');
    // Redis kept nothing: the refused event is nowhere, and the old position is lost.
    expect(await a.backlog('t', before)).toBeUndefined();
    expect(dataOf((await a.backlog('t', (after as string).replace(/\d+$/, '0'))) ?? [])).toEqual([
      'after',
    ]);
  });

  it('rejects a value that is not JSON before sending anything', async () => {
    const redis = await redisServer();
    const a = engine(redis.url);
    const head = await a.head('t');
    await expect(a.publish('t', { big: 1n })).rejects.toBeInstanceOf(TypeError);
    expect(await a.backlog('t', head)).toEqual([]);
  });
});

describe('Redis losing its data', () => {
  it('FLUSHALL: a new epoch, old positions lost, the listener told once and given what follows', async () => {
    const redis = await redisServer();
    const [a, b] = [engine(redis.url), engine(redis.url)];
    const listener = recordingListener();
    await a.subscribe('t', listener);
    const old = [await b.publish('t', 1), await b.publish('t', 2)];
    await listener.untilEvents(2);
    await admin(redis.url).flushall();
    const fresh = await b.publish('t', 3);
    await b.publish('t', 4);
    await listener.untilEvents(4);
    expect(dataOf(listener.events)).toEqual([1, 2, 3, 4]);
    expect(listener.gaps).toBe(1);
    expect(fresh.split(':')[0]).not.toBe((old[0] as string).split(':')[0]);
    for (const id of old) expect(await a.backlog('t', id)).toBeUndefined();
    expect(dataOf((await a.backlog('t', fresh)) ?? [])).toEqual([4]);
  });

  /** Numbers published through a Redis restart (SIGKILL), and what a listener heard. */
  async function throughRestart(persist: boolean) {
    const redis = await redisServer({ persist });
    const [a, b] = [engine(redis.url), engine(redis.url)];
    const listener = recordingListener();
    await a.subscribe('t', listener);
    const publisher = startPublisher(b, 't');
    await publisher.untilPublished(20);
    await redis.stop();
    await redis.start();
    const lastBefore = publisher.ok.at(-1) as number;
    await publisher.untilPublished(20);
    const published = await publisher.stop();
    await listener.until(
      () => listener.events.at(-1)?.data === published.ok.at(-1),
      'the last event',
    );
    const heard = expectHeard(listener.events, published, persist);
    console.log(
      `restart ${persist ? 'with AOF' : 'without persistence'}: ${published.ok.length} published, ` +
        `${heard.length} heard, ${published.refused.length} refused, ${published.unsure.length} unsure, ` +
        `${listener.gaps} gaps`,
    );
    return { published, heard, lastBefore, gaps: listener.gaps };
  }

  it('restart without persistence mid-stream: a gap, then every later event, none twice', async () => {
    const { published, heard, lastBefore, gaps } = await throughRestart(false);
    expect(gaps).toBe(1);
    // Before the stop, only the events still in flight when Redis died may be missing:
    // what was heard is a prefix of what was published.
    const heardBefore = heard.filter((n) => n <= lastBefore);
    expect(heardBefore).toEqual(published.ok.slice(0, heardBefore.length));
    // The first publishes after the restart may race the listener's resubscription, but
    // they are in the new log, which the listener reads from its start.
    expect(published.ok.filter((n) => n > lastBefore && !heard.includes(n))).toEqual([]);
  });

  it('restart with persistence (AOF) mid-stream: every event once, in order, no gap', async () => {
    const { gaps } = await throughRestart(true);
    expect(gaps).toBe(0);
  });
});

describe('lost connections', () => {
  it('the pub/sub connection cut three times mid-stream: what was missed comes from the log, once', async () => {
    const redis = await redisServer();
    const [a, b] = [engine(redis.url), engine(redis.url)];
    const control = admin(redis.url);
    const listener = recordingListener();
    await a.subscribe('t', listener);
    const publisher = startPublisher(b, 't', 10);
    for (let cut = 0; cut < 3; cut++) {
      await publisher.untilPublished(10);
      await control.client('KILL', 'TYPE', 'pubsub');
      await until(async () => (await subscribers(control, 'faults:{t}')) === 1, 'resubscription');
    }
    await publisher.untilPublished(10);
    const published = await publisher.stop();
    await listener.until(
      () => listener.events.at(-1)?.data === published.ok.at(-1),
      'the last event',
    );
    const heard = expectHeard(listener.events, published, true);
    expect(heard).toEqual(published.ok);
    expect(listener.gaps).toBe(0);
  });

  it('repeated cuts with no new events replay nothing', async () => {
    const redis = await redisServer();
    const [a, b] = [engine(redis.url), engine(redis.url)];
    const control = admin(redis.url);
    const listener = recordingListener();
    await a.subscribe('t', listener);
    for (const n of [1, 2, 3]) await b.publish('t', n);
    await listener.untilEvents(3);
    for (let cut = 0; cut < 5; cut++) {
      await control.client('KILL', 'TYPE', 'pubsub');
      await until(async () => (await subscribers(control, 'faults:{t}')) === 1, 'resubscription');
    }
    await b.publish('t', 4);
    await listener.untilEvents(4);
    expect(dataOf(listener.events)).toEqual([1, 2, 3, 4]);
    expect(listener.gaps).toBe(0);
  });

  it('a listener cut off for longer than its log is told of the gap, then hears what follows', async () => {
    const redis = await redisServer();
    const proxy = await startTcpProxy(redis.port);
    cleanups.push(() => proxy.close());
    const a = engine(`redis://127.0.0.1:${proxy.port}`, { logSize: 5, connectWaitMs: 200 });
    const b = engine(redis.url, { logSize: 5 });
    const listener = recordingListener();
    await a.subscribe('t', listener);
    await b.publish('t', 0);
    await listener.untilEvents(1);
    // Redis unreachable from a's side: connections cut, new ones refused.
    proxy.setTarget(await freePort());
    proxy.cut();
    // Sent or not depends on whether the engine saw the cut before writing.
    await expect(a.publish('t', 'lost')).rejects.toBeInstanceOf(RedisUnavailableError);
    for (let n = 1; n <= 300; n++) await b.publish('t', n);
    proxy.setTarget(redis.port);
    await listener.until(() => listener.gaps === 1, 'the gap');
    await b.publish('t', 301);
    await listener.untilEvents(2);
    expect(dataOf(listener.events)).toEqual([0, 301]);
    expect(listener.gaps).toBe(1);
  });
});

describe('keys', () => {
  it('keeps a topic in three keys under the prefix, with the topic as the hash tag', async () => {
    const redis = await redisServer();
    const keyPrefix = `k:${randomUUID()}:`;
    const a = engine(redis.url, { keyPrefix });
    await a.publish('room:1', { text: 'hi' });
    const control = admin(redis.url);
    expect((await control.keys(`${keyPrefix}*`)).sort()).toEqual([
      `${keyPrefix}{room:1}:log`,
      `${keyPrefix}{room:1}:meta`,
    ]);
    const [[id, fields]] = (await control.xrange(`${keyPrefix}{room:1}:log`, '-', '+')) as [
      [string, string[]],
    ];
    expect(id).toBe('0-1');
    expect(fields).toEqual(['d', '{"text":"hi"}']);
  });
});
