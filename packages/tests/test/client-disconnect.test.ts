// Why the client is not connected, over real sockets: the second argument of
// `$onStateChange` listeners and `$lastDisconnect` say whether the connection was refused
// (never opened), closed after opening, timed out, denied (4401), or could not even be
// attempted; errors of waiting calls carry the same value.
import type { AddressInfo } from 'node:net';
import {
  type ClientOptions,
  ConnectionLostError,
  type ConnectionState,
  createClient,
  type Disconnect,
  type VolleyClient,
  VolleyError,
} from '@volley/client';
import { initVolley } from '@volley/core';
import { createServer } from '@volley/server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { deadPort } from './helpers/dead-port.js';
import { untilState, within } from './helpers/harness.js';

const v = initVolley();
const router = v.router({ ping: v.procedure.query(() => 'pong') });
type Client = VolleyClient<typeof router>;

let cleanups: Array<() => Promise<void>> = [];
beforeEach(() => {
  cleanups = [];
});
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/** A client with heartbeats off and quick retries, closed after the test. */
function client(options: Partial<ClientOptions> & Pick<ClientOptions, 'url'>): Client {
  const made = createClient<typeof router>({
    WebSocket,
    heartbeatIntervalMs: 0,
    retry: { initialDelayMs: 5, maxDelayMs: 50 },
    ...options,
  });
  cleanups.push(() => made.$close());
  return made;
}

/** Every `$onStateChange` call, in order. */
function record(watched: Client): Array<[ConnectionState, Disconnect | undefined]> {
  const calls: Array<[ConnectionState, Disconnect | undefined]> = [];
  watched.$onStateChange((state, disconnect) => calls.push([state, disconnect]));
  return calls;
}

/** A `ws` server that hands each socket to `onConnection`. */
async function startRawServer(onConnection: (socket: WebSocket) => void): Promise<string> {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  wss.on('connection', onConnection);
  cleanups.push(async () => {
    for (const socket of wss.clients) socket.terminate();
    await new Promise<void>((resolve) => wss.close(() => resolve()));
  });
  return `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`;
}

/** Answers `rpc.init`, accepting the connection, then runs `then`. */
function acceptThen(socket: WebSocket, then: () => void): void {
  socket.once('message', (data) => {
    const init = JSON.parse(data.toString()) as { id: number };
    socket.send(JSON.stringify({ jsonrpc: '2.0', id: init.id, result: { protocol: 1 } }));
    then();
  });
}

