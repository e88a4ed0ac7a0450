// The client against a server that breaks the protocol: frames that are not JSON,
// answers nobody asked for, malformed errors. The client must neither crash nor leave a
// call waiting for its timeout when the answer, malformed as it is, has arrived. The
// socket is the in-memory ScriptedSocket, played by hand.
import { createClient, type VolleyClient, VolleyError } from '@volley/client';
import { initVolley } from '@volley/core';
import { expect, it, vi } from 'vitest';
import { ScriptedSocket, useScriptedSockets } from './helpers/scripted-socket.js';

const v = initVolley();
const router = v.router({
  ping: v.procedure.query(() => 'pong'),
  ticks: v.procedure.subscription(async function* () {
    yield 1;
  }),
});

let client: VolleyClient<typeof router> | undefined;

useScriptedSockets(
  () => client,
  () => {
    client = undefined;
  },
);

/** A client on an accepted ScriptedSocket, and that socket. */
async function open() {
  client = createClient<typeof router>({
    url: 'ws://volley.test',
    WebSocket: ScriptedSocket,
    heartbeatIntervalMs: 0,
  });
  await vi.advanceTimersByTimeAsync(0);
  const socket = ScriptedSocket.last;
  socket.open();
  socket.accept();
  return { started: client, socket };
}

/** The id of the last request the client sent for `method`. */
const lastId = (socket: ScriptedSocket, method: string) => socket.requests(method).at(-1)?.id;

it('ignores what it cannot correlate, and goes on answering calls', async () => {
  const { started, socket } = await open();
  const call = started.ping.query();
  socket.receive('not json {');
  socket.receive('[1, 2, 3]');
  socket.receive({ jsonrpc: '2.0', id: 9_999, result: 'nobody asked' });
  socket.receive({ jsonrpc: '2.0', method: 'rpc.event', params: { subscription: 9_999, data: 1 } });
  socket.receive({ jsonrpc: '2.0', method: 'rpc.event' });
  socket.receive('null');
  socket.receive({ jsonrpc: '2.0', id: lastId(socket, 'ping'), result: 'pong' });
  expect(await call).toBe('pong');
  expect(started.$state).toBe('open');
});

it.each([
  ['a string', 'boom'],
  ['null', null],
  ['an object without code', { message: 'no code' }],
  ['an object whose code is not a number', { code: 'NOT_FOUND', message: 'named' }],
])(
  'fails a call whose error is %s with INTERNAL_ERROR at once, not at its timeout',
  async (_label, error) => {
    const { started, socket } = await open();
    const call = started.ping.query().then(
      () => 'resolved',
      (reason: unknown) => reason,
    );
    socket.receive({ jsonrpc: '2.0', id: lastId(socket, 'ping'), error });
    const reason = await call;
    expect(reason).toBeInstanceOf(VolleyError);
    expect(reason).toMatchObject({
      code: 'INTERNAL_ERROR',
      rpcCode: -32603,
      message: 'Malformed error',
    });
  },
);

it('fails a subscription whose rpc.error is malformed with INTERNAL_ERROR', async () => {
  const { started, socket } = await open();
  const failed = new Promise<unknown>((resolve) => {
    started.ticks.subscribe(undefined, { onError: resolve });
  });
  const id = lastId(socket, 'ticks');
  socket.receive({ jsonrpc: '2.0', id, result: { subscription: id } });
  socket.receive({
    jsonrpc: '2.0',
    method: 'rpc.error',
    params: { subscription: id, error: 'broken' },
  });
  expect(await failed).toMatchObject({ code: 'INTERNAL_ERROR' });
});

it("keeps a well-formed error's name and number, even ones this build does not know", async () => {
  const { started, socket } = await open();
  const call = started.ping.query().catch((reason: unknown) => reason);
  socket.receive({
    jsonrpc: '2.0',
    id: lastId(socket, 'ping'),
    error: { code: -32042, message: 'Newer', data: { code: 'FROM_THE_FUTURE', details: [1] } },
  });
  expect(await call).toMatchObject({
    code: 'FROM_THE_FUTURE',
    rpcCode: -32042,
    message: 'Newer',
    data: [1],
  });
});
