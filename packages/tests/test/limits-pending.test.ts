// maxPendingConnections: connections that are open but not yet accepted (their first
// message, and createContext, still to come) are capped apart from accepted ones, and the
// oldest makes room (close 1013), so idle sockets cannot keep real users out. Also:
// `maxConnections` counts accepted connections only, and a server without createContext
// has no pending connections at all.
import { createClient, type VolleyClient } from '@volley/client';
import { initVolley } from '@volley/core';
import { createServer, DEFAULT_MAX_PENDING_CONNECTIONS } from '@volley/server';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { FloodRouter } from './fixtures/flood-server.js';
import { type FixtureProcess, startFixture } from './helpers/fixture-process.js';
import { type Harness, startHarness, within } from './helpers/harness.js';

const v = initVolley<{ user: string }>();
const router = v.router({ whoami: v.procedure.query(({ ctx }) => ctx.user) });

let harness: Harness<typeof router> | undefined;
let fixture: FixtureProcess | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
  await fixture?.stop();
  fixture = undefined;
});

const createContext = ({ connectionParams }: { connectionParams: unknown }) => ({
  user: (connectionParams as { user?: string } | undefined)?.user ?? 'anonymous',
});

it('defaults to 1,000', () => {
  expect(DEFAULT_MAX_PENDING_CONNECTIONS).toBe(1_000);
});

it('closes the oldest connection not yet accepted with 1013 when one more arrives', async () => {
  const started = await startHarness({ router, createContext, maxPendingConnections: 3 });
  harness = started;
  const idle = [await started.raw(), await started.raw(), await started.raw()];
  expect(started.server.stats).toMatchObject({ accepted: 0, pending: 3 });
  const fourth = await started.raw();
  expect(await within(idle[0]?.closed as Promise<unknown>, 'the oldest to be closed')).toEqual({
    code: 1013,
    reason: 'Too many connections waiting to be accepted: try again later',
  });
  expect(started.server.stats).toMatchObject({ accepted: 0, pending: 3 });
  // The newest is served as soon as it speaks; then it no longer counts as pending.
  expect(
    await fourth.request({
      jsonrpc: '2.0',
      id: 0,
      method: 'rpc.init',
      params: { connectionParams: { user: 'ada' } },
    }),
  ).toMatchObject({ result: { protocol: 1 } });
  expect(started.server.stats).toMatchObject({ accepted: 1, pending: 2 });
});

it('counts apart from maxConnections: idle sockets do not take accepted slots', async () => {
  const started = await startHarness({
    router,
    createContext,
    maxConnections: 1,
    maxPendingConnections: 10,
  });
  harness = started;
  const idle = [await started.raw(), await started.raw(), await started.raw()];
  const client = started.client();
  expect(await within(client.whoami.query(), 'the newcomer to be served')).toBe('anonymous');
  expect(started.server.stats).toMatchObject({ accepted: 1, pending: 3 });
  // The server is full: an idle socket that speaks now is closed with 1013 at acceptance...
  idle[0]?.send({ jsonrpc: '2.0', id: 0, method: 'rpc.init', params: {} });
  expect(await within(idle[0]?.closed as Promise<unknown>, 'the close')).toEqual({
    code: 1013,
    reason: 'Server is full: try again later',
  });
  // ...and a new upgrade is refused with 503 before any WebSocket exists.
  const refused = await new Promise<number>((resolve, reject) => {
    const socket = new WebSocket(started.url);
    socket.on('unexpected-response', (_request, response) => {
      resolve(response.statusCode ?? 0);
      socket.terminate();
    });
    socket.on('open', () => reject(new Error('accepted')));
    socket.on('error', () => {});
  });
  expect(refused).toBe(503);
});

it('has nothing pending without createContext: a connection is accepted when it opens', async () => {
  const w = initVolley();
  const plain = w.router({ ping: w.procedure.query(() => 1) });
  const started = await startHarness({ router: plain, maxPendingConnections: 1 });
  const peers = [await started.raw(), await started.raw(), await started.raw()];
  try {
    expect(started.server.stats).toMatchObject({ accepted: 3, pending: 0 });
    for (const peer of peers) {
      expect(await peer.request({ jsonrpc: '2.0', id: 1, method: 'ping' })).toMatchObject({
        result: 1,
      });
    }
  } finally {
    await started.close();
  }
});

it('rejects a value that is not a positive integer', () => {
  for (const maxPendingConnections of [0, -1, 1.5]) {
    expect(() => createServer({ router, createContext, maxPendingConnections })).toThrow(TypeError);
  }
});

describe('a flood of idle sockets from another process, re-opened as they are evicted', () => {
  const FLOOD = 300;
  const NEWCOMERS = 20;

  it.each([
    ['at once', 0],
    ['after 1 s', 1_000],
  ])(
    'lets every real newcomer in, most on their first connection, when createContext finishes %s',
    async (_, contextMs) => {
      fixture = await startFixture('flood-server.ts', {
        env: {
          VOLLEY_LIMITS: JSON.stringify({ maxPendingConnections: 100 }),
          VOLLEY_CONTEXT_MS: String(contextMs),
        },
      });
      const { url } = fixture;
      const flood = await startFixture('flood-client.ts', {
        env: { FLOOD_URL: url, FLOOD_SIZE: String(FLOOD) },
      });
      const clients: Array<VolleyClient<FloodRouter>> = [];
      let admitted = 0;
      let firstTry = 0;
      try {
        // The flood has churned through the pending slots several times before anyone comes.
        await flood.untilStdout(/churned/, 'the flood to churn', 30_000);
        await Promise.all(
          Array.from({ length: NEWCOMERS }, async (_, index) => {
            const client = createClient<FloodRouter>({
              url,
              WebSocket,
              heartbeatIntervalMs: 0,
              connectionParams: { user: `newcomer-${index}` },
            });
            clients.push(client);
            let reconnected = false;
            client.$onStateChange((state) => {
              if (state === 'reconnecting') reconnected = true;
            });
            const user = await within(client.whoami.query(), `newcomer ${index}`, 20_000);
            expect(user).toBe(`newcomer-${index}`);
            admitted++;
            if (!reconnected) firstTry++;
          }),
        );
      } finally {
        await Promise.all(clients.map((client) => client.$close()));
        await flood.stop();
        console.log(
          `[flood] ${FLOOD} idle sockets re-opened as evicted (maxPendingConnections 100, createContext ${contextMs} ms): ` +
            `${flood.stdout.trim().split('\n').at(-1)}; newcomers admitted ${admitted} of ${NEWCOMERS}, ${firstTry} on their first connection`,
        );
      }
      expect(admitted).toBe(NEWCOMERS);
      // A newcomer whose process is too busy to send rpc.init before 100 more sockets open
      // can still be evicted once (the suite's own load does that now and then); most of
      // them get in on their first connection, and every one gets in.
      expect(firstTry).toBeGreaterThanOrEqual(NEWCOMERS / 2);
    },
  );
});
