// Sequential latency: one connection per target, one call at a time, each timed on its
// own. The targets take turns in blocks of calls within one repetition, so that what a
// busy machine does to a latency of tens of µs (another process waking, a CPU clocking
// down) falls on all of them alike rather than on whichever ran at the time.

import { nowMs, percentile } from '../stats.js';
import { type BenchClient, type ConnectClient, GREET_NAME } from '../targets/target.js';
import { checkGreeting, closeClients, openClients } from './clients.js';

export interface LatencyOptions {
  /** Untimed calls first, on every target, so the JIT and both sides' caches are warm. */
  warmupCalls: number;
  /** Timed calls per target, in `blocks` turns. */
  calls: number;
  /** How many turns each target takes. */
  blocks: number;
  /**
   * A target's timed calls stop early (with fewer calls, at least one per turn) after this
   * long in all, so a slow target cannot stall the run; its warm-up is bounded the same way.
   */
  maxMs: number;
}

export interface LatencyResult {
  p50Us: number;
  p99Us: number;
  calls: number;
}

/** One target to time: how to connect, and where. */
export interface LatencyTarget {
  connect: ConnectClient;
  url: string;
}

/** Calls `client` `count` times or until `deadline` (after at least one); returns each call's µs. */
async function timeCalls(client: BenchClient, count: number, deadline: number): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < count && (i === 0 || nowMs() < deadline); i++) {
    const start = nowMs();
    const greeting = await client.greet(GREET_NAME);
    samples.push((nowMs() - start) * 1000);
    if (i === 0) checkGreeting(greeting);
  }
  return samples;
}

/**
 * Measures every target's sequential latency in one interleaved run. Rejects (for all)
 * when a target cannot connect or answers wrongly.
 */
export async function measureLatency<TName extends string>(
  targets: ReadonlyMap<TName, LatencyTarget>,
  options: LatencyOptions,
): Promise<Map<TName, LatencyResult>> {
  const clients = new Map<TName, BenchClient>();
  try {
    for (const [name, target] of targets) {
      const [client] = await openClients(target.connect, target.url, 1);
      clients.set(name, client!);
    }
    for (const client of clients.values()) {
      await timeCalls(client, options.warmupCalls, nowMs() + options.maxMs);
    }
    const samples = new Map<TName, number[]>();
    const perBlock = Math.max(1, Math.ceil(options.calls / options.blocks));
    const budgetMs = options.maxMs / options.blocks;
    for (let block = 0; block < options.blocks; block++) {
      for (const [name, client] of clients) {
        const timed = await timeCalls(client, perBlock, nowMs() + budgetMs);
        const all = samples.get(name) ?? [];
        for (const us of timed) all.push(us);
        samples.set(name, all);
      }
    }
    const results = new Map<TName, LatencyResult>();
    for (const [name, timed] of samples) {
      timed.sort((a, b) => a - b);
      results.set(name, {
        p50Us: percentile(timed, 50),
        p99Us: percentile(timed, 99),
        calls: timed.length,
      });
    }
    return results;
  } finally {
    await closeClients([...clients.values()]);
  }
}
