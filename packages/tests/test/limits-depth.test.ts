// maxDepth: a frame nested deeper than the limit is refused before it is parsed.
import { VolleyError } from '@volley/client';
import { initVolley } from '@volley/core';
import { DEFAULT_MAX_DEPTH } from '@volley/server';
import { afterEach, expect, it } from 'vitest';
import { z } from 'zod';
import { type Harness, startHarness } from './helpers/harness.js';

let runs = 0;
const v = initVolley();
const router = v.router({
  ping: v.procedure.query(() => 'pong'),
  take: v.procedure.input(z.unknown()).query(() => {
    runs++;
    return 'ran';
  }),
});

let harness: Harness<typeof router>;
afterEach(async () => {
  runs = 0;
  await harness.close();
});

/** `levels` arrays nested inside each other. */
const nest = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;
/** A `take` request whose frame nests exactly `depth` levels: the envelope and `params` are two. */
const takeOfDepth = (id: number | string, depth: number) =>
  `{"jsonrpc":"2.0","id":${JSON.stringify(id)},"method":"take","params":[${nest(depth - 2)}]}`;

function tooDeep(id: number | string | null, maxDepth: number) {
  return {
    jsonrpc: '2.0',
    id,
    error: {
      code: -32013,
      message: `Nested deeper than ${maxDepth} levels`,
      data: { code: 'PAYLOAD_TOO_LARGE', limit: 'maxDepth' },
    },
  };
}

it('defaults to 64 levels: a frame of 64 is served, one of 65 refused unparsed and unrun', async () => {
  expect(DEFAULT_MAX_DEPTH).toBe(64);
  harness = await startHarness({ router });
  const peer = await harness.raw();
  expect(await peer.request(takeOfDepth(1, 64))).toEqual({ jsonrpc: '2.0', id: 1, result: 'ran' });
  expect(await peer.request(takeOfDepth(2, 65))).toEqual(tooDeep(2, 64));
  expect(await peer.request(takeOfDepth('deep', 100_000))).toEqual(tooDeep('deep', 64));
  expect(runs).toBe(1);
  // The socket is still served.
  expect(await peer.request({ jsonrpc: '2.0', id: 3, method: 'ping' })).toMatchObject({
    result: 'pong',
  });
});

it('honours a custom maxDepth, counting objects and arrays alike but not brackets in strings', async () => {
  harness = await startHarness({ router, maxDepth: 4 });
  const peer = await harness.raw();
  // depth 4: envelope, params, {"a": [ ... ] }
  const atLimit = '{"jsonrpc":"2.0","id":1,"method":"take","params":{"a":{"b":[1]}}}';
  const over = '{"jsonrpc":"2.0","id":2,"method":"take","params":{"a":{"b":[{}]}}}';
  // Brackets (and escaped quotes before them) inside a string are text, not nesting.
  const inString = JSON.stringify({
    jsonrpc: '2.0',
    id: 3,
    method: 'take',
    params: [`\\"${nest(1_000)}{{{"`],
  });
  expect(await peer.request(atLimit)).toEqual({ jsonrpc: '2.0', id: 1, result: 'ran' });
  expect(await peer.request(over)).toEqual(tooDeep(2, 4));
  expect(await peer.request(inString)).toEqual({ jsonrpc: '2.0', id: 3, result: 'ran' });
  expect(runs).toBe(2);
});

it('answers id null when the id is not among the leading members, and refuses a deep batch whole', async () => {
  harness = await startHarness({ router, maxDepth: 8 });
  const peer = await harness.raw();
  const idLast = `{"jsonrpc":"2.0","method":"take","params":[${nest(20)}],"id":7}`;
  expect(await peer.request(idLast)).toEqual(tooDeep(null, 8));
  const batch = `[{"jsonrpc":"2.0","id":1,"method":"take"},{"jsonrpc":"2.0","id":2,"method":"take","params":[${nest(20)}]}]`;
  expect(await peer.request(batch)).toEqual(tooDeep(null, 8));
  expect(runs).toBe(0);
});

it('the typed client gets PAYLOAD_TOO_LARGE naming the limit, at once', async () => {
  harness = await startHarness({ router, maxDepth: 10 });
  const client = harness.client();
  let deep: unknown = 'leaf';
  for (let level = 0; level < 20; level++) deep = [deep];
  const error = await client.take.query(deep).then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(VolleyError);
  expect(error).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', rpcCode: -32013, limit: 'maxDepth' });
  expect(await client.ping.query()).toBe('pong');
  expect(runs).toBe(0);
});

it('lifts with Infinity, and rejects a limit that is not a positive integer', async () => {
  harness = await startHarness({ router, maxDepth: Infinity });
  const peer = await harness.raw();
  expect(await peer.request(takeOfDepth(1, 10_000))).toEqual({
    jsonrpc: '2.0',
    id: 1,
    result: 'ran',
  });
  const { createServer } = await import('@volley/server');
  for (const maxDepth of [0, -1, 1.5, Number.NaN]) {
    expect(() => createServer({ router, maxDepth })).toThrow(TypeError);
  }
});

it('does not look into a first frame that is too deep, even an rpc.init', async () => {
  const seen: unknown[] = [];
  harness = await startHarness({
    router,
    maxDepth: 8,
    createContext: ({ connectionParams }) => {
      seen.push(connectionParams);
      return {};
    },
  });
  const peer = await harness.raw();
  const deepInit = `{"jsonrpc":"2.0","id":1,"method":"rpc.init","params":{"connectionParams":${nest(20)}}}`;
  expect(await peer.request(deepInit)).toEqual(tooDeep(1, 8));
  // The connection was set up without its params, and is served.
  expect(seen).toEqual([undefined]);
  expect(await peer.request(takeOfDepth(2, 3))).toEqual({ jsonrpc: '2.0', id: 2, result: 'ran' });
});
