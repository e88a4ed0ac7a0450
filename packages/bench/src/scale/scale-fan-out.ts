// Fan-out across nodes: N subscribers split evenly over a system's nodes, E events published
// on the first node; the rate is deliveries (N × E) per second until the last arrives. Each
// node's CPU per delivery it made shows what a node costs, whatever the machine's cores.
import { setTimeout as sleep } from 'node:timers/promises';
import type { ServerHandle } from '../server-handle.js';
import { nowMs } from '../stats.js';
import type { BenchClient, ConnectClient } from '../targets/target.js';
import { closeClients, openClients } from '../workloads/clients.js';
import type { BenchRedis } from './redis-server.js';

export interface ScaleFanOutOptions {
  subscribers: number;
  events: number;
  /** Events per warm-up round; rounds repeat until every subscriber got one. */
  warmupEvents: number;
  /** Give up when deliveries stall this long. */
  stallMs: number;
  /** Profile every node during the timed part: `<prefix>-node<i>.cpuprofile`. */
  profilePrefix?: string;
}

export interface ScaleFanOutResult {
  /** Deliveries per second over all nodes. */
  eventsPerSecond: number;
  /** {@link eventsPerSecond} divided by the nodes. */
  perNodeEventsPerSecond: number;
  /** Each node's CPU per delivery it made, in µs (the first node also publishes). */
  nodeCpuUsPerDelivery: number[];
  /**
   * The load generator's CPU per delivery, in µs: what the subscribers' clients cost. When
   * it nears the elapsed time, the run measures the clients, not the servers.
   */
  clientCpuUsPerDelivery: number;
  /** The load generator's CPU over the elapsed time: 1 is a whole core. */
  clientCpuShare: number;
  /** Redis's CPU per published event, in µs; `null` without Redis or /proc. */
  redisCpuUsPerEvent: number | null;
  deliveries: number;
  elapsedMs: number;
  profiles: string[];
}

/** Timed events are numbered from here; warm-up ones below, so a late one is never counted. */
export const TIMED_FIRST = 1_000_000_000;

