// A resumed subscription is recovered only when the server starts where the client asked.
// The server here is scripted by hand on a real socket: it acknowledges the subscription,
// sends one event, drops the connection, and answers the client's rpc.resume with
// `recovered: true` and whatever `lastEventId` the test gives, true or not.
import type { AddressInfo } from 'node:net';
import {
  createClient,
  ResyncRequiredError,
  type SubscribeOptions,
  type VolleyClient,
} from '@volley/client';
import { initVolley } from '@volley/core';
import { afterEach, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { deferred, within } from './helpers/harness.js';

const v = initVolley();
const router = v.router({
  ticks: v.procedure.subscription(async function* () {
    yield 1;
  }),
});

/** Where the stream is before the cut: the position the client resumes from. */
const POSITION = 'epoch.2';

let cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  cleanups = [];
});

interface Frame {
  id?: number;
  method?: string;
  params?: { lastEventId?: string };
}

/**
 * The scripted server. On the first connection: accepts, acknowledges the subscription
 * at `epoch.1`, sends event `epoch.2`, and drops the socket. On the next: answers
 * rpc.resume with `ack` and records the `lastEventId` the client sent.
 */
async function startLyingServer(ack: { lastEventId?: string; recovered?: boolean }) {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  cleanups.push(async () => {
    for (const socket of wss.clients) socket.terminate();
    await new Promise<void>((resolve) => wss.close(() => resolve()));
  });
  const resumedFrom = deferred<string | undefined>();
  let connections = 0;
  wss.on('connection', (socket) => {
    connections += 1;
    const first = connections === 1;
    const send = (message: object) => socket.send(JSON.stringify({ jsonrpc: '2.0', ...message }));
    socket.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as Frame;
      if (frame.method === 'rpc.init') {
        send({ id: frame.id, result: { protocol: 1 } });
      } else if (first && frame.method === 'ticks') {
        send({ id: frame.id, result: { subscription: frame.id, lastEventId: 'epoch.1' } });
        send({
          method: 'rpc.event',
          params: { subscription: frame.id, eventId: POSITION, data: 2 },
        });
        // Dropped once the event has gone out: the client has its position.
        setImmediate(() => socket.terminate());
      } else if (frame.method === 'rpc.resume') {
        resumedFrom.resolve(frame.params?.lastEventId);
        send({ id: frame.id, result: { subscription: frame.id, ...ack } });
      }
    });
  });
  return {
    url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`,
    resumedFrom: resumedFrom.promise,
  };
}

function client(url: string): VolleyClient<typeof router> {
  const made = createClient<typeof router>({
    url,
    WebSocket,
    heartbeatIntervalMs: 0,
    retry: { initialDelayMs: 5, maxDelayMs: 20 },
  });
  cleanups.push(() => made.$close());
  return made;
}

/** Subscribes with `options`, and resolves once the subscription has resumed or failed. */
function subscribe(
  resuming: VolleyClient<typeof router>,
  options: SubscribeOptions<number>,
): Promise<void> {
  const done = deferred();
  resuming.ticks.subscribe(undefined, {
    ...options,
    onResumed: options.onResumed
      ? (info) => {
          options.onResumed?.(info);
          done.resolve();
        }
      : undefined,
    onError: (error) => {
      options.onError?.(error);
      done.resolve();
    },
  });
  return within(done.promise, 'the subscription to resume or fail');
}

it.each([
  ['another position', { recovered: true, lastEventId: 'epoch.0' }],
  ['no position', { recovered: true }],
  ['a position from another epoch', { recovered: true, lastEventId: 'other.2' }],
])(
  'treats recovered: true with %s as not recovered: onResumed hears recovered: false',
  async (_label, ack) => {
    const server = await startLyingServer(ack);
    const heard: Array<{ recovered: boolean }> = [];
    await subscribe(client(server.url), { onResumed: (info) => heard.push(info) });
    expect(await server.resumedFrom).toBe(POSITION);
    expect(heard).toEqual([{ recovered: false }]);
  },
);

it('without onResumed, fails with ResyncRequiredError rather than go on with a gap, and believes a server that starts where it asked', async () => {
  const lying = await startLyingServer({ recovered: true, lastEventId: 'epoch.0' });
  const errors: unknown[] = [];
  await subscribe(client(lying.url), { onError: (error) => errors.push(error) });
  expect(errors).toHaveLength(1);
  expect(errors[0]).toBeInstanceOf(ResyncRequiredError);

  const truthful = await startLyingServer({ recovered: true, lastEventId: POSITION });
  const heard: Array<{ recovered: boolean }> = [];
  await subscribe(client(truthful.url), { onResumed: (info) => heard.push(info) });
  expect(heard).toEqual([{ recovered: true }]);
});
