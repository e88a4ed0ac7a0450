// Frames for the fuzz suite (fuzz.test.ts): valid envelopes with wrong types, batches,
// truncated and mutated JSON, deep nesting, huge strings, odd unicode and plain noise.
import fc from 'fast-check';

/**
 * The limits the fuzzed server runs with; small, so that frames cross them cheaply (one
 * issue per -32602, so that "… and N more issues" comes often).
 */
export const FUZZ_LIMITS = {
  maxPayload: 64 * 1024,
  maxDepth: 64,
  maxBatchLength: 20,
  maxIssues: 1,
};

/** Lone surrogates, the BOM, line separators, NUL, combining marks, emoji, RTL. */
const oddChar = fc.oneof(
  fc.integer({ min: 0xd800, max: 0xdfff }).map((code) => String.fromCharCode(code)),
  fc.constantFrom('\uFEFF', '\u2028', '\u2029', '\u0000', '\u0301', '😀', '𝄞', '\u202E', '\uFFFF'),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
);
const oddString = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.array(oddChar, { maxLength: 8 }).map((chars) => chars.join('')),
  fc.string({ unit: 'binary', maxLength: 16 }),
  fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty'),
);

/** A string of roughly `bytes` UTF-8 bytes, of one repeated character (multi-byte ones too). */
const hugeString = fc
  .tuple(
    fc.constantFrom('a', 'é', '€', '𝄞', '"', '\\'),
    fc.oneof(
      fc.integer({ min: 1_000, max: 30_000 }),
      fc.integer({ min: FUZZ_LIMITS.maxPayload - 200, max: FUZZ_LIMITS.maxPayload + 200 }),
      fc.integer({ min: FUZZ_LIMITS.maxPayload, max: 4 * FUZZ_LIMITS.maxPayload }),
    ),
  )
  .map(([char, bytes]) => char.repeat(Math.max(1, Math.floor(bytes / Buffer.byteLength(char)))));

const ids = fc.oneof(
  { arbitrary: fc.integer({ min: -5, max: 40 }), weight: 6 },
  { arbitrary: fc.constantFrom('a', 'b', '', '0', 'sentinel'), weight: 3 },
  { arbitrary: fc.constant(null), weight: 2 },
  fc.double(),
  fc.constantFrom(1e308, -0, 2 ** 53 + 1, 0.1, 1e-7),
  fc.boolean(),
  fc.array(fc.integer(), { maxLength: 2 }),
  fc.dictionary(oddString, fc.integer(), { maxKeys: 2 }),
  oddString,
  fc.integer({ min: 200, max: 5_000 }).map((length) => 'i'.repeat(length)),
);

const methods = fc.oneof(
  {
    arbitrary: fc.constantFrom(
      'add',
      'list',
      'strict',
      'echo',
      'greet',
      'none',
      'ticks',
      'fail',
      'rpc.ping',
      'rpc.cancel',
      'rpc.init',
      'rpc.auth',
      'rpc.resume',
      'rpc.discover',
      'rpc.event',
      'rpc.nope',
      'rpc.',
      'add.x',
    ),
    weight: 10,
  },
  oddString,
  fc.integer(),
  fc.constant(null),
  fc.constant(['add']),
);

const params = fc.oneof(
  { arbitrary: fc.constant(undefined), weight: 3 },
  { arbitrary: fc.record({ a: fc.integer(), b: fc.integer() }), weight: 3 },
  fc.record({ a: fc.oneof(fc.integer(), oddString), b: fc.jsonValue({ maxDepth: 2 }) }),
  fc.tuple(fc.integer({ min: -1, max: 4 })),
  fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 3 }),
  fc.record({ id: ids }),
  fc.record({ connectionParams: fc.oneof(fc.record({ token: oddString }), fc.jsonValue()) }),
  fc.record({ method: methods, params: fc.jsonValue({ maxDepth: 2 }), lastEventId: oddString }),
  fc.dictionary(oddString, fc.jsonValue({ maxDepth: 3 }), { maxKeys: 4 }),
  fc.jsonValue({ maxDepth: 3 }),
  oddString,
);

/** A request-like object: each member present or not, of the right type or not. */
const envelope = fc
  .record(
    {
      jsonrpc: fc.oneof(
        { arbitrary: fc.constant('2.0'), weight: 8 },
        fc.constantFrom('1.0', '2', 2, 2.0, null),
        oddString,
      ),
      id: ids,
      method: methods,
      params,
      extra: fc.jsonValue({ maxDepth: 2 }),
    },
    { requiredKeys: [] },
  )
  .map((fields) => {
    const { extra, ...rest } = fields;
    return extra === undefined ? rest : { ...rest, [`x-${typeof extra}`]: extra };
  });

