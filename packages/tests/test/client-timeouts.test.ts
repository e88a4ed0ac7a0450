// The client's per-call timeouts under fake timers: each call times out at its own
// `timeoutMs`, whatever else waits, and one timer serves them all. The socket is the
// in-memory ScriptedSocket; calls.test.ts covers timeouts on real sockets.
import { createClient, DEFAULT_TIMEOUT_MS, type VolleyClient, VolleyError } from '@volley/client';
import { initVolley } from '@volley/core';
import { expect, it, vi } from 'vitest';
import { ScriptedSocket, useScriptedSockets } from './helpers/scripted-socket.js';

const v = initVolley();
const router = v.router({ ping: v.procedure.query(() => 'pong') });

let client: VolleyClient<typeof router> | undefined;

useScriptedSockets(
  () => client,
  () => {
    client = undefined;
  },
);

/** A client on an accepted ScriptedSocket, with heartbeats off. */
async function open(options: { timeoutMs?: number; lazy?: { idleMs: number } } = {}) {
  client = createClient<typeof router>({
    url: 'ws://volley.test',
    WebSocket: ScriptedSocket,
    heartbeatIntervalMs: 0,
    ...options,
  });
  const started = client;
  if (!options.lazy) {
    await vi.advanceTimersByTimeAsync(0);
    ScriptedSocket.last.open();
    ScriptedSocket.last.accept();
  }
  return started;
}

/** The outcome of a call, kept as it settles. */
function watch(call: Promise<unknown>) {
  const outcome: { settled: boolean; error?: unknown } = { settled: false };
  call.then(
    () => {
      outcome.settled = true;
    },
    (error: unknown) => {
      outcome.settled = true;
      outcome.error = error;
    },
  );
  return outcome;
}

it('is 30 s by default', () => {
  expect(DEFAULT_TIMEOUT_MS).toBe(30_000);
});

it('times each call out at its own timeoutMs, in whatever order they were made', async () => {
  const started = await open();
  const slow = watch(started.ping.query(undefined, { timeoutMs: 3_000 }));
  const fast = watch(started.ping.query(undefined, { timeoutMs: 1_000 }));
  const middle = watch(started.ping.query(undefined, { timeoutMs: 2_000 }));
  const never = watch(started.ping.query(undefined, { timeoutMs: Number.POSITIVE_INFINITY }));
  await vi.advanceTimersByTimeAsync(999);
  expect([slow, fast, middle].map((call) => call.settled)).toEqual([false, false, false]);
  await vi.advanceTimersByTimeAsync(1);
  expect(fast.error).toBeInstanceOf(VolleyError);
  expect(fast.error).toMatchObject({ code: 'TIMEOUT' });
  expect([slow.settled, middle.settled]).toEqual([false, false]);
  await vi.advanceTimersByTimeAsync(999);
  expect(middle.settled).toBe(false);
  await vi.advanceTimersByTimeAsync(1);
  expect(middle.error).toMatchObject({ code: 'TIMEOUT' });
  await vi.advanceTimersByTimeAsync(1_000);
  expect(slow.error).toMatchObject({ code: 'TIMEOUT' });
  // Each timed-out call was sent, so the server is told to stop it.
  const ids = ScriptedSocket.last.requests('ping').map((request) => request.id);
  const cancelled = ScriptedSocket.last.requests('rpc.cancel').map((request) => request.params);
  expect(cancelled).toEqual([{ id: ids[1] }, { id: ids[2] }, { id: ids[0] }]);
  await vi.advanceTimersByTimeAsync(10 * DEFAULT_TIMEOUT_MS);
  expect(never.settled).toBe(false);
});

it("applies the client's timeoutMs to calls that do not set their own", async () => {
  const started = await open({ timeoutMs: 500 });
  const call = watch(started.ping.query());
  await vi.advanceTimersByTimeAsync(499);
  expect(call.settled).toBe(false);
  await vi.advanceTimersByTimeAsync(1);
  expect(call.error).toMatchObject({ code: 'TIMEOUT', message: '"ping" timed out after 500 ms' });
});

it('serves every timeout with one timer, however many calls wait', async () => {
  const started = await open();
  const timersBefore = vi.getTimerCount();
  const calls = Array.from({ length: 100 }, (_, index) =>
    watch(started.ping.query(undefined, { timeoutMs: 1_000 + index })),
  );
  expect(vi.getTimerCount()).toBeLessThanOrEqual(timersBefore + 1);
  // Answered in time, a call does not time out later, and its late timer has nothing to do.
  const socket = ScriptedSocket.last;
  for (const request of socket.requests('ping').slice(0, 50)) {
    socket.receive({ jsonrpc: '2.0', id: request.id, result: 'pong' });
  }
  await vi.advanceTimersByTimeAsync(1_200);
  expect(calls.filter((call) => call.settled && call.error === undefined)).toHaveLength(50);
  expect(calls.filter((call) => call.error !== undefined)).toHaveLength(50);
  expect(socket.requests('rpc.cancel')).toHaveLength(50);
});

it("leaves no timer behind once a lazy client's idle connection closes", async () => {
  const started = await open({ lazy: { idleMs: 1_000 } });
  const call = started.ping.query();
  await vi.advanceTimersByTimeAsync(0);
  const socket = ScriptedSocket.last;
  socket.open();
  socket.accept();
  socket.receive({ jsonrpc: '2.0', id: socket.requests('ping')[0]?.id, result: 'pong' });
  expect(await call).toBe('pong');
  await vi.advanceTimersByTimeAsync(1_000);
  expect(socket.closedWith).toBe(1000);
  expect(vi.getTimerCount()).toBe(0);
});
