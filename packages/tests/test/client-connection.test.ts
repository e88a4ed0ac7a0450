// The client's connection logic under fake timers: backoff with full jitter, resets only
// on acceptance, giving up, heartbeats, and lazy idling. The socket is the in-memory
// ScriptedSocket; the same behaviours are exercised on real sockets in reconnect.test.ts.
import { ConnectionLostError, createClient, type VolleyClient } from '@volley/client';
import { initVolley } from '@volley/core';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { ScriptedSocket, useScriptedSockets } from './helpers/scripted-socket.js';

const v = initVolley();
const router = v.router({ ping: v.procedure.query(() => 'pong') });

let client: VolleyClient<typeof router> | undefined;

useScriptedSockets(
  () => client,
  () => {
    client = undefined;
    vi.restoreAllMocks();
  },
);

beforeEach(() => {
  // Full jitter draws a delay in [0, cap); drawing the top makes each delay its cap.
  vi.spyOn(Math, 'random').mockReturnValue(0.999999);
});

function start(
  options: Parameters<typeof createClient<typeof router>>[0] extends infer T
    ? Partial<T>
    : never = {},
) {
  client = createClient<typeof router>({
    url: 'ws://volley.test',
    WebSocket: ScriptedSocket,
    heartbeatIntervalMs: 0,
    ...options,
  });
  return client;
}

/** Lets the client's attempt preparation (promises) run. */
const flush = () => vi.advanceTimersByTimeAsync(0);

describe('backoff', () => {
  it('waits an exponentially growing, capped, jittered delay between failed attempts', async () => {
    start({ retry: { initialDelayMs: 100, maxDelayMs: 1_000 } });
    await flush();
    expect(ScriptedSocket.made).toHaveLength(1);
    // Each attempt fails before opening; the n-th failure waits up to min(1000, 100·2ⁿ).
    const caps = [200, 400, 800, 1_000, 1_000];
    for (const [index, cap] of caps.entries()) {
      ScriptedSocket.last.drop(1006);
      await vi.advanceTimersByTimeAsync(cap - 2);
      expect(ScriptedSocket.made).toHaveLength(index + 1);
      await vi.advanceTimersByTimeAsync(2);
      expect(ScriptedSocket.made).toHaveLength(index + 2);
    }
    // Never accepted yet, but trying again: reconnecting.
    expect(client?.$state).toBe('reconnecting');
  });

  it('draws each delay at random below its cap', async () => {
    vi.mocked(Math.random).mockReturnValue(0.25);
    start({ retry: { initialDelayMs: 100, maxDelayMs: 1_000 } });
    await flush();
    ScriptedSocket.last.drop(1006);
    // cap 200 · 0.25 = 50 ms.
    await vi.advanceTimersByTimeAsync(49);
    expect(ScriptedSocket.made).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(ScriptedSocket.made).toHaveLength(2);
  });

  it('resets only once the server accepts the connection, not when the socket opens', async () => {
    const states: string[] = [];
    start({ retry: { initialDelayMs: 100, maxDelayMs: 10_000 } });
    client?.$onStateChange((state) => states.push(state));
    await flush();
    // Opened but closed before answering rpc.init (say, a server that refuses late): these
    // count as failures, so the delay keeps growing.
    for (const cap of [200, 400, 800]) {
      ScriptedSocket.last.open();
      ScriptedSocket.last.drop(1011);
      const before = ScriptedSocket.made.length;
      await vi.advanceTimersByTimeAsync(cap - 2);
      expect(ScriptedSocket.made.length, `before the cap of ${cap}`).toBe(before);
      await vi.advanceTimersByTimeAsync(2);
      expect(ScriptedSocket.made.length, `at the cap of ${cap}`).toBe(before + 1);
    }
    ScriptedSocket.last.open();
    ScriptedSocket.last.accept();
    expect(client?.$state).toBe('open');
    // After acceptance a drop starts over at the first cap (100 · 2⁰).
    ScriptedSocket.last.drop(1006);
    const before = ScriptedSocket.made.length;
    await vi.advanceTimersByTimeAsync(100);
    expect(ScriptedSocket.made.length).toBe(before + 1);
    expect(states).toEqual(['reconnecting', 'open', 'reconnecting']);
  });

  it('gives up after maxAttempts: waiting calls reject with ConnectionLostError and the client goes idle', async () => {
    start({ retry: { initialDelayMs: 10, maxAttempts: 3 } });
    const call = client?.ping.query().catch((error: unknown) => error);
    await flush();
    for (let attempt = 0; attempt < 3; attempt++) {
      ScriptedSocket.last.drop(1006);
      await vi.advanceTimersByTimeAsync(1_000);
    }
    expect(ScriptedSocket.made).toHaveLength(3);
    expect(await call).toBeInstanceOf(ConnectionLostError);
    expect(client?.$state).toBe('idle');
    // A new call starts a new series.
    void client?.ping.query().catch(() => {});
    await flush();
    expect(ScriptedSocket.made).toHaveLength(4);
  });

  it('does not retry when the server refuses with 4401', async () => {
    start({ retry: { initialDelayMs: 10 } });
    const call = client?.ping.query().catch((error: unknown) => error);
    await flush();
    ScriptedSocket.last.open();
    ScriptedSocket.last.drop(4401, 'Bad token');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(ScriptedSocket.made).toHaveLength(1);
    expect(await call).toMatchObject({
      name: 'VolleyError',
      code: 'UNAUTHORIZED',
      message: 'Bad token',
    });
    expect(client?.$state).toBe('idle');
  });
});

