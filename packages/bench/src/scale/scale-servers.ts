// The servers of the scale workloads, inside a server process: Volley on the in-memory
// engine or on @volley/redis, socket.io on its Redis Streams adapter, and raw ws; each with
// the heartbeat the soak asks for. The load generator passes the config in the env.
import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { BenchServer, TargetName } from '../targets/target.js';

/** The env variable that carries a {@link ScaleServerConfig} as JSON. */
export const SCALE_CONFIG_ENV = 'VOLLEY_BENCH_SCALE';

/** How a scale workload wants its server. */
export interface ScaleServerConfig {
  /** Share events through this Redis (`redis://…`); without it, each node is alone (in memory). */
  redisUrl?: string;
  /** What the Redis keys and channels start with, so repetitions never share a topic. */
  keyPrefix?: string;
  /** Server heartbeat (ping) interval in ms; `0` turns it off. */
  heartbeatMs: number;
}

export async function loadScaleServer(
  target: TargetName,
  config: ScaleServerConfig,
): Promise<BenchServer> {
  switch (target) {
    case 'volley':
      return startVolley(config);
    case 'socket-io':
      return startSocketIo(config);
    case 'raw-ws':
      return startRawWs(config);
    case 'trpc':
      throw new Error('The scale workloads have no tRPC server');
    case 'volley-otel':
      throw new Error('The scale workloads measure Volley without an observer');
  }
}

async function startVolley(config: ScaleServerConfig): Promise<BenchServer> {
  const { createPubSub, createServer } = await import('@volley/server');
  const { createVolleyRouter } = await import('../targets/volley-router.js');
  const engine =
    config.redisUrl === undefined
      ? undefined
      : (await import('@volley/redis')).createRedisEngine({
          redis: config.redisUrl,
          keyPrefix: config.keyPrefix,
        });
  const listening = { count: 0 };
  const events = createPubSub<{ t: import('../targets/target.js').FanOutEvent }>({ engine });
  const server = createServer({
    router: createVolleyRouter(events, listening),
    rateLimit: false,
    // The soak and the stretch hold more than the default 10,000 connections.
    maxConnections: Number.POSITIVE_INFINITY,
    heartbeatIntervalMs: config.heartbeatMs,
  });
  const { port } = await server.listen(0, '127.0.0.1');
  return {
    port,
    subscriberCount: () => listening.count,
    publish(event) {
      events.publish('t', event).catch((error: unknown) => {
        process.stderr.write(`volley publish failed: ${error}\n`);
      });
    },
    connectionCount: () => server.connectionCount,
    async close() {
      await server.close();
      await engine?.close();
    },
  };
}

const ROOM = 't';

async function startSocketIo(config: ScaleServerConfig): Promise<BenchServer> {
  const { Server } = await import('socket.io');
  const http = createHttpServer();
  let redis: import('ioredis').Redis | undefined;
  let adapter: ReturnType<typeof import('@socket.io/redis-streams-adapter').createAdapter>;
  if (config.redisUrl !== undefined) {
    const { Redis } = await import('ioredis');
    const { createAdapter } = await import('@socket.io/redis-streams-adapter');
    redis = new Redis(config.redisUrl);
    // The adapter's own stream (and session keys), so repetitions never share one.
    adapter = createAdapter(redis, {
      streamName: `${config.keyPrefix ?? ''}socket.io`,
      sessionKeyPrefix: `${config.keyPrefix ?? ''}sio:session:`,
      // Our events are plain JSON: skip its binary checks, as its docs advise for speed.
      onlyPlaintext: true,
    });
  }
  const io = new Server(http, {
    transports: ['websocket'],
    serveClient: false,
    // socket.io's resumable mode, which the Streams adapter exists for: the peer of
    // Volley's resume log.
    ...(redis === undefined ? {} : { adapter: adapter!, connectionStateRecovery: {} }),
    pingInterval: config.heartbeatMs > 0 ? config.heartbeatMs : 25_000,
  });
  io.on('connection', (socket) => {
    socket.on('greet', (input: { name: string }, ack: (greeting: string) => void) => {
      ack(`Hello, ${input.name}`);
    });
    socket.on('subscribe', (ack: (ok: boolean) => void) => {
      socket.join(ROOM);
      ack(true);
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  return {
    port: (http.address() as AddressInfo).port,
    subscriberCount: () => io.sockets.adapter.rooms.get(ROOM)?.size ?? 0,
    publish(event) {
      io.to(ROOM).emit('event', event);
    },
    connectionCount: () => io.engine.clientsCount,
    async close() {
      await new Promise<void>((resolve) => io.close(() => resolve()));
      redis?.disconnect();
    },
  };
}

async function startRawWs(config: ScaleServerConfig): Promise<BenchServer> {
  const { startRawWsServer } = await import('../targets/raw-ws-server.js');
  return startRawWsServer({ heartbeatMs: config.heartbeatMs });
}
