// maxValues: a message may hold at most so many array elements and object members, counted
// before it is parsed, so that no schema is ever asked to look at (and report on) half a
// million values from one frame.
import { VolleyError } from '@volley/client';
import { initVolley, type StandardSchemaV1 } from '@volley/core';
import { createServer, DEFAULT_MAX_VALUES } from '@volley/server';
import { afterEach, expect, it } from 'vitest';
import { z } from 'zod';
import { type Harness, startHarness } from './helpers/harness.js';

/** How many values the `numbers` schema was asked to validate, in all. */
let validated = 0;
const counted: StandardSchemaV1<unknown, number[]> = {
  '~standard': {
    version: 1,
    vendor: 'test',
    validate(value) {
      validated += Array.isArray(value) ? value.length : 1;
      return z.array(z.number())['~standard'].validate(value) as { value: number[] };
    },
  },
};

const v = initVolley();
const router = v.router({
  numbers: v.procedure.input(counted).query(({ input }) => input.length),
  text: v.procedure.input(z.string()).query(({ input }) => input.length),
});

let harness: Harness<typeof router> | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
  validated = 0;
});

/** `[0,0,...]` of `count` numbers. */
const zeros = (count: number) => `[${'0,'.repeat(count - 1)}0]`;
const numbers = (id: number, count: number) =>
  `{"jsonrpc":"2.0","id":${id},"method":"numbers","params":[${zeros(count)}]}`;
const refused = (id: number | null, limit: number) => ({
  jsonrpc: '2.0',
  id,
  error: {
    code: -32013,
    message: `More than ${limit} values (array elements and object members) in one message`,
    data: { code: 'PAYLOAD_TOO_LARGE', limit: 'maxValues' },
  },
});

it('defaults to 10,000', () => {
  expect(DEFAULT_MAX_VALUES).toBe(10_000);
});

it('serves a message at the limit, and refuses one past it unparsed, before any schema sees it', async () => {
  harness = await startHarness({ router });
  const peer = await harness.raw();
  // The envelope's own members count too: the 3 commas between its 4 members.
  expect(await peer.request(numbers(1, DEFAULT_MAX_VALUES - 3))).toEqual({
    jsonrpc: '2.0',
    id: 1,
    result: DEFAULT_MAX_VALUES - 3,
  });
  expect(validated).toBe(DEFAULT_MAX_VALUES - 3);
  // 450,000 numbers in 900 kB: refused with its id, and the schema never ran.
  expect(await peer.request(numbers(2, 450_000))).toEqual(refused(2, DEFAULT_MAX_VALUES));
  expect(validated).toBe(DEFAULT_MAX_VALUES - 3);
});

it('counts commas outside strings only, and each member of a batch on its own', async () => {
  harness = await startHarness({ router, maxValues: 10 });
  const peer = await harness.raw();
  // A string full of commas is one value.
  const commas = ','.repeat(1_000);
  expect(await peer.request({ jsonrpc: '2.0', id: 1, method: 'text', params: [commas] })).toEqual({
    jsonrpc: '2.0',
    id: 1,
    result: 1_000,
  });
  // Three members of 8 commas each (3 in the envelope, 5 between 6 numbers): within the
  // limit each, though 24 in all.
  const member = (id: number) => JSON.parse(numbers(id, 6));
  expect(await peer.request([member(2), member(3), member(4)])).toEqual([
    { jsonrpc: '2.0', id: 2, result: 6 },
    { jsonrpc: '2.0', id: 3, result: 6 },
    { jsonrpc: '2.0', id: 4, result: 6 },
  ]);
  // One member past it refuses the frame, whole and unparsed (its id cannot be read
  // from the start of a batch).
  expect(await peer.request([member(5), JSON.parse(numbers(6, 9))])).toEqual(refused(null, 10));
});

it('the typed client gets PAYLOAD_TOO_LARGE naming the limit; Infinity lifts it', async () => {
  harness = await startHarness({ router, maxValues: 100 });
  const client = harness.client();
  const error = await client.numbers
    .query(Array.from({ length: 200 }, () => 1))
    .catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(VolleyError);
  expect(error).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', limit: 'maxValues' });
  await harness.close();
  harness = await startHarness({ router, maxValues: Number.POSITIVE_INFINITY });
  expect(await harness.client().numbers.query(Array.from({ length: 50_000 }, () => 1))).toBe(
    50_000,
  );
});

it('rejects a limit that is not a positive integer', () => {
  for (const maxValues of [0, -1, 1.5]) {
    expect(() => createServer({ router, maxValues })).toThrow(TypeError);
  }
});
