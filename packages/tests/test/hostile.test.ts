// Hostile raw frames: non-JSON, binary, oversized, malformed envelopes, reserved methods,
// duplicate ids, prototype-pollution keys, deep and huge payloads. After each one the
// attacking socket (when it should survive) and a well-behaved bystander are still served.

import { type AnyProcedure, type AnyRouter, initVolley, isResponse } from '@volley/core';
import { createServer, DEFAULT_MAX_PAYLOAD, type ServerOptions } from '@volley/server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { deferred, type Harness, type RawPeer, startHarness, within } from './helpers/harness.js';

const v = initVolley<{ role: string }>();

/** Inputs of `store`, in order: how a test proves a rejected frame never ran. */
let stored: unknown[] = [];
let xRuns = 0;
let slowRuns = 0;
let gate = { entered: deferred(), release: deferred() };

const addUser = v.middleware(({ next }) => next({ ctx: { user: 'ada' } }));

/** How deep a nest of arrays or objects is, without recursion (the input may be very deep). */
function depthOf(value: unknown): number {
  let depth = 0;
  let current = value;
  while (typeof current === 'object' && current !== null) {
    depth++;
    current = Array.isArray(current) ? current[0] : Object.values(current)[0];
  }
  return depth;
}

const router = v.router({
  ping: v.procedure.query(() => 'pong'),
  echo: v.procedure.input(z.unknown()).query(({ input }) => input),
  depth: v.procedure.input(z.unknown()).query(({ input }) => depthOf(input)),
  store: v.procedure.input(z.string()).mutation(({ input }) => {
    stored.push(input);
    return input.length;
  }),
  x: v.procedure.mutation(() => {
    xRuns++;
    return 'x';
  }),
  slow: v.procedure.input(z.string()).query(async ({ input }) => {
    slowRuns++;
    gate.entered.resolve();
    await gate.release.promise;
    return input;
  }),
  probe: v.procedure
    .use(addUser)
    .input(z.unknown())
    .query(({ ctx, input }) => {
      const record = (value: unknown) => value as Record<string, unknown>;
      return {
        ctx: { role: ctx.role, user: ctx.user },
        ctxKeys: Object.keys(ctx).sort(),
        ctxPrototypeIsObject: Object.getPrototypeOf(ctx) === Object.prototype,
        ctxPolluted: record(ctx).polluted ?? null,
        inputPolluted:
          typeof input === 'object' && input !== null ? (record(input).polluted ?? null) : null,
        globalPolluted: record({}).polluted ?? null,
      };
    }),
});

const harnesses: Array<Harness<AnyRouter>> = [];

async function start(
  options: Omit<ServerOptions<typeof router>, 'router' | 'createContext'> = {},
): Promise<Harness<typeof router>> {
  const harness = await startHarness({
    router,
    createContext: () => ({ role: 'guest' }),
    ...options,
  });
  harnesses.push(harness as unknown as Harness<AnyRouter>);
  return harness;
}

let requestId = 0;

/** Proves `peer` is open and answered correctly, and that nothing was sent to it since its last frame. */
async function expectServing(peer: RawPeer): Promise<void> {
  const id = `check-${++requestId}`;
  expect(await peer.request({ jsonrpc: '2.0', id, method: 'ping' })).toEqual({
    jsonrpc: '2.0',
    id,
    result: 'pong',
  });
  expect(peer.backlog).toEqual([]);
}

function invalidRequest(id: string | number | null, issuePath?: string) {
  return {
    jsonrpc: '2.0',
    id,
    error: {
      code: -32600,
      message: 'Invalid Request',
      data: {
        code: 'INVALID_REQUEST',
        issues:
          issuePath === undefined
            ? expect.any(Array)
            : expect.arrayContaining([{ path: [issuePath], message: expect.any(String) }]),
      },
    },
  };
}

function methodNotFound(id: string | number) {
  return {
    jsonrpc: '2.0',
    id,
    error: {
      code: -32601,
      message: 'Method not found',
      data: expect.objectContaining({ code: 'METHOD_NOT_FOUND' }),
    },
  };
}

const storeHead = (id: number) => `{"jsonrpc":"2.0","id":${id},"method":"store","params":["`;
const STORE_TAIL = '"]}';

/** How many bytes of a `store` frame are not the stored string. */
const storeOverhead = (id: number) => storeHead(id).length + STORE_TAIL.length;

