// While a peer is behind (more than highWaterMark waits to be written to it), the frames
// it already sent are held unprocessed and its socket is not read: a client that stopped
// reading and pipelined 1,000 calls of 64 kB answers costs the server about highWaterMark
// plus one frame, not 64 MB. Once it reads again, every call is answered, in order. The
// server runs in a child process (--expose-gc) so that its memory is measured alone.
import { DEFAULT_HIGH_WATER_MARK } from '@volley/server';
import { afterEach, describe, expect, it } from 'vitest';
import type WebSocket from 'ws';
import { type FixtureProcess, startFixture } from './helpers/fixture-process.js';
import { openRaw, type RawPeer } from './helpers/harness.js';
import { type HoldStats, holdStats } from './helpers/hold-stats.js';

const MiB = 1024 * 1024;
const CALLS = 1_000;
const RESULT_BYTES = 64 * 1024;

let server: FixtureProcess | undefined;
const peers: RawPeer[] = [];
afterEach(async () => {
  for (const peer of peers.splice(0)) {
    peer.socket.resume();
    peer.socket.terminate();
  }
  await server?.stop();
  server = undefined;
});

async function start(env: Record<string, string> = {}) {
  server = await startFixture('hold-server.ts', { execArgv: ['--expose-gc'], env });
  return server;
}

/** Resolves once the server's count of calls served stands still across two round trips. */
async function untilStill(peer: RawPeer): Promise<HoldStats> {
  for (;;) {
    const before = await holdStats(peer);
    const after = await holdStats(peer);
    if (after.served === before.served) return after;
  }
}

/** Writes `frames` to the socket in one write, as a client pipelining them would. */
function sendInOneWrite(socket: WebSocket, frames: string[]): void {
  // ws writes each frame to its net.Socket at once; corked, they leave in one writev.
  const stream = (socket as unknown as { _socket: import('node:net').Socket })._socket;
  stream.cork();
  for (const frame of frames) socket.send(frame);
  stream.uncork();
}

/** Opens a peer, has it accepted, and makes it stop reading. */
async function stalledPeer(url: string): Promise<RawPeer> {
  const peer = await openRaw(url);
  peers.push(peer);
  expect(await peer.request({ jsonrpc: '2.0', id: 0, method: 'rpc.init' })).toMatchObject({
    result: { protocol: 1 },
  });
  peer.socket.pause();
  return peer;
}

const held = (after: HoldStats, before: HoldStats) =>
  after.heapUsed + after.arrayBuffers - (before.heapUsed + before.arrayBuffers);

function report(what: string, before: HoldStats, after: HoldStats) {
  console.log(
    `[hold] ${what}: server memory held after GC ${(held(after, before) / MiB).toFixed(2)} MiB ` +
      `(heapUsed ${((after.heapUsed - before.heapUsed) / MiB).toFixed(2)}, arrayBuffers ${((after.arrayBuffers - before.arrayBuffers) / MiB).toFixed(2)}, ` +
      `rss ${((after.rss - before.rss) / MiB).toFixed(1)}); highWaterMark + one frame = ${((DEFAULT_HIGH_WATER_MARK + RESULT_BYTES) / MiB).toFixed(2)} MiB; ` +
      `${after.served - before.served} of ${CALLS} calls served while stalled`,
  );
}

/** Reads the stalled peer again: every call answered once; in order when `ordered`. */
async function drain(peer: RawPeer, ordered: boolean) {
  peer.socket.resume();
  const ids: number[] = [];
  for (let index = 0; index < CALLS; index++) {
    const reply = (await peer.next(`answer ${index + 1}`)) as { id: number; result: string };
    expect(reply.result).toHaveLength(RESULT_BYTES);
    expect(reply.result.startsWith(`${reply.id}:`)).toBe(true);
    ids.push(reply.id);
  }
  const expected = Array.from({ length: CALLS }, (_, index) => index + 1);
  expect(ordered ? ids : [...ids].sort((a, b) => a - b)).toEqual(expected);
  expect(peer.backlog).toEqual([]);
}

const calls = (method: string) =>
  Array.from({ length: CALLS }, (_, index) =>
    JSON.stringify({ jsonrpc: '2.0', id: index + 1, method, params: [index + 1] }),
  );

it('holds what a stalled peer pipelined: about highWaterMark plus one frame, then answers all in order', async () => {
  const started = await start();
  const observer = await openRaw(started.url);
  peers.push(observer);
  const before = await untilStill(observer);
  const stalled = await stalledPeer(started.url);
  sendInOneWrite(stalled.ws!, calls('big'));
  const after = await untilStill(observer);
  report('1,000 pipelined sync calls of 64 kB, peer not reading', before, after);
  // Only what fills the queue to the mark was served; the rest waits, unprocessed.
  expect(after.served - before.served).toBeLessThan(CALLS / 2);
  // Without the hold the 1,000 answers (64 MB) would be queued for the socket.
  expect(held(after, before)).toBeLessThan(4 * MiB);
  await drain(stalled, true);
  expect((await holdStats(observer)).served - before.served).toBe(CALLS);
});

describe('with async procedures', () => {
  // Frames admitted before the peer fell behind all run, and a running call answers even
  // once the peer is behind: at most maxInFlight of them at once, each with its result.
  it.each([
    ['maxInFlight 64', 64],
    ['the default maxInFlight (1,024)', 1_024],
  ])('what is held is bounded by %s × the result size', async (_, maxInFlight) => {
    const started = await start({ VOLLEY_MAX_IN_FLIGHT: String(maxInFlight) });
    const observer = await openRaw(started.url);
    peers.push(observer);
    const before = await untilStill(observer);
    const stalled = await stalledPeer(started.url);
    sendInOneWrite(stalled.ws!, calls('bigAsync'));
    const after = await untilStill(observer);
    report(`1,000 pipelined async calls of 64 kB (${_}), peer not reading`, before, after);
    expect(held(after, before)).toBeLessThan(
      Math.min(maxInFlight, CALLS) * RESULT_BYTES + 2 * (DEFAULT_HIGH_WATER_MARK + RESULT_BYTES),
    );
    // Reading again: each call answered once, with its result or refused by maxInFlight.
    stalled.socket.resume();
    const answered = new Map<number, 'result' | 'refused'>();
    for (let index = 0; index < CALLS; index++) {
      const reply = (await stalled.next(`answer ${index + 1}`)) as {
        id: number;
        result?: string;
        error?: { data: { limit: string } };
      };
      expect(answered.has(reply.id)).toBe(false);
      if (reply.result !== undefined) {
        expect(reply.result.startsWith(`${reply.id}:`)).toBe(true);
        answered.set(reply.id, 'result');
      } else {
        expect(reply.error?.data.limit).toBe('maxInFlight');
        answered.set(reply.id, 'refused');
      }
    }
    expect(answered.size).toBe(CALLS);
    const results = [...answered.values()].filter((kind) => kind === 'result').length;
    expect(results).toBe((await holdStats(observer)).served - before.served);
  });
});
