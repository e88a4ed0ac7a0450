// Every example exchange of JSON-RPC 2.0, section 7 (https://www.jsonrpc.org/specification#examples),
// sent as raw text frames to a Volley server, plus the params and id rules Volley adds on top.

import { initVolley } from '@volley/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type Harness, type RawPeer, startHarness, within } from './helpers/harness.js';

/** Every procedure run, in order: how a test proves a notification ran (or a bad frame did not). */
const runs: Array<[method: string, input: unknown]> = [];
let onRun: (() => void) | undefined;

function record(method: string, input: unknown): void {
  runs.push([method, input]);
  onRun?.();
}

/** Resolves once `count` procedure runs have been recorded. */
function ranTimes(count: number): Promise<void> {
  return within(
    new Promise<void>((resolve) => {
      const check = () => {
        if (runs.length < count) return;
        onRun = undefined;
        resolve();
      };
      onRun = check;
      check();
    }),
    `${count} procedure runs`,
  );
}

const v = initVolley();

// The spec's procedures. `foo.get` is deliberately absent: the spec uses it as a method
// that does not exist, and with nested routers it could otherwise be defined.
const router = v.router({
  subtract: v.procedure
    .input(
      z.union([
        z.tuple([z.number(), z.number()]),
        z.object({ minuend: z.number(), subtrahend: z.number() }),
      ]),
    )
    .query(({ input }) => {
      record('subtract', input);
      return Array.isArray(input) ? input[0] - input[1] : input.minuend - input.subtrahend;
    }),
  sum: v.procedure.input(z.array(z.number())).query(({ input }) => {
    record('sum', input);
    return input.reduce((total, n) => total + n, 0);
  }),
  update: v.procedure.input(z.array(z.number())).mutation(({ input }) => {
    record('update', input);
  }),
  notify_hello: v.procedure.input(z.number()).mutation(({ input }) => {
    record('notify_hello', input);
  }),
  notify_sum: v.procedure.input(z.array(z.number())).mutation(({ input }) => {
    record('notify_sum', input);
  }),
  get_data: v.procedure.query(() => {
    record('get_data', undefined);
    return ['hello', 5];
  }),
  // Volley's own rules: [x] carries a primitive, a procedure may take no input.
  double: v.procedure.input(z.number()).query(({ input }) => input * 2),
  shout: v.procedure.input(z.string()).query(({ input }) => input.toUpperCase()),
  isNull: v.procedure.input(z.null()).query(({ input }) => input === null),
  ping: v.procedure.query(() => {
    record('ping', undefined);
    return 'pong';
  }),
});

/** A spec error response; Volley adds `error.data.code`, which the spec allows. */
function specError(id: string | number | null, code: number, message: string, name: string) {
  return {
    jsonrpc: '2.0',
    id,
    error: { code, message, data: expect.objectContaining({ code: name }) },
  };
}

const PARSE_ERROR = specError(null, -32700, 'Parse error', 'PARSE_ERROR');
const INVALID_REQUEST = specError(null, -32600, 'Invalid Request', 'INVALID_REQUEST');

let barrierId = 0;

/**
 * Proves the server sent `peer` nothing since its last frame. Frames on one socket are
 * ordered and the server only reads this request after it has finished with earlier
 * ones, so a reply to anything sent before would arrive ahead of this answer.
 */
async function expectNothingElse(peer: RawPeer): Promise<void> {
  const id = `barrier-${++barrierId}`;
  const before = runs.length;
  expect(await peer.request({ jsonrpc: '2.0', id, method: 'ping' })).toEqual({
    jsonrpc: '2.0',
    id,
    result: 'pong',
  });
  expect(peer.backlog).toEqual([]);
  // The barrier's own run is not one the test is counting.
  runs.splice(before, 1);
}

let harness: Harness<typeof router>;
let peer: RawPeer;

beforeEach(async () => {
  runs.length = 0;
  onRun = undefined;
  harness = await startHarness({ router });
  peer = await harness.raw();
});

afterEach(() => harness.close());

