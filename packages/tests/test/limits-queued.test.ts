// maxQueuedBeforeReady: frames held while the context is being made.
import { initVolley } from '@volley/core';
import { DEFAULT_MAX_QUEUED_BEFORE_READY } from '@volley/server';
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

function start() {
  return startHarness({
    router,
    createContext: async () => {
      await gate.promise;
      return { user: 'ada' };
    },
    maxQueuedBeforeReady: 3,
  });
}

it('defaults to 1,000', () => {
  expect(DEFAULT_MAX_QUEUED_BEFORE_READY).toBe(1_000);
});

it('serves up to the limit in order once ready', async () => {
  const started = await start();
  harness = started;
  const peer = await started.raw();
  peer.send({ jsonrpc: '2.0', id: 0, method: 'rpc.init', params: {} });
  for (const id of [1, 2, 3]) peer.send({ jsonrpc: '2.0', id, method: 'whoami' });
  gate.resolve();
  expect(await peer.next()).toMatchObject({ id: 0, result: { protocol: 1 } });
  for (const id of [1, 2, 3]) {
    expect(await peer.next()).toEqual({ jsonrpc: '2.0', id, result: 'ada' });
  }
});

it('closes with 1008 at one frame more, before anything runs', async () => {
  const started = await start();
  harness = started;
  const peer = await started.raw();
  peer.send({ jsonrpc: '2.0', id: 0, method: 'rpc.init', params: {} });
  for (const id of [1, 2, 3, 4]) peer.send({ jsonrpc: '2.0', id, method: 'whoami' });
  expect(await within(peer.closed, 'the close')).toEqual({
    code: 1008,
    reason: 'Too many frames before the connection was ready',
  });
  expect(peer.backlog).toEqual([]);
});
