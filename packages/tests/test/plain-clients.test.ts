// What generic JSON-RPC clients do, served as PROTOCOL.md promises: a socket opened long
// before its first call (rpc-websockets, @open-rpc/client-js, a person at wscat), positional
// params for a procedure whose input is an array (`sum(5)`, `sum()`), ids that a double
// cannot hold, and rate-limited frames refused without being parsed.
import { initVolley } from '@volley/core';
import { createPubSub } from '@volley/server';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { z } from 'zod';
import { deferred, type Harness, startHarness, within } from './helpers/harness.js';

const events = createPubSub<{ ticks: number }>();
let gate = deferred();

const v = initVolley();
const router = v.router({
  ping: v.procedure.query(() => 'pong'),
  sum: v.procedure
    .input(z.array(z.number()))
    .query(({ input }) => input.reduce((a, b) => a + b, 0)),
  double: v.procedure.input(z.number()).query(({ input }) => input * 2),
  pair: v.procedure
    .input(z.tuple([z.number(), z.string()]))
    .query(({ input }) => `${input[1]}${input[0]}`),
  // Accepts both readings of [5]: the first (5) is taken.
  either: v.procedure
    .input(z.union([z.number(), z.array(z.number())]))
    .query(({ input }) => (Array.isArray(input) ? 'array' : 'number')),
  strings: v.procedure.input(z.array(z.string())).query(({ input }) => input.length),
  count: v.procedure.input(z.array(z.number())).subscription(async function* ({ input }) {
    for (const n of input) yield n;
  }),
  ticks: v.procedure.subscription(({ signal }) => events.subscribe('ticks', { signal })),
  slow: v.procedure.query(async ({ signal }) => {
    await Promise.race([
      gate.promise,
      new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true })),
    ]);
    return 'done';
  }),
});

const harnesses: Array<Harness<typeof router>> = [];
afterEach(async () => {
  gate.resolve();
  gate = deferred();
  await Promise.all(harnesses.splice(0).map((harness) => harness.close()));
});

async function start(options: Partial<Parameters<typeof startHarness<typeof router>>[0]> = {}) {
  const harness = await startHarness({ router, ...options });
  harnesses.push(harness);
  return harness;
}

/** A raw socket that keeps every frame as text: ids must be compared as sent, unparsed. */
interface TextPeer {
  send(text: string): void;
  next(what?: string): Promise<string>;
  closed: Promise<number>;
  close(): void;
}

async function textPeer(url: string): Promise<TextPeer> {
  const socket = new WebSocket(url);
  const frames: string[] = [];
  const waiters: Array<(text: string) => void> = [];
  socket.on('message', (data) => {
    const text = data.toString();
    const waiter = waiters.shift();
    if (waiter) waiter(text);
    else frames.push(text);
  });
  const closed = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)));
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  return {
    send: (text) => socket.send(text),
    next(what = 'a frame') {
      const queued = frames.shift();
      if (queued !== undefined) return Promise.resolve(queued);
      return within(new Promise<string>((resolve) => waiters.push(resolve)), what);
    },
    closed,
    close: () => socket.close(),
  };
}

describe('a socket opened long before its first call', () => {
  it('is served by a server without createContext, while one with it closes an idle socket with 4408', async () => {
    const plain = await start({ connectionInitTimeoutMs: 100 });
    const authenticating = await start({ connectionInitTimeoutMs: 100, createContext: () => ({}) });
    const early = await plain.raw();
    const idle = await authenticating.raw();
    // Both have been idle for longer than the timeout once the second is closed for it.
    expect(await within(idle.closed, 'the idle socket to be closed')).toMatchObject({ code: 4408 });
    expect(await early.request({ jsonrpc: '2.0', id: 1, method: 'ping' })).toEqual({
      jsonrpc: '2.0',
      id: 1,
      result: 'pong',
    });
    // Accepted when it opened: it never waited among the connections not yet accepted.
    expect(plain.server.stats).toMatchObject({ accepted: 1, pending: 0 });
  });
});

