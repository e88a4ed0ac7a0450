// The MessagePack codec over real sockets: a client that asks for `volley.msgpack` sends
// and receives binary frames in which a Uint8Array travels as bytes, in params, results,
// subscription events and pub/sub fan-out; JSON clients (Volley's and plain JSON-RPC
// ones) on the same server are served as before, and the same topic event reaches both.
import { createClient, type VolleyClient } from '@volley/client';
import { createHandlers } from '@volley/client/handlers';
import { msgpack as clientMsgpack } from '@volley/client/msgpack';
import { initVolley } from '@volley/core';
import { createPubSub } from '@volley/server';
import { msgpack } from '@volley/server/msgpack';
import { afterEach, expect, it } from 'vitest';
import WebSocket from 'ws';
import { z } from 'zod';
import { deferred, type Harness, startHarness, within } from './helpers/harness.js';
import { openMsgpack } from './helpers/msgpack-peer.js';

const bytes = z.custom<Uint8Array>((value) => value instanceof Uint8Array, 'Expected bytes');

function makeRouter() {
  const v = initVolley();
  const events = createPubSub<{ frames: Uint8Array }>();
  const received: Uint8Array[] = [];
  const router = v.router({
    // Bytes in, bytes out: the same bytes reversed, and what the server got.
    reverse: v.procedure.input(bytes).mutation(({ input }) => {
      received.push(input);
      return Uint8Array.from(input).reverse();
    }),
    // Bytes in an object, next to other values.
    describe: v.procedure.input(z.object({ name: z.string(), data: bytes })).query(({ input }) => ({
      name: input.name,
      size: input.data.length,
      head: input.data.subarray(0, 2),
    })),
    // Events that are bytes, from a generator (pulled) ...
    chunks: v.procedure.input(z.number().int().min(1).max(5)).subscription(async function* ({
      input,
    }) {
      for (let index = 0; index < input; index++) yield Uint8Array.of(index, index, index);
    }),
    // ... and from a topic (pushed, the fan-out fast path).
    frames: v.procedure.subscription(({ signal }) => events.subscribe('frames', { signal })),
    when: v.procedure.query(() => new Date(0)),
  });
  return { router, events, received };
}

type AppRouter = ReturnType<typeof makeRouter>['router'];
let harness: Harness<AppRouter> | undefined;
const clients: Array<{ $close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.$close()));
  await harness?.close();
  harness = undefined;
});

function binaryClient(url: string): VolleyClient<AppRouter, 'msgpack'> {
  const client = createClient<AppRouter, 'msgpack'>({ url, WebSocket, codec: clientMsgpack });
  clients.push(client);
  return client;
}

it('sends bytes as params and gets bytes back as the result, over binary frames', async () => {
  const { router, received } = makeRouter();
  harness = await startHarness({ router, codecs: [msgpack] }, 'ws');
  const client = binaryClient(harness.url);
  const sent = new Uint8Array(70_000).map((_, index) => index % 251);
  const result = await client.reverse.mutate(sent);
  expect(result).toBeInstanceOf(Uint8Array);
  expect(Buffer.from(result).equals(Buffer.from(sent.slice().reverse()))).toBe(true);
  // The server got a Uint8Array of exactly those bytes.
  expect(received).toHaveLength(1);
  expect(received[0]).toBeInstanceOf(Uint8Array);
  expect(Buffer.from(received[0] as Uint8Array).equals(Buffer.from(sent))).toBe(true);
  const described = await client.describe.query({ name: 'x', data: Uint8Array.of(7, 8, 9) });
  expect(described).toEqual({ name: 'x', size: 3, head: Uint8Array.of(7, 8) });
  expect(described.head).toBeInstanceOf(Uint8Array);
  // A Date goes as the timestamp extension, and arrives as a Date.
  expect(await client.when.query()).toEqual(new Date(0));
});

