import {
  ERROR_CODES,
  type ErrorCodeName,
  type ErrorObject,
  errorCodeName,
  STANDARD_MESSAGES,
  toVolleyError,
  VolleyError,
} from '@volley/core';
import { describe, expect, it } from 'vitest';

/** What goes on the wire, as the peer parses it. */
function overTheWire(error: ErrorObject): ErrorObject {
  return JSON.parse(JSON.stringify(error)) as ErrorObject;
}

// The numbers are part of the protocol, so they are spelled out here rather than read
// back from ERROR_CODES: changing one must fail a test.
const WIRE_NUMBERS: Array<[ErrorCodeName, number]> = [
  ['PARSE_ERROR', -32700],
  ['INVALID_REQUEST', -32600],
  ['METHOD_NOT_FOUND', -32601],
  ['INVALID_PARAMS', -32602],
  ['INTERNAL_ERROR', -32603],
  ['BAD_REQUEST', -32000],
  ['UNAUTHORIZED', -32001],
  ['FORBIDDEN', -32003],
  ['NOT_FOUND', -32004],
  ['TIMEOUT', -32008],
  ['CONFLICT', -32009],
  ['PRECONDITION_FAILED', -32012],
  ['PAYLOAD_TOO_LARGE', -32013],
  ['UNPROCESSABLE_CONTENT', -32022],
  ['TOO_MANY_REQUESTS', -32029],
  ['CANCELLED', -32099],
];

describe('ERROR_CODES', () => {
  it('has exactly the codes of the protocol', () => {
    expect(Object.entries(ERROR_CODES)).toEqual(WIRE_NUMBERS);
  });

  it('uses JSON-RPC 2.0 messages verbatim for the standard codes', () => {
    expect(STANDARD_MESSAGES).toMatchInlineSnapshot(`
      {
        "INTERNAL_ERROR": "Internal error",
        "INVALID_PARAMS": "Invalid params",
        "INVALID_REQUEST": "Invalid Request",
        "METHOD_NOT_FOUND": "Method not found",
        "PARSE_ERROR": "Parse error",
      }
    `);
  });

  it('has one name per number', () => {
    const numbers = Object.values(ERROR_CODES);
    expect(new Set(numbers).size).toBe(numbers.length);
  });
});

describe('VolleyError', () => {
  it.each(WIRE_NUMBERS)('%s is sent as %i', (code, number) => {
    const error = new VolleyError({ code });
    expect(error.rpcCode).toBe(number);
    expect(error.code).toBe(code);
    expect(errorCodeName(number)).toBe(code);
    expect(error.message).toBe((STANDARD_MESSAGES as Record<string, string>)[code] ?? code);
  });

  it('is an Error named VolleyError, with its cause kept', () => {
    const cause = new Error('disk full');
    const error = new VolleyError({ code: 'CONFLICT', message: 'Taken', cause });
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('VolleyError');
    expect(error.message).toBe('Taken');
    expect(error.cause).toBe(cause);
    expect(error.stack).toContain('Taken');
  });

  it('errorCodeName does not know numbers Volley does not define', () => {
    expect(errorCodeName(-32002)).toBeUndefined();
    expect(errorCodeName(0)).toBeUndefined();
  });

  describe('fromErrorObject', () => {
    it.each(WIRE_NUMBERS)('rebuilds %s', (code, number) => {
      const received = VolleyError.fromErrorObject(
        overTheWire({
          code: number,
          message: `about ${code}`,
          data: {
            code,
            details: { n: 1, list: ['a'] },
            issues: [{ path: ['a', 1], message: 'Wrong' }],
            limit: 'maxInFlight',
          },
        }),
      );
      expect(received).toBeInstanceOf(VolleyError);
      expect(received.name).toBe('VolleyError');
      expect(received.code).toBe(code);
      expect(received.rpcCode).toBe(number);
      expect(received.message).toBe(`about ${code}`);
      expect(received.data).toStrictEqual({ n: 1, list: ['a'] });
      expect(received.issues).toStrictEqual([{ path: ['a', 1], message: 'Wrong' }]);
      expect(received.limit).toBe('maxInFlight');
    });

    it('keeps a name and number this build does not know', () => {
      const wire: ErrorObject = {
        code: -32042,
        message: 'I am a teapot',
        data: { code: 'TEAPOT', details: { brew: 'tea' } },
      };
      const error = VolleyError.fromErrorObject(wire);
      expect(error.code).toBe('TEAPOT');
      expect(error.rpcCode).toBe(-32042);
      expect(error.message).toBe('I am a teapot');
      expect(error.data).toStrictEqual({ brew: 'tea' });
    });

    it('keeps an unknown number when data has no name', () => {
      const error = VolleyError.fromErrorObject({ code: 12345, message: 'Odd' });
      expect(error.code).toBe('INTERNAL_ERROR');
      expect(error.rpcCode).toBe(12345);
      expect(error.message).toBe('Odd');
    });

    it.each([
      ['absent', undefined],
      ['a string', 'not found'],
      ['null', null],
      ['an array', ['NOT_FOUND']],
      ['an object whose code is not a string', { code: 4 }],
    ])('names a known number when data is %s', (_label, data) => {
      const error = VolleyError.fromErrorObject({ code: -32004, message: 'Gone', data });
      expect(error.code).toBe('NOT_FOUND');
      expect(error.rpcCode).toBe(-32004);
      expect(error.data).toBeUndefined();
      expect(error.issues).toBeUndefined();
    });

    it('takes the name from data over the number', () => {
      const error = VolleyError.fromErrorObject({
        code: -32603,
        message: 'x',
        data: { code: 'FORBIDDEN' },
      });
      expect(error.code).toBe('FORBIDDEN');
      expect(error.rpcCode).toBe(-32603);
    });

    it('ignores issues that are not an array', () => {
      const error = VolleyError.fromErrorObject({
        code: -32602,
        message: 'Invalid params',
        data: { code: 'INVALID_PARAMS', issues: 'bad' },
      });
      expect(error.issues).toBeUndefined();
    });
  });
});

describe('toVolleyError', () => {
  it('returns a VolleyError as it is', () => {
    const error = new VolleyError({ code: 'FORBIDDEN' });
    expect(toVolleyError(error)).toBe(error);
  });

  it.each([
    ['an Error', new Error('password=hunter2')],
    ['a TypeError', new TypeError('password=hunter2')],
    ['a string', 'password=hunter2'],
    ['an object', { message: 'password=hunter2' }],
    ['null', null],
    ['undefined', undefined],
  ])('turns %s into INTERNAL_ERROR with a generic message and the cause kept', (_label, thrown) => {
    const error = toVolleyError(thrown);
    expect(error).toBeInstanceOf(VolleyError);
    expect(error.code).toBe('INTERNAL_ERROR');
    expect(error.rpcCode).toBe(-32603);
    expect(error.message).toBe('Internal error');
    expect(error.cause).toBe(thrown);
    expect(error.message).not.toContain('hunter2');
  });
});