/** Waits until `done()` holds, checking every few ms; throws after `timeoutMs`. */
export async function waitUntil(
  done: () => boolean,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const deadline = nowMs() + timeoutMs;
  while (!done()) {
    if (nowMs() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(5);
  }
}

/** Opens `count` clients spread round-robin over `nodes`; returns them per node. */
export async function openAcross(
  connect: ConnectClient,
  nodes: readonly ServerHandle[],
  count: number,
): Promise<BenchClient[][]> {
  const perNode = nodes.map(
    (_, i) => Math.floor(count / nodes.length) + (i < count % nodes.length ? 1 : 0),
  );
  const opened: BenchClient[][] = [];
  try {
    for (const [i, node] of nodes.entries())
      opened.push(await openClients(connect, node.url, perNode[i]!));
  } catch (error) {
    await closeClients(opened.flat());
    throw error;
  }
  return opened;
}

/**
 * Subscribes every client and warms up: publishes rounds of warm-up events on `publisher`
 * until each subscriber has had one (so every node's subscription, Redis's included, is
 * live). Returns the subscribers' counts of timed events, by node.
 */
export async function subscribeAndWarmUp(
  clientsByNode: readonly BenchClient[][],
  nodes: readonly ServerHandle[],
  publisher: ServerHandle,
  options: { warmupEvents: number; stallMs: number },
  onTimed: (node: number, event: { n: number; at?: number }, client: number) => void,
): Promise<void> {
  let warmedUp = 0;
  const total = clientsByNode.flat().length;
  await Promise.all(
    clientsByNode.flatMap((clients, node) =>
      clients.map((client, index) => {
        let warm = false;
        return client.subscribe((event) => {
          if (event.n >= TIMED_FIRST) onTimed(node, event, index);
          else if (!warm) {
            warm = true;
            warmedUp++;
          }
        });
      }),
    ),
  );
  for (const [i, node] of nodes.entries()) {
    const want = clientsByNode[i]!.length;
    const deadline = nowMs() + options.stallMs;
    while ((await node.subscribers()) < want) {
      if (nowMs() > deadline) throw new Error(`fewer than ${want} subscribers on node ${i + 1}`);
      await sleep(20);
    }
  }
  const deadline = nowMs() + options.stallMs;
  while (warmedUp < total) {
    if (nowMs() > deadline)
      throw new Error(`only ${warmedUp} of ${total} subscribers heard a warm-up event`);
    await publisher.publish(options.warmupEvents);
    await waitUntil(() => warmedUp === total, 2_000, 'warm-up events').catch(() => {});
  }
}

/** Waits for `target` deliveries, failing only when none arrive for `stallMs`. */
export async function waitForDeliveries(
  delivered: () => number,
  target: number,
  stallMs: number,
): Promise<void> {
  let last = delivered();
  let lastChange = nowMs();
  while (delivered() < target) {
    await sleep(5);
    const now = delivered();
    if (now !== last) {
      last = now;
      lastChange = nowMs();
    } else if (nowMs() - lastChange > stallMs) {
      throw new Error(`fan-out stalled at ${now} of ${target} deliveries`);
    }
  }
}

export async function measureScaleFanOut(
  connect: ConnectClient,
  nodes: readonly ServerHandle[],
  options: ScaleFanOutOptions,
  redis?: BenchRedis,
): Promise<ScaleFanOutResult> {
  const publisher = nodes[0]!;
  const clientsByNode = await openAcross(connect, nodes, options.subscribers);
  const deliveredByNode = nodes.map(() => 0);
  const byClient = clientsByNode.map((clients) => clients.map(() => 0));
  let delivered = 0;
  try {
    await subscribeAndWarmUp(clientsByNode, nodes, publisher, options, (node, _event, client) => {
      deliveredByNode[node]!++;
      byClient[node]![client]!++;
      delivered++;
    });
    const total = options.subscribers * options.events;
    const profiles: string[] = [];
    if (options.profilePrefix !== undefined)
      await Promise.all(nodes.map((node) => node.profileStart()));
    await Promise.all(nodes.map((node) => node.cpuStart()));
    const redisBefore = redis?.cpuUs() ?? null;
    const clientBefore = process.cpuUsage();
    const start = nowMs();
    const published = publisher.publish(options.events, { first: TIMED_FIRST });
    await waitForDeliveries(() => delivered, total, options.stallMs);
    const elapsedMs = nowMs() - start;
    const clientCpu = process.cpuUsage(clientBefore);
    const clientCpuUs = clientCpu.user + clientCpu.system;
    await published;
    // The total could be reached with one subscriber's duplicates making up for another's
    // losses: every subscriber must have had every event exactly once.
    const wrong = byClient.flat().filter((count) => count !== options.events);
    if (wrong.length > 0) {
      throw new Error(
        `${wrong.length} subscribers got a count of events other than ${options.events} (e.g. ${wrong[0]})`,
      );
    }
    const redisAfter = redis?.cpuUs() ?? null;
    const cpu = await Promise.all(nodes.map((node) => node.cpuStop()));
    if (options.profilePrefix !== undefined) {
      for (const [i, node] of nodes.entries()) {
        const path = `${options.profilePrefix}-node${i + 1}.cpuprofile`;
        await node.profileStop(path);
        profiles.push(path);
      }
    }
    const eventsPerSecond = (total / elapsedMs) * 1000;
    return {
      eventsPerSecond,
      perNodeEventsPerSecond: eventsPerSecond / nodes.length,
      nodeCpuUsPerDelivery: cpu.map((us, i) => us / Math.max(1, deliveredByNode[i]!)),
      clientCpuUsPerDelivery: clientCpuUs / total,
      clientCpuShare: clientCpuUs / 1000 / elapsedMs,
      redisCpuUsPerEvent:
        redisBefore === null || redisAfter === null
          ? null
          : (redisAfter - redisBefore) / options.events,
      deliveries: total,
      elapsedMs,
      profiles,
    };
  } finally {
    await closeClients(clientsByNode.flat());
  }
}
