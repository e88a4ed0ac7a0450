// Asks the hold-server fixture (fixtures/hold-server.ts) for its counters and its memory
// after GC, over a raw peer of its own.
import type { inferRouterOutputs } from '@volley/core';
import type { HoldRouter } from '../fixtures/hold-server.js';
import type { RawPeer } from './harness.js';

/** What the fixture's `stats` query answers. */
export type HoldStats = inferRouterOutputs<HoldRouter>['stats'];

let statsId = 0;

/** The fixture's stats, asked on `peer` (one that is not stalled). */
export async function holdStats(peer: RawPeer): Promise<HoldStats> {
  const reply = (await peer.request({
    jsonrpc: '2.0',
    id: `stats-${++statsId}`,
    method: 'stats',
  })) as { result: HoldStats };
  return reply.result;
}
