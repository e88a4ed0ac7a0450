// Several Volley nodes behind nginx, sharing topics through Redis: each test starts its
// own redis-server and nginx (running examples/nginx/nginx.conf) on free ports, two nodes
// in child processes (fixtures/node-server.ts), and clients that connect through nginx.
// Events carry sequence numbers, so every client's losses and duplicates are counted.
import { randomUUID } from 'node:crypto';
import {
  ClientClosedError,
  createClient,
  type VolleyClient,
  type WebSocketConstructor,
} from '@volley/client';
import { createRedisEngine, type RedisEngine } from '@volley/redis';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startTcpProxy, type TcpProxy } from '../../tests/test/helpers/tcp-proxy.js';
import type { NodeRouter } from './fixtures/node-server.js';
import { startNode, type VolleyNode } from './helpers/nodes.js';
import { type Published, startPublisher } from './helpers/publisher.js';
import { type Nginx, type RedisServer, startNginx, startRedis } from './helpers/services.js';
import { Waiters } from './helpers/waiting.js';

type Client = VolleyClient<NodeRouter>;

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Cluster {
  redis: RedisServer;
  nodes: VolleyNode[];
  nginx: Nginx;
  /** A worker publishing on the nodes' topics without a server. */
  worker: RedisEngine;
}

/** Redis, two nodes and nginx in front of them (or of `upstreams`, picked from the nodes). */
async function startCluster(
  options: {
    maxConnectionsPerAddress?: number;
    upstreams?: (nodes: VolleyNode[]) => VolleyNode[];
  } = {},
): Promise<Cluster> {
  const redis = await startRedis();
  cleanups.push(() => redis.close());
  const keyPrefix = `cluster:${randomUUID()}:`;
  const nodes = await Promise.all(
    ['A', 'B'].map((name) => startNode(name, redis.url, { keyPrefix, ...options })),
  );
  for (const node of nodes) cleanups.push(() => node.kill());
  const upstreams = options.upstreams?.(nodes) ?? nodes;
  const nginx = await startNginx(upstreams.map((node) => node.port));
  cleanups.push(() => nginx.close());
  const worker = createRedisEngine({ redis: redis.url, keyPrefix, onError: false });
  cleanups.push(() => worker.close());
  return { redis, nodes, nginx, worker };
}

/** A WebSocket from another loopback address, as a client on another machine would be. */
function webSocketFrom(
  localAddress: string,
  headers: Record<string, string> = {},
): WebSocketConstructor {
  return class extends WebSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols, { localAddress, headers });
    }
  };
}

function client(url: string, WebSocketClass: WebSocketConstructor = WebSocket): Client {
  const made = createClient<NodeRouter>({
    url,
    WebSocket: WebSocketClass,
    retry: { initialDelayMs: 20, maxDelayMs: 300 },
  });
  cleanups.push(() => made.$close());
  return made;
}

/** One client's subscription to the numbers, with what it heard and how it resumed. */
interface Subscriber {
  readonly client: Client;
  readonly heard: number[];
  /** `recovered` of each resume, with how many numbers had been heard before it. */
  readonly resumes: Array<{ recovered: boolean; at: number }>;
  readonly started: Promise<void>;
  /** Resolves once `n` was heard. */
  until(n: number, ms?: number): Promise<void>;
  /** Resolves once the subscription has resumed `count` times in all. */
  untilResumed(count: number): Promise<void>;
}

function subscribe(target: Client): Subscriber {
  const heard: number[] = [];
  const resumes: Subscriber['resumes'] = [];
  const errors: unknown[] = [];
  // A subscription that fails for any other reason fails the test.
  cleanups.push(async () => expect(errors).toEqual([]));
  const waiters = new Waiters();
  let started!: () => void;
  const startedPromise = new Promise<void>((resolve) => {
    started = resolve;
  });
  target.numbers.subscribe(undefined, {
    onStarted: started,
    onData: (n) => {
      heard.push(n);
      waiters.notify();
    },
    onResumed: ({ recovered }) => {
      resumes.push({ recovered, at: heard.length });
      waiters.notify();
    },
    // Closing the client at the end fails the subscription with ClientClosedError.
    onError: (error) => {
      if (!(error instanceof ClientClosedError)) errors.push(error);
    },
  });
  return {
    client: target,
    heard,
    resumes,
    started: startedPromise,
    until: (n, ms) =>
      waiters.until(
        () => heard.includes(n),
        () => `${n}; heard ${heard.length}, last ${heard.at(-1)}`,
        ms,
      ),
    untilResumed: (count) =>
      waiters.until(
        () => resumes.length >= count,
        () => `resume ${count}`,
      ),
  };
}

