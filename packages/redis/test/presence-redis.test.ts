// Presence across nodes on the Redis engine, on a redis-server of the test's own: two
// engines in this process (as two nodes would be), and two Volley nodes in child processes
// for a node killed with SIGKILL, whose members must expire on the other with a leave.
import { randomUUID } from 'node:crypto';
import { ClientClosedError, createClient, type VolleyClient } from '@volley/client';
import type { PresenceChange, PresenceEngine } from '@volley/core';
import { createRedisEngine, type RedisEngine } from '@volley/redis';
import { createPubSub } from '@volley/server';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startTcpProxy } from '../../tests/test/helpers/tcp-proxy.js';
import type { NodeRouter } from './fixtures/node-server.js';
import { startNode, type VolleyNode } from './helpers/nodes.js';
import { freePort, type RedisServer, startRedis } from './helpers/services.js';
import { Waiters } from './helpers/waiting.js';

let redis: RedisServer;
const cleanups: Array<() => Promise<void>> = [];

beforeAll(async () => {
  redis = await startRedis();
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
afterAll(async () => {
  await redis?.close();
});

/** Two engines on one Redis and one key prefix: two nodes. */
function twoNodes(options: { presenceLeaseMs?: number } = {}): [RedisEngine, RedisEngine] {
  const keyPrefix = `presence:${randomUUID()}:`;
  const make = () => {
    const engine = createRedisEngine({ redis: redis.url, keyPrefix, onError: false, ...options });
    cleanups.push(() => engine.close());
    return engine;
  };
  return [make(), make()];
}

const presenceOf = (engine: RedisEngine): PresenceEngine => engine.presence as PresenceEngine;

/** Records the changes `presence` tells of on `topic`. */
async function watching(presence: PresenceEngine, topic: string) {
  const changes: string[] = [];
  const waiters = new Waiters();
  const stop = await presence.watch(topic, (change: PresenceChange) => {
    changes.push(`${change.type} ${change.member.id}`);
    waiters.notify();
  });
  cleanups.push(async () => stop());
  return {
    changes,
    until: (count: number) =>
      waiters.until(
        () => changes.length >= count,
        () => `${count} changes (have: ${changes.join(', ')})`,
      ),
  };
}

const ids = (members: ReadonlyArray<{ id: string }>) => members.map((m) => m.id).sort();

describe('two engines on one Redis', () => {
  it('a member entered on one node is listed, joins and leaves on the other', async () => {
    const [a, b] = twoNodes();
    const seen = await watching(presenceOf(b), 'room');
    const leave = await presenceOf(a).enter('room', { id: 'ada', data: { name: 'Ada' } }, 10);
    expect(leave).toBeTypeOf('function');
    expect(await presenceOf(b).members('room')).toEqual([{ id: 'ada', data: { name: 'Ada' } }]);
    await seen.until(1);
    leave?.();
    await seen.until(2);
    expect(seen.changes).toEqual(['join ada', 'leave ada']);
    expect(await presenceOf(a).members('room')).toEqual([]);
  });

  it('counts one identity once across nodes: it leaves with its last entry, wherever', async () => {
    const [a, b] = twoNodes();
    const seen = await watching(presenceOf(a), 'room');
    const onA = await presenceOf(a).enter('room', { id: 'ada', data: 1 }, 10);
    const onB = await presenceOf(b).enter('room', { id: 'ada', data: 2 }, 10);
    await seen.until(1);
    // The member's data is its first entry's.
    expect(await presenceOf(b).members('room')).toEqual([{ id: 'ada', data: 1 }]);
    onA?.();
    // A marker joins after the first leave: had Ada left, it would come first.
    const bob = await presenceOf(b).enter('room', { id: 'bob', data: null }, 10);
    await seen.until(2);
    expect(seen.changes).toEqual(['join ada', 'join bob']);
    onB?.();
    bob?.();
    await seen.until(4);
    expect(seen.changes.slice(2).sort()).toEqual(['leave ada', 'leave bob']);
  });

  it('holds the bound across nodes: a new member past maxMembers is refused', async () => {
    const [a, b] = twoNodes();
    expect(await presenceOf(a).enter('room', { id: 'ada', data: null }, 2)).toBeTypeOf('function');
    const bob = await presenceOf(b).enter('room', { id: 'bob', data: null }, 2);
    expect(await presenceOf(a).enter('room', { id: 'eve', data: null }, 2)).toBeUndefined();
    // One more entry of a member already there is taken.
    expect(await presenceOf(a).enter('room', { id: 'bob', data: null }, 2)).toBeTypeOf('function');
    bob?.();
    // Bob still has his entry on A.
    expect(await presenceOf(b).enter('room', { id: 'eve', data: null }, 2)).toBeUndefined();
    expect(ids(await presenceOf(b).members('room'))).toEqual(['ada', 'bob']);
  });

  it('through createPubSub: a refused subscriber fails with TOO_MANY_REQUESTS', async () => {
    const [a, b] = twoNodes();
    const onA = createPubSub<{ room: string }>({ engine: a, maxPresenceMembers: 1 });
    const onB = createPubSub<{ room: string }>({ engine: b, maxPresenceMembers: 1 });
    const controller = new AbortController();
    cleanups.push(async () => controller.abort());
    const ada = onA.subscribe('room', {
      signal: controller.signal,
      presence: { id: 'ada', data: null },
    });
    // Ada is in before Eve tries (the two streams would otherwise race for the one place).
    const seen = await watching(presenceOf(b), 'room');
    const first = ada.next();
    await seen.until(1);
    const eve = onB.subscribe('room', {
      signal: controller.signal,
      presence: { id: 'eve', data: null },
    });
    await expect(eve.next()).rejects.toMatchObject({
      code: 'TOO_MANY_REQUESTS',
      limit: 'maxPresenceMembers',
    });
    expect(await onB.presence('room')).toEqual([{ id: 'ada', data: null }]);
    expect(await onA.presenceTopics()).toEqual([
      { topic: 'room', members: [{ id: 'ada', data: null }] },
    ]);
    controller.abort();
    expect(await first).toEqual({ done: true, value: undefined });
  });

  it('closing an engine makes its members leave at once', async () => {
    const [a, b] = twoNodes();
    const seen = await watching(presenceOf(b), 'room');
    await presenceOf(a).enter('room', { id: 'ada', data: null }, 10);
    await seen.until(1);
    await a.close();
    await seen.until(2);
    expect(seen.changes).toEqual(['join ada', 'leave ada']);
  });
});

describe('a node cut off from Redis', () => {
  /** An engine that reaches Redis through a proxy the test can cut. */
  async function behindProxy(keyPrefix: string, options: { presenceLeaseMs?: number } = {}) {
    const proxy = await startTcpProxy(redis.port);
    cleanups.push(() => proxy.close());
    const engine = createRedisEngine({
      redis: `redis://127.0.0.1:${proxy.port}`,
      keyPrefix,
      connectWaitMs: 200,
      onError: false,
      ...options,
    });
    // Closed with Redis reachable again, so that it says goodbye at once.
    cleanups.push(async () => {
      proxy.setTarget(redis.port);
      await engine.close();
    });
    return {
      engine,
      /** Cuts its connections and refuses new ones. */
      async cut() {
        proxy.setTarget(await freePort());
        proxy.cut();
      },
      restore: () => proxy.setTarget(redis.port),
    };
  }

  it('a watcher is told, once back, who came and went meanwhile', async () => {
    const keyPrefix = `presence-cut:${randomUUID()}:`;
    const a = createRedisEngine({ redis: redis.url, keyPrefix, onError: false });
    cleanups.push(() => a.close());
    const watcher = await behindProxy(keyPrefix);
    const bob = await presenceOf(a).enter('room', { id: 'bob', data: null }, 10);
    const seen = await watching(presenceOf(watcher.engine), 'room');
    const direct = await watching(presenceOf(a), 'room');
    await watcher.cut();
    await presenceOf(a).enter('room', { id: 'ada', data: null }, 10);
    bob?.();
    // Both happened while the watcher heard nothing.
    await direct.until(2);
    expect(seen.changes).toEqual([]);
    watcher.restore();
    await seen.until(2);
    expect([...seen.changes].sort()).toEqual(['join ada', 'leave bob']);
  });

  it('a node cut off for longer than its lease has its members leave, and join again once back', async () => {
    const keyPrefix = `presence-lease:${randomUUID()}:`;
    const a = createRedisEngine({
      redis: redis.url,
      keyPrefix,
      presenceLeaseMs: 1_000,
      onError: false,
    });
    cleanups.push(() => a.close());
    const node = await behindProxy(keyPrefix, { presenceLeaseMs: 1_000 });
    const seen = await watching(presenceOf(a), 'room');
    await presenceOf(node.engine).enter('room', { id: 'ada', data: null }, 10);
    await seen.until(1);
    await node.cut();
    // Swept by the watching node once the lease ran out.
    await seen.until(2);
    expect(await presenceOf(a).members('room')).toEqual([]);
    node.restore();
    // Its next renewal finds its lease gone and enters Ada again.
    await seen.until(3);
    expect(seen.changes).toEqual(['join ada', 'leave ada', 'join ada']);
    expect(ids(await presenceOf(a).members('room'))).toEqual(['ada']);
  });
});

describe('a node killed without a word', () => {
  it('has its members expire on the other node, which tells its watchers they left', async () => {
    const keyPrefix = `presence-nodes:${randomUUID()}:`;
    // A short lease, so the test waits seconds for the expiry, not 15; long enough that a
    // live node's renewal (every third of it) is not late on a busy machine: at 2 s, a
    // full CI run once stalled node B past its lease, and its member left.
    const [nodeA, nodeB] = (await Promise.all(
      ['A', 'B'].map((name) => startNode(name, redis.url, { keyPrefix, presenceLeaseMs: 6_000 })),
    )) as [VolleyNode, VolleyNode];
    cleanups.push(
      () => nodeA.kill(),
      () => nodeB.kill(),
    );
    const client = (url: string, user: string): VolleyClient<NodeRouter> => {
      const made = createClient<NodeRouter>({
        url,
        WebSocket,
        connectionParams: { token: `t-${user}` },
        retry: { initialDelayMs: 20, maxDelayMs: 200 },
      });
      cleanups.push(() => made.$close());
      return made;
    };

    // Eve, on node B, watches the room.
    const eve = client(nodeB.url, 'eve');
    const changes: string[] = [];
    const waiters = new Waiters();
    const errors: unknown[] = [];
    eve.presence.subscribe('lobby', {
      onData: (change) => {
        changes.push(
          `${change.type} ${change.member.id} on ${String((change.member.data as { node: string }).node)}`,
        );
        waiters.notify();
      },
      onError: (error) => {
        if (!(error instanceof ClientClosedError)) errors.push(error);
      },
    });
    const until = (count: number) =>
      waiters.until(
        () => changes.length >= count,
        () => `${count} changes (have: ${changes.join(', ')})`,
      );

    // Ada joins on node A and Bob on node B; then A is killed.
    const joined = (who: VolleyClient<NodeRouter>) =>
      new Promise<void>((resolve, reject) => {
        who.join.subscribe('lobby', {
          onStarted: () => resolve(),
          onError: (error) => {
            if (!(error instanceof ClientClosedError)) reject(error);
          },
        });
      });
    await joined(client(nodeA.url, 'ada'));
    await joined(client(nodeB.url, 'bob'));
    await until(2);
    expect([...changes].sort()).toEqual(['join ada on A', 'join bob on B']);
    expect(ids(await eve.who.query('lobby'))).toEqual(['ada', 'bob']);

    await nodeA.kill();
    await until(3);
    expect(changes[2]).toBe('leave ada on A');
    expect(await eve.who.query('lobby')).toEqual([{ id: 'bob', data: { node: 'B' } }]);
    expect(errors).toEqual([]);
  });
});