it('delivers subscription events that are bytes, pulled and pushed', async () => {
  const { router, events } = makeRouter();
  harness = await startHarness({ router, codecs: [msgpack] }, 'ws');
  const client = binaryClient(harness.url);
  const chunks: Uint8Array[] = [];
  for await (const chunk of client.chunks.subscribe(3)) chunks.push(chunk);
  expect(chunks).toEqual([Uint8Array.of(0, 0, 0), Uint8Array.of(1, 1, 1), Uint8Array.of(2, 2, 2)]);

  const started = deferred();
  const got = deferred<Uint8Array>();
  const subscription = client.frames.subscribe(undefined, {
    onStarted: () => started.resolve(),
    onData: (data) => got.resolve(data),
  });
  await within(started.promise, 'the topic subscription to start');
  await events.publish('frames', Uint8Array.of(1, 2, 3, 255));
  const frame = await within(got.promise, 'the topic event');
  expect(frame).toBeInstanceOf(Uint8Array);
  expect([...frame]).toEqual([1, 2, 3, 255]);
  subscription.unsubscribe();
});

it('fans one topic event out to JSON and binary clients of one server, each in its encoding', async () => {
  const { router, events } = makeRouter();
  harness = await startHarness({ router, codecs: [msgpack] }, 'ws');
  const json = [harness.client(), harness.client()];
  const binary = [binaryClient(harness.url), binaryClient(harness.url)];
  const got: Array<Promise<unknown>> = [];
  const started: Array<Promise<void>> = [];
  for (const client of [...json, ...binary]) {
    const ready = deferred();
    const data = deferred<unknown>();
    started.push(ready.promise);
    got.push(data.promise);
    (client as VolleyClient<AppRouter>).frames.subscribe(undefined, {
      onStarted: () => ready.resolve(),
      onData: (event) => data.resolve(event),
    });
  }
  // A raw binary peer too, to see the frame's own shape.
  const peer = await openMsgpack(harness.url);
  expect(await peer.request({ jsonrpc: '2.0', id: 1, method: 'frames' })).toMatchObject({
    jsonrpc: '2.0',
    id: 1,
    result: { subscription: 1 },
  });
  await within(Promise.all(started), 'every subscription to start');
  await events.publish('frames', Uint8Array.of(9, 8, 7));
  const [jsonA, jsonB, binaryA, binaryB] = await within(Promise.all(got), 'every event');
  // JSON makes of bytes what JSON.stringify makes of them, which the JSON client's type says.
  expect(jsonA).toEqual({ 0: 9, 1: 8, 2: 7 });
  expect(jsonB).toEqual({ 0: 9, 1: 8, 2: 7 });
  expect(binaryA).toEqual(Uint8Array.of(9, 8, 7));
  expect(binaryB).toEqual(Uint8Array.of(9, 8, 7));
  const event = (await peer.next('the raw event')) as {
    method: string;
    params: { subscription: number; eventId: string; data: Uint8Array };
  };
  expect(event.method).toBe('rpc.event');
  expect(event.params.subscription).toBe(1);
  expect(typeof event.params.eventId).toBe('string');
  expect([...event.params.data]).toEqual([9, 8, 7]);
  await peer.close();
});

it('leaves JSON clients as they were: no subprotocol, or one of their own, gets JSON text', async () => {
  const { router } = makeRouter();
  harness = await startHarness({ router, codecs: [msgpack] }, 'ws');
  // A plain JSON-RPC peer asking for no subprotocol.
  const plain = await harness.raw();
  expect(await plain.request({ jsonrpc: '2.0', id: 1, method: 'when' })).toEqual({
    jsonrpc: '2.0',
    id: 1,
    result: '1970-01-01T00:00:00.000Z',
  });
  // One asking for a subprotocol of its own gets it echoed, as ws does, and JSON.
  const own = new WebSocket(harness.url, ['my-json-rpc']);
  const reply = deferred<string>();
  own.on('message', (data) => reply.resolve(data.toString()));
  await within(new Promise((resolve) => own.once('open', resolve)), 'the socket to open');
  expect(own.protocol).toBe('my-json-rpc');
  own.send(JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'when' }));
  expect(JSON.parse(await within(reply.promise, 'the answer'))).toMatchObject({ id: 2 });
  own.close();
  // volley.json is JSON too.
  const named = await openMsgpack(harness.url, ['volley.json']);
  expect(named.ws.protocol).toBe('volley.json');
  named.ws.send(JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'when' }));
  expect(await named.next()).toEqual({
    text: JSON.stringify({ jsonrpc: '2.0', id: 3, result: '1970-01-01T00:00:00.000Z' }),
  });
  await named.close();
});

