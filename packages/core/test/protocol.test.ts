// The protocol module is pure, so it is tested from strings and values alone.

import {
  checkRequest,
  encodeRequest,
  inputFromParams,
  isRequest,
  isResponse,
  paramsFromInput,
} from '@volley/core';
import { describe, expect, it } from 'vitest';

/** Parses encoder output; a test fails here if the text is not valid JSON. */
function parsed(text: string): unknown {
  return JSON.parse(text);
}

describe('encodeRequest', () => {
  it.each([
    [
      'a request',
      () => encodeRequest(1, 'chat.send', ['hi']),
      { jsonrpc: '2.0', id: 1, method: 'chat.send', params: ['hi'] },
    ],
    [
      'a request without params',
      () => encodeRequest('a', 'ping'),
      { jsonrpc: '2.0', id: 'a', method: 'ping' },
    ],
    [
      'a request with id 0',
      () => encodeRequest(0, 'ping'),
      { jsonrpc: '2.0', id: 0, method: 'ping' },
    ],
    [
      'a request with id null',
      () => encodeRequest(null, 'ping'),
      { jsonrpc: '2.0', id: null, method: 'ping' },
    ],
    [
      'a request with named params',
      () => encodeRequest(2, 'a', { x: [1, { y: null }] }),
      { jsonrpc: '2.0', id: 2, method: 'a', params: { x: [1, { y: null }] } },
    ],
    [
      'a request with empty params',
      () => encodeRequest(3, 'a', []),
      { jsonrpc: '2.0', id: 3, method: 'a', params: [] },
    ],
    [
      'a notification',
      () => encodeRequest(undefined, 'rpc.cancel', { id: 3 }),
      { jsonrpc: '2.0', method: 'rpc.cancel', params: { id: 3 } },
    ],
    [
      'a method that needs escaping',
      () => encodeRequest(1, 'we"ird\\\n\u2028'),
      { jsonrpc: '2.0', id: 1, method: 'we"ird\\\n\u2028' },
    ],
  ] as Array<[string, () => string, unknown]>)('encode %s', (_label, encode, expected) => {
    expect(parsed(encode())).toStrictEqual(expected);
  });

  it.each([
    ['a request', encodeRequest(1, 'a', [1])],
    ['a notification', encodeRequest(undefined, 'a')],
    ['a request with named params', encodeRequest('x', 'a', { b: 1 })],
  ])('encodes %s that checkRequest accepts', (_label, text) => {
    expect(checkRequest(parsed(text))).toBeUndefined();
  });

  it.each([
    ['a request', encodeRequest(1, 'a', [1])],
    ['a notification', encodeRequest(undefined, 'a')],
    ['a request with named params', encodeRequest('x', 'a', { b: 1 })],
  ])('encodes %s that checkRequest accepts', (_label, text) => {
    expect(checkRequest(parsed(text))).toBeUndefined();
  });
});

const request = { jsonrpc: '2.0', method: 'chat.send' };