/** Subscribers through nginx until each node has `perNode` of them (nginx picks the node). */
async function subscribersOnEveryNode(cluster: Cluster, perNode: number) {
  const byNode = new Map<string, Subscriber[]>(cluster.nodes.map((node) => [node.name, []]));
  for (let attempt = 0; [...byNode.values()].some((list) => list.length < perNode); attempt++) {
    if (attempt > 20) throw new Error('nginx did not spread the clients over the nodes');
    const made = client(cluster.nginx.url);
    const { node } = await made.whoami.query();
    const list = byNode.get(node) as Subscriber[];
    if (list.length >= perNode) {
      await made.$close();
      continue;
    }
    const subscriber = subscribe(made);
    await subscriber.started;
    list.push(subscriber);
  }
  return byNode;
}

/**
 * Publishes numbers from the worker at 50 a second, makes `fault` happen after `before`
 * of them, stops `after` more later, and waits until every subscriber heard the last.
 */
async function streamThrough(
  cluster: Cluster,
  subscribers: Subscriber[],
  fault: () => Promise<void>,
  { before, after }: { before: number; after: number },
): Promise<{ published: Published; last: number }> {
  const publisher = startPublisher(cluster.worker, 'numbers', 20);
  await publisher.untilPublished(before);
  await fault();
  await publisher.untilPublished(after);
  const published = await publisher.stop();
  const last = published.ok.at(-1) as number;
  await Promise.all(subscribers.map((subscriber) => subscriber.until(last)));
  return { published, last };
}

/** A client through a TCP proxy in front of nginx (to cut or stall it), subscribed. */
async function subscribedThroughProxy(
  cluster: Cluster,
): Promise<{ proxy: TcpProxy; subscriber: Subscriber }> {
  const proxy = await startTcpProxy(cluster.nginx.port);
  cleanups.push(() => proxy.close());
  const subscriber = subscribe(client(proxy.url));
  await subscriber.started;
  return { proxy, subscriber };
}

