// The frames a connection holds while its peer is behind: the socket is paused, so only
// what was read already arrives, and it waits unprocessed until the peer catches up, then
// is served in order. A transport that does not pause (a third-party adapter passed to
// `server.accept()`) cannot make the server buffer without bound: past twice maxPayload
// held, the connection is closed with 1008. The adapter here is that transport: it
// reports a peer that reads nothing until the test drains it, and ignores pause().
import { IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import { initVolley } from '@volley/core';
import { createServer, type ServerTransport, type TransportEvents } from '@volley/server';
import { afterEach, expect, it } from 'vitest';

const v = initVolley();
/** Any input at all, so a test can send strings of the sizes it needs. */
const anything = {
  '~standard': { version: 1, vendor: 'test', validate: (value: unknown) => ({ value }) },
} as const;
const router = v.router({ echo: v.procedure.input(anything).query(({ input }) => input) });

/** A transport whose peer reads nothing until `drain()`, and which does not pause. */
function stubbornTransport() {
  const state = {
    events: undefined as TransportEvents | undefined,
    sent: [] as string[],
    buffered: 0,
    pauses: 0,
    closed: undefined as { code: number; reason: string } | undefined,
    onDrain: undefined as (() => void) | undefined,
  };
  const make = (events: TransportEvents): ServerTransport => {
    state.events = events;
    return {
      send(text) {
        if (state.closed !== undefined) return;
        state.sent.push(text as string);
        state.buffered += text.length;
      },
      sendJoined() {},
      close(code, reason) {
        state.closed ??= { code, reason };
        queueMicrotask(() => events.onClose());
      },
      terminate() {
        queueMicrotask(() => events.onClose());
      },
      get bufferedAmount() {
        return state.buffered;
      },
      pause() {
        state.pauses++;
      },
      resume() {},
      onDrain(threshold, callback) {
        if (state.buffered <= threshold) callback();
        else state.onDrain = callback;
      },
      heartbeat() {},
    };
  };
  return {
    state,
    make,
    /** The peer reads everything it was sent. */
    drain() {
      state.buffered = 0;
      const callback = state.onDrain;
      state.onDrain = undefined;
      callback?.();
    },
  };
}

const servers: Array<ReturnType<typeof createServer>> = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

function serve(transport: ReturnType<typeof stubbornTransport>) {
  const server = createServer({ router, maxPayload: 1_000, highWaterMark: 100 });
  servers.push(server);
  expect(
    server.accept(transport.make, {
      request: new IncomingMessage(new Socket()),
      clientAddress: undefined,
    }),
  ).toBe(true);
  return transport.state.events as TransportEvents;
}

const echo = (id: number, text: string) =>
  JSON.stringify({ jsonrpc: '2.0', id, method: 'echo', params: [text] });

it('holds frames while the peer is behind and serves them in order once it catches up', async () => {
  const transport = stubbornTransport();
  const events = serve(transport);
  // 200 bytes of answer: past the 100-byte mark, so the peer is behind from here on.
  events.onMessage(echo(1, 'a'.repeat(200)));
  expect(transport.state.sent).toHaveLength(1);
  expect(transport.state.pauses).toBe(1);
  for (let id = 2; id <= 5; id++) events.onMessage(echo(id, `${id}`));
  // Held, not answered: nothing more was queued for a peer that is not reading.
  expect(transport.state.sent).toHaveLength(1);
  // Each time it catches up, held frames are served until it is behind again.
  for (let round = 0; round < 5 && transport.state.sent.length < 5; round++) transport.drain();
  expect(transport.state.sent.map((text) => JSON.parse(text).id)).toEqual([1, 2, 3, 4, 5]);
  expect(transport.state.closed).toBeUndefined();
});

it('closes with 1008 once more than twice maxPayload is held, having answered none of it', async () => {
  const transport = stubbornTransport();
  const events = serve(transport);
  events.onMessage(echo(1, 'a'.repeat(200)));
  // 2,000 bytes (twice maxPayload) may wait; the frame that passes that closes the connection.
  let id = 2;
  while (transport.state.closed === undefined && id < 100) {
    events.onMessage(echo(id, 'h'.repeat(400)));
    id++;
  }
  expect(transport.state.closed).toEqual({
    code: 1008,
    reason: 'Too much sent while the server was holding back',
  });
  // Five frames of about 450 bytes fit in 2,000; the sixth was one too many.
  expect(id - 2).toBe(5);
  expect(transport.state.sent).toHaveLength(1);
});
