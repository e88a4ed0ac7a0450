// The server's observer, for what goes wrong: refusals by reason, limit hits by limit,
// backpressure pauses and events dropped for a slow subscriber. Each moves when it happens.
import { initVolley } from '@volley/core';
import { createPubSub, type LimitName } from '@volley/server';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { z } from 'zod';
import { type Harness, startHarness, within } from './helpers/harness.js';
import { type RecordingObserver, recordingObserver } from './helpers/recording-observer.js';

const feed = createPubSub<{ feed: { pad: string } }>();
const v = initVolley();
const router = v.router({
  ping: v.procedure.query(() => 'pong'),
  hang: v.procedure.query(
    ({ signal }) => new Promise((resolve) => signal.addEventListener('abort', resolve)),
  ),
  feed: v.procedure
    .input(z.object({ maxBuffered: z.number() }))
    .subscription(({ input, signal }) =>
      feed.subscribe('feed', { signal, overflow: 'drop', maxBuffered: input.maxBuffered }),
    ),
});

let harness: Harness<typeof router> | undefined;
let recorder: RecordingObserver;

async function start(extra: Record<string, unknown> = {}) {
  recorder = recordingObserver();
  harness = await startHarness({ router, observer: recorder.observer, ...extra });
  return harness;
}

afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

/** Resolves with the HTTP status a refused upgrade got, or 'open'. */
function tryUpgrade(url: string, headers: Record<string, string> = {}): Promise<number | 'open'> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { headers });
    socket.on('open', () => {
      socket.terminate();
      resolve('open');
    });
    socket.on('unexpected-response', (_request, response) => {
      resolve(response.statusCode ?? 0);
      response.resume();
      socket.terminate();
    });
    socket.on('error', reject);
  });
}

describe('refusals', () => {
  it('before the upgrade are reported by reason with their HTTP status', async () => {
    const { url } = await start({
      allowedOrigins: ['https://app.example.com'],
      maxConnectionsPerAddress: 1,
    });
    expect(await within(tryUpgrade(url, { origin: 'https://evil.example.com' }), '403')).toBe(403);
    expect(await recorder.until('connectionRefused')).toEqual(['origin', undefined, 403]);
    const peer = await harness?.raw();
    expect(await within(tryUpgrade(url), '429')).toBe(429);
    expect(await recorder.until('connectionRefused', ([reason]) => reason !== 'origin')).toEqual([
      'max-connections-per-address',
      undefined,
      429,
    ]);
    await peer?.close();
  });

  it('of a connection that never initialises are reported as init-timeout', async () => {
    const { raw } = await start({
      createContext: () => ({}),
      connectionInitTimeoutMs: 50,
    });
    const peer = await raw();
    expect((await peer.closed).code).toBe(4408);
    const [reason, , code] = await recorder.until('connectionRefused');
    expect([reason, code]).toEqual(['init-timeout', 4408]);
  });
});

describe('limit hits', () => {
  const deep = `{"jsonrpc":"2.0","id":1,"method":"ping","params":${'['.repeat(70)}${']'.repeat(70)}}`;
  const cases: Array<[LimitName, Record<string, unknown>, () => string | Uint8Array]> = [
    ['maxDepth', {}, () => deep],
    [
      'maxBatchLength',
      { maxBatchLength: 2 },
      () => JSON.stringify([1, 2, 3].map((id) => ({ jsonrpc: '2.0', id, method: 'ping' }))),
    ],
    [
      'maxValues',
      { maxValues: 5 },
      () => JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping', params: [1, 2, 3, 4, 5, 6] }),
    ],
    [
      'rateLimit',
      { rateLimit: { messagesPerSecond: 0.001, burst: 1 } },
      () => JSON.stringify([1, 2].map((id) => ({ jsonrpc: '2.0', id, method: 'ping' }))),
    ],
    ['maxPayload', { maxPayload: 1024 }, () => 'x'.repeat(2048)],
  ];
  it.each(cases)('%s is reported when it refuses a frame', async (limit, options, frame) => {
    const { raw } = await start(options);
    const peer = await raw();
    peer.send(frame());
    const [name, connectionId] = await recorder.until('limitHit', ([hit]) => hit === limit);
    expect(name).toBe(limit);
    // The transport sees maxPayload before any connection step does.
    if (limit !== 'maxPayload') expect(connectionId).toEqual(expect.any(String));
  });

  it('maxInFlight and maxSubscriptions are reported with the connection', async () => {
    const { raw } = await start({ maxInFlight: 1, maxSubscriptions: 1 });
    const peer = await raw();
    peer.send({ jsonrpc: '2.0', id: 1, method: 'hang' });
    expect(await peer.request({ jsonrpc: '2.0', id: 2, method: 'hang' })).toMatchObject({
      error: { data: { limit: 'maxInFlight' } },
    });
    await recorder.until('limitHit', ([hit]) => hit === 'maxInFlight');
    peer.send({ jsonrpc: '2.0', method: 'rpc.cancel', params: { id: 1 } });
    await peer.next('the cancellation');
    await peer.request({ jsonrpc: '2.0', id: 3, method: 'feed', params: { maxBuffered: 10 } });
    expect(
      await peer.request({ jsonrpc: '2.0', id: 4, method: 'feed', params: { maxBuffered: 10 } }),
    ).toMatchObject({ error: { data: { limit: 'maxSubscriptions' } } });
    const [, connectionId] = await recorder.until(
      'limitHit',
      ([hit]) => hit === 'maxSubscriptions',
    );
    const [opened] = await recorder.until('connectionOpened');
    expect(connectionId).toBe((opened as { connectionId: string }).connectionId);
  });
});

describe('a slow subscriber', () => {
  it('is reported paused (backpressure), and the events it lost dropped', async () => {
    const { raw } = await start({ highWaterMark: 16 * 1024 });
    const peer = await raw();
    expect(
      await peer.request({ jsonrpc: '2.0', id: 1, method: 'feed', params: { maxBuffered: 2 } }),
    ).toMatchObject({ result: { subscription: 1 } });
    peer.socket.pause();
    const pad = 'p'.repeat(32 * 1024);
    for (let round = 0; round < 500 && recorder.all('eventsDropped').length === 0; round++) {
      await feed.publish('feed', { pad });
      await new Promise((resolve) => setImmediate(resolve));
    }
    const [paused] = await recorder.until('backpressurePaused');
    expect(paused).toEqual(expect.any(String));
    expect(await recorder.until('limitHit', ([hit]) => hit === 'highWaterMark')).toEqual([
      'highWaterMark',
      paused,
    ]);
    expect(await recorder.until('eventsDropped')).toEqual([paused, 'feed', 1]);
    expect(await recorder.until('limitHit', ([hit]) => hit === 'maxBuffered')).toEqual([
      'maxBuffered',
      paused,
    ]);
    peer.socket.resume();
  });
});