describe('connect timeout', () => {
  it('abandons an attempt whose handshake never completes, and tries again', async () => {
    start({ connectTimeoutMs: 5_000, retry: { initialDelayMs: 10 } });
    await flush();
    // The socket opens but rpc.init is never answered (a route that swallows it).
    ScriptedSocket.last.open();
    await vi.advanceTimersByTimeAsync(4_999);
    expect(ScriptedSocket.made).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(ScriptedSocket.made[0]?.closedWith).toBeDefined();
    expect(client?.$state).toBe('reconnecting');
    await vi.advanceTimersByTimeAsync(100);
    expect(ScriptedSocket.made).toHaveLength(2);
  });

  it('does not abandon an accepted connection', async () => {
    start({ connectTimeoutMs: 5_000 });
    await flush();
    ScriptedSocket.last.open();
    ScriptedSocket.last.accept();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(ScriptedSocket.made).toHaveLength(1);
    expect(client?.$state).toBe('open');
  });
});

describe('$close', () => {
  it('resolves even when the peer never completes the closing handshake', async () => {
    const closing = start();
    await flush();
    const socket = ScriptedSocket.last;
    socket.open();
    socket.accept();
    // A stalled peer: close() is called but no close event ever fires.
    socket.close = (code = 1000) => {
      socket.closedWith = code;
    };
    const closed = closing.$close();
    await vi.advanceTimersByTimeAsync(1_000);
    await expect(closed).resolves.toBeUndefined();
    expect(socket.closedWith).toBe(1000);
    expect(closing.$state).toBe('closed');
  });
});

describe('heartbeat', () => {
  /** A client with a 1 s heartbeat on an accepted ScriptedSocket. */
  async function accepted() {
    start({ heartbeatIntervalMs: 1_000, retry: { initialDelayMs: 10 } });
    await flush();
    const socket = ScriptedSocket.last;
    socket.open();
    socket.accept();
    return socket;
  }
  const event = (data: number) => ({
    jsonrpc: '2.0',
    method: 'rpc.event',
    params: { subscription: 99, data },
  });

  it.each([0, 1, 500, 999])(
    'pings one interval after the last frame and drops the connection (4000) two after it, never three (last frame %i ms after acceptance)',
    async (offset) => {
      const socket = await accepted();
      await vi.advanceTimersByTimeAsync(offset);
      socket.receive(event(1));
      // The ping goes out exactly one interval after the last frame...
      await vi.advanceTimersByTimeAsync(999);
      expect(socket.requests('rpc.ping')).toHaveLength(0);
      await vi.advanceTimersByTimeAsync(1);
      expect(socket.requests('rpc.ping')).toHaveLength(1);
      // ...and, unanswered, the connection is dropped exactly two intervals after it...
      await vi.advanceTimersByTimeAsync(999);
      expect(socket.closedWith).toBeUndefined();
      await vi.advanceTimersByTimeAsync(1);
      expect(socket.closedWith).toBeDefined();
      expect(client?.$state).toBe('reconnecting');
      expect(client?.$lastDisconnect).toMatchObject({ kind: 'heartbeat', code: 4000 });
      // ...and replaced by a new one.
      await vi.advanceTimersByTimeAsync(100);
      expect(ScriptedSocket.made).toHaveLength(2);
    },
  );

  it('does not ping a connection that has traffic, and an answered ping keeps it', async () => {
    const socket = await accepted();
    for (let i = 0; i < 5; i++) {
      await vi.advanceTimersByTimeAsync(999);
      socket.receive(event(i));
    }
    expect(socket.requests('rpc.ping')).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(socket.requests('rpc.ping')).toHaveLength(1);
    // The pong is a frame: the silence starts over from it.
    socket.receive({ jsonrpc: '2.0', id: 'ping', result: 'pong' });
    await vi.advanceTimersByTimeAsync(999);
    expect(socket.requests('rpc.ping')).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(socket.requests('rpc.ping')).toHaveLength(2);
    socket.receive({ jsonrpc: '2.0', id: 'ping', result: 'pong' });
    await vi.advanceTimersByTimeAsync(1_999);
    expect(socket.closedWith).toBeUndefined();
    expect(client?.$state).toBe('open');
  });
});

describe('lazy', () => {
  it('connects at the first call and closes after idleMs, heartbeats notwithstanding', async () => {
    start({ lazy: { idleMs: 5_000 }, heartbeatIntervalMs: 1_000 });
    await flush();
    expect(ScriptedSocket.made).toHaveLength(0);
    expect(client?.$state).toBe('idle');
    const call = client?.ping.query();
    await flush();
    const socket = ScriptedSocket.last;
    socket.open();
    socket.accept();
    const request = socket.requests('ping')[0];
    socket.receive({ jsonrpc: '2.0', id: request?.id, result: 'pong' });
    expect(await call).toBe('pong');
    // Pings go out on the silent connection and are answered, but do not count as work.
    for (let elapsed = 0; elapsed < 4_000; elapsed += 1_000) {
      await vi.advanceTimersByTimeAsync(1_000);
      if (socket.requests('rpc.ping').length > 0) {
        socket.receive({ jsonrpc: '2.0', id: 'ping', result: 'pong' });
      }
    }
    expect(socket.requests('rpc.ping').length).toBeGreaterThan(0);
    await vi.advanceTimersByTimeAsync(999);
    expect(socket.closedWith).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(socket.closedWith).toBe(1000);
    expect(client?.$state).toBe('idle');
  });
});
