// The systems the scale workloads compare: raw ws and Volley on one node in memory, and
// Volley and socket.io on two nodes sharing events through the bench's Redis. Each node is
// a server process of its own (server-process.ts) on 127.0.0.1.
import { ServerHandle } from '../server-handle.js';
import type { TargetName } from '../targets/target.js';
import { SCALE_CONFIG_ENV, type ScaleServerConfig } from './scale-servers.js';

/** The systems, in the order the report lists them. */
export const SCALE_SYSTEMS = [
  'raw-ws',
  'volley-memory',
  'volley-redis',
  'socket-io-redis',
] as const;

/** One of {@link SCALE_SYSTEMS}. */
export type ScaleSystem = (typeof SCALE_SYSTEMS)[number];

/** How each system is built: its target (server and client), node count and engine. */
export const SYSTEMS: Record<
  ScaleSystem,
  { target: TargetName; nodes: number; redis: boolean; label: string }
> = {
  'raw-ws': { target: 'raw-ws', nodes: 1, redis: false, label: 'raw ws, 1 node' },
  'volley-memory': {
    target: 'volley',
    nodes: 1,
    redis: false,
    label: 'Volley, 1 node, memory engine',
  },
  'volley-redis': {
    target: 'volley',
    nodes: 2,
    redis: true,
    label: 'Volley, 2 nodes, @volley/redis',
  },
  'socket-io-redis': {
    target: 'socket-io',
    nodes: 2,
    redis: true,
    label: 'socket.io 4, 2 nodes, redis-streams-adapter',
  },
};

/**
 * Starts a system's nodes. `keyPrefix` keeps its Redis keys apart from every other run's;
 * `heartbeatMs` is the server heartbeat (0: off).
 */
export async function startSystem(
  system: ScaleSystem,
  options: { redisUrl?: string; keyPrefix: string; heartbeatMs: number },
): Promise<ServerHandle[]> {
  const spec = SYSTEMS[system];
  if (spec.redis && options.redisUrl === undefined) throw new Error(`${system} needs Redis`);
  const config: ScaleServerConfig = {
    heartbeatMs: options.heartbeatMs,
    ...(spec.redis ? { redisUrl: options.redisUrl, keyPrefix: options.keyPrefix } : {}),
  };
  const env = { [SCALE_CONFIG_ENV]: JSON.stringify(config) };
  const started = await Promise.allSettled(
    Array.from({ length: spec.nodes }, () => ServerHandle.start(spec.target, env)),
  );
  const nodes = started.flatMap((start) => (start.status === 'fulfilled' ? [start.value] : []));
  const failed = started.find((start) => start.status === 'rejected');
  if (failed !== undefined) {
    await stopSystem(nodes);
    throw (failed as PromiseRejectedResult).reason;
  }
  return nodes;
}

/** Closes every node. */
export async function stopSystem(nodes: readonly ServerHandle[]): Promise<void> {
  await Promise.all(nodes.map((node) => node.close()));
}
