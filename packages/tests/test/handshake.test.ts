// rpc.init (connection params for createContext, and acceptance) and rpc.ping.
import { createClient } from '@volley/client';
import { initVolley, VolleyError } from '@volley/core';
import type { ConnectionInfo } from '@volley/server';
import { afterEach, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type Harness, startHarness } from './helpers/harness.js';

const v = initVolley<{ token: unknown }>();
const router = v.router({
  whoami: v.procedure.query(({ ctx }) => ctx.token ?? null),
});

let harness: Harness<typeof router>;
afterEach(() => harness.close());

function recordingHarness(refuse?: (params: unknown) => boolean) {
  const seen: ConnectionInfo[] = [];
  return {
    seen,
    start: () =>
      startHarness({
        router,
        createContext: async (info) => {
          seen.push(info);
          if (refuse?.(info.connectionParams)) {
            throw new VolleyError({ code: 'UNAUTHORIZED', message: 'Bad token' });
          }
          return { token: (info.connectionParams as { token?: unknown } | undefined)?.token };
        },
      }),
  };
}

it('a raw peer greets with rpc.init; the answer comes once the context is made', async () => {
  const recording = recordingHarness();
  harness = await recording.start();
  const peer = await harness.raw();
  peer.send({
    jsonrpc: '2.0',
    id: 'hi',
    method: 'rpc.init',
    params: { connectionParams: { token: 't1' } },
  });
  peer.send({ jsonrpc: '2.0', id: 1, method: 'whoami' });
  const accepted = (await peer.next('the rpc.init answer')) as { result: { connectionId: string } };
  expect(accepted).toEqual({
    jsonrpc: '2.0',
    id: 'hi',
    result: { connectionId: expect.any(String), protocol: 1 },
  });
  expect(accepted.result.connectionId).toBe(recording.seen[0]?.connectionId);
  expect(await peer.next('the call')).toEqual({ jsonrpc: '2.0', id: 1, result: 't1' });
  expect(recording.seen).toHaveLength(1);
  expect(recording.seen[0]?.connectionParams).toEqual({ token: 't1' });
});

it('without rpc.init the first frame is served with no connection params', async () => {
  const recording = recordingHarness();
  harness = await recording.start();
  const peer = await harness.raw();
  expect(await peer.request({ jsonrpc: '2.0', id: 1, method: 'whoami' })).toEqual({
    jsonrpc: '2.0',
    id: 1,
    result: null,
  });
  expect(recording.seen.map((info) => info.connectionParams)).toEqual([undefined]);
});

it('rpc.init after the first frame is refused, and rpc.ping answers pong', async () => {
  harness = await recordingHarness().start();
  const peer = await harness.raw();
  expect(await peer.request({ jsonrpc: '2.0', id: 1, method: 'rpc.ping' })).toEqual({
    jsonrpc: '2.0',
    id: 1,
    result: 'pong',
  });
  expect(
    await peer.request({ jsonrpc: '2.0', id: 2, method: 'rpc.init', params: {} }),
  ).toMatchObject({
    id: 2,
    error: { code: -32600, data: { code: 'INVALID_REQUEST' } },
  });
});

it('the client sends connectionParams, asking a function again on every connection', async () => {
  const recording = recordingHarness();
  harness = await recording.start();
  let issued = 0;
  const client = createClient<typeof router>({
    url: async () => harness.url,
    connectionParams: async () => ({ token: `token-${++issued}` }),
    WebSocket,
  });
  try {
    expect(await client.whoami.query()).toBe('token-1');
    // The server goes away; a new one comes up elsewhere. The client reconnects to
    // wherever the url function points, asking for a fresh token on each attempt.
    await harness.server.close();
    harness = await recording.start();
    const token = await client.whoami.query();
    expect(token).toBe(`token-${issued}`);
    expect(issued).toBeGreaterThanOrEqual(2);
  } finally {
    await client.$close();
  }
});

it('a refused rpc.init closes with 4401, which the client reports as UNAUTHORIZED', async () => {
  const recording = recordingHarness((params) => (params as { token?: string }).token !== 'good');
  harness = await recording.start();
  const client = createClient<typeof router>({
    url: harness.url,
    connectionParams: { token: 'bad' },
    WebSocket,
  });
  try {
    await expect(client.whoami.query()).rejects.toMatchObject({
      name: 'VolleyError',
      code: 'UNAUTHORIZED',
      message: 'Bad token',
    });
  } finally {
    await client.$close();
  }
});
