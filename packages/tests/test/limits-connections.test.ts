// maxConnections: upgrades past the limit are refused with HTTP 503 before the handshake.
import { initVolley } from '@volley/core';
import { createServer, DEFAULT_MAX_CONNECTIONS } from '@volley/server';
import { afterEach, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type Harness, startHarness, within } from './helpers/harness.js';

const v = initVolley();
const router = v.router({ ping: v.procedure.query(() => 'pong') });

let harness: Harness<typeof router> | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

/** The HTTP status a WebSocket upgrade to `url` is refused with. */
function refusedUpgrade(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    socket.on('unexpected-response', (_request, response) => {
      resolve(response.statusCode ?? 0);
      response.resume();
      socket.terminate();
    });
    socket.on('open', () => {
      reject(new Error(`The upgrade to ${url} was accepted`));
      socket.terminate();
    });
    socket.on('error', reject);
  });
}

it('defaults to 10,000', () => {
  expect(DEFAULT_MAX_CONNECTIONS).toBe(10_000);
});

it('refuses the connection past the limit with 503, and accepts again once one closes', async () => {
  const started = await startHarness({ router, maxConnections: 2 });
  harness = started;
  const first = await started.raw();
  const second = await started.raw();
  expect(started.server.connectionCount).toBe(2);
  expect(await within(refusedUpgrade(started.url), 'the refusal')).toBe(503);
  expect(started.server.connectionCount).toBe(2);
  // The open ones are unaffected.
  expect(await second.request({ jsonrpc: '2.0', id: 1, method: 'ping' })).toMatchObject({
    result: 'pong',
  });
  await first.close();
  // The server sees the close a moment after the peer does; wait for the slot to free.
  const reopened = (async () => {
    for (;;) {
      const status = await refusedUpgrade(started.url).catch(() => 'accepted' as const);
      if (status === 'accepted') return status;
    }
  })();
  expect(await within(reopened, 'a free slot')).toBe('accepted');
});

it('rejects a limit that is not a positive integer', () => {
  for (const maxConnections of [0, -1, 0.5]) {
    expect(() => createServer({ router, maxConnections })).toThrow(TypeError);
  }
});
