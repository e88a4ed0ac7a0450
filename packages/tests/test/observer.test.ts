// The server's observer: each event it reports moves when that thing happens, over real
// sockets. Connections, calls, subscriptions, bytes and the observer's own rules; limits,
// refusals and backpressure are in observer-limits.test.ts.
import { ERROR_CODES, initVolley, VolleyError } from '@volley/core';
import {
  type CallOutcome,
  createPubSub,
  type ErrorInfo,
  type ObservedCall,
  type ObservedConnection,
} from '@volley/server';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { deferred, type Harness, openRaw, startHarness, within } from './helpers/harness.js';
import { type RecordingObserver, recordingObserver } from './helpers/recording-observer.js';

const events = createPubSub<{ [room: `room:${string}`]: { text: string } }>();
const v = initVolley();
const router = v.router({
  ping: v.procedure.query(() => 'pong'),
  rename: v.procedure.input(z.string()).mutation(({ input }) => input.toUpperCase()),
  fail: v.procedure.query(() => {
    throw new VolleyError({ code: 'NOT_FOUND', message: 'No such thing' });
  }),
  hang: v.procedure.query(
    ({ signal }) => new Promise((resolve) => signal.addEventListener('abort', resolve)),
  ),
  room: v.procedure
    .input(z.string())
    .subscription(({ input, signal }) => events.subscribe(`room:${input}`, { signal })),
  ticks: v.procedure.subscription(async function* () {
    yield 1;
    yield 2;
  }),
});

let harness: Harness<typeof router> | undefined;
let recorder: RecordingObserver;
const errors: ErrorInfo[] = [];

async function start(extra: Partial<Parameters<typeof startHarness<typeof router>>[0]> = {}) {
  recorder = recordingObserver();
  errors.length = 0;
  harness = await startHarness({
    router,
    observer: recorder.observer,
    onError: (info) => errors.push(info),
    ...extra,
  });
  return harness;
}

afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

const connectionOf = (args: unknown[]) => args[0] as ObservedConnection;

describe('connections', () => {
  it('are reported opened, accepted and closed with their close code', async () => {
    const { raw } = await start();
    const peer = await raw();
    const [opened] = await recorder.until('connectionOpened');
    const [accepted] = await recorder.until('connectionAccepted');
    expect(opened).toEqual(accepted);
    expect(connectionOf([opened])).toMatchObject({
      connectionId: expect.any(String),
      clientAddress: '127.0.0.1',
      origin: undefined,
    });
    peer.socket.terminate();
    const closed = await recorder.until('connectionClosed');
    expect(closed).toEqual([opened, 1006, true]);
    // A clean close says its code.
    const second = await raw();
    await recorder.until(
      'connectionAccepted',
      ([c]) => connectionOf([c]).connectionId !== connectionOf([opened]).connectionId,
    );
    second.ws?.close(4000, 'bye');
    const [, code] = await recorder.until(
      'connectionClosed',
      ([c]) => connectionOf([c]).connectionId !== connectionOf([opened]).connectionId,
    );
    expect(code).toBe(4000);
  });

  it('refused by createContext are reported by reason, then closed unaccepted', async () => {
    const { raw } = await start({
      createContext: () => {
        throw new VolleyError({ code: 'UNAUTHORIZED', message: 'No token' });
      },
    } as never);
    const peer = await raw();
    peer.send({ jsonrpc: '2.0', id: 1, method: 'ping' });
    const [reason, connection, code] = await recorder.until('connectionRefused');
    expect([reason, code]).toEqual(['unauthorized', 4401]);
    const [closed, closeCode, accepted] = await recorder.until('connectionClosed');
    expect(closed).toEqual(connection);
    expect([closeCode, accepted]).toEqual([4401, false]);
    expect(recorder.all('connectionAccepted')).toEqual([]);
  });
});