it('refuses a text frame on a binary connection, in MessagePack, and goes on serving it', async () => {
  const { router } = makeRouter();
  harness = await startHarness({ router, codecs: [msgpack] }, 'ws');
  const peer = await openMsgpack(harness.url);
  expect(peer.ws.protocol).toBe('volley.msgpack');
  peer.ws.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'when' }));
  expect(await peer.next()).toEqual({
    jsonrpc: '2.0',
    id: null,
    error: {
      code: -32600,
      message: 'Invalid Request',
      data: {
        code: 'INVALID_REQUEST',
        issues: [
          {
            path: [],
            message:
              'Text frames are not accepted: this connection speaks MessagePack in binary frames',
          },
        ],
      },
    },
  });
  expect(await peer.request({ jsonrpc: '2.0', id: 2, method: 'when' })).toEqual({
    jsonrpc: '2.0',
    id: 2,
    result: new Date(0),
  });
  await peer.close();
});

it('speaks JSON to a client asking for volley.msgpack when the server has no such codec', async () => {
  const { router } = makeRouter();
  harness = await startHarness({ router }, 'ws');
  const peer = await openMsgpack(harness.url);
  // ws echoes the first protocol offered, as before; the connection speaks JSON, and
  // refuses the binary frame with the JSON error it always gave.
  peer.send({ jsonrpc: '2.0', id: 1, method: 'when' });
  const answer = (await peer.next()) as { text: string };
  expect(JSON.parse(answer.text)).toMatchObject({ id: null, error: { code: -32600 } });
  await peer.close();
});

it('answers a batch of binary messages with a binary batch', async () => {
  const { router } = makeRouter();
  harness = await startHarness({ router, codecs: [msgpack] }, 'ws');
  const peer = await openMsgpack(harness.url);
  const answer = await peer.request([
    { jsonrpc: '2.0', id: 1, method: 'reverse', params: [Uint8Array.of(1, 2)] },
    { jsonrpc: '2.0', id: 2, method: 'nope' },
    { jsonrpc: '2.0', method: 'when' },
  ]);
  // (ws gives this peer Buffers, which msgpackr decodes bin into.)
  expect(answer).toEqual([
    { jsonrpc: '2.0', id: 1, result: Buffer.of(2, 1) },
    expect.objectContaining({ id: 2, error: expect.objectContaining({ code: -32601 }) }),
  ]);
  await peer.close();
});

it('carries bytes in server-to-client calls too: the server asks, the client answers, in MessagePack', async () => {
  const c = initVolley();
  const clientRouter = c.router({
    // The client's handler gets bytes from the server and answers with bytes.
    checksum: c.procedure.input(bytes).query(({ input }) => ({
      size: input.length,
      isBytes: input instanceof Uint8Array,
      head: input.subarray(0, 2),
    })),
  });
  const v = initVolley().withClient<typeof clientRouter>();
  const seen = deferred<unknown>();
  const router = v.router({
    ask: v.procedure.mutation(async ({ ctx }) => {
      const answer = await ctx.client.checksum.query(Uint8Array.of(5, 6, 7));
      seen.resolve(answer);
      return answer.size;
    }),
  });
  const server = await startHarness({ router, codecs: [msgpack] }, 'ws');
  const client = createClient<typeof router, 'msgpack'>({
    url: server.url,
    WebSocket,
    codec: clientMsgpack,
    handlers: createHandlers(clientRouter),
  });
  try {
    expect(await client.ask.mutate()).toBe(3);
    const answer = (await within(seen.promise, 'the client answer')) as {
      size: number;
      isBytes: boolean;
      head: Uint8Array;
    };
    // Bytes went to the client as bytes, and came back as bytes.
    expect(answer.isBytes).toBe(true);
    expect(answer.head).toBeInstanceOf(Uint8Array);
    expect([...answer.head]).toEqual([5, 6]);
  } finally {
    await client.$close();
    await server.close();
  }
});
