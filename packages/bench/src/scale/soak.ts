// The connection soak: N connections with heartbeats on, held for a while. The server's
// memory after garbage collection at the start and at the end of the hold gives RSS and
// heap per connection (flat means nothing grows per heartbeat), and its CPU over the hold,
// when the connections do nothing but heartbeats, divided by the heartbeats, gives the
// cost of one.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ServerHandle } from '../server-handle.js';
import { nowMs } from '../stats.js';
import { inBatches } from '../workloads/clients.js';
import type { HeartbeatCounters, SoakClient, SoakConnect } from './soak-clients.js';

export interface SoakOptions {
  connections: number;
  holdMs: number;
  /** Bind the clients to these addresses in turn (e.g. 127.0.0.2…); none: the default. */
  localAddresses: readonly string[];
  /**
   * Hold on past `holdMs` until the clients have answered at least this many server
   * pings (at most `holdMs` more): the test's way to see heartbeats without betting on
   * timers. Default 0.
   */
  minServerPings?: number;
  /** Called every so often during the hold. */
  progress?: (line: string) => void;
}

export interface SoakResult {
  /** Connections opened. */
  connections: number;
  /** Connections the server still held at the end. */
  heldAtEnd: number | null;
  drops: number;
  rssBytesPerConnectionStart: number;
  rssBytesPerConnectionEnd: number;
  heapBytesPerConnectionStart: number;
  heapBytesPerConnectionEnd: number;
  /** Memory outside the JS heap that V8 knows of (Buffers and the like), per connection. */
  externalBytesPerConnectionStart: number;
  externalBytesPerConnectionEnd: number;
  serverPings: number;
  clientPings: number;
  /** Server CPU over the hold, in µs. */
  serverCpuUs: number;
  /** {@link serverCpuUs} over every heartbeat (server pings plus client pings). */
  serverCpuUsPerHeartbeat: number;
  holdMs: number;
  /**
   * The load generator's longest event-loop stall during the hold, in ms: past about one
   * heartbeat interval, its clients answer late and connections are dropped for it.
   */
  loadGeneratorMaxLagMs: number;
  /** Time it took to open the connections. */
  openMs: number;
}

/** Connections opened and closed before the baseline, so lazily loaded code is not counted. */
const WARMUP_CONNECTIONS = 20;

/** How often the hold reports progress. */
const PROGRESS_EVERY_MS = 30_000;

export async function measureSoak(
  connect: SoakConnect,
  counters: HeartbeatCounters,
  server: ServerHandle,
  options: SoakOptions,
): Promise<SoakResult> {
  const address = (i: number) =>
    options.localAddresses.length === 0
      ? undefined
      : options.localAddresses[i % options.localAddresses.length];
  const open = async (count: number): Promise<SoakClient[]> => {
    const clients: SoakClient[] = [];
    try {
      await inBatches(count, async (i) => {
        clients.push(await connect(server.url, address(i)));
      });
    } catch (error) {
      await closeAll(clients);
      throw error;
    }
    return clients;
  };
  await closeAll(await open(WARMUP_CONNECTIONS));
  const before = await server.memory();
  const opening = nowMs();
  const clients = await open(options.connections);
  const openMs = nowMs() - opening;
  try {
    const start = await server.memory();
    Object.assign(counters, { serverPings: 0, clientPings: 0, drops: 0 });
    await server.cpuStart();
    const lag = monitorEventLoopDelay({ resolution: 20 });
    lag.enable();
    const holdStart = nowMs();
    while (nowMs() - holdStart < options.holdMs) {
      await sleep(Math.min(PROGRESS_EVERY_MS, options.holdMs - (nowMs() - holdStart)));
      options.progress?.(
        `${Math.round((nowMs() - holdStart) / 1000)} s: ${counters.serverPings} server pings, ${counters.clientPings} client pings, ${counters.drops} drops`,
      );
    }
    const minPings = options.minServerPings ?? 0;
    while (counters.serverPings < minPings && nowMs() - holdStart < 2 * options.holdMs) {
      await sleep(10);
    }
    const holdMs = nowMs() - holdStart;
    lag.disable();
    const serverCpuUs = await server.cpuStop();
    const { serverPings, clientPings, drops } = counters;
    const heldAtEnd = await server.connections();
    const end = await server.memory();
    const per = (after: number, base: number) => (after - base) / options.connections;
    return {
      connections: options.connections,
      heldAtEnd,
      drops,
      rssBytesPerConnectionStart: per(start.rss, before.rss),
      rssBytesPerConnectionEnd: per(end.rss, before.rss),
      heapBytesPerConnectionStart: per(start.heapUsed, before.heapUsed),
      heapBytesPerConnectionEnd: per(end.heapUsed, before.heapUsed),
      externalBytesPerConnectionStart: per(start.external, before.external),
      externalBytesPerConnectionEnd: per(end.external, before.external),
      serverPings,
      clientPings,
      serverCpuUs,
      serverCpuUsPerHeartbeat: serverCpuUs / Math.max(1, serverPings + clientPings),
      holdMs,
      loadGeneratorMaxLagMs: lag.max / 1e6,
      openMs,
    };
  } finally {
    await closeAll(clients);
  }
}

async function closeAll(clients: readonly SoakClient[]): Promise<void> {
  await inBatches(clients.length, (i) => clients[i]!.close().catch(() => {}));
}