/** A `store` request of exactly `bytes` bytes (ASCII); its answer is `bytes - storeOverhead(id)`. */
function storeFrameOfSize(bytes: number, id: number): string {
  return storeHead(id) + 'x'.repeat(bytes - storeOverhead(id)) + STORE_TAIL;
}

let peer: RawPeer;
let bystander: RawPeer;

beforeEach(async () => {
  stored = [];
  xRuns = 0;
  slowRuns = 0;
  gate = { entered: deferred(), release: deferred() };
  const harness = await start();
  peer = await harness.raw();
  bystander = await harness.raw();
});

afterEach(async () => {
  gate.release.resolve();
  await Promise.all(harnesses.splice(0).map((each) => each.close()));
});

describe('frames that are not JSON-RPC text', () => {
  it('"Hello Server!" answers -32700 and the socket stays usable', async () => {
    expect(await peer.request('Hello Server!')).toEqual({
      jsonrpc: '2.0',
      id: null,
      error: { code: -32700, message: 'Parse error', data: { code: 'PARSE_ERROR' } },
    });
    await expectServing(peer);
    await expectServing(bystander);
  });

  it('a huge non-JSON frame (within maxPayload) answers -32700', async () => {
    expect(await peer.request(`{${'x'.repeat(DEFAULT_MAX_PAYLOAD - 2)}`)).toMatchObject({
      id: null,
      error: { code: -32700 },
    });
    await expectServing(peer);
    await expectServing(bystander);
  });

  it('a binary frame answers -32600 with a clear message and the socket stays open', async () => {
    peer.socket.send(Buffer.from('{"jsonrpc":"2.0","id":1,"method":"store","params":["bin"]}'));
    expect(await peer.next('the answer to a binary frame')).toEqual({
      jsonrpc: '2.0',
      id: null,
      error: {
        code: -32600,
        message: 'Invalid Request',
        data: {
          code: 'INVALID_REQUEST',
          issues: [{ path: [], message: expect.stringMatching(/binary.*text frame/i) }],
        },
      },
    });
    expect(stored).toEqual([]);
    await expectServing(peer);
    await expectServing(bystander);
  });

  it('invalid UTF-8 in a text frame closes that socket with 1007 only', async () => {
    // ws sends a Buffer as a text frame, unchecked, when told it is not binary.
    peer.ws!.send(Buffer.from([0x22, 0xff, 0xfe, 0x22]), { binary: false });
    expect((await within(peer.closed, 'the close after invalid UTF-8')).code).toBe(1007);
    await expectServing(bystander);
  });
});

describe('maxPayload', () => {
  it('is 1 MiB by default', () => {
    expect(DEFAULT_MAX_PAYLOAD).toBe(1024 * 1024);
  });

  it('a frame of exactly 1 MiB is served; one byte more closes with 1009 before it runs', async () => {
    expect(await peer.request(storeFrameOfSize(DEFAULT_MAX_PAYLOAD, 1))).toEqual({
      jsonrpc: '2.0',
      id: 1,
      result: DEFAULT_MAX_PAYLOAD - storeOverhead(1),
    });
    expect(stored).toHaveLength(1);
    peer.send(storeFrameOfSize(DEFAULT_MAX_PAYLOAD + 1, 2));
    expect((await within(peer.closed, 'the close after an oversized frame')).code).toBe(1009);
    expect(stored).toHaveLength(1);
    await expectServing(bystander);
  });

  it('honours a small custom maxPayload on each connection alone', async () => {
    const small = await start({ maxPayload: 256 });
    const attacker = await small.raw();
    const neighbour = await small.raw();
    expect(await attacker.request(storeFrameOfSize(256, 1))).toEqual({
      jsonrpc: '2.0',
      id: 1,
      result: 256 - storeOverhead(1),
    });
    attacker.send(storeFrameOfSize(257, 2));
    expect((await within(attacker.closed, 'the close after an oversized frame')).code).toBe(1009);
    expect(stored).toHaveLength(1);
    await expectServing(neighbour);
    expect(await neighbour.request(storeFrameOfSize(256, 3))).toMatchObject({ id: 3 });
    await expectServing(bystander);
  });

  it('rejects a maxPayload that is not a positive integer', () => {
    for (const maxPayload of [0, -1, 1.5, Number.NaN]) {
      expect(() =>
        createServer({ router, createContext: () => ({ role: 'guest' }), maxPayload }),
      ).toThrow(TypeError);
    }
  });
});

