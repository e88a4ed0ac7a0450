// Server memory stays bounded while a peer has stopped reading: the server runs in a
// child process (test/fixtures/backpressure-server.ts) so its memory is measured alone.
// A raw peer subscribes to a pub/sub topic (overflow 'drop') and to an endless
// generator, then stops reading; a typed client on the same topic receives 100 MiB.
import { createClient, type VolleyClient } from '@volley/client';
import { afterEach, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { BackpressureRouter } from './fixtures/backpressure-server.js';
import { type FixtureProcess, startFixture } from './helpers/fixture-process.js';
import { openRaw, type RawPeer, within } from './helpers/harness.js';

const MiB = 1024 * 1024;
const EVENT_BYTES = 64 * 1024;
const ROUNDS = 25;
const EVENTS_PER_ROUND = 64; // 25 × 64 × 64 KiB = 100 MiB through the topic

let server: FixtureProcess | undefined;
let client: VolleyClient<BackpressureRouter> | undefined;
let peer: RawPeer | undefined;

afterEach(async () => {
  if (peer !== undefined) {
    peer.socket.resume();
    await peer.close();
  }
  await client?.$close();
  await server?.stop();
  peer = undefined;
  client = undefined;
  server = undefined;
});

it('stays bounded while a peer does not read and another receives 100 MiB', async () => {
  server = await startFixture('backpressure-server.ts', { execArgv: ['--expose-gc'] });
  const { url } = server;
  const healthy = createClient<BackpressureRouter>({ url, WebSocket });
  client = healthy;
  let last = 0;
  let waiter: { seq: number; resolve: () => void } | undefined;
  await new Promise<void>((resolve, reject) => {
    healthy.feed.subscribe(
      {},
      {
        onStarted: resolve,
        onError: reject,
        onData: (event) => {
          if (event.seq !== last + 1) reject(new Error(`Event ${event.seq} after ${last}`));
          last = event.seq;
          if (waiter !== undefined && last >= waiter.seq) waiter.resolve();
        },
      },
    );
  });

  // The stalled peer: a volatile feed subscription and an endless generator, then no reading.
  const stalled = await openRaw(url);
  peer = stalled;
  stalled.send({
    jsonrpc: '2.0',
    id: 'feed',
    method: 'feed',
    params: { overflow: 'drop', maxBuffered: 100 },
  });
  stalled.send({ jsonrpc: '2.0', id: 'hose', method: 'firehose', params: { size: 16 * 1024 } });
  const acks = new Set<unknown>();
  while (acks.size < 2) {
    const frame = (await stalled.next('the acknowledgements')) as {
      id?: unknown;
      result?: unknown;
    };
    if (frame.result !== undefined) acks.add(frame.id);
  }
  stalled.socket.pause();

  // The generator makes an event per turn of the server's event loop: once a count
  // stands still across round trips, the server has stopped pulling it.
  const heldBack = (async () => {
    for (;;) {
      const before = (await healthy.stats.query()).produced;
      const after = (await healthy.stats.query()).produced;
      if (after === before) return after;
    }
  })();
  await within(heldBack, 'the endless generator to be held back', 30_000);
  const baseline = await healthy.stats.query();

  for (let round = 0; round < ROUNDS; round++) {
    const seq = await healthy.publish.mutate({ count: EVENTS_PER_ROUND, size: EVENT_BYTES });
    if (last < seq) {
      await within(
        new Promise<void>((resolve) => {
          waiter = { seq, resolve };
        }),
        `the healthy client to receive event ${seq}`,
        30_000,
      );
    }
  }
  expect(last).toBe(ROUNDS * EVENTS_PER_ROUND);
  const after = await healthy.stats.query();

  const grown = (key: 'heapUsed' | 'arrayBuffers' | 'rss') =>
    `${((after[key] - baseline[key]) / MiB).toFixed(1)} MiB`;
  console.log(
    `[backpressure] ${(ROUNDS * EVENTS_PER_ROUND * EVENT_BYTES) / MiB} MiB published to a stalled and a healthy subscriber; ` +
      `server after GC: heapUsed ${(after.heapUsed / MiB).toFixed(1)} MiB (${grown('heapUsed')}), ` +
      `arrayBuffers ${(after.arrayBuffers / MiB).toFixed(1)} MiB (${grown('arrayBuffers')}), ` +
      `rss ${(after.rss / MiB).toFixed(1)} MiB (${grown('rss')}); ` +
      `endless generator pulled ${baseline.produced} times, then ${after.produced - baseline.produced} more`,
  );
  // Not pulled at all while the peer was stalled.
  expect(after.produced).toBe(baseline.produced);
  // Without backpressure the stalled peer's queue alone would hold the 100 MiB.
  expect(
    after.heapUsed + after.arrayBuffers - (baseline.heapUsed + baseline.arrayBuffers),
  ).toBeLessThan(32 * MiB);
});
