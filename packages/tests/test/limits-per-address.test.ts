// maxConnectionsPerAddress and trustProxy: connections from one client address (accepted
// or not) are capped, past which the upgrade is answered HTTP 429; behind trusted proxies
// the address is read from X-Forwarded-For, and createContext receives it.
import { initVolley } from '@volley/core';
import {
  createServer,
  DEFAULT_MAX_CONNECTIONS_PER_ADDRESS,
  type ServerOptions,
} from '@volley/server';
import { afterEach, describe, expect, it } from 'vitest';
import type WebSocket from 'ws';
import { type Harness, openRaw, type RawPeer, startHarness, within } from './helpers/harness.js';

const v = initVolley<{ address: string | undefined }>();
const router = v.router({ address: v.procedure.query(({ ctx }) => ctx.address ?? null) });

let harness: Harness<typeof router> | undefined;
const sockets: WebSocket[] = [];
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.terminate();
  await harness?.close();
  harness = undefined;
});

async function start(options: Partial<ServerOptions<typeof router>> = {}) {
  harness = await startHarness({
    router,
    createContext: ({ clientAddress }) => ({ address: clientAddress }),
    ...options,
  } as ServerOptions<typeof router>);
  return harness;
}

/**
 * Opens a raw peer with `forwardedFor` as its X-Forwarded-For header; resolves with the
 * peer, or with the HTTP status its upgrade was refused with.
 */
async function connectVia(url: string, forwardedFor?: string): Promise<RawPeer | number> {
  const headers: Record<string, string> =
    forwardedFor === undefined ? {} : { 'X-Forwarded-For': forwardedFor };
  try {
    const peer = await openRaw(url, undefined, { headers });
    sockets.push(peer.ws!);
    return peer;
  } catch (error) {
    const status = /Unexpected server response: (\d+)/.exec(String(error))?.[1];
    if (status === undefined) throw error;
    return Number(status);
  }
}

/** The address the server's createContext saw for `peer`. */
async function addressOf(peer: RawPeer | number): Promise<unknown> {
  expect(typeof peer).toBe('object');
  const reply = (await (peer as RawPeer).request({ jsonrpc: '2.0', id: 1, method: 'address' })) as {
    result: unknown;
  };
  return reply.result;
}

it('is unlimited by default', () => {
  expect(DEFAULT_MAX_CONNECTIONS_PER_ADDRESS).toBe(Number.POSITIVE_INFINITY);
});

it('refuses the connection past the cap with 429, idle ones included, and takes one again once one closes', async () => {
  const started = await start({ maxConnectionsPerAddress: 2 });
  const served = await connectVia(started.url);
  expect(await addressOf(served)).toBe('127.0.0.1');
  // An idle socket (not accepted yet) counts too.
  const idle = await connectVia(started.url);
  expect(started.server.stats).toMatchObject({ accepted: 1, pending: 1 });
  expect(await connectVia(started.url)).toBe(429);
  await (idle as RawPeer).close();
  // The server sees the close a moment after the peer does: wait for the slot.
  const reopened = (async () => {
    for (;;) {
      const peer = await connectVia(started.url);
      if (typeof peer === 'object') return peer;
    }
  })();
  expect(await addressOf(await within(reopened, 'a free slot'))).toBe('127.0.0.1');
});

describe('behind proxies', () => {
  it('ignores X-Forwarded-For without trustProxy: every client is its socket peer', async () => {
    const started = await start({ maxConnectionsPerAddress: 2 });
    expect(await addressOf(await connectVia(started.url, '203.0.113.1'))).toBe('127.0.0.1');
    expect(await addressOf(await connectVia(started.url, '203.0.113.2'))).toBe('127.0.0.1');
    expect(await connectVia(started.url, '203.0.113.3')).toBe(429);
  });

  it('with trustProxy: true, counts and names each client by the entry the proxy added', async () => {
    const started = await start({ maxConnectionsPerAddress: 2, trustProxy: true });
    // A client may send its own header; the proxy appends the address it saw.
    expect(await addressOf(await connectVia(started.url, 'spoofed, 203.0.113.1'))).toBe(
      '203.0.113.1',
    );
    expect(await addressOf(await connectVia(started.url, '203.0.113.1'))).toBe('203.0.113.1');
    expect(await connectVia(started.url, '203.0.113.1')).toBe(429);
    expect(await addressOf(await connectVia(started.url, '203.0.113.2'))).toBe('203.0.113.2');
    // No header: the socket's own peer.
    expect(await addressOf(await connectVia(started.url))).toBe('127.0.0.1');
  });

  it('with trustProxy: 2, takes the entry the outer of two proxies added', async () => {
    const started = await start({ trustProxy: 2 });
    expect(await addressOf(await connectVia(started.url, 'spoofed, 198.51.100.7, 10.0.0.2'))).toBe(
      '198.51.100.7',
    );
  });
});

it('does not apply to in-memory connections, which have no address', async () => {
  const started = await start({ maxConnectionsPerAddress: 1 });
  const { createClient } = await import('@volley/client');
  const clients = [1, 2].map(() =>
    createClient<typeof router>({
      url: 'memory://',
      WebSocket: started.server.inMemoryWebSocket(),
    }),
  );
  try {
    for (const client of clients) expect(await client.address.query()).toBeNull();
  } finally {
    await Promise.all(clients.map((client) => client.$close()));
  }
});

it('rejects a cap that is not a positive integer', () => {
  for (const maxConnectionsPerAddress of [0, -1, 1.5]) {
    expect(() =>
      createServer({
        router,
        createContext: () => ({ address: undefined }),
        maxConnectionsPerAddress,
      }),
    ).toThrow(TypeError);
  }
});
