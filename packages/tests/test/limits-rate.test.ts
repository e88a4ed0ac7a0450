// rateLimit: each connection's token bucket.
import { VolleyError } from '@volley/client';
import { initVolley } from '@volley/core';
import { createServer, DEFAULT_RATE_LIMIT } from '@volley/server';
import { afterEach, expect, it } from 'vitest';
import { type Harness, startHarness, within } from './helpers/harness.js';

let runs = 0;
const v = initVolley();
const router = v.router({
  ping: v.procedure.query(() => {
    runs++;
    return 'pong';
  }),
});

let harness: Harness<typeof router> | undefined;
afterEach(async () => {
  runs = 0;
  await harness?.close();
  harness = undefined;
});

/** A bucket of `burst` tokens that refills so slowly that it never does during a test. */
const noRefill = (burst: number) => ({ messagesPerSecond: 1e-9, burst });
const ping = (id: number | string) => ({ jsonrpc: '2.0', id, method: 'ping' });
const MESSAGE = 'Rate limit exceeded: at most 1e-9 messages per second, bursts of 3';
const limited = (id: number | string | null) => ({
  jsonrpc: '2.0',
  id,
  error: {
    code: -32029,
    message: MESSAGE,
    data: { code: 'TOO_MANY_REQUESTS', limit: 'rateLimit' },
  },
});

it('defaults to 1,000 messages per second, in bursts of 2,000', () => {
  expect(DEFAULT_RATE_LIMIT).toEqual({ messagesPerSecond: 1_000, burst: 2_000 });
});

it('is on by default: a flood on one connection is refused while another is served', async () => {
  const started = await startHarness({ router });
  harness = started;
  const flood = await started.raw();
  // 5,000 frames at once: past the 2,000 burst unless sending them took over 3 s.
  const frames = 5_000;
  for (let id = 1; id <= frames; id++) flood.send(ping(id));
  const answers: unknown[] = [];
  for (let i = 0; i < frames; i++) answers.push(await flood.next('a flood answer'));
  // (Some may be refused by maxInFlight first, as the flood lands in one turn.)
  const limited = answers.filter(
    (answer) =>
      (answer as { error?: { data?: { limit?: string } } }).error?.data?.limit === 'rateLimit',
  );
  expect(limited.length).toBeGreaterThan(0);
  expect(limited[0]).toMatchObject({
    error: { code: -32029, data: { code: 'TOO_MANY_REQUESTS' } },
  });
  const bystander = await started.raw();
  expect(await bystander.request(ping(1))).toEqual({ jsonrpc: '2.0', id: 1, result: 'pong' });
});

it('answers what is over the bucket with TOO_MANY_REQUESTS, and does not run it', async () => {
  const started = await startHarness({ router, rateLimit: noRefill(3) });
  harness = started;
  const peer = await started.raw();
  for (const id of [1, 2, 3]) {
    expect(await peer.request(ping(id))).toEqual({ jsonrpc: '2.0', id, result: 'pong' });
  }
  expect(await peer.request(ping(4))).toEqual(limited(4));
  // A refused notification is not answered: the next frame is the refusal of request 5.
  peer.send({ jsonrpc: '2.0', method: 'ping' });
  expect(await peer.request(ping(5))).toEqual(limited(5));
  // In a batch, each member with an id is refused; not JSON, binary: id null.
  expect(await peer.request([ping(6), { jsonrpc: '2.0', method: 'ping' }, ping(7)])).toEqual([
    limited(6),
    limited(7),
  ]);
  expect(await peer.request('Hello Server!')).toEqual(limited(null));
  peer.socket.send(Buffer.from([1, 2, 3]));
  expect(await peer.next('the binary frame refusal')).toEqual(limited(null));
  // Protocol methods cost a token too.
  expect(await peer.request({ jsonrpc: '2.0', id: 8, method: 'rpc.ping' })).toEqual(limited(8));
  expect(runs).toBe(3);
  // Each connection has its own bucket.
  const other = await started.raw();
  expect(await other.request(ping(1))).toEqual({ jsonrpc: '2.0', id: 1, result: 'pong' });
});

it('a batch costs one token per member', async () => {
  const started = await startHarness({ router, rateLimit: noRefill(3) });
  harness = started;
  const peer = await started.raw();
  expect(await peer.request([ping(1), ping(2)])).toEqual([
    { jsonrpc: '2.0', id: 1, result: 'pong' },
    { jsonrpc: '2.0', id: 2, result: 'pong' },
  ]);
  // One token left: a batch of two does not fit and is refused whole.
  expect(await peer.request([ping(3), ping(4)])).toEqual([limited(3), limited(4)]);
  expect(await peer.request(ping(5))).toEqual({ jsonrpc: '2.0', id: 5, result: 'pong' });
  expect(runs).toBe(3);
});

it('refills over time, and the typed client sees the limit by name', async () => {
  const started = await startHarness({ router, rateLimit: { messagesPerSecond: 1, burst: 1 } });
  harness = started;
  const client = started.client();
  expect(await client.ping.query()).toBe('pong');
  const refused = await client.ping.query().then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(refused).toBeInstanceOf(VolleyError);
  expect(refused).toMatchObject({ code: 'TOO_MANY_REQUESTS', limit: 'rateLimit' });
  // The bucket refills: asking again eventually succeeds.
  const retried = (async () => {
    for (;;) {
      const answer = await client.ping.query().catch(() => undefined);
      if (answer === 'pong') return answer;
    }
  })();
  expect(await within(retried, 'a refilled token')).toBe('pong');
});

it('turns off with false, and rejects a malformed limit', async () => {
  const started = await startHarness({ router, rateLimit: false });
  harness = started;
  const peer = await started.raw();
  const many = Array.from({ length: 1_000 }, (_, i) => ping(i));
  expect(((await peer.request(many)) as unknown[]).length).toBe(1_000);
  for (const rateLimit of [
    { messagesPerSecond: 0, burst: 10 },
    { messagesPerSecond: 10, burst: 0 },
    { messagesPerSecond: 10, burst: Infinity },
  ]) {
    expect(() => createServer({ router, rateLimit })).toThrow(TypeError);
  }
});
