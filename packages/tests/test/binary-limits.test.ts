// Every limit holds for MessagePack frames before they are decoded: maxDepth, maxValues,
// maxBatchLength and maxPayload, the id rules (and exact 64-bit ids), and what the codec
// refuses outright: truncated frames, length prefixes that claim more than the frame
// holds (4 GiB), extension types, `__proto__` keys. Each refusal is the documented
// error, the connection goes on, and another connection is served meanwhile.
import { initVolley } from '@volley/core';
import { msgpack } from '@volley/server/msgpack';
import { afterEach, expect, it } from 'vitest';
import { z } from 'zod';
import { type Harness, startHarness } from './helpers/harness.js';
import { type MsgpackPeer, openMsgpack, pack } from './helpers/msgpack-peer.js';

const v = initVolley();
let schemaCalls = 0;
const router = v.router({
  echo: v.procedure.input(z.unknown()).query(({ input }) => {
    schemaCalls += 1;
    return { echoed: input };
  }),
  ping: v.procedure.query(() => 'pong'),
});

let harness: Harness<typeof router> | undefined;
const peers: MsgpackPeer[] = [];
afterEach(async () => {
  await Promise.all(peers.splice(0).map((peer) => peer.close()));
  await harness?.close();
  harness = undefined;
  schemaCalls = 0;
});

const LIMITS = { maxDepth: 8, maxValues: 50, maxBatchLength: 4, maxPayload: 4_096 };

async function open(): Promise<MsgpackPeer> {
  harness ??= await startHarness({ router, codecs: [msgpack], ...LIMITS }, 'ws');
  const peer = await openMsgpack(harness.url);
  peers.push(peer);
  return peer;
}

/** The bytes of `{"jsonrpc":"2.0","id":<id>,"method":"echo","params":` then `params` raw. */
function request(id: number | bigint, params: Uint8Array): Uint8Array {
  const pairs = [
    ['jsonrpc', '2.0'],
    ['id', id],
    ['method', 'echo'],
  ].flatMap(([key, value]) => [...pack(key), ...pack(value)]);
  // fixmap 4: the three entries above, then "params" and its raw bytes
  return new Uint8Array([0x84, ...pairs, ...pack('params'), ...params]);
}

/** `depth` nested one-element arrays around 0. */
function nested(depth: number): Uint8Array {
  return new Uint8Array([...new Array(depth).fill(0x91), 0x00]);
}

const limitError = (id: number | null, limit: string, message: string) => ({
  jsonrpc: '2.0',
  id,
  error: { code: -32013, message, data: { code: 'PAYLOAD_TOO_LARGE', limit } },
});
const invalid = (id: number | null, message: string) => ({
  jsonrpc: '2.0',
  id,
  error: {
    code: -32600,
    message: 'Invalid Request',
    data: { code: 'INVALID_REQUEST', issues: [{ path: [], message }] },
  },
});
const PARSE_ERROR = {
  jsonrpc: '2.0',
  id: null,
  error: { code: -32700, message: 'Parse error', data: { code: 'PARSE_ERROR' } },
};

// [what, frame, answer]
const cases: Array<[string, Uint8Array, unknown]> = [
  [
    'nested deeper than maxDepth',
    request(1, nested(8)),
    limitError(1, 'maxDepth', 'Nested deeper than 8 levels'),
  ],
  [
    'more values than maxValues',
    request(2, pack(new Array(60).fill(0))),
    limitError(
      2,
      'maxValues',
      'More than 50 values (array elements and object members) in one message',
    ),
  ],
  [
    'a batch longer than maxBatchLength',
    pack(new Array(5).fill({ jsonrpc: '2.0', id: 1, method: 'ping' })),
    limitError(null, 'maxBatchLength', 'A batch of 5 messages is longer than 4'),
  ],
  [
    'a truncated frame',
    pack({ jsonrpc: '2.0', id: 3, method: 'ping' }).subarray(0, 20),
    PARSE_ERROR,
  ],
  [
    'bytes after the message',
    new Uint8Array([...pack({ jsonrpc: '2.0', id: 3, method: 'ping' }), 0]),
    PARSE_ERROR,
  ],
  ['the never-used byte 0xc1', request(4, Uint8Array.of(0xc1)), PARSE_ERROR],
  // A str32 that claims 4 GiB, in a frame of a few bytes: refused without allocating it.
  [
    'a str32 claiming 4 GiB',
    request(5, Uint8Array.of(0xdb, 0xff, 0xff, 0xff, 0xff, 0x61)),
    PARSE_ERROR,
  ],
  ['a bin32 claiming 4 GiB', request(6, Uint8Array.of(0xc6, 0xff, 0xff, 0xff, 0xff)), PARSE_ERROR],
  [
    'an array32 claiming 4 billion elements',
    request(7, Uint8Array.of(0xdd, 0xff, 0xff, 0xff, 0xff, 0)),
    PARSE_ERROR,
  ],
  [
    'a map32 claiming 4 billion entries',
    request(8, Uint8Array.of(0xdf, 0xff, 0xff, 0xff, 0xff)),
    PARSE_ERROR,
  ],
  [
    'an extension type (fixext 1, type 5)',
    request(9, Uint8Array.of(0xd4, 0x05, 0x00)),
    invalid(9, 'MessagePack extension types are not accepted (but for undefined and timestamps)'),
  ],
  [
    'an ext32 claiming 4 GiB',
    request(10, Uint8Array.of(0xc9, 0xff, 0xff, 0xff, 0xff, 0x01)),
    invalid(10, 'MessagePack extension types are not accepted (but for undefined and timestamps)'),
  ],
  [
    'msgpackr record extension (0xd4 0x72)',
    request(11, Uint8Array.of(0xd4, 0x72, 0x40)),
    invalid(11, 'MessagePack extension types are not accepted (but for undefined and timestamps)'),
  ],
  [
    'a __proto__ key',
    request(12, new Uint8Array([0x81, ...pack('__proto__'), ...pack({ polluted: true })])),
    invalid(12, 'MessagePack map keys must be strings, and not __proto__'),
  ],
  [
    'a map key that is not a string',
    request(13, Uint8Array.of(0x81, 0x01, 0x02)),
    invalid(13, 'MessagePack map keys must be strings, and not __proto__'),
  ],
];

