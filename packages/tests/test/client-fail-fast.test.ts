// `failFast` over real sockets: while the server is unreachable (from the first failed
// attempt of a series to the next accepted connection), calls and new subscriptions
// reject at once with ConnectionLostError and the reason, instead of waiting for their
// timeout. Attempts fail for real: the client, or the TCP proxy in front of the server,
// connects to a port with nothing listening.
import {
  type ClientOptions,
  ConnectionLostError,
  createClient,
  type VolleyClient,
} from '@volley/client';
import { initVolley } from '@volley/core';
import { createServer } from '@volley/server';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { deadPort } from './helpers/dead-port.js';
import { deferred, untilState, within } from './helpers/harness.js';
import { startTcpProxy, type TcpProxy } from './helpers/tcp-proxy.js';

const v = initVolley();
const router = v.router({
  ping: v.procedure.query(() => 'pong'),
  ticks: v.procedure.subscription(async function* ({ signal }) {
    yield 1;
    await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
  }),
});
type Client = VolleyClient<typeof router>;

let cleanups: Array<() => Promise<void>> = [];
beforeEach(() => {
  cleanups = [];
  // Full jitter draws a delay in [0, cap); drawing the top makes each delay its cap.
  vi.spyOn(Math, 'random').mockReturnValue(0.999999);
});
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  vi.restoreAllMocks();
});

/** A client with heartbeats off and calls that would otherwise wait a minute. */
function client(options: Partial<ClientOptions> & Pick<ClientOptions, 'url'>): Client {
  const made = createClient<typeof router>({
    WebSocket,
    heartbeatIntervalMs: 0,
    timeoutMs: 60_000,
    failFast: true,
    ...options,
  });
  cleanups.push(() => made.$close());
  return made;
}

/** A Volley server on port 0 behind a TCP proxy. */
async function startProxied(): Promise<{ proxy: TcpProxy; serverPort: number }> {
  const server = createServer({ router, heartbeatIntervalMs: 0 });
  cleanups.push(() => server.close());
  const { port } = await server.listen(0, '127.0.0.1');
  const proxy = await startTcpProxy(port);
  cleanups.push(() => proxy.close());
  return { proxy, serverPort: port };
}

const rejection = (promise: Promise<unknown>, what: string) =>
  within(
    promise.then(
      () => 'resolved',
      (error: unknown) => error,
    ),
    what,
  );

it('waits through the first attempt, then rejects every call at once until an attempt succeeds', async () => {
  // The next attempt after the first failure is a minute away: a call that waited for it
  // would not settle within the test.
  const unreachable = client({
    url: `ws://127.0.0.1:${await deadPort()}`,
    retry: { initialDelayMs: 60_000 },
  });
  // Made while connecting: not unreachable yet, so it waits for the attempt, and fails
  // with it.
  const first = await rejection(unreachable.ping.query(), 'the call made while connecting');
  expect(first).toBeInstanceOf(ConnectionLostError);
  expect(first).toMatchObject({
    retriable: true,
    closeCode: 1006,
    disconnect: { kind: 'refused', code: 1006 },
  });
  expect(unreachable.$state).toBe('reconnecting');
  // Made while unreachable: rejected at once, with the same failed attempt as the reason.
  const second = await rejection(unreachable.ping.query(), 'the call made while unreachable');
  expect(second).toBeInstanceOf(ConnectionLostError);
  expect((second as ConnectionLostError).disconnect).toBe(unreachable.$lastDisconnect);
  expect((second as ConnectionLostError).disconnect).toBe(
    (first as ConnectionLostError).disconnect,
  );
  // A new subscription too.
  const failed = deferred<unknown>();
  unreachable.ticks.subscribe(undefined, { onError: failed.resolve });
  expect(await within(failed.promise, 'the subscription to fail')).toMatchObject({
    name: 'ConnectionLostError',
    disconnect: { kind: 'refused' },
  });
});

it('is off by default: a call made while unreachable waits for the connection', async () => {
  const { proxy, serverPort } = await startProxied();
  proxy.setTarget(await deadPort());
  const patient = client({
    url: proxy.url,
    failFast: undefined,
    retry: { initialDelayMs: 10, maxDelayMs: 20 },
  });
  await untilState(patient, 'reconnecting');
  // Unreachable, and the client says so, but the call waits.
  expect(patient.$lastDisconnect).toMatchObject({ kind: 'refused' });
  const answer = patient.ping.query();
  proxy.setTarget(serverPort);
  expect(await within(answer, 'the queued call')).toBe('pong');
});

it('does not start at a drop: a call made before the first failed attempt waits and is sent', async () => {
  const { proxy } = await startProxied();
  const dropped = client({ url: proxy.url, retry: { initialDelayMs: 10, maxDelayMs: 20 } });
  expect(await within(dropped.ping.query(), 'the first call')).toBe('pong');
  proxy.cut();
  await untilState(dropped, 'reconnecting');
  expect(dropped.$lastDisconnect).toMatchObject({ kind: 'closed' });
  expect(await within(dropped.ping.query(), 'a call made after the drop')).toBe('pong');
});

it('ends at the next accepted connection, and live subscriptions wait it out and resume', async () => {
  const { proxy, serverPort } = await startProxied();
  const flaky = client({ url: proxy.url, retry: { initialDelayMs: 10, maxDelayMs: 20 } });
  const started = deferred();
  const resumed = deferred<{ recovered: boolean }>();
  const failures: unknown[] = [];
  flaky.ticks.subscribe(undefined, {
    onStarted: () => started.resolve(),
    onResumed: resumed.resolve,
    onError: (error) => failures.push(error),
  });
  await within(started.promise, 'the subscription to start');

  // The server goes away: the drop, then attempts the proxy cannot complete. A call made
  // before the first of them fails waits for it, and fails with it.
  proxy.setTarget(await deadPort());
  proxy.cut();
  const waited = await rejection(flaky.ping.query(), 'a call made at the drop');
  expect(waited).toMatchObject({ name: 'ConnectionLostError', disconnect: { kind: 'refused' } });
  // Unreachable now: at once.
  const error = await rejection(flaky.ping.query(), 'a call while unreachable');
  expect(error).toMatchObject({ name: 'ConnectionLostError', disconnect: { kind: 'refused' } });
  expect(flaky.$state).toBe('reconnecting');

  proxy.setTarget(serverPort);
  await untilState(flaky, 'open', 'the server to be reachable again');
  expect(await within(flaky.ping.query(), 'a call after reconnecting')).toBe('pong');
  expect(await within(resumed.promise, 'the subscription to resume')).toEqual({
    recovered: false,
  });
  expect(failures).toEqual([]);
});
