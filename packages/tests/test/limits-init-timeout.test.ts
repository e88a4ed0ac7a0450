// connectionInitTimeoutMs: a connection must be accepted (first message in, context made) in time.
import { initVolley } from '@volley/core';
import { createServer, DEFAULT_CONNECTION_INIT_TIMEOUT_MS } from '@volley/server';
import { afterEach, expect, it } from 'vitest';
import { deferred, type Harness, startHarness, within } from './helpers/harness.js';

const v = initVolley<{ user: string }>();
const router = v.router({ whoami: v.procedure.query(({ ctx }) => ctx.user) });

let harness: Harness<typeof router> | undefined;
let gate = deferred<void>();
afterEach(async () => {
  gate.resolve();
  gate = deferred<void>();
  await harness?.close();
  harness = undefined;
});

it('defaults to 10 s', () => {
  expect(DEFAULT_CONNECTION_INIT_TIMEOUT_MS).toBe(10_000);
});

it('closes a connection that sends nothing with 4408, and leaves an accepted one open', async () => {
  const started = await startHarness({
    router,
    createContext: () => ({ user: 'ada' }),
    connectionInitTimeoutMs: 300,
  });
  harness = started;
  const accepted = await started.raw();
  expect(
    await accepted.request({ jsonrpc: '2.0', id: 1, method: 'rpc.init', params: {} }),
  ).toMatchObject({ id: 1, result: { protocol: 1 } });
  const silent = await started.raw();
  expect(await within(silent.closed, 'the silent connection to close')).toEqual({
    code: 4408,
    reason: 'Connection initialisation timeout',
  });
  // The accepted connection was opened first, so its timeout has passed too: still open.
  expect(await accepted.request({ jsonrpc: '2.0', id: 2, method: 'whoami' })).toEqual({
    jsonrpc: '2.0',
    id: 2,
    result: 'ada',
  });
});

it('also closes a connection whose createContext does not finish in time', async () => {
  const started = await startHarness({
    router,
    createContext: async () => {
      await gate.promise;
      return { user: 'late' };
    },
    connectionInitTimeoutMs: 300,
  });
  harness = started;
  const peer = await started.raw();
  peer.send({ jsonrpc: '2.0', id: 1, method: 'rpc.init', params: {} });
  expect(await within(peer.closed, 'the close')).toMatchObject({ code: 4408 });
  expect(peer.backlog).toEqual([]);
});

it('waits for ever with Infinity, and rejects a timeout that is not a positive integer', () => {
  expect(() =>
    createServer({ router, createContext: () => ({ user: 'x' }), connectionInitTimeoutMs: 0 }),
  ).toThrow(TypeError);
  const server = createServer({
    router,
    createContext: () => ({ user: 'x' }),
    connectionInitTimeoutMs: Infinity,
  });
  return server.close();
});
