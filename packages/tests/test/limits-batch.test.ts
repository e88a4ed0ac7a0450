// maxBatchLength: a batch with more members than the limit is refused whole, unparsed.
import { initVolley } from '@volley/core';
import { DEFAULT_MAX_BATCH_LENGTH } from '@volley/server';
import { afterEach, expect, it } from 'vitest';
import { z } from 'zod';
import { type Harness, startHarness } from './helpers/harness.js';

let runs = 0;
const v = initVolley();
const router = v.router({
  ping: v.procedure.query(() => 'pong'),
  take: v.procedure.input(z.unknown()).mutation(() => {
    runs++;
    return 'ran';
  }),
});

let harness: Harness<typeof router>;
afterEach(async () => {
  runs = 0;
  await harness.close();
});

const take = (id: number, params: unknown = [1]) => ({
  jsonrpc: '2.0',
  id,
  method: 'take',
  params,
});

function tooLong(length: number, max: number) {
  return {
    jsonrpc: '2.0',
    id: null,
    error: {
      code: -32013,
      message: `A batch of ${length} messages is longer than ${max}`,
      data: { code: 'PAYLOAD_TOO_LARGE', limit: 'maxBatchLength' },
    },
  };
}

it('defaults to 1,000: a batch of 1,000 is served, one of 1,001 refused whole before it runs', async () => {
  expect(DEFAULT_MAX_BATCH_LENGTH).toBe(1_000);
  harness = await startHarness({ router });
  const peer = await harness.raw();
  const full = Array.from({ length: 1_000 }, (_, i) => take(i + 1));
  const answers = (await peer.request(full)) as Array<{ id: number; result: string }>;
  expect(answers).toHaveLength(1_000);
  expect(answers.every((answer) => answer.result === 'ran')).toBe(true);
  expect(runs).toBe(1_000);
  expect(await peer.request([...full, take(1_001)])).toEqual(tooLong(1_001, 1_000));
  expect(runs).toBe(1_000);
});

it('counts top-level members only: nested arrays and commas in strings are not members', async () => {
  harness = await startHarness({ router, maxBatchLength: 2 });
  const peer = await harness.raw();
  const two = [take(1, [[1, 2, 3], { a: 1, b: [4, 5] }]), take(2, ['a,b,c,"],[",d'])];
  expect(await peer.request(two)).toEqual([
    { jsonrpc: '2.0', id: 1, result: 'ran' },
    { jsonrpc: '2.0', id: 2, result: 'ran' },
  ]);
  expect(await peer.request([take(3), take(4), take(5)])).toEqual(tooLong(3, 2));
  // Notifications count too, and a refused batch of them is still answered: nothing in it ran.
  const notifications = [1, 2, 3].map(() => ({ jsonrpc: '2.0', method: 'take', params: [1] }));
  expect(await peer.request(notifications)).toEqual(tooLong(3, 2));
  expect(runs).toBe(2);
  // An empty batch is still the spec's -32600, and the socket goes on.
  expect(await peer.request('[ ]')).toMatchObject({ id: null, error: { code: -32600 } });
  expect(await peer.request({ jsonrpc: '2.0', id: 9, method: 'ping' })).toMatchObject({
    result: 'pong',
  });
});

it('rejects a limit that is not a positive integer', async () => {
  const { createServer } = await import('@volley/server');
  for (const maxBatchLength of [0, 2.5, -3]) {
    expect(() => createServer({ router, maxBatchLength })).toThrow(TypeError);
  }
  harness = await startHarness({ router });
});