describe('JSON-RPC 2.0 section 7 examples', () => {
  it('rpc call with positional parameters', async () => {
    expect(
      await peer.request('{"jsonrpc": "2.0", "method": "subtract", "params": [42, 23], "id": 1}'),
    ).toEqual({ jsonrpc: '2.0', result: 19, id: 1 });
    expect(
      await peer.request('{"jsonrpc": "2.0", "method": "subtract", "params": [23, 42], "id": 2}'),
    ).toEqual({ jsonrpc: '2.0', result: -19, id: 2 });
  });

  it('rpc call with named parameters, in either order', async () => {
    expect(
      await peer.request(
        '{"jsonrpc": "2.0", "method": "subtract", "params": {"subtrahend": 23, "minuend": 42}, "id": 3}',
      ),
    ).toEqual({ jsonrpc: '2.0', result: 19, id: 3 });
    expect(
      await peer.request(
        '{"jsonrpc": "2.0", "method": "subtract", "params": {"minuend": 42, "subtrahend": 23}, "id": 4}',
      ),
    ).toEqual({ jsonrpc: '2.0', result: 19, id: 4 });
  });

  it('a notification runs and gets no response', async () => {
    peer.send('{"jsonrpc": "2.0", "method": "update", "params": [1,2,3,4,5]}');
    await ranTimes(1);
    expect(runs).toEqual([['update', [1, 2, 3, 4, 5]]]);
    await expectNothingElse(peer);
  });

  it('a notification to a method that does not exist gets no response', async () => {
    peer.send('{"jsonrpc": "2.0", "method": "foobar"}');
    await expectNothingElse(peer);
    expect(runs).toEqual([]);
  });

  it('rpc call of non-existent method', async () => {
    expect(await peer.request('{"jsonrpc": "2.0", "method": "foobar", "id": "1"}')).toEqual(
      specError('1', -32601, 'Method not found', 'METHOD_NOT_FOUND'),
    );
  });

  it('rpc call with invalid JSON', async () => {
    expect(
      await peer.request('{"jsonrpc": "2.0", "method": "foobar, "params": "bar", "baz]'),
    ).toEqual(PARSE_ERROR);
  });

  it('rpc call with invalid Request object', async () => {
    expect(await peer.request('{"jsonrpc": "2.0", "method": 1, "params": "bar"}')).toEqual(
      INVALID_REQUEST,
    );
  });

  it('rpc call Batch, invalid JSON', async () => {
    const frame = `[
  {"jsonrpc": "2.0", "method": "sum", "params": [1,2,4], "id": "1"},
  {"jsonrpc": "2.0", "method"
]`;
    expect(await peer.request(frame)).toEqual(PARSE_ERROR);
    await expectNothingElse(peer);
    expect(runs).toEqual([]);
  });

  it('rpc call with an empty Array', async () => {
    // A single response, not an array of one.
    expect(await peer.request('[]')).toEqual(INVALID_REQUEST);
  });

  it('rpc call with an invalid Batch (but not empty)', async () => {
    expect(await peer.request('[1]')).toEqual([INVALID_REQUEST]);
  });

  it('rpc call with invalid Batch', async () => {
    expect(await peer.request('[1,2,3]')).toEqual([
      INVALID_REQUEST,
      INVALID_REQUEST,
      INVALID_REQUEST,
    ]);
  });

  it('rpc call Batch', async () => {
    const reply = await peer.request(`[
        {"jsonrpc": "2.0", "method": "sum", "params": [1,2,4], "id": "1"},
        {"jsonrpc": "2.0", "method": "notify_hello", "params": [7]},
        {"jsonrpc": "2.0", "method": "subtract", "params": [42,23], "id": "2"},
        {"foo": "boo"},
        {"jsonrpc": "2.0", "method": "foo.get", "params": {"name": "myself"}, "id": "5"},
        {"jsonrpc": "2.0", "method": "get_data", "id": "9"}
    ]`);
    expect(Array.isArray(reply)).toBe(true);
    const responses = reply as Array<{ id: unknown }>;
    expect(responses).toHaveLength(5);
    // The spec lets a batch's responses come in any order: compare by id.
    const byId = new Map(responses.filter((r) => r.id !== null).map((r) => [r.id, r]));
    expect(Object.fromEntries(byId)).toEqual({
      '1': { jsonrpc: '2.0', result: 7, id: '1' },
      '2': { jsonrpc: '2.0', result: 19, id: '2' },
      '5': specError('5', -32601, 'Method not found', 'METHOD_NOT_FOUND'),
      '9': { jsonrpc: '2.0', result: ['hello', 5], id: '9' },
    });
    expect(responses.filter((r) => r.id === null)).toEqual([INVALID_REQUEST]);
    // The notification in the batch ran, without a response of its own.
    expect(runs).toContainEqual(['notify_hello', 7]);
    await expectNothingElse(peer);
  });

  it('rpc call Batch (all notifications) gets nothing back', async () => {
    peer.send(`[
        {"jsonrpc": "2.0", "method": "notify_sum", "params": [1,2,4]},
        {"jsonrpc": "2.0", "method": "notify_hello", "params": [7]}
    ]`);
    await ranTimes(2);
    // A batch may be processed in any order.
    expect(runs).toHaveLength(2);
    expect(runs).toContainEqual(['notify_sum', [1, 2, 4]]);
    expect(runs).toContainEqual(['notify_hello', 7]);
    await expectNothingElse(peer);
  });
});