describe('a connection that never opens', () => {
  it('is refused: the listener hears reconnecting with kind refused and code 1006', async () => {
    const refused = client({ url: `ws://127.0.0.1:${await deadPort()}` });
    const calls = record(refused);
    expect(refused.$lastDisconnect).toBeUndefined();
    await untilState(refused, 'reconnecting');
    const [state, disconnect] = calls[0] ?? [];
    expect(state).toBe('reconnecting');
    expect(disconnect).toMatchObject({ kind: 'refused', code: 1006 });
    // ws says why, where a browser cannot.
    expect(disconnect?.reason).toMatch(/ECONNREFUSED/);
    expect(refused.$lastDisconnect).toMatchObject({ kind: 'refused', code: 1006 });
  });

  it('fails a waiting call with ConnectionLostError carrying the reason once the client gives up', async () => {
    const refused = client({
      url: `ws://127.0.0.1:${await deadPort()}`,
      retry: { initialDelayMs: 5, maxAttempts: 2 },
    });
    const calls = record(refused);
    const error = await within(
      refused.ping.query().catch((caught: unknown) => caught),
      'the client to give up',
    );
    expect(error).toBeInstanceOf(ConnectionLostError);
    expect(error).toMatchObject({
      closeCode: 1006,
      disconnect: { kind: 'refused', code: 1006 },
      message: expect.stringMatching(/^Connection lost: refused \(1006/),
    });
    // Given up: idle, and why.
    expect(calls.at(-1)).toEqual(['idle', refused.$lastDisconnect]);
    expect(refused.$lastDisconnect).toMatchObject({ kind: 'refused' });
  });

  it('could not be attempted: the URL function threw, and the error is kept', async () => {
    const thrown = new Error('No service address');
    const failing = client({
      url: () => Promise.reject(thrown),
      retry: { initialDelayMs: 5, maxAttempts: 1 },
    });
    const calls = record(failing);
    await untilState(failing, 'idle');
    expect(calls).toEqual([
      ['idle', { kind: 'error', code: 1006, reason: 'Error: No service address', error: thrown }],
    ]);
  });

  it('could not be attempted: connection params that are not JSON fail it, and nothing throws', async () => {
    const server = createServer({ router });
    const { port } = await server.listen(0, '127.0.0.1');
    cleanups.push(() => server.close());
    const failing = client({
      url: `ws://127.0.0.1:${port}`,
      connectionParams: { token: 1n },
      retry: { initialDelayMs: 5, maxAttempts: 1 },
    });
    const calls = record(failing);
    await untilState(failing, 'idle');
    expect(calls).toEqual([['idle', expect.objectContaining({ kind: 'error', code: 1006 })]]);
    expect(failing.$lastDisconnect?.error).toBeInstanceOf(TypeError);
    // No socket was opened for it.
    expect(server.stats).toMatchObject({ accepted: 0, pending: 0 });
  });
});

describe('a connection that opened', () => {
  it('closed by the server: kind closed, with its code and reason', async () => {
    const url = await startRawServer((socket) =>
      acceptThen(socket, () => socket.close(1012, 'Restarting')),
    );
    const restarted = client({ url });
    const calls = record(restarted);
    await untilState(restarted, 'open');
    await untilState(restarted, 'reconnecting');
    expect(calls.slice(0, 2)).toEqual([
      ['open', undefined],
      ['reconnecting', { kind: 'closed', code: 1012, reason: 'Restarting', error: undefined }],
    ]);
  });

  it('closed before the server accepted it is closed, not refused: it did open', async () => {
    const url = await startRawServer((socket) => socket.close(1011, 'Not today'));
    const unaccepted = client({ url });
    const calls = record(unaccepted);
    await untilState(unaccepted, 'reconnecting');
    expect(calls[0]).toEqual([
      'reconnecting',
      { kind: 'closed', code: 1011, reason: 'Not today', error: undefined },
    ]);
  });

  it('not accepted within connectTimeoutMs: kind timeout', async () => {
    // Opens, never answers rpc.init.
    const url = await startRawServer(() => {});
    const stalled = client({ url, connectTimeoutMs: 50 });
    const calls = record(stalled);
    await untilState(stalled, 'reconnecting');
    expect(calls[0]?.[1]).toMatchObject({ kind: 'timeout', code: 1006 });
  });

  it('denied with 4401: idle, kind denied, and waiting calls fail with UNAUTHORIZED', async () => {
    const server = createServer({
      router,
      createContext: () => {
        throw new VolleyError({ code: 'UNAUTHORIZED', message: 'Bad token' });
      },
    });
    cleanups.push(() => server.close());
    const { port } = await server.listen(0, '127.0.0.1');
    const denied = client({ url: `ws://127.0.0.1:${port}` });
    const calls = record(denied);
    const error = await within(
      denied.ping.query().catch((caught: unknown) => caught),
      'the refusal',
    );
    expect(error).toMatchObject({ name: 'VolleyError', code: 'UNAUTHORIZED' });
    expect(calls).toEqual([
      ['idle', { kind: 'denied', code: 4401, reason: 'Bad token', error: undefined }],
    ]);
  });
});

describe('states the client chose', () => {
  it('go with no reason (connecting, open, a lazy client idling, closed), while $lastDisconnect keeps the last failure', async () => {
    const server = createServer({ router });
    cleanups.push(() => server.close());
    const { port } = await server.listen(0, '127.0.0.1');
    // The first attempt cannot even start; the next one connects.
    const thrown = new Error('Not yet');
    let asked = 0;
    const lazy = client({
      url: () => {
        asked += 1;
        if (asked === 1) throw thrown;
        return `ws://127.0.0.1:${port}`;
      },
      lazy: { idleMs: 10 },
    });
    const calls = record(lazy);
    expect(await lazy.ping.query()).toBe('pong');
    await untilState(lazy, 'idle');
    await lazy.$close();
    const failure = { kind: 'error', code: 1006, reason: 'Error: Not yet', error: thrown };
    expect(calls).toEqual([
      ['connecting', undefined],
      ['reconnecting', failure],
      ['open', undefined],
      ['idle', undefined],
      ['closed', undefined],
    ]);
    expect(lazy.$lastDisconnect).toEqual(failure);
  });
});
