// Sequential latency: one connection, one call at a time, each timed on its own.

import { nowMs, percentile } from '../stats.js';
import { type ConnectClient, GREET_NAME } from '../targets/target.js';
import { checkGreeting, closeClients, openClients } from './clients.js';

export interface LatencyOptions {
  /** Untimed calls first, so the JIT and both sides' caches are warm. */
  warmupCalls: number;
  calls: number;
  /** Stop early (with fewer calls) after this long, so a slow target cannot stall the run. */
  maxMs: number;
}

export interface LatencyResult {
  p50Us: number;
  p99Us: number;
  calls: number;
}

export async function measureLatency(
  connect: ConnectClient,
  url: string,
  options: LatencyOptions,
): Promise<LatencyResult> {
  const [client] = await openClients(connect, url, 1);
  try {
    for (let i = 0; i < options.warmupCalls; i++) await client!.greet(GREET_NAME);
    const samples: number[] = [];
    const deadline = nowMs() + options.maxMs;
    for (let i = 0; i < options.calls && (i < 100 || nowMs() < deadline); i++) {
      const start = nowMs();
      const greeting = await client!.greet(GREET_NAME);
      samples.push((nowMs() - start) * 1000);
      if (i === 0) checkGreeting(greeting);
    }
    samples.sort((a, b) => a - b);
    return {
      p50Us: percentile(samples, 50),
      p99Us: percentile(samples, 99),
      calls: samples.length,
    };
  } finally {
    await closeClients([client!]);
  }
}
