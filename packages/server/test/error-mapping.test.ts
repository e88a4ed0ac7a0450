// How the server puts a VolleyError on the wire, tested from values alone; the client's
// `VolleyError.fromErrorObject` must read back what it writes.
import {
  ERROR_CODES,
  type ErrorCodeName,
  type ErrorData,
  type ErrorObject,
  STANDARD_MESSAGES,
  toVolleyError,
  VolleyError,
} from '@volley/core';
import { describe, expect, it } from 'vitest';
import { toErrorObject } from '../src/error-mapping.js';

/** What goes on the wire, as the peer parses it. */
function overTheWire(error: ErrorObject): ErrorObject {
  return JSON.parse(JSON.stringify(error)) as ErrorObject;
}

// Every code with its number; the numbers themselves are pinned by core's errors.test.ts.
const WIRE_NUMBERS = Object.entries(ERROR_CODES) as Array<[ErrorCodeName, number]>;

describe('toErrorObject', () => {
  it.each(WIRE_NUMBERS)('sends %s as %i with its name in data', (code, number) => {
    expect(toErrorObject(new VolleyError({ code }))).toStrictEqual({
      code: number,
      message: (STANDARD_MESSAGES as Record<string, string>)[code] ?? code,
      data: { code },
    });
  });

  it('puts issues, details and limit in data, and never the cause', () => {
    const error = new VolleyError({
      code: 'INVALID_PARAMS',
      message: 'Bad name',
      issues: [{ path: ['user', 0, 'name'], message: 'Required' }],
      data: { hint: 'try again' },
      limit: 'maxIssues',
      cause: new Error('secret cause'),
    });
    expect(toErrorObject(error)).toStrictEqual({
      code: -32602,
      message: 'Bad name',
      data: {
        code: 'INVALID_PARAMS',
        issues: [{ path: ['user', 0, 'name'], message: 'Required' }],
        details: { hint: 'try again' },
        limit: 'maxIssues',
      },
    });
    expect(JSON.stringify(toErrorObject(error, true))).not.toContain('secret cause');
  });

  it.each([
    ['null', null],
    ['zero', 0],
    ['false', false],
    ['an empty string', ''],
  ])('keeps %s details', (_label, details) => {
    const data = toErrorObject(new VolleyError({ code: 'NOT_FOUND', data: details }))
      .data as ErrorData;
    expect(Object.hasOwn(data, 'details')).toBe(true);
    expect(data.details).toBe(details);
  });

  it('adds the stack only when asked to expose it', () => {
    const error = new VolleyError({ code: 'NOT_FOUND', message: 'No such room' });
    const hidden = toErrorObject(error).data as ErrorData;
    const shown = toErrorObject(error, true).data as ErrorData;
    expect(Object.hasOwn(hidden, 'stack')).toBe(false);
    expect(Object.hasOwn(toErrorObject(error, false).data as ErrorData, 'stack')).toBe(false);
    expect(shown.stack).toBe(error.stack);
    expect(shown.stack).toContain('No such room');
  });

  it('gives JSON that survives the wire unchanged', () => {
    const error = new VolleyError({
      code: 'TOO_MANY_REQUESTS',
      data: { retryAfterMs: 500 },
      issues: [{ path: [], message: 'Slow down' }],
    });
    const object = toErrorObject(error, true);
    expect(overTheWire(object)).toStrictEqual(object);
  });

  it('sends an unexpected error as a generic INTERNAL_ERROR', () => {
    const wire = toErrorObject(toVolleyError(new Error('password=hunter2')));
    expect(wire).toStrictEqual({
      code: -32603,
      message: 'Internal error',
      data: { code: 'INTERNAL_ERROR' },
    });
  });
});

describe('toErrorObject, then VolleyError.fromErrorObject', () => {
  it.each(WIRE_NUMBERS)('round-trips %s', (code) => {
    const sent = new VolleyError({
      code,
      message: `about ${code}`,
      data: { n: 1, list: ['a'] },
      issues: [{ path: ['a', 1], message: 'Wrong' }],
      limit: 'rateLimit',
    });
    const received = VolleyError.fromErrorObject(overTheWire(toErrorObject(sent)));
    expect(received).toBeInstanceOf(VolleyError);
    expect(received.code).toBe(code);
    expect(received.rpcCode).toBe(sent.rpcCode);
    expect(received.message).toBe(sent.message);
    expect(toErrorObject(received)).toStrictEqual(toErrorObject(sent));
  });

  it('sends on a name and number this build does not know, unchanged', () => {
    const wire: ErrorObject = {
      code: -32042,
      message: 'I am a teapot',
      data: { code: 'TEAPOT', details: { brew: 'tea' } },
    };
    expect(toErrorObject(VolleyError.fromErrorObject(wire))).toStrictEqual(wire);
  });

  it('names an unknown number without a name INTERNAL_ERROR and keeps the number', () => {
    expect(
      toErrorObject(VolleyError.fromErrorObject({ code: 12345, message: 'Odd' })),
    ).toStrictEqual({ code: 12345, message: 'Odd', data: { code: 'INTERNAL_ERROR' } });
  });
});