describe('malformed requests', () => {
  it.each([
    ['jsonrpc missing', '{"id":1,"method":"store","params":["a"]}', 1, 'jsonrpc'],
    ['jsonrpc "1.0"', '{"jsonrpc":"1.0","id":2,"method":"store","params":["a"]}', 2, 'jsonrpc'],
    [
      'jsonrpc as number 2',
      '{"jsonrpc":2,"id":"two","method":"store","params":["a"]}',
      'two',
      'jsonrpc',
    ],
    ['method as number', '{"jsonrpc":"2.0","id":3,"method":1,"params":["a"]}', 3, 'method'],
    ['method missing', '{"jsonrpc":"2.0","id":"m","params":["a"]}', 'm', 'method'],
    ['id as object', '{"jsonrpc":"2.0","id":{"a":1},"method":"store","params":["a"]}', null, 'id'],
    ['id as array', '{"jsonrpc":"2.0","id":[1],"method":"store","params":["a"]}', null, 'id'],
    ['id as boolean', '{"jsonrpc":"2.0","id":true,"method":"store","params":["a"]}', null, 'id'],
    ['params as string', '{"jsonrpc":"2.0","id":4,"method":"store","params":"a"}', 4, 'params'],
  ])('%s answers -32600 echoing only a valid id, and nothing runs', async (_, frame, id, path) => {
    expect(await peer.request(frame)).toEqual(invalidRequest(id, path));
    expect(stored).toEqual([]);
    await expectServing(peer);
    await expectServing(bystander);
  });

  it.each([
    ['a number', '5'],
    ['a string', '"store"'],
    ['null', 'null'],
    ['true', 'true'],
  ])('a JSON %s that is not an object answers -32600 with id null', async (_, frame) => {
    expect(await peer.request(frame)).toEqual(invalidRequest(null));
    await expectServing(peer);
  });

  it('envelope fields hidden behind a "__proto__" key do not count', async () => {
    const frame = '{"__proto__":{"jsonrpc":"2.0","method":"store","params":["a"]},"id":5}';
    expect(await peer.request(frame)).toEqual(invalidRequest(5, 'jsonrpc'));
    expect(stored).toEqual([]);
    await expectServing(peer);
  });
});

describe('methods', () => {
  it('an unknown method answers -32601 and runs nothing', async () => {
    expect(await peer.request({ jsonrpc: '2.0', id: 1, method: 'nope' })).toEqual(
      methodNotFound(1),
    );
    expect(await peer.request({ jsonrpc: '2.0', id: 2, method: 'store.nope' })).toEqual(
      methodNotFound(2),
    );
    expect(stored).toEqual([]);
    await expectServing(peer);
  });

  it('an unknown method as a notification gets no answer', async () => {
    peer.send({ jsonrpc: '2.0', method: 'nope' });
    await expectServing(peer);
  });

  it('a huge unknown method name is answered -32601', async () => {
    const method = 'm'.repeat(DEFAULT_MAX_PAYLOAD - 100);
    const reply = await peer.request({ jsonrpc: '2.0', id: 1, method });
    expect(reply).toEqual(methodNotFound(1));
    // The name is quoted clipped, so a reply never echoes a megabyte back.
    expect(JSON.stringify(reply).length).toBeLessThan(1_000);
    await expectServing(peer);
    await expectServing(bystander);
  });

  it('an unknown rpc.* method answers -32601, or nothing as a notification', async () => {
    expect(await peer.request({ jsonrpc: '2.0', id: 'r', method: 'rpc.foo' })).toEqual(
      methodNotFound('r'),
    );
    peer.send({ jsonrpc: '2.0', method: 'rpc.foo', params: [1] });
    await expectServing(peer);
  });

  it.each([
    ['omitted', undefined],
    ['{}', {}],
    ['an object id', { id: {} }],
    ['a boolean id', { id: true }],
    ['a null id', { id: null }],
    ['an array id', { id: [1] }],
    ['by position', [5]],
    ['an empty array', []],
  ])('rpc.cancel with params %s answers -32602 when it has an id', async (_, params) => {
    const frame = (id?: number) => ({
      jsonrpc: '2.0',
      ...(id === undefined ? {} : { id }),
      method: 'rpc.cancel',
      ...(params === undefined ? {} : { params }),
    });
    expect(await peer.request(frame(9))).toEqual({
      jsonrpc: '2.0',
      id: 9,
      error: {
        code: -32602,
        message: 'Invalid params',
        data: expect.objectContaining({ code: 'INVALID_PARAMS' }),
      },
    });
    // As a notification there is no one to tell.
    peer.send(frame());
    await expectServing(peer);
  });

  it('rpc.cancel of an id that is not running answers false', async () => {
    expect(
      await peer.request({ jsonrpc: '2.0', id: 1, method: 'rpc.cancel', params: { id: 42 } }),
    ).toEqual({ jsonrpc: '2.0', id: 1, result: false });
  });

  it('a user procedure can never be reached as "rpc.x"', async () => {
    expect(await peer.request({ jsonrpc: '2.0', id: 1, method: 'rpc.x' })).toEqual(
      methodNotFound(1),
    );
    expect(xRuns).toBe(0);
    expect(await peer.request({ jsonrpc: '2.0', id: 2, method: 'x' })).toEqual({
      jsonrpc: '2.0',
      id: 2,
      result: 'x',
    });
    expect(xRuns).toBe(1);
    const x = v.procedure.mutation(() => 'x');
    // @ts-expect-error 'rpc' is refused at compile time too; this checks the run-time guard.
    expect(() => v.router({ rpc: { x } })).toThrow(/reserved/);
    const handMade = {
      kind: 'router',
      record: {},
      procedures: new Map<string, AnyProcedure>([['rpc.x', x as AnyProcedure]]),
    } as const;
    expect(() => createServer({ router: handMade })).toThrow(/reserved/);
  });
});