describe('positional params for a procedure whose input is an array', () => {
  it.each([
    ['sum(5)', 'sum', [5], 5],
    ['sum()', 'sum', [], 0],
    ['sum(1, 2, 3)', 'sum', [1, 2, 3], 6],
    ['sum([1, 2, 3])', 'sum', [[1, 2, 3]], 6],
    ['sum({}) is no input, which is not an array', 'sum', {}, undefined],
    ['double(5): a primitive', 'double', [5], 10],
    ['pair(1, "a"): a tuple', 'pair', [1, 'a'], 'a1'],
    ['either(5): both readings pass, the first is taken', 'either', [5], 'number'],
    ['either([5])', 'either', [[5]], 'array'],
  ])('%s', async (_, method, params, result) => {
    const started = await start();
    const peer = await started.raw();
    const reply = await peer.request({ jsonrpc: '2.0', id: 1, method, params });
    if (result === undefined) expect(reply).toMatchObject({ error: { code: -32602 } });
    else expect(reply).toEqual({ jsonrpc: '2.0', id: 1, result });
  });

  it('a failure reports the first reading, as sent', async () => {
    const started = await start();
    const peer = await started.raw();
    expect(
      await peer.request({ jsonrpc: '2.0', id: 1, method: 'strings', params: [5] }),
    ).toMatchObject({
      error: {
        code: -32602,
        data: {
          issues: [{ path: [], message: 'Invalid input: expected array, received number' }],
        },
      },
    });
  });

  it('applies to subscriptions and rpc.resume too', async () => {
    const started = await start();
    const peer = await started.raw();
    expect(
      await peer.request({ jsonrpc: '2.0', id: 1, method: 'count', params: [7] }),
    ).toMatchObject({ id: 1, result: { subscription: 1 } });
    expect(await peer.next()).toMatchObject({ params: { subscription: 1, data: 7 } });
    expect(await peer.next()).toMatchObject({ method: 'rpc.complete' });
    expect(
      await peer.request({
        jsonrpc: '2.0',
        id: 2,
        method: 'rpc.resume',
        params: { method: 'count', params: [] },
      }),
    ).toMatchObject({ id: 2, result: { subscription: 2, recovered: false } });
    expect(await peer.next()).toMatchObject({
      method: 'rpc.complete',
      params: { subscription: 2 },
    });
  });
});

// Past 2^53 a double rounds: 9007199254740993 would come back as …992.
const BIG = '9007199254740993';
const FRACTION = '0.1000000000000000055511151231257827';
const HUGE = '123456789012345678901234567890';

