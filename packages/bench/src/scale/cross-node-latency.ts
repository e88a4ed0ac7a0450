// Publish-to-deliver latency across nodes: subscribers on the last node, events published
// on the first, each stamped with its publish time (the processes share this machine's
// clock). On a one-node system both are the same node. Events are paced, so the figure is
// the path's latency, not a queue's.
import type { ServerHandle } from '../server-handle.js';
import { percentile } from '../stats.js';
import type { ConnectClient } from '../targets/target.js';
import { closeClients, openClients } from '../workloads/clients.js';
import { subscribeAndWarmUp, TIMED_FIRST, waitForDeliveries } from './scale-fan-out.js';

export interface CrossNodeLatencyOptions {
  subscribers: number;
  events: number;
  /** Time between two published events, in ms. */
  intervalMs: number;
  warmupEvents: number;
  stallMs: number;
}

export interface CrossNodeLatencyResult {
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  samples: number;
}

/** Wall-clock time in ms with sub-ms precision, comparable across this machine's processes. */
const wallMs = () => performance.timeOrigin + performance.now();

export async function measureCrossNodeLatency(
  connect: ConnectClient,
  nodes: readonly ServerHandle[],
  options: CrossNodeLatencyOptions,
): Promise<CrossNodeLatencyResult> {
  const publisher = nodes[0]!;
  const receiver = nodes[nodes.length - 1]!;
  const clients = await openClients(connect, receiver.url, options.subscribers);
  const byNode = nodes.map((node) => (node === receiver ? clients : []));
  const latencies: number[] = [];
  try {
    await subscribeAndWarmUp(byNode, nodes, publisher, options, (_node, event) => {
      if (event.at !== undefined) latencies.push(wallMs() - event.at);
    });
    await publisher.publish(options.events, {
      first: TIMED_FIRST,
      intervalMs: options.intervalMs,
      stamp: true,
    });
    await waitForDeliveries(
      () => latencies.length,
      options.subscribers * options.events,
      options.stallMs,
    );
    latencies.sort((a, b) => a - b);
    return {
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
      maxMs: latencies[latencies.length - 1]!,
      samples: latencies.length,
    };
  } finally {
    await closeClients(clients);
  }
}