describe('checkRequest', () => {
  it.each([
    ['a notification', request],
    ['a numeric id', { ...request, id: 1 }],
    ['id 0', { ...request, id: 0 }],
    ['a fractional id', { ...request, id: -1.5 }],
    ['a string id', { ...request, id: 'abc' }],
    ['an empty string id', { ...request, id: '' }],
    ['id null', { ...request, id: null }],
    ['positional params', { ...request, id: 1, params: [1, 'a'] }],
    ['empty positional params', { ...request, params: [] }],
    ['named params', { ...request, params: { a: 1 } }],
    ['empty named params', { ...request, params: {} }],
    ['an empty method', { jsonrpc: '2.0', method: '' }],
    ['a protocol method', { jsonrpc: '2.0', method: 'rpc.cancel', params: { id: 1 } }],
    ['extra members', { ...request, extra: true }],
  ])('accepts %s', (_label, value) => {
    expect(checkRequest(value)).toBeUndefined();
    expect(isRequest(value)).toBe(true);
  });

  // The texts of every issue are pinned below; this table pins which members are named.
  const invalid: Array<[string, unknown, string[]]> = [
    ['null', null, ['']],
    ['a string', 'chat.send', ['']],
    ['a number', 1, ['']],
    ['a batch', [request], ['']],
    ['an empty object', {}, ['jsonrpc', 'method']],
    ['a missing jsonrpc', { method: 'a' }, ['jsonrpc']],
    ['jsonrpc "1.0"', { ...request, jsonrpc: '1.0' }, ['jsonrpc']],
    ['jsonrpc as a number', { ...request, jsonrpc: 2 }, ['jsonrpc']],
    ['a missing method', { jsonrpc: '2.0', id: 1 }, ['method']],
    ['a numeric method', { ...request, method: 1 }, ['method']],
    ['a null method', { ...request, method: null }, ['method']],
    ['a boolean id', { ...request, id: true }, ['id']],
    ['an object id', { ...request, id: { n: 1 } }, ['id']],
    ['an array id', { ...request, id: [1] }, ['id']],
    ['an infinite id', { ...request, id: Number.POSITIVE_INFINITY }, ['id']],
    ['a NaN id', { ...request, id: Number.NaN }, ['id']],
    ['numeric params', { ...request, params: 5 }, ['params']],
    ['string params', { ...request, params: 'x' }, ['params']],
    ['null params', { ...request, params: null }, ['params']],
    ['boolean params', { ...request, params: false }, ['params']],
    [
      'everything wrong',
      { jsonrpc: '2', method: [], id: false, params: 0 },
      ['jsonrpc', 'method', 'id', 'params'],
    ],
  ];

  it.each(invalid)('rejects %s', (_label, value, members) => {
    const issues = checkRequest(value);
    expect(isRequest(value)).toBe(false);
    expect(issues?.map((issue) => issue.path.join('.'))).toEqual(members);
  });

  it('names each problem in words', () => {
    expect(checkRequest('x')).toMatchInlineSnapshot(`
      [
        {
          "message": "A request must be a JSON object",
          "path": [],
        },
      ]
    `);
    expect(checkRequest({ jsonrpc: '2', method: [], id: false, params: 0 })).toMatchInlineSnapshot(`
      [
        {
          "message": "Must be exactly "2.0"",
          "path": [
            "jsonrpc",
          ],
        },
        {
          "message": "Must be a string",
          "path": [
            "method",
          ],
        },
        {
          "message": "Must be a string, a number or null",
          "path": [
            "id",
          ],
        },
        {
          "message": "Must be an array (by position) or an object (by name)",
          "path": [
            "params",
          ],
        },
      ]
    `);
  });
});

describe('isResponse', () => {
  const error = { code: -32600, message: 'Invalid Request' };
  it.each([
    ['a result', { jsonrpc: '2.0', id: 1, result: { a: 1 } }],
    ['a null result', { jsonrpc: '2.0', id: 1, result: null }],
    ['a falsy result', { jsonrpc: '2.0', id: 'a', result: 0 }],
    ['a false result', { jsonrpc: '2.0', id: 'a', result: false }],
    ['an error', { jsonrpc: '2.0', id: 1, error }],
    ['an error for id null', { jsonrpc: '2.0', id: null, error }],
    ['an error with data', { jsonrpc: '2.0', id: 2, error: { ...error, data: { code: 'X' } } }],
    ['an error with null data', { jsonrpc: '2.0', id: 2, error: { ...error, data: null } }],
    ['an error with a positive code', { jsonrpc: '2.0', id: 2, error: { code: 1, message: '' } }],
    ['extra members', { jsonrpc: '2.0', id: 1, result: 1, extra: true }],
    // Valid JSON that JSON.parse cannot hold exactly is still a valid response.
    [
      'a result that overflows to Infinity',
      JSON.parse('{"jsonrpc":"2.0","id":1,"result":[1e999]}'),
    ],
    [
      'an integer code past 2^53',
      JSON.parse('{"jsonrpc":"2.0","id":1,"error":{"code":1e20,"message":"x"}}'),
    ],
  ])('accepts %s', (_label, value) => {
    expect(isResponse(value)).toBe(true);
  });

  it.each([
    ['null', null],
    ['a string', 'x'],
    ['a batch of responses', [{ jsonrpc: '2.0', id: 1, result: 1 }]],
    ['a missing jsonrpc', { id: 1, result: 1 }],
    ['jsonrpc "1.0"', { jsonrpc: '1.0', id: 1, result: 1 }],
    ['a missing id', { jsonrpc: '2.0', result: 1 }],
    ['a boolean id', { jsonrpc: '2.0', id: true, result: 1 }],
    ['an object id', { jsonrpc: '2.0', id: {}, result: 1 }],
    ['an infinite id', { jsonrpc: '2.0', id: Number.NEGATIVE_INFINITY, result: 1 }],
    ['neither result nor error', { jsonrpc: '2.0', id: 1 }],
    ['both result and error', { jsonrpc: '2.0', id: 1, result: 1, error }],
    ['a null result and an error', { jsonrpc: '2.0', id: 1, result: null, error }],
    ['a result and a null error', { jsonrpc: '2.0', id: 1, result: 1, error: null }],
    ['a null error', { jsonrpc: '2.0', id: 1, error: null }],
    ['an array error', { jsonrpc: '2.0', id: 1, error: [error] }],
    ['a string error', { jsonrpc: '2.0', id: 1, error: 'Invalid Request' }],
    ['an error without code', { jsonrpc: '2.0', id: 1, error: { message: 'x' } }],
    ['a fractional code', { jsonrpc: '2.0', id: 1, error: { code: -32600.5, message: 'x' } }],
    ['a string code', { jsonrpc: '2.0', id: 1, error: { code: '-32600', message: 'x' } }],
    [
      'an infinite code',
      { jsonrpc: '2.0', id: 1, error: { code: Number.POSITIVE_INFINITY, message: 'x' } },
    ],
    ['an error without message', { jsonrpc: '2.0', id: 1, error: { code: -32600 } }],
    ['a numeric message', { jsonrpc: '2.0', id: 1, error: { code: -32600, message: 1 } }],
    ['a request', { jsonrpc: '2.0', id: 1, method: 'a' }],
  ])('rejects %s', (_label, value) => {
    expect(isResponse(value)).toBe(false);
  });
});

