// The server's wire module is pure, so it is tested from strings and values alone.
import { type ErrorObject, isResponse } from '@volley/core';
import { describe, expect, it } from 'vitest';
import { rawIds } from '../src/frame-scan.js';
import {
  decodeFrame,
  ExactId,
  encodeAck,
  encodeBatch,
  encodeComplete,
  encodeError,
  encodeEvent,
  encodeResult,
  encodeSubscriptionError,
  idOf,
  PARSE_FAILED,
} from '../src/wire.js';

const notFound: ErrorObject = {
  code: -32004,
  message: 'No such room',
  data: { code: 'NOT_FOUND', details: { room: 'r1' } },
};

/** Parses encoder output; a test fails here if the text is not valid JSON. */
function parsed(text: string): unknown {
  return JSON.parse(text);
}

describe('decodeFrame', () => {
  it.each([
    ['an object', '{"jsonrpc":"2.0","id":1,"method":"a"}', { jsonrpc: '2.0', id: 1, method: 'a' }],
    ['a batch', '[{"a":1},2]', [{ a: 1 }, 2]],
    ['an empty array', '[]', []],
    ['a string', '"x"', 'x'],
    ['a number', '42', 42],
    ['null', 'null', null],
    ['true', 'true', true],
    ['surrounding whitespace', ' \n\t{"a":1} \r\n', { a: 1 }],
    ['unicode escapes', '"\\u00e9\\ud83d\\ude00"', 'é😀'],
    ['an overflowing number', '1e999', Number.POSITIVE_INFINITY],
    ['negative zero', '-0', -0],
  ])('parses %s', (_label, text, expected) => {
    expect(decodeFrame(text)).toStrictEqual(expected);
  });

  it('keeps a "__proto__" key as an own member, as JSON.parse does', () => {
    const value = decodeFrame('{"__proto__":{"polluted":true}}') as Record<string, unknown>;
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.hasOwn(value, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it.each([
    ['plain text', 'Hello Server!'],
    ['an empty frame', ''],
    ['only whitespace', '   '],
    ['an unterminated object', '{"jsonrpc":"2.0"'],
    ['single quotes', "{'a':1}"],
    ['a trailing comma', '[1,]'],
    ['trailing garbage', '{"a":1}x'],
    ['two values', '{} {}'],
    ['undefined', 'undefined'],
    ['NaN', 'NaN'],
    ['a comment', '{"a":1 /* no */}'],
  ])('returns PARSE_FAILED for %s, without throwing', (_label, text) => {
    expect(decodeFrame(text)).toBe(PARSE_FAILED);
  });
});

describe('encoders', () => {
  it.each([
    [
      'a result',
      () => encodeResult(1, { ok: true }),
      { jsonrpc: '2.0', id: 1, result: { ok: true } },
    ],
    [
      'an undefined result',
      () => encodeResult(1, undefined),
      { jsonrpc: '2.0', id: 1, result: null },
    ],
    ['a null result', () => encodeResult('x', null), { jsonrpc: '2.0', id: 'x', result: null }],
    ['a falsy result', () => encodeResult(2, 0), { jsonrpc: '2.0', id: 2, result: 0 }],
    ['a false result', () => encodeResult(2, false), { jsonrpc: '2.0', id: 2, result: false }],
    [
      'a string result',
      () => encodeResult(2, '"quoted"'),
      { jsonrpc: '2.0', id: 2, result: '"quoted"' },
    ],
    [
      'a Date result',
      () => encodeResult(2, new Date(0)),
      { jsonrpc: '2.0', id: 2, result: '1970-01-01T00:00:00.000Z' },
    ],
    ['a function result', () => encodeResult(2, () => 1), { jsonrpc: '2.0', id: 2, result: null }],
    ['a result for id null', () => encodeResult(null, 1), { jsonrpc: '2.0', id: null, result: 1 }],
    ['an error', () => encodeError(7, notFound), { jsonrpc: '2.0', id: 7, error: notFound }],
    [
      'an error without data',
      () => encodeError(null, { code: -32700, message: 'Parse error' }),
      { jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error' } },
    ],
    [
      'an event',
      () => encodeEvent(3, { text: 'hi' }),
      { jsonrpc: '2.0', method: 'rpc.event', params: { subscription: 3, data: { text: 'hi' } } },
    ],
    [
      'an event with an id',
      () => encodeEvent('s', [1], 'e-1'),
      {
        jsonrpc: '2.0',
        method: 'rpc.event',
        params: { subscription: 's', eventId: 'e-1', data: [1] },
      },
    ],
    [
      'an event with undefined data',
      () => encodeEvent(3, undefined),
      { jsonrpc: '2.0', method: 'rpc.event', params: { subscription: 3, data: null } },
    ],
    [
      'an event with an empty event id',
      () => encodeEvent(3, 1, ''),
      { jsonrpc: '2.0', method: 'rpc.event', params: { subscription: 3, eventId: '', data: 1 } },
    ],
    [
      'a complete',
      () => encodeComplete(3),
      { jsonrpc: '2.0', method: 'rpc.complete', params: { subscription: 3 } },
    ],
    [
      'a complete for a string id',
      () => encodeComplete('s'),
      { jsonrpc: '2.0', method: 'rpc.complete', params: { subscription: 's' } },
    ],
    [
      'a subscription error',
      () => encodeSubscriptionError(3, notFound),
      { jsonrpc: '2.0', method: 'rpc.error', params: { subscription: 3, error: notFound } },
    ],
    ['an empty batch', () => encodeBatch([]), []],
    [
      'a batch',
      () => encodeBatch([encodeResult(1, 'a'), encodeError(2, notFound), encodeComplete(3)]),
      [
        { jsonrpc: '2.0', id: 1, result: 'a' },
        { jsonrpc: '2.0', id: 2, error: notFound },
        { jsonrpc: '2.0', method: 'rpc.complete', params: { subscription: 3 } },
      ],
    ],
  ] as Array<[string, () => string, unknown]>)('encode %s', (_label, encode, expected) => {
    expect(parsed(encode())).toStrictEqual(expected);
  });

  it.each([
    ['a result', encodeResult(1, { a: 1 })],
    ['an undefined result', encodeResult('x', undefined)],
    ['an error', encodeError(null, notFound)],
  ])('encodes %s that isResponse accepts', (_label, text) => {
    expect(isResponse(parsed(text))).toBe(true);
  });

  it.each([
    ['a BigInt', () => encodeResult(1, 1n)],
    [
      'a cycle',
      () => {
        const cycle: Record<string, unknown> = {};
        cycle.self = cycle;
        return encodeEvent(1, cycle);
      },
    ],
  ])('throws what JSON.stringify throws for %s', (_label, encode) => {
    expect(encode).toThrow(TypeError);
  });
});

describe('idOf', () => {
  it.each([
    ['a numeric id', { id: 1 }, 1],
    ['id 0', { id: 0 }, 0],
    ['a fractional id', { id: 1.5 }, 1.5],
    ['a string id', { id: 'a' }, 'a'],
    ['an empty string id', { id: '' }, ''],
    ['the id of an invalid request', { jsonrpc: '1.0', id: 9, params: 5 }, 9],
    ['id null', { id: null }, null],
    ['a missing id', { method: 'a' }, null],
    ['a boolean id', { id: true }, null],
    ['an object id', { id: { id: 1 } }, null],
    ['an array id', { id: [1] }, null],
    ['an infinite id', { id: Number.POSITIVE_INFINITY }, null],
    ['a NaN id', { id: Number.NaN }, null],
    ['a batch', [{ id: 1 }], null],
    ['null', null, null],
    ['a string', 'id', null],
    ['a number', 1, null],
  ])('gives %s as %j', (_label, value, expected) => {
    expect(idOf(value)).toBe(expected);
  });
});

describe('exact ids', () => {
  it('echoes an integer id past 2^53 as the digits it was sent with', () => {
    const id = new ExactId('9007199254740993', 2 ** 53);
    expect(encodeResult(id, 1)).toBe('{"jsonrpc":"2.0","id":9007199254740993,"result":1}');
    expect(encodeError(id, notFound)).toContain('"id":9007199254740993,');
    expect(encodeAck(id, 'e.1', true)).toBe(
      '{"jsonrpc":"2.0","id":9007199254740993,"result":{"subscription":9007199254740993,"lastEventId":"e.1","recovered":true}}',
    );
    expect(encodeEvent(id, 'x')).toContain('"subscription":9007199254740993,');
    expect(encodeComplete(id)).toContain('"subscription":9007199254740993}');
  });

  it.each([
    ['a message', '{"jsonrpc":"2.0","id":9007199254740993,"method":"a"}', ['9007199254740993']],
    [
      'an id after nested members',
      '{"params":{"id":1,"x":[{"id":2}]},"id": 1e400 ,"method":"a"}',
      ['1e400'],
    ],
    ['a string id', '{"id":"9007199254740993"}', []],
    ['a key that only ends in id', '{"uid":12345678901234567890}', []],
    [
      'a batch',
      '[{"id":1},{"method":"n"},{"x":"\\"id\\":3","id":-12345678901234567890}]',
      ['1', undefined, '-12345678901234567890'],
    ],
  ])('reads the id text of %s', (_label, text, expected) => {
    expect(rawIds(text)).toEqual(expected);
  });
});

describe('encodeAck', () => {
  it.each([
    [encodeAck(2), { jsonrpc: '2.0', id: 2, result: { subscription: 2 } }],
    [
      encodeAck('s', 'e.4'),
      { jsonrpc: '2.0', id: 's', result: { subscription: 's', lastEventId: 'e.4' } },
    ],
    [
      encodeAck(3, 'e.1', false),
      { jsonrpc: '2.0', id: 3, result: { subscription: 3, lastEventId: 'e.1', recovered: false } },
    ],
  ])('encodes %s', (text, expected) => {
    expect(parsed(text)).toStrictEqual(expected);
  });
});