describe('params', () => {
  it.each([
    ['a number', '5'],
    ['a string', '"x"'],
    ['null', 'null'],
    ['a boolean', 'true'],
  ])('params as %s is an Invalid Request that echoes the id', async (_, params) => {
    const reply = await peer.request(
      `{"jsonrpc":"2.0","id":7,"method":"subtract","params":${params}}`,
    );
    expect(reply).toEqual({
      jsonrpc: '2.0',
      id: 7,
      error: {
        code: -32600,
        message: 'Invalid Request',
        data: {
          code: 'INVALID_REQUEST',
          issues: [{ path: ['params'], message: expect.any(String) }],
        },
      },
    });
    expect(runs).toEqual([]);
  });

  it.each([
    ['a number', 'double', '[21]', 42],
    ['a string', 'shout', '["hi"]', 'HI'],
    ['null', 'isNull', '[null]', true],
    ['an array', 'sum', '[[1,2,4]]', 7],
  ])('[x] carries %s as the whole input', async (_, method, params, result) => {
    expect(
      await peer.request(`{"jsonrpc":"2.0","id":1,"method":"${method}","params":${params}}`),
    ).toEqual({ jsonrpc: '2.0', id: 1, result });
  });

  it.each([
    ['omitted', ''],
    ['[]', ',"params":[]'],
    ['{}', ',"params":{}'],
  ])('a procedure without input is called with params %s', async (_, params) => {
    expect(await peer.request(`{"jsonrpc":"2.0","id":1,"method":"ping"${params}}`)).toEqual({
      jsonrpc: '2.0',
      id: 1,
      result: 'pong',
    });
  });

  it.each([
    ['[1]', '[1]'],
    ['an object', '{"a":1}'],
  ])('a procedure without input given %s answers Invalid params', async (_, params) => {
    const reply = await peer.request(`{"jsonrpc":"2.0","id":1,"method":"ping","params":${params}}`);
    expect(reply).toEqual(specError(1, -32602, 'Invalid params', 'INVALID_PARAMS'));
    expect(runs).toEqual([]);
  });
});

describe('ids', () => {
  it.each([
    ['a string', '"abc"', 'abc'],
    ['an empty string', '""', ''],
    ['zero', '0', 0],
    ['a negative number', '-7', -7],
    ['null', 'null', null],
  ])('%s id is echoed', async (_, raw, id) => {
    expect(
      await peer.request(`{"jsonrpc":"2.0","id":${raw},"method":"double","params":[4]}`),
    ).toEqual({ jsonrpc: '2.0', id, result: 8 });
  });

  it('a string id is echoed on an error too', async () => {
    expect(
      await peer.request('{"jsonrpc":"2.0","id":"req-9","method":"double","params":["four"]}'),
    ).toEqual(specError('req-9', -32602, 'Invalid params', 'INVALID_PARAMS'));
  });
});