describe('calls', () => {
  it('are reported by procedure with their outcome and duration', async () => {
    const { client } = await start();
    const volley = client();
    expect(await volley.ping.query()).toBe('pong');
    await expect(volley.fail.query()).rejects.toThrow('No such thing');
    expect(await volley.rename.mutate('ada')).toBe('ADA');
    const ended = recorder.all('callEnded') as Array<[ObservedCall, CallOutcome, number]>;
    expect(ended.map(([call, outcome]) => [call.path, call.type, outcome])).toEqual([
      ['ping', 'query', { ok: true }],
      ['fail', 'query', { ok: false, code: -32004, name: 'NOT_FOUND' }],
      ['rename', 'mutation', { ok: true }],
    ]);
    for (const [, , durationMs] of ended) expect(durationMs).toBeGreaterThanOrEqual(0);
    expect(recorder.all('callStarted')).toHaveLength(3);
  });

  it('cancelled by the client end as CANCELLED', async () => {
    const { raw } = await start();
    const peer = await raw();
    peer.send({ jsonrpc: '2.0', id: 1, method: 'hang' });
    await recorder.until('callStarted');
    peer.send({ jsonrpc: '2.0', method: 'rpc.cancel', params: { id: 1 } });
    const [, outcome] = await recorder.until('callEnded');
    expect(outcome).toEqual({ ok: false, code: ERROR_CODES.CANCELLED, name: 'CANCELLED' });
  });

  it("carry the client's W3C trace context; a malformed one is ignored, never an error", async () => {
    const { raw } = await start();
    const peer = await raw();
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    expect(
      await peer.request({
        jsonrpc: '2.0',
        id: 1,
        method: 'ping',
        traceparent,
        tracestate: 'vendor=abc',
      }),
    ).toEqual({ jsonrpc: '2.0', id: 1, result: 'pong' });
    for (const [id, bad] of [
      [2, '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7'],
      [3, 'ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'],
      [4, '00-00000000000000000000000000000000-00f067aa0ba902b7-01'],
      [5, '00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01'],
      [6, 42],
    ] as const) {
      // Answered as if it were not there, and not echoed.
      expect(await peer.request({ jsonrpc: '2.0', id, method: 'ping', traceparent: bad })).toEqual({
        jsonrpc: '2.0',
        id,
        result: 'pong',
      });
    }
    const traces = (recorder.all('callStarted') as Array<[ObservedCall]>).map(([c]) => c.trace);
    expect(traces).toEqual([
      { traceparent, tracestate: 'vendor=abc' },
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });
});

describe('subscriptions', () => {
  it('are reported opened and closed, with their topic, and their events delivered', async () => {
    const { client, server } = await start();
    const volley = client();
    const got = deferred<string>();
    const started = deferred();
    const subscription = volley.room.subscribe('lobby', {
      onStarted: () => started.resolve(),
      onData: (event) => got.resolve(event.text),
    });
    await within(started.promise, 'the subscription to start');
    const [connectionId, path, topic] = await recorder.until('subscriptionOpened');
    expect([path, topic]).toEqual(['room', 'room:lobby']);
    expect(server.gauges().subscriptionsByTopic).toEqual(new Map([['room:lobby', 1]]));
    await events.publish('room:lobby', { text: 'hi' });
    expect(await within(got.promise, 'the event')).toBe('hi');
    expect(await recorder.until('eventsDelivered')).toEqual([connectionId, 'room', 1]);
    subscription.unsubscribe();
    expect(await recorder.until('subscriptionClosed')).toEqual([
      connectionId,
      'room',
      'room:lobby',
    ]);
    expect(server.gauges().subscriptionsByTopic).toEqual(new Map());
  });

  it('of any stream are reported too, without a topic, with each event pulled', async () => {
    const { client } = await start();
    const volley = client();
    const done = deferred();
    volley.ticks.subscribe(undefined, { onComplete: () => done.resolve() });
    await within(done.promise, 'the stream to complete');
    await recorder.until('subscriptionClosed');
    expect(recorder.all('subscriptionOpened').map((args) => args.slice(1))).toEqual([
      ['ticks', undefined],
    ]);
    expect(recorder.all('eventsDelivered').map(([, , count]) => count)).toEqual([1, 1]);
  });
});

describe('bytes', () => {
  it('read and written are counted as the transport frames them', async () => {
    const { raw } = await start();
    const peer = await raw();
    const frame = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'rename', params: ['é'] });
    expect(await peer.request(frame)).toEqual({ jsonrpc: '2.0', id: 1, result: 'É' });
    const sum = (direction: string) =>
      recorder
        .all('bytes')
        .filter(([d]) => d === direction)
        .reduce((total, [, count]) => total + (count as number), 0);
    expect(sum('in')).toBe(Buffer.byteLength(frame));
    expect(sum('out')).toBe(Buffer.byteLength('{"jsonrpc":"2.0","id":1,"result":"É"}'));
  });
});

describe('gauges', () => {
  it('count connections by origin', async () => {
    const { server, url } = await start();
    const peer = await openRaw(url, undefined, { headers: { origin: 'https://app.example.com' } });
    const plain = await harness?.raw();
    await recorder.until(
      'connectionAccepted',
      () => recorder.all('connectionAccepted').length === 2,
    );
    expect(server.gauges()).toMatchObject({
      accepted: 2,
      pending: 0,
      connectionsByOrigin: new Map([
        ['https://app.example.com', 1],
        ['', 1],
      ]),
    });
    await peer.close();
    await plain?.close();
  });
});

describe('observers', () => {
  it('that throw are reported to onError, and serving goes on', async () => {
    const { client, server } = await start();
    server.observe({
      callStarted() {
        throw new Error('observer bug');
      },
      bytes() {
        throw new Error('observer bug');
      },
    });
    const volley = client();
    expect(await volley.ping.query()).toBe('pong');
    expect(await volley.ping.query()).toBe('pong');
    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0]?.error.cause).toMatchObject({ message: 'observer bug' });
    // The other observer heard everything.
    expect(recorder.all('callEnded')).toHaveLength(2);
  });

  it('can be attached later, several at once, and detached', async () => {
    const { client, server } = await start();
    const later = recordingObserver();
    const detach = server.observe(later.observer);
    const volley = client();
    await volley.ping.query();
    expect(later.all('callEnded')).toHaveLength(1);
    detach();
    detach();
    await volley.ping.query();
    expect(later.all('callEnded')).toHaveLength(1);
    expect(recorder.all('callEnded')).toHaveLength(2);
  });
});