const envelopeText = envelope.map((value) => JSON.stringify(value));

/** Splices `insert` into `text` in place of `remove` characters at a position from `at`. */
function splice(text: string, at: number, remove: number, insert: string): string {
  const index = Math.floor(at * (text.length + 1));
  return text.slice(0, index) + insert + text.slice(index + remove);
}

const mutated = fc
  .tuple(
    fc.oneof(
      envelopeText,
      fc.array(envelope, { maxLength: 4 }).map((v) => JSON.stringify(v)),
    ),
    fc.double({ min: 0, max: 1, noNaN: true }),
    fc.oneof(
      fc.constant({ kind: 'truncate' as const, text: '' }),
      fc
        .oneof(oddChar, fc.constantFrom('{', '}', '[', ']', '"', ',', ':', '\\', ' ', '0', 'e'))
        .map((text) => ({ kind: 'insert' as const, text })),
      fc.constantFrom('{', '"', ']', '\\u12').map((text) => ({ kind: 'replace' as const, text })),
      fc.constant({ kind: 'delete' as const, text: '' }),
    ),
  )
  .map(([text, at, mutation]) => {
    switch (mutation.kind) {
      case 'truncate':
        return text.slice(0, Math.floor(at * text.length));
      case 'insert':
        return splice(text, at, 0, mutation.text);
      case 'replace':
        return splice(text, at, 1, mutation.text);
      default:
        return splice(text, at, 1, '');
    }
  });

const nest = (open: string, close: string, levels: number, inner = '1') =>
  open.repeat(levels) + inner + close.repeat(levels);

const deep = fc
  .tuple(
    fc.oneof(
      fc.integer({ min: FUZZ_LIMITS.maxDepth - 4, max: FUZZ_LIMITS.maxDepth + 2 }),
      fc.integer({ min: 100, max: 30_000 }),
    ),
    fc.constantFrom('arrays', 'objects', 'bare', 'batch', 'idLast'),
    fc.integer({ min: 1, max: 9 }),
  )
  .map(([levels, shape, id]) => {
    const arrays = nest('[', ']', levels);
    switch (shape) {
      case 'arrays':
        return `{"jsonrpc":"2.0","id":${id},"method":"echo","params":[${arrays}]}`;
      case 'objects':
        return `{"jsonrpc":"2.0","id":${id},"method":"echo","params":${nest('{"a":', '}', levels)}}`;
      case 'bare':
        return arrays;
      case 'batch':
        return `[{"jsonrpc":"2.0","id":${id},"method":"add","params":[${arrays}]}]`;
      default:
        return `{"jsonrpc":"2.0","method":"echo","params":[${arrays}],"id":${id}}`;
    }
  });

const huge = fc
  .tuple(
    hugeString,
    fc.constantFrom('param', 'method', 'id', 'key', 'bare'),
    fc.integer({ min: 1, max: 9 }),
  )
  .map(([text, where, id]) => {
    switch (where) {
      case 'param':
        return JSON.stringify({ jsonrpc: '2.0', id, method: 'echo', params: [text] });
      case 'method':
        return JSON.stringify({ jsonrpc: '2.0', id, method: text });
      case 'id':
        return JSON.stringify({ jsonrpc: '2.0', id: text, method: 'none' });
      case 'key':
        return JSON.stringify({ jsonrpc: '2.0', id, method: 'echo', params: { [text]: 1 } });
      default:
        return text;
    }
  });

const noise = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 64 }),
  fc.array(oddChar, { maxLength: 16 }).map((chars) => chars.join('')),
  fc.constantFrom(
    '',
    ' ',
    'null',
    'true',
    '0',
    '"x"',
    '{}',
    '[]',
    '[[]]',
    '[{}]',
    '\uFEFF{}',
    'NaN',
  ),
  fc.jsonValue().map((value) => JSON.stringify(value)),
);

const batch = fc
  .array(fc.oneof({ arbitrary: envelope, weight: 5 }, fc.jsonValue({ maxDepth: 2 })), {
    maxLength: FUZZ_LIMITS.maxBatchLength + 5,
  })
  .map((items) => JSON.stringify(items));

/** Whitespace around a frame, which JSON allows. */
const padded = fc
  .tuple(envelopeText, fc.constantFrom(' ', '\n', '\t', '\r\n  '))
  .map(([text, space]) => `${space}${text}${space}`);

/** Any frame the fuzz suite sends. */
export const frames: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: envelopeText, weight: 30 },
  { arbitrary: batch, weight: 12 },
  { arbitrary: mutated, weight: 18 },
  { arbitrary: noise, weight: 12 },
  { arbitrary: deep, weight: 8 },
  { arbitrary: huge, weight: 4 },
  { arbitrary: padded, weight: 4 },
);