describe('inputFromParams', () => {
  const tuple = [1, 'a'];
  const named = { a: 1 };
  it.each([
    ['absent params', undefined, undefined],
    ['empty positional params', [], undefined],
    ['one primitive', [5], 5],
    ['one string', ['x'], 'x'],
    ['one null', [null], null],
    ['one false', [false], false],
    ['one array', [[1, 2]], [1, 2]],
    ['one empty array', [[]], []],
    ['one object', [{ a: 1 }], { a: 1 }],
    ['several values (a tuple)', [1, 'a', null], [1, 'a', null]],
    ['named params', { a: 1, b: [2] }, { a: 1, b: [2] }],
    ['empty named params', {}, {}],
  ] as Array<[string, unknown[] | Record<string, unknown> | undefined, unknown]>)(
    'maps %s',
    (_label, params, expected) => {
      expect(inputFromParams(params)).toStrictEqual(expected);
    },
  );

  it('passes a tuple and named params through as the same object', () => {
    expect(inputFromParams(tuple)).toBe(tuple);
    expect(inputFromParams(named)).toBe(named);
  });
});

describe('paramsFromInput', () => {
  class Point {
    constructor(
      readonly x: number,
      readonly y: number,
    ) {}
  }
  const date = new Date('2024-01-02T03:04:05.000Z');
  const point = new Point(1, 2);
  const bare = Object.assign(Object.create(null) as Record<string, unknown>, { a: 1 });

  it.each([
    ['undefined', undefined, undefined],
    ['a number', 5, [5]],
    ['zero', 0, [0]],
    ['a string', 'x', ['x']],
    ['an empty string', '', ['']],
    ['true', true, [true]],
    ['false', false, [false]],
    ['null', null, [null]],
    ['an array', [1, 2], [[1, 2]]],
    ['an empty array', [], [[]]],
    ['a one-element array', ['a'], [['a']]],
    ['a Date', date, [date]],
    ['a class instance', point, [point]],
    ['a Map', new Map([[1, 2]]), [new Map([[1, 2]])]],
  ])('wraps %s', (_label, input, expected) => {
    expect(paramsFromInput(input)).toStrictEqual(expected);
  });

  it.each([
    ['a plain object', { a: 1 }],
    ['an empty object', {}],
    ['an object without prototype', bare],
  ])('sends %s by name, as the same object', (_label, input) => {
    expect(paramsFromInput(input)).toBe(input);
  });

  it.each([
    ['a number', 5],
    ['a string', 'x'],
    ['null', null],
    ['false', false],
    ['an array', [1, 2]],
    ['an empty array', []],
    ['an array of one array', [[1]]],
    ['a tuple', [1, 'a', { b: null }]],
    ['an object', { a: [1], b: { c: 'd' } }],
    ['an empty object', {}],
    ['no input', undefined],
  ])('round-trips %s through the wire', (_label, input) => {
    const params = paramsFromInput(input);
    const onWire = params === undefined ? undefined : JSON.parse(JSON.stringify(params));
    expect(inputFromParams(onWire)).toStrictEqual(input);
  });

  it('sends a Date as its ISO string', () => {
    const onWire = JSON.parse(JSON.stringify(paramsFromInput(date)));
    expect(inputFromParams(onWire)).toBe('2024-01-02T03:04:05.000Z');
  });

  it('sends an object without prototype by name', () => {
    const onWire = JSON.parse(JSON.stringify(paramsFromInput(bare)));
    expect(inputFromParams(onWire)).toStrictEqual({ a: 1 });
  });
});
