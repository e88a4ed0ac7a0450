// Subscription fan-out: N connections each subscribe to one topic, the server publishes
// E events, and the rate is deliveries (N × E) per second until the last one arrives.
import { setTimeout as sleep } from 'node:timers/promises';
import type { ServerHandle } from '../server-handle.js';
import { nowMs } from '../stats.js';
import type { BenchClient, ConnectClient } from '../targets/target.js';
import { closeClients, openClients } from './clients.js';

export interface FanOutOptions {
  subscribers: number;
  events: number;
  /** Events published and awaited first, untimed. */
  warmupEvents: number;
  /** Give up (and report no figure) when deliveries stall this long. */
  stallMs: number;
  /** Profile the server during the timed part and write the profile here. */
  profilePath?: string;
}

export interface FanOutResult {
  eventsPerSecond: number;
  /** Server process CPU per delivery, in µs: the server's share, whatever the client costs. */
  serverCpuUsPerEvent: number;
  delivered: number;
  elapsedMs: number;
}

/** Counts deliveries and resolves when a target count is reached, or rejects on a stall. */
class DeliveryCounter {
  delivered = 0;
  #target = 0;
  #reached: (() => void) | undefined;

  onEvent = (): void => {
    this.delivered++;
    if (this.delivered === this.#target) this.#reached?.();
  };

  async waitFor(target: number, stallMs: number): Promise<void> {
    this.#target = target;
    if (this.delivered >= target) return;
    const reached = new Promise<void>((resolve) => {
      this.#reached = resolve;
    });
    let last = this.delivered;
    for (;;) {
      const timer = sleep(stallMs, 'stalled' as const);
      if ((await Promise.race([reached, timer])) !== 'stalled') return;
      if (this.delivered === last) {
        throw new Error(`fan-out stalled at ${this.delivered} of ${target} deliveries`);
      }
      last = this.delivered;
    }
  }
}

async function waitForSubscribers(server: ServerHandle, count: number, stallMs: number) {
  const deadline = nowMs() + stallMs;
  while ((await server.subscribers()) < count) {
    if (nowMs() > deadline) throw new Error(`fewer than ${count} subscribers after ${stallMs} ms`);
    await sleep(20);
  }
}

export async function measureFanOut(
  connect: ConnectClient,
  server: ServerHandle,
  options: FanOutOptions,
): Promise<FanOutResult> {
  const clients: BenchClient[] = await openClients(connect, server.url, options.subscribers);
  const counter = new DeliveryCounter();
  try {
    await Promise.all(clients.map((client) => client.subscribe(counter.onEvent)));
    await waitForSubscribers(server, options.subscribers, options.stallMs);

    await server.publish(options.warmupEvents);
    await counter.waitFor(options.subscribers * options.warmupEvents, options.stallMs);

    const total = options.subscribers * options.events;
    counter.delivered = 0;
    if (options.profilePath !== undefined) await server.profileStart();
    await server.cpuStart();
    const start = nowMs();
    const published = server.publish(options.events);
    await counter.waitFor(total, options.stallMs);
    const elapsedMs = nowMs() - start;
    await published;
    const serverCpuUs = await server.cpuStop();
    if (options.profilePath !== undefined) await server.profileStop(options.profilePath);
    return {
      eventsPerSecond: (total / elapsedMs) * 1000,
      serverCpuUsPerEvent: serverCpuUs / total,
      delivered: total,
      elapsedMs,
    };
  } finally {
    await closeClients(clients);
  }
}
