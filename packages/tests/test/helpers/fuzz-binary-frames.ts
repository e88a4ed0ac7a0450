// Hostile MessagePack frames for the fuzzer: random bytes, valid messages (with bytes in
// them), and valid messages broken the ways a decoder is attacked: truncated, with bytes
// flipped, with length prefixes that claim 4 GiB (str32, bin32, array32, map32, ext32),
// nested past maxDepth, with extension types, with prototype keys.
import fc from 'fast-check';
import { pack } from './msgpack-peer.js';

const METHODS = ['add', 'list', 'strict', 'echo', 'greet', 'none', 'fail', 'nope', 'rpc.ping'];

const id = fc.oneof(
  fc.integer(),
  fc.string({ maxLength: 8 }),
  fc.constant(null),
  fc.constant(2n ** 64n - 1n),
  fc.constant(-(2n ** 53n) - 1n),
);

/** A JSON-like value with byte strings and prototype keys among its members. */
const value = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.integer(),
    fc.double({ noNaN: false }),
    fc.string({ maxLength: 20 }),
    fc.boolean(),
    fc.constant(null),
    fc.uint8Array({ maxLength: 64 }),
    fc.array(tie('value'), { maxLength: 5 }),
    fc.dictionary(
      fc.oneof(
        fc.string({ maxLength: 8 }),
        fc.constantFrom('constructor', 'prototype', 'toString'),
      ),
      tie('value'),
      { maxKeys: 5 },
    ),
  ),
})).value;

const message = fc.record(
  {
    jsonrpc: fc.oneof(fc.constant('2.0'), fc.constant('1.0')),
    id,
    method: fc.constantFrom(...METHODS),
    params: fc.oneof(
      fc.record({ a: fc.integer(), b: fc.integer() }),
      fc.array(value, { maxLength: 4 }),
      value,
    ),
  },
  { requiredKeys: ['jsonrpc', 'method'] },
);

const valid = fc.oneof(
  message.map((m) => pack(m)),
  fc.array(message, { minLength: 0, maxLength: 25 }).map((batch) => pack(batch)),
);

/** Prefixes that claim far more than any frame holds. */
const HUGE = [
  [0xdb, 0xff, 0xff, 0xff, 0xff], // str32, 4 GiB
  [0xc6, 0xff, 0xff, 0xff, 0xff], // bin32
  [0xdd, 0xff, 0xff, 0xff, 0xff], // array32
  [0xdf, 0xff, 0xff, 0xff, 0xff], // map32
  [0xc9, 0xff, 0xff, 0xff, 0xff, 0x01], // ext32
  [0xda, 0xff, 0xff], // str16
  [0xdc, 0xff, 0xff], // array16
];

const EXTENSIONS = [
  [0xd4, 0x72, 0x40], // msgpackr's record definition
  [0xd4, 0x01, 0x00],
  [0xd5, 0x02, 0x00, 0x00],
  [0xd6, 0xff, 0xff, 0xff, 0xff, 0xff], // a timestamp (accepted)
  [0xd7, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], // a timestamp, invalid nanoseconds
  [0xd8, 0x05, ...new Array(16).fill(0)],
  [0xc7, 0x03, 0x70, 0x01, 0x02, 0x03], // ext8, type 'p'
  [0xc7, 0x0c, 0xff, ...new Array(12).fill(0xff)], // a 96-bit timestamp
  [0xd4, 0x00, 0x00], // undefined (accepted)
];

const PROTO_KEYS = ['__proto__', 'constructor', 'prototype'].map((key) => [
  0x81,
  ...pack(key),
  ...pack({ polluted: true }),
]);

/** A message whose params are `raw` bytes, whatever they are. */
function withParams(raw: number[], messageId: number): Uint8Array {
  const pairs = [
    ['jsonrpc', '2.0'],
    ['id', messageId],
    ['method', 'echo'],
  ].flatMap(([key, item]) => [...pack(key), ...pack(item)]);
  return new Uint8Array([0x84, ...pairs, ...pack('params'), ...raw]);
}

const broken = fc.oneof(
  // truncated anywhere
  fc.tuple(valid, fc.nat()).map(([frame, at]) => frame.subarray(0, at % Math.max(1, frame.length))),
  // bytes flipped
  fc
    .tuple(
      valid,
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), {
        minLength: 1,
        maxLength: 4,
      }),
    )
    .map(([frame, flips]) => {
      const copy = Uint8Array.from(frame);
      for (const [at, byte] of flips) copy[at % copy.length] = byte;
      return copy;
    }),
  // a huge length prefix as the params, with a few bytes after it
  fc
    .tuple(
      fc.constantFrom(...HUGE),
      fc.uint8Array({ maxLength: 8 }),
      fc.integer({ min: 1, max: 1e6 }),
    )
    .map(([prefix, tail, messageId]) => withParams([...prefix, ...tail], messageId)),
  // nested arrays or maps, around maxDepth
  fc
    .tuple(
      fc.integer({ min: 1, max: 200 }),
      fc.constantFrom(0x91, 0x81),
      fc.integer({ min: 1, max: 1e6 }),
    )
    .map(([depth, open, messageId]) =>
      withParams(
        open === 0x91
          ? [...new Array(depth).fill(0x91), 0x00]
          : [...new Array(depth).fill(0).flatMap(() => [0x81, 0xa1, 0x61]), 0x00],
        messageId,
      ),
    ),
  // extension types
  fc
    .tuple(fc.constantFrom(...EXTENSIONS), fc.integer({ min: 1, max: 1e6 }))
    .map(([ext, messageId]) => withParams([0x91, ...ext], messageId)),
  // prototype keys, in params and as the message's own keys
  fc
    .tuple(fc.constantFrom(...PROTO_KEYS), fc.integer({ min: 1, max: 1e6 }))
    .map(([map, messageId]) => withParams(map, messageId)),
  fc.constant(new Uint8Array([0x81, ...pack('__proto__'), ...pack({ jsonrpc: '2.0' })])),
);

/** One hostile frame. */
export const binaryFrames: fc.Arbitrary<Uint8Array> = fc.oneof(
  { arbitrary: fc.uint8Array({ maxLength: 64 }), weight: 2 },
  { arbitrary: valid, weight: 3 },
  { arbitrary: broken, weight: 5 },
);
