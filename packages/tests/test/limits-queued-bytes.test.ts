// maxQueuedBytesBeforeReady: while a connection's createContext runs, what it sends waits
// in a queue bounded in bytes; once full, its socket is not read, so the rest waits in
// TCP. A connection that sends 100 × 1 MiB before it is accepted costs the server about
// the bound plus a frame or two, not 100 MiB; once accepted, every frame is served in
// order. The server runs in a child process (--expose-gc) so its memory is measured alone.
import {
  DEFAULT_MAX_QUEUED_BEFORE_READY,
  DEFAULT_MAX_QUEUED_BYTES_BEFORE_READY,
} from '@volley/server';
import { afterEach, expect, it } from 'vitest';
import { type FixtureProcess, startFixture } from './helpers/fixture-process.js';
import { openRaw, type RawPeer } from './helpers/harness.js';
import { holdStats } from './helpers/hold-stats.js';

const MiB = 1024 * 1024;
const FRAMES = 100;

let server: FixtureProcess | undefined;
const peers: RawPeer[] = [];
afterEach(async () => {
  for (const peer of peers.splice(0)) peer.socket.terminate();
  await server?.stop();
  server = undefined;
});

it('defaults to 1 MiB (and 1,000 frames)', () => {
  expect(DEFAULT_MAX_QUEUED_BYTES_BEFORE_READY).toBe(MiB);
  expect(DEFAULT_MAX_QUEUED_BEFORE_READY).toBe(1_000);
});

it('stops reading a connection not yet accepted once 1 MiB waits, then serves it all in order', async () => {
  // maxPayload raised so that 1 MiB frames (plus their envelope) are allowed.
  server = await startFixture('hold-server.ts', {
    execArgv: ['--expose-gc'],
    env: { VOLLEY_MAX_PAYLOAD: String(2 * MiB) },
  });
  const observer = await openRaw(server.url);
  peers.push(observer);
  expect(await observer.request({ jsonrpc: '2.0', id: 0, method: 'rpc.init' })).toMatchObject({
    result: { protocol: 1 },
  });
  const before = await holdStats(observer);

  const slow = await openRaw(server.url);
  peers.push(slow);
  // Its createContext waits until the test lets it finish.
  slow.send({
    jsonrpc: '2.0',
    id: 0,
    method: 'rpc.init',
    params: { connectionParams: { slow: true } },
  });
  const payload = 'q'.repeat(MiB);
  for (let id = 1; id <= FRAMES; id++) {
    slow.send(`{"jsonrpc":"2.0","id":${id},"method":"frame","params":["${id}:${payload}"]}`);
  }
  // Once the server stops reading, what the client sends stops leaving its socket.
  let waiting = slow.ws!.bufferedAmount;
  for (;;) {
    await holdStats(observer);
    await holdStats(observer);
    const now = slow.ws!.bufferedAmount;
    if (now === waiting) break;
    waiting = now;
  }
  const after = await holdStats(observer);
  const held = after.heapUsed + after.arrayBuffers - (before.heapUsed + before.arrayBuffers);
  console.log(
    `[pre-ready] ${FRAMES} × 1 MiB sent before acceptance: server memory held after GC ${(held / MiB).toFixed(2)} MiB ` +
      `(heapUsed ${((after.heapUsed - before.heapUsed) / MiB).toFixed(2)}, arrayBuffers ${((after.arrayBuffers - before.arrayBuffers) / MiB).toFixed(2)}, ` +
      `rss ${((after.rss - before.rss) / MiB).toFixed(1)}); ${(waiting / MiB).toFixed(1)} MiB still in the client's socket`,
  );
  expect(after.frames).toBe(before.frames);
  // The bound, plus the frame that crossed it and one ws may hold half-read.
  expect(held).toBeLessThan(MiB + 2 * (MiB + 64 * 1024));
  expect(waiting).toBeGreaterThan(50 * MiB);

  // Accepted: rpc.init is answered, then every frame in order.
  server.child.stdin?.write('accept\n');
  expect(await slow.next('the rpc.init answer')).toMatchObject({ id: 0, result: { protocol: 1 } });
  for (let id = 1; id <= FRAMES; id++) {
    expect(await slow.next(`the answer to frame ${id}`)).toEqual({
      jsonrpc: '2.0',
      id,
      result: MiB + `${id}:`.length,
    });
  }
  expect((await holdStats(observer)).frames - before.frames).toBe(FRAMES);
});