describe('ids in flight', () => {
  it('a duplicate in-flight id answers -32600 while the first still gets its result', async () => {
    peer.send({ jsonrpc: '2.0', id: 7, method: 'slow', params: ['first'] });
    await within(gate.entered.promise, 'the first call to start');
    expect(
      await peer.request({ jsonrpc: '2.0', id: 7, method: 'slow', params: ['second'] }),
    ).toEqual(invalidRequest(7, 'id'));
    expect(await peer.request({ jsonrpc: '2.0', id: 7, method: 'ping' })).toEqual(
      invalidRequest(7, 'id'),
    );
    // "7" is another id than 7.
    expect(await peer.request({ jsonrpc: '2.0', id: '7', method: 'ping' })).toEqual({
      jsonrpc: '2.0',
      id: '7',
      result: 'pong',
    });
    expect(slowRuns).toBe(1);
    gate.release.resolve();
    expect(await peer.next('the first call’s result')).toEqual({
      jsonrpc: '2.0',
      id: 7,
      result: 'first',
    });
    // Once answered, the id is free again.
    expect(await peer.request({ jsonrpc: '2.0', id: 7, method: 'ping' })).toEqual({
      jsonrpc: '2.0',
      id: 7,
      result: 'pong',
    });
    await expectServing(bystander);
  });

  it('the same id used by two connections is not a duplicate', async () => {
    peer.send({ jsonrpc: '2.0', id: 7, method: 'slow', params: ['first'] });
    await within(gate.entered.promise, 'the first call to start');
    expect(await bystander.request({ jsonrpc: '2.0', id: 7, method: 'ping' })).toEqual({
      jsonrpc: '2.0',
      id: 7,
      result: 'pong',
    });
    gate.release.resolve();
    expect(await peer.next()).toEqual({ jsonrpc: '2.0', id: 7, result: 'first' });
  });

  it('a duplicate id inside one batch answers -32600 for one of the two', async () => {
    const reply = peer.request([
      { jsonrpc: '2.0', id: 1, method: 'slow', params: ['a'] },
      { jsonrpc: '2.0', id: 1, method: 'slow', params: ['b'] },
    ]);
    await within(gate.entered.promise, 'the batched call to start');
    gate.release.resolve();
    // A batch may be processed in any order, so either call may be the duplicate.
    const responses = (await reply) as Array<{ result?: unknown }>;
    expect(responses).toHaveLength(2);
    expect(responses).toContainEqual(invalidRequest(1, 'id'));
    const results = responses.filter((response) => 'result' in response);
    expect(results).toEqual([{ jsonrpc: '2.0', id: 1, result: expect.stringMatching(/^[ab]$/) }]);
    expect(slowRuns).toBe(1);
  });
});