describe.each([
  ['an integer past 2^53', BIG],
  ['a long fraction', FRACTION],
  ['a huge integer', HUGE],
])('an id that is %s comes back exactly as sent', (_, id) => {
  it('in a result, an error and a method-not-found', async () => {
    const started = await start();
    const peer = await textPeer(started.url);
    peer.send(`{"jsonrpc":"2.0","id":${id},"method":"ping"}`);
    expect(await peer.next()).toBe(`{"jsonrpc":"2.0","id":${id},"result":"pong"}`);
    peer.send(`{"jsonrpc":"2.0","id":${id},"method":"double","params":["x"]}`);
    expect(await peer.next()).toMatch(
      new RegExp(`^\\{"jsonrpc":"2.0","id":${id},"error":\\{"code":-32602`),
    );
    peer.send(`{"jsonrpc":"2.0","method":"nope","id":${id}}`);
    expect(await peer.next()).toMatch(
      new RegExp(`^\\{"jsonrpc":"2.0","id":${id},"error":\\{"code":-32601`),
    );
    peer.send(`{"jsonrpc":"1.0","method":"ping","id":${id}}`);
    expect(await peer.next()).toMatch(
      new RegExp(`^\\{"jsonrpc":"2.0","id":${id},"error":\\{"code":-32600`),
    );
    peer.close();
  });

  it('in a batch, beside other ids, and under an escaped key', async () => {
    const started = await start();
    const peer = await textPeer(started.url);
    peer.send(
      `[{"jsonrpc":"2.0","id":1,"method":"ping"},{"jsonrpc":"2.0","method":"ping","params":[],"id":${id}},{"jsonrpc":"2.0","id":"s","method":"ping"},{"jsonrpc":"2.0","\\u0069d":-${id},"method":"ping"}]`,
    );
    expect(await peer.next()).toBe(
      `[{"jsonrpc":"2.0","id":1,"result":"pong"},{"jsonrpc":"2.0","id":${id},"result":"pong"},{"jsonrpc":"2.0","id":"s","result":"pong"},{"jsonrpc":"2.0","id":-${id},"result":"pong"}]`,
    );
    peer.close();
  });

  it('in a subscription acknowledgement, its events and its completion', async () => {
    const started = await start();
    const peer = await textPeer(started.url);
    peer.send(`{"jsonrpc":"2.0","id":${id},"method":"count","params":[[4,5]]}`);
    expect(await peer.next()).toBe(`{"jsonrpc":"2.0","id":${id},"result":{"subscription":${id}}}`);
    for (const n of [4, 5]) {
      expect(await peer.next()).toBe(
        `{"jsonrpc":"2.0","method":"rpc.event","params":{"subscription":${id},"data":${n}}}`,
      );
    }
    expect(await peer.next()).toBe(
      `{"jsonrpc":"2.0","method":"rpc.complete","params":{"subscription":${id}}}`,
    );
    // A topic's events are written by another path (a head encoded once per subscription).
    peer.send(`{"jsonrpc":"2.0","id":${id},"method":"ticks"}`);
    expect(await peer.next()).toMatch(new RegExp(`^\\{"jsonrpc":"2.0","id":${id},"result"`));
    const eventId = await events.publish('ticks', 1);
    expect(await peer.next()).toBe(
      `{"jsonrpc":"2.0","method":"rpc.event","params":{"subscription":${id},"eventId":"${eventId}","data":1}}`,
    );
    peer.close();
  });

  it('in rpc.init, a duplicate-id refusal and a cancellation', async () => {
    const started = await start({ createContext: () => ({}) });
    const peer = await textPeer(started.url);
    peer.send(`{"jsonrpc":"2.0","id":${id},"method":"rpc.init","params":{}}`);
    expect(await peer.next()).toMatch(
      new RegExp(`^\\{"jsonrpc":"2.0","id":${id},"result":\\{"connectionId"`),
    );
    peer.send(`{"jsonrpc":"2.0","id":${id},"method":"slow"}`);
    peer.send(`{"jsonrpc":"2.0","id":${id},"method":"slow"}`);
    const refusal = await peer.next();
    expect(refusal).toMatch(new RegExp(`^\\{"jsonrpc":"2.0","id":${id},"error":\\{"code":-32600`));
    expect(refusal).toContain(`Request id ${id} is already in flight`);
    peer.send(`{"jsonrpc":"2.0","method":"rpc.cancel","params":{"id":${id}}}`);
    expect(await peer.next()).toBe(
      `{"jsonrpc":"2.0","id":${id},"error":{"code":-32099,"message":"Cancelled","data":{"code":"CANCELLED"}}}`,
    );
    peer.close();
  });

  it('in a refusal before parsing: too deep, or rate-limited', async () => {
    const started = await start({ maxDepth: 4, rateLimit: { messagesPerSecond: 1e-9, burst: 1 } });
    const peer = await textPeer(started.url);
    peer.send(`{"jsonrpc":"2.0","id":${id},"method":"ping","params":[[[[[1]]]]]}`);
    expect(await peer.next()).toMatch(
      new RegExp(`^\\{"jsonrpc":"2.0","id":${id},"error":\\{"code":-32013`),
    );
    peer.send(`{"jsonrpc":"2.0","id":${id},"method":"ping"}`);
    expect(await peer.next()).toMatch(
      new RegExp(`^\\{"jsonrpc":"2.0","id":${id},"error":\\{"code":-32029`),
    );
    // A batch is parsed to find its ids: each is still echoed as written.
    peer.send(
      `[{"jsonrpc":"2.0","method":"ping","id":${id}},{"jsonrpc":"2.0","method":"ping","id":2}]`,
    );
    expect(await peer.next()).toMatch(
      new RegExp(`^\\[\\{"jsonrpc":"2.0","id":${id},"error":\\{"code":-32029.*"id":2,"error"`),
    );
    peer.close();
  });
});

describe('a rate-limited frame', () => {
  it('with its id at the start is refused unparsed: even if the rest is not JSON', async () => {
    const started = await start({ rateLimit: { messagesPerSecond: 1e-9, burst: 1 } });
    const peer = await started.raw();
    expect(await peer.request({ jsonrpc: '2.0', id: 1, method: 'ping' })).toMatchObject({
      result: 'pong',
    });
    // 900 kB that JSON.parse would reject: only the id at its start is read.
    const frame = `{"jsonrpc":"2.0","id":"late","method":"ping","params":[${'x'.repeat(900_000)}`;
    expect(await peer.request(frame)).toEqual({
      jsonrpc: '2.0',
      id: 'late',
      error: {
        code: -32029,
        message: 'Rate limit exceeded: at most 1e-9 messages per second, bursts of 1',
        data: { code: 'TOO_MANY_REQUESTS', limit: 'rateLimit' },
      },
    });
  });

  it('with its id elsewhere is parsed only to find whom to answer', async () => {
    const started = await start({ rateLimit: { messagesPerSecond: 1e-9, burst: 1 } });
    const peer = await started.raw();
    peer.send({ jsonrpc: '2.0', method: 'ping' });
    // The id after a nested value: the frame is parsed to find it.
    expect(
      await peer.request({ jsonrpc: '2.0', method: 'sum', params: [1, 2], id: 'after' }),
    ).toMatchObject({ id: 'after', error: { code: -32029 } });
    // Not JSON, and no id at its start: answered with null.
    expect(await peer.request(`{"method":"ping","params":[1],"id":3,`)).toMatchObject({
      id: null,
      error: { code: -32029 },
    });
  });
});