const range = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('two nodes behind nginx', () => {
  it('an event published on either node reaches every subscriber on both', async () => {
    const cluster = await startCluster();
    const byNode = await subscribersOnEveryNode(cluster, 2);
    const [onA, onB] = [byNode.get('A')?.[0], byNode.get('B')?.[0]] as [Subscriber, Subscriber];
    await onA.client.publish.mutate(1);
    await onB.client.publish.mutate(2);
    await cluster.worker.publish('numbers', 3);
    const everyone = [...byNode.values()].flat();
    await Promise.all(everyone.map((subscriber) => subscriber.until(3)));
    for (const subscriber of everyone) expect(subscriber.heard).toEqual([1, 2, 3]);
  });

  it('node A killed: its clients resume on B through nginx, 0 lost and 0 duplicated', async () => {
    const cluster = await startCluster();
    const byNode = await subscribersOnEveryNode(cluster, 2);
    const everyone = [...byNode.values()].flat();
    const { published, last } = await streamThrough(
      cluster,
      everyone,
      () => (cluster.nodes[0] as VolleyNode).kill(),
      { before: 30, after: 30 },
    );
    expect(published.unsure).toEqual([]);
    expect(published.refused).toEqual([]);
    for (const subscriber of everyone) expect(subscriber.heard).toEqual(range(1, last));
    const moved = byNode.get('A') as Subscriber[];
    for (const subscriber of moved) {
      expect(subscriber.resumes.map((resume) => resume.recovered)).toEqual([true]);
      expect((await subscriber.client.whoami.query()).node).toBe('B');
    }
    console.log(
      `node killed: ${last} events, ${everyone.length} clients (${moved.length} moved to B), ` +
        `each heard ${everyone.map((s) => s.heard.length).join('/')}: 0 lost, 0 duplicated`,
    );
  });

  it('Redis restarted mid-stream: every event, or recovered: false and then every later one; never twice', async () => {
    const cluster = await startCluster();
    const byNode = await subscribersOnEveryNode(cluster, 1);
    const everyone = [...byNode.values()].flat();
    const { published } = await streamThrough(
      cluster,
      everyone,
      async () => {
        await cluster.redis.stop();
        await cluster.redis.start();
      },
      { before: 20, after: 40 },
    );
    for (const subscriber of everyone) {
      const { heard, resumes } = subscriber;
      // Never twice, never out of order.
      for (let i = 1; i < heard.length; i++)
        expect(heard[i]).toBeGreaterThan(heard[i - 1] as number);
      const missing = published.ok.filter((n) => !heard.includes(n));
      const notRecovered = resumes.find((resume) => !resume.recovered);
      // The old positions died with Redis's data: every client must have been told.
      expect(notRecovered).toBeDefined();
      if (missing.length > 0) {
        // Nothing missing without being told, and nothing missing after being told.
        expect(notRecovered).toBeDefined();
        const firstAfter = heard[(notRecovered as { at: number }).at] as number;
        expect(missing.every((n) => n < firstAfter)).toBe(true);
      }
      console.log(
        `Redis restarted: heard ${heard.length} of ${published.ok.length} published ` +
          `(${published.refused.length} refused, ${published.unsure.length} unsure), ` +
          `missing ${missing.length}, resumes ${JSON.stringify(resumes.map((r) => r.recovered))}`,
      );
    }
  });

  it('repeated disconnects with no new events replay nothing twice', async () => {
    const cluster = await startCluster();
    const { proxy, subscriber } = await subscribedThroughProxy(cluster);
    for (const n of [1, 2, 3]) await cluster.worker.publish('numbers', n);
    await subscriber.until(3);
    for (let cut = 1; cut <= 5; cut++) {
      proxy.cut();
      await subscriber.untilResumed(cut);
    }
    await cluster.worker.publish('numbers', 4);
    await subscriber.until(4);
    expect(subscriber.heard).toEqual([1, 2, 3, 4]);
    expect(subscriber.resumes.map((resume) => resume.recovered)).toEqual([
      true,
      true,
      true,
      true,
      true,
    ]);
  });

  const holdMs = Number(process.env.VOLLEY_LONG_RESUME_MS ?? 0);
  it('resumes from an old position: 200 events behind, from the log', {
    timeout: 30_000 + holdMs,
  }, async () => {
    // There is no time-based expiry: a position is served for as long as the log holds it,
    // so a position's age is counted in events. In CI the client is 200 events behind;
    // VOLLEY_LONG_RESUME_MS (65000, say) also holds it back that long in wall time.
    const cluster = await startCluster();
    const { proxy, subscriber } = await subscribedThroughProxy(cluster);
    await cluster.worker.publish('numbers', 1);
    await subscriber.until(1);
    proxy.stall();
    for (let n = 2; n <= 201; n++) await cluster.worker.publish('numbers', n);
    if (holdMs > 0) await new Promise((resolve) => setTimeout(resolve, holdMs));
    proxy.cut();
    proxy.resume();
    await subscriber.until(201);
    expect(subscriber.heard).toEqual(range(1, 201));
    expect(subscriber.resumes.map((resume) => resume.recovered)).toEqual([true]);
  });
});

describe('client addresses through nginx', () => {
  it('createContext sees the real client address, and maxConnectionsPerAddress counts it', async () => {
    // Both upstream entries point at node A, so every connection lands on one node.
    const cluster = await startCluster({
      maxConnectionsPerAddress: 2,
      upstreams: (nodes) => [nodes[0] as VolleyNode, nodes[0] as VolleyNode],
    });
    // A client that claims another address gets it ignored: nginx appends what it saw.
    const spoofing = client(
      cluster.nginx.url,
      webSocketFrom('127.0.0.2', { 'X-Forwarded-For': '203.0.113.9' }),
    );
    expect(await spoofing.whoami.query()).toEqual({
      node: 'A',
      clientAddress: '127.0.0.2',
      user: null,
    });
    const second = client(cluster.nginx.url, webSocketFrom('127.0.0.2'));
    expect((await second.whoami.query()).clientAddress).toBe('127.0.0.2');
    // A third from 127.0.0.2 is refused before any WebSocket exists: HTTP 429.
    expect(await upgradeStatus(cluster.nginx.url, '127.0.0.2')).toBe(429);
    // Another address is counted apart, though every connection comes from nginx.
    const other = client(cluster.nginx.url, webSocketFrom('127.0.0.3'));
    expect((await other.whoami.query()).clientAddress).toBe('127.0.0.3');
  });
});

/** The HTTP status of a WebSocket upgrade from `localAddress`: 101 when accepted. */
function upgradeStatus(url: string, localAddress: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { localAddress });
    socket.once('open', () => {
      socket.close();
      resolve(101);
    });
    socket.once('unexpected-response', (_request, response) => {
      resolve(response.statusCode ?? 0);
      socket.terminate();
    });
    socket.once('error', reject);
  });
}
