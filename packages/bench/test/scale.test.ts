// The scale workloads at tiny N, so they cannot rot: fan-out and latency across two nodes
// on a redis-server of the test's own (Volley on @volley/redis, and socket.io on its Redis
// Streams adapter), and the soak's heartbeats. Needs redis-server: without it the test
// fails (it never skips). The figures are not asserted, only that the workloads count
// every event and every connection.
import { afterAll, expect, it } from 'vitest';
import { measureCrossNodeLatency } from '../src/scale/cross-node-latency.js';
import { type BenchRedis, startBenchRedis } from '../src/scale/redis-server.js';
import { measureScaleFanOut } from '../src/scale/scale-fan-out.js';
import { SCALE_CONFIG_ENV } from '../src/scale/scale-servers.js';
import { measureSoak } from '../src/scale/soak.js';
import { newCounters, rawSoakClient, volleySoakClient } from '../src/scale/soak-clients.js';
import { type ScaleSystem, SYSTEMS, startSystem, stopSystem } from '../src/scale/topology.js';
import { ServerHandle } from '../src/server-handle.js';
import { loadClient } from '../src/targets/registry.js';

const TIMEOUT = 120_000;
// Started by the first test that needs it, so that each of them fails without Redis.
let redisStarting: Promise<BenchRedis> | undefined;
const redis = () => {
  redisStarting ??= startBenchRedis();
  return redisStarting;
};

afterAll(async () => {
  await (await redisStarting?.catch(() => undefined))?.close();
});

const tiny = { subscribers: 5, events: 20, warmupEvents: 2, stallMs: 20_000 };

async function withSystem<T>(system: ScaleSystem, run: (nodes: ServerHandle[]) => Promise<T>) {
  const nodes = await startSystem(system, {
    redisUrl: (await redis()).url,
    keyPrefix: `test:${system}:${Math.random()}:`,
    heartbeatMs: 30_000,
  });
  try {
    return await run(nodes);
  } finally {
    await stopSystem(nodes);
  }
}

for (const system of ['volley-redis', 'socket-io-redis'] as const) {
  it(
    `${system}: every event published on node 1 reaches every subscriber of both nodes, once`,
    async () => {
      const connect = await loadClient(SYSTEMS[system].target);
      const redisNow = await redis();
      const result = await withSystem(system, (nodes) =>
        measureScaleFanOut(connect, nodes, tiny, redisNow),
      );
      expect(result.deliveries).toBe(tiny.subscribers * tiny.events);
      expect(result.nodeCpuUsPerDelivery).toHaveLength(2);
      expect(result.eventsPerSecond).toBeGreaterThan(0);
      expect(result.redisCpuUsPerEvent).not.toBeNull();
    },
    TIMEOUT,
  );
}

it(
  'volley-redis: publish-to-deliver latency is timed for every delivery on node 2',
  async () => {
    const connect = await loadClient('volley');
    const result = await withSystem('volley-redis', (nodes) =>
      measureCrossNodeLatency(connect, nodes, { ...tiny, intervalMs: 1 }),
    );
    expect(result.samples).toBe(tiny.subscribers * tiny.events);
    expect(result.p50Ms).toBeLessThanOrEqual(result.p99Ms);
  },
  TIMEOUT,
);

for (const target of ['volley', 'raw-ws'] as const) {
  it(
    `soak (${target}): 50 connections held through two heartbeats each, none dropped`,
    async () => {
      const heartbeatMs = 1_000;
      const server = await ServerHandle.start(target, {
        [SCALE_CONFIG_ENV]: JSON.stringify({ heartbeatMs }),
      });
      try {
        const counters = newCounters();
        const connect =
          target === 'volley'
            ? volleySoakClient(counters, heartbeatMs)
            : rawSoakClient(counters, heartbeatMs);
        const result = await measureSoak(connect, counters, server, {
          connections: 50,
          holdMs: 2 * heartbeatMs,
          minServerPings: 2 * 50,
          localAddresses: ['127.0.0.2', '127.0.0.3'],
        });
        expect(result.heldAtEnd).toBe(50);
        expect(result.drops).toBe(0);
        expect(result.serverPings).toBeGreaterThanOrEqual(100);
        expect(Number.isFinite(result.rssBytesPerConnectionEnd)).toBe(true);
        expect(Number.isFinite(result.serverCpuUsPerHeartbeat)).toBe(true);
      } finally {
        await server.close();
      }
    },
    TIMEOUT,
  );
}
