// Every reply is bounded whatever the input: each error path that quotes something the
// client chose (a method name, an id, resume params, connection params in a close reason)
// is given 900 kB of it, and the reply stays small. Only an id is echoed whole, because
// JSON-RPC requires it, and only in the reply's own `id` member.
import { initVolley, VolleyError } from '@volley/core';
import { createPubSub } from '@volley/server';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { z } from 'zod';
import { deferred, type Harness, startHarness, within } from './helpers/harness.js';

const HUGE = 'h'.repeat(900_000);
/** Characters JSON escapes to six bytes each (900 kB on the wire): the most a quote can grow. */
const ESCAPED = '\u0001'.repeat(150_000);
/** Most bytes a reply may have beyond an echoed id. */
const BOUND = 2_048;

const events = createPubSub<Record<string, number>>();
let gate = deferred();

const v = initVolley<{ user: string }>();
const router = v.router({
  ping: v.procedure.query(() => 'pong'),
  slow: v.procedure.query(async () => {
    await gate.promise;
    return 'done';
  }),
  feed: v.procedure
    .input(z.string())
    .subscription(({ input, signal }) => events.subscribe(`feed:${input}`, { signal })),
});

let harness: Harness<typeof router> | undefined;
afterEach(async () => {
  gate.resolve();
  gate = deferred();
  await harness?.close();
  harness = undefined;
});

async function start() {
  harness = await startHarness({ router, createContext: () => ({ user: 'ada' }) });
  return harness;
}

/** The reply's text to `frame`, on a fresh accepted socket. */
async function replyTo(started: Harness<typeof router>, frame: unknown): Promise<string> {
  const peer = await started.raw();
  expect(await peer.request({ jsonrpc: '2.0', id: 0, method: 'ping' })).toMatchObject({
    result: 'pong',
  });
  const text = new Promise<string>((resolve, reject) => {
    peer.ws!.once('message', (data) => resolve(data.toString()));
    peer.closed.then(({ code }) => reject(new Error(`Closed with ${code} instead of a reply`)));
  });
  peer.send(frame);
  return within(text, 'the reply');
}

const bytes = (text: string) => Buffer.byteLength(text);

describe.each([
  ['a huge name', HUGE],
  ['a name of characters JSON escapes', ESCAPED],
])('client-chosen text in a reply: %s', (_, name) => {
  it.each([
    ['an unknown method', { jsonrpc: '2.0', id: 1, method: name }],
    ['an unknown rpc. method', { jsonrpc: '2.0', id: 1, method: `rpc.${name}` }],
    [
      'rpc.resume of an unknown subscription',
      { jsonrpc: '2.0', id: 1, method: 'rpc.resume', params: { method: name } },
    ],
    [
      'rpc.resume with params of the wrong types',
      {
        jsonrpc: '2.0',
        id: 1,
        method: 'rpc.resume',
        params: { method: [1], params: name, lastEventId: { a: 1 } },
      },
    ],
    ['rpc.cancel with a wrong id', { jsonrpc: '2.0', id: 1, method: 'rpc.cancel', params: [name] }],
    ['rpc.init that is not first', { jsonrpc: '2.0', id: 1, method: 'rpc.init', params: { name } }],
    ['a request that is not one', { jsonrpc: name, id: 1, method: 5 }],
    ['a procedure that takes no input', { jsonrpc: '2.0', id: 1, method: 'ping', params: [name] }],
    ['input of the wrong type', { jsonrpc: '2.0', id: 1, method: 'feed', params: [[name]] }],
    ['a frame that is not JSON', `{"jsonrpc":"2.0","id":1,"method":"${name}`],
  ])('%s', async (_, frame) => {
    const started = await start();
    const text = await replyTo(started, frame);
    expect(text).toMatch(/"error":/);
    expect(bytes(text)).toBeLessThan(BOUND);
  });
});

it('rpc.resume from a huge unknown position acknowledges the head, not the position', async () => {
  const started = await start();
  const head = await events.publish('feed:a', 1);
  const text = await replyTo(started, {
    jsonrpc: '2.0',
    id: 1,
    method: 'rpc.resume',
    params: { method: 'feed', params: ['a'], lastEventId: HUGE },
  });
  expect(JSON.parse(text)).toEqual({
    jsonrpc: '2.0',
    id: 1,
    result: { subscription: 1, lastEventId: head, recovered: false },
  });
});

it('a huge string id is echoed as the id alone, never quoted in a message', async () => {
  const started = await start();
  const peer = await started.raw();
  peer.send({ jsonrpc: '2.0', id: HUGE, method: 'slow' });
  const text = new Promise<string>((resolve) =>
    peer.ws!.once('message', (data) => resolve(data.toString())),
  );
  peer.send({ jsonrpc: '2.0', id: HUGE, method: 'slow' });
  const duplicate = await within(text, 'the duplicate-id refusal');
  expect(JSON.parse(duplicate)).toMatchObject({ id: HUGE, error: { code: -32600 } });
  expect(bytes(duplicate)).toBeLessThan(bytes(JSON.stringify(HUGE)) + BOUND);
});

it('a close reason built from what the client sent is cut to 123 bytes', async () => {
  harness = await startHarness({
    router,
    createContext: ({ connectionParams }) => {
      throw new VolleyError({
        code: 'UNAUTHORIZED',
        message: `Bad token ${JSON.stringify(connectionParams)}`,
      });
    },
  });
  const closed = new Promise<{ code: number; reason: Buffer }>((resolve, reject) => {
    const socket = new WebSocket(harness?.url ?? '');
    socket.on('error', reject);
    socket.on('open', () =>
      socket.send(
        JSON.stringify({
          jsonrpc: '2.0',
          id: 0,
          method: 'rpc.init',
          params: { connectionParams: { token: `é${HUGE}` } },
        }),
      ),
    );
    socket.on('close', (code, reason) => resolve({ code, reason }));
  });
  const { code, reason } = await within(closed, 'the refusal');
  expect(code).toBe(4401);
  expect(reason.length).toBeLessThanOrEqual(123);
  expect(reason.toString()).toMatch(/^Bad token \{"token":"éh+$/);
});