describe('prototype pollution', () => {
  const PROBE = {
    ctx: { role: 'guest', user: 'ada' },
    ctxKeys: ['role', 'user'],
    ctxPrototypeIsObject: true,
    ctxPolluted: null,
    inputPolluted: null,
    globalPolluted: null,
  };

  it.each([
    ['__proto__ by name', '{"__proto__":{"polluted":"yes"}}'],
    ['constructor.prototype by name', '{"constructor":{"prototype":{"polluted":"yes"}}}'],
    ['prototype by name', '{"prototype":{"polluted":"yes"}}'],
    ['__proto__ by position', '[{"__proto__":{"polluted":"yes"}}]'],
    ['nested __proto__', '{"a":{"__proto__":{"polluted":"yes"}},"__proto__":{"role":"admin"}}'],
    ['__proto__ on ctx keys', '{"__proto__":{"role":"admin","user":"mallory","polluted":"yes"}}'],
  ])('%s in params reaches neither Object.prototype nor the context', async (_, params) => {
    expect(
      await peer.request(`{"jsonrpc":"2.0","id":1,"method":"probe","params":${params}}`),
    ).toEqual({
      jsonrpc: '2.0',
      id: 1,
      result: PROBE,
    });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
    await expectServing(bystander);
  });

  it('__proto__ in the envelope and in a batch reaches neither', async () => {
    const envelope =
      '{"jsonrpc":"2.0","id":1,"method":"probe","__proto__":{"polluted":"yes","params":{"x":1}}}';
    expect(await peer.request(envelope)).toEqual({ jsonrpc: '2.0', id: 1, result: PROBE });
    const batch =
      '[{"jsonrpc":"2.0","id":2,"method":"probe","params":{"__proto__":{"polluted":"yes"}}}]';
    expect(await peer.request(batch)).toEqual([{ jsonrpc: '2.0', id: 2, result: PROBE }]);
    const cancel = '{"jsonrpc":"2.0","id":3,"method":"rpc.cancel","params":{"__proto__":{"id":1}}}';
    expect(await peer.request(cancel)).toMatchObject({ id: 3, error: { code: -32602 } });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('deep and huge payloads', () => {
  // With the depth limit lifted, so that what a deep frame does to the parser and the
  // encoder shows (the limit itself: limits-depth.test.ts).
  beforeEach(async () => {
    const harness = await start({ maxDepth: Infinity });
    peer = await harness.raw();
    bystander = await harness.raw();
  });

  const arrays = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;
  const objects = (levels: number) => `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;

  it.each([
    ['10,000 nested arrays', arrays, 10_000],
    ['10,000 nested objects', objects, 10_000],
    ['500,000 nested arrays (just under 1 MiB)', arrays, 500_000],
  ])('%s are parsed without crashing and the next call is answered', async (_, nest, levels) => {
    const frame = `{"jsonrpc":"2.0","id":1,"method":"depth","params":[${nest(levels)}]}`;
    expect(Buffer.byteLength(frame)).toBeLessThanOrEqual(DEFAULT_MAX_PAYLOAD);
    expect(await peer.request(frame)).toEqual({ jsonrpc: '2.0', id: 1, result: levels });
    await expectServing(peer);
    await expectServing(bystander);
  });

  it('echoing a 10,000-deep value answers (a result or -32603) and the server goes on', async () => {
    const levels = 10_000;
    const frame = `{"jsonrpc":"2.0","id":1,"method":"echo","params":[${arrays(levels)}]}`;
    const reply = await peer.request(frame);
    expect(isResponse(reply)).toBe(true);
    expect(reply).toMatchObject({ id: 1 });
    if ((reply as { error?: unknown }).error !== undefined) {
      expect(reply).toEqual({
        jsonrpc: '2.0',
        id: 1,
        error: { code: -32603, message: 'Internal error', data: { code: 'INTERNAL_ERROR' } },
      });
    } else {
      expect(depthOf((reply as { result: unknown }).result)).toBe(levels);
    }
    await expectServing(peer);
    await expectServing(bystander);
  });

  it('a string of nearly 1 MiB is served and the next call is answered', async () => {
    const frame = storeFrameOfSize(DEFAULT_MAX_PAYLOAD - 10, 1);
    expect(await peer.request(frame)).toEqual({
      jsonrpc: '2.0',
      id: 1,
      result: DEFAULT_MAX_PAYLOAD - 10 - storeOverhead(1),
    });
    expect(stored).toHaveLength(1);
    const echoed = 'é'.repeat(200_000);
    expect(await peer.request({ jsonrpc: '2.0', id: 2, method: 'echo', params: [echoed] })).toEqual(
      { jsonrpc: '2.0', id: 2, result: echoed },
    );
    await expectServing(peer);
    await expectServing(bystander);
  });
});