it.each(cases)('refuses %s before decoding it, and goes on', async (_what, frame, answer) => {
  const peer = await open();
  const other = await open();
  expect(await peer.request(frame)).toEqual(answer);
  expect(schemaCalls).toBe(0);
  // The connection goes on, and so does another.
  expect(await peer.request({ jsonrpc: '2.0', id: 100, method: 'ping' })).toEqual({
    jsonrpc: '2.0',
    id: 100,
    result: 'pong',
  });
  expect(await other.request({ jsonrpc: '2.0', id: 101, method: 'ping' })).toEqual({
    jsonrpc: '2.0',
    id: 101,
    result: 'pong',
  });
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
});

it('serves a frame at each limit', async () => {
  const peer = await open();
  // 7 levels of arrays inside the message's map (depth 1): 8 in all. The input is the
  // only param, 6 levels deep.
  expect(await peer.request(request(1, nested(7)))).toMatchObject({
    id: 1,
    result: { echoed: [[[[[[0]]]]]] },
  });
  // The envelope's 4 entries and 46 elements: 50.
  expect(await peer.request(request(2, pack(new Array(46).fill(0))))).toMatchObject({ id: 2 });
  expect(
    await peer.request(new Array(4).fill({ jsonrpc: '2.0', id: 3, method: 'ping' })),
  ).toHaveLength(4);
  // undefined (fixext 1, type 0) and a timestamp are the two extensions accepted.
  expect(await peer.request(request(4, Uint8Array.of(0x91, 0xd4, 0x00, 0x00)))).toEqual({
    jsonrpc: '2.0',
    id: 4,
    // The input is the only param, undefined: left out of the result, as JSON would.
    result: {},
  });
  expect(
    await peer.request({ jsonrpc: '2.0', id: 5, method: 'echo', params: [new Date(5)] }),
  ).toEqual({
    jsonrpc: '2.0',
    id: 5,
    result: { echoed: new Date(5) },
  });
  // `constructor` is an ordinary key, as it is in JSON.
  expect(
    await peer.request({ jsonrpc: '2.0', id: 6, method: 'echo', params: { constructor: 1 } }),
  ).toEqual({
    jsonrpc: '2.0',
    id: 6,
    result: { echoed: { constructor: 1 } },
  });
});

it('closes a connection that sends more than maxPayload with 1009, and serves others', async () => {
  const peer = await open();
  const other = await open();
  peer.send(request(1, pack(new Uint8Array(LIMITS.maxPayload))));
  expect((await peer.closed).code).toBe(1009);
  expect(await other.request({ jsonrpc: '2.0', id: 2, method: 'ping' })).toMatchObject({
    result: 'pong',
  });
});

it('keeps the id rules: string, number or null; anything else is -32600 with id null', async () => {
  const peer = await open();
  expect(await peer.request({ jsonrpc: '2.0', id: 'a', method: 'ping' })).toMatchObject({
    id: 'a',
    result: 'pong',
  });
  expect(await peer.request({ jsonrpc: '2.0', id: null, method: 'ping' })).toMatchObject({
    id: null,
    result: 'pong',
  });
  expect(await peer.request({ jsonrpc: '2.0', id: 1.5, method: 'ping' })).toMatchObject({
    id: 1.5,
    result: 'pong',
  });
  for (const id of [Uint8Array.of(1), [1], { a: 1 }, true]) {
    expect(await peer.request({ jsonrpc: '2.0', id, method: 'ping' })).toMatchObject({
      id: null,
      error: { code: -32600 },
    });
  }
});

it('echoes a 64-bit integer id exactly, past what a double holds', async () => {
  const peer = await open();
  // uint64 18446744073709551615 and int64 -9007199254740993: a double holds neither.
  for (const id of [18_446_744_073_709_551_615n, -9_007_199_254_740_993n]) {
    const frame = pack({ jsonrpc: '2.0', id, method: 'ping' });
    const answer = (await peer.request(frame)) as { id: unknown; result: unknown };
    expect(answer.result).toBe('pong');
    expect(answer.id).toBe(id);
  }
  // Refused before decoding too: the id is read from the bytes.
  const frame = request(18_446_744_073_709_551_615n, nested(9));
  expect(await peer.request(frame)).toMatchObject({
    id: 18_446_744_073_709_551_615n,
    error: { code: -32013 },
  });
});
