// scanMsgpack from bytes alone: every verdict, at and past each limit, and lengths that
// claim more than the frame holds (refused by comparison, nothing allocated).
import { Packr } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import {
  MSGPACK_VERDICT,
  msgpackRawIds,
  readMsgpackId,
  scanMsgpack,
} from '../src/protocol/msgpack-scan.js';

const packr = new Packr({ useRecords: false });
const pack = (value: unknown) => packr.pack(value);
const LIMITS = { maxDepth: 4, maxValues: 10, maxBatchLength: 3 };
const bytes = (...values: number[]) => Uint8Array.from(values);
const { OK, TOO_DEEP, TOO_MANY_VALUES, BATCH_TOO_LONG, MALFORMED, EXTENSION, BAD_KEY } =
  MSGPACK_VERDICT;

describe('scanMsgpack', () => {
  it.each([
    ['a message', pack({ jsonrpc: '2.0', id: 1, method: 'a' }), OK, 1],
    ['a batch of 3', pack([{ id: 1 }, { id: 2 }, { id: 3 }]), OK, 3],
    ['an empty batch', bytes(0x90), OK, 0],
    ['a batch of 4', pack([1, 2, 3, 4]), BATCH_TOO_LONG, 4],
    ['depth 4', pack({ a: [[[1]]] }), OK, 1],
    ['depth 5', pack({ a: [[[[1]]]] }), TOO_DEEP, 1],
    ['a batch counts as a level', pack([{ a: [[1]] }]), OK, 1],
    ['a batch counts as a level, past it', pack([{ a: [[[1]]] }]), TOO_DEEP, 1],
    ['10 values', pack({ a: [1, 2, 3, 4, 5, 6, 7, 8, 9] }), OK, 1],
    ['11 values', pack({ a: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] }), TOO_MANY_VALUES, 1],
    [
      'each batch member its own budget',
      pack([{ a: [1, 2, 3, 4, 5, 6, 7, 8] }, { a: [1, 2, 3, 4, 5, 6, 7, 8] }]),
      OK,
      2,
    ],
    ['truncated', pack({ jsonrpc: '2.0' }).subarray(0, 5), MALFORMED, 1],
    ['trailing bytes', bytes(0x80, 0x00), MALFORMED, 1],
    ['0xc1', bytes(0x91, 0xc1), MALFORMED, 1],
    ['str32 of 4 GiB', bytes(0x91, 0xdb, 0xff, 0xff, 0xff, 0xff, 0x61), MALFORMED, 1],
    ['bin32 of 4 GiB', bytes(0x91, 0xc6, 0xff, 0xff, 0xff, 0xff), MALFORMED, 1],
    ['array32 of 4 billion', bytes(0x91, 0xdd, 0xff, 0xff, 0xff, 0xff, 0x00), MALFORMED, 1],
    ['map32 of 4 billion', bytes(0xdf, 0xff, 0xff, 0xff, 0xff), MALFORMED, 1],
    ['a batch32 of 4 billion', bytes(0xdd, 0xff, 0xff, 0xff, 0xff, 0x80), MALFORMED, 4294967295],
    ['a length cut in half', bytes(0x91, 0xda, 0x01), MALFORMED, 1],
    ['fixext 1 type 0 (undefined)', bytes(0x91, 0xd4, 0x00, 0x00), OK, 1],
    ['fixext 1 of another type', bytes(0x91, 0xd4, 0x72, 0x00), EXTENSION, 1],
    ['a 32-bit timestamp', bytes(0x91, 0xd6, 0xff, 0, 0, 0, 0), OK, 1],
    ['a 64-bit timestamp', bytes(0x91, 0xd7, 0xff, 0, 0, 0, 0, 0, 0, 0, 0), OK, 1],
    ['a 96-bit timestamp', bytes(0x91, 0xc7, 12, 0xff, ...new Array(12).fill(0)), OK, 1],
    ['ext 8 of another type', bytes(0x91, 0xc7, 1, 0x05, 0), EXTENSION, 1],
    ['ext 32', bytes(0x91, 0xc9, 0xff, 0xff, 0xff, 0xff, 0x01), EXTENSION, 1],
    ['fixext 16', bytes(0x91, 0xd8, 0x01, ...new Array(16).fill(0)), EXTENSION, 1],
    ['a number as a map key', bytes(0x81, 0x01, 0x02), BAD_KEY, 1],
    ['__proto__ as a key', bytes(0x81, ...pack('__proto__'), 0x80), BAD_KEY, 1],
    ['constructor as a key', bytes(0x81, ...pack('constructor'), 0x01), OK, 1],
  ])('%s', (_what, frame, verdict, count) => {
    expect(scanMsgpack(frame, LIMITS)).toMatchObject({ verdict, count });
  });

  it('notes where a single message id is, and reads it', () => {
    const frame = pack({ jsonrpc: '2.0', id: 'abc', method: 'x', params: [[[[[1]]]]] });
    const scan = scanMsgpack(frame, LIMITS);
    expect(scan.verdict).toBe(TOO_DEEP);
    expect(readMsgpackId(frame, scan.idAt)).toEqual({ id: 'abc' });
    expect(scanMsgpack(pack([{ id: 1 }]), LIMITS).idAt).toBe(-1);
  });

  it('gives the exact text of 64-bit ids, by position', () => {
    const frame = pack([{ id: 2n ** 64n - 1n }, { id: 5 }, { id: -(2n ** 53n) - 1n }]);
    expect(msgpackRawIds(frame)).toEqual(['18446744073709551615', undefined, '-9007199254740993']);
    expect(readMsgpackId(pack(2n ** 63n + 1n), 0)).toEqual({
      id: Number(2n ** 63n + 1n),
      raw: '9223372036854775809',
    });
    expect(readMsgpackId(bytes(0xcf, 0x00), 0)).toBeUndefined();
    expect(readMsgpackId(bytes(0xc3), 0)).toBeUndefined();
  });
});
