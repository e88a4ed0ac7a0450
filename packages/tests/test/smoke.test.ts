import { initVolley } from '@volley/core';
import { afterEach, expect, it } from 'vitest';
import { z } from 'zod';
import { type Harness, startHarness } from './helpers/harness.js';

const v = initVolley();
const router = v.router({
  greet: v.procedure
    .input(z.object({ name: z.string() }))
    .query(({ input }) => `Hello, ${input.name}`),
  ticks: v.procedure.input(z.number()).subscription(async function* ({ input }) {
    for (let i = 0; i < input; i++) yield i;
  }),
});

let harness: Harness<typeof router>;
afterEach(() => harness.close());

it('calls and subscribes', async () => {
  harness = await startHarness({ router });
  const client = harness.client();
  expect(await client.greet.query({ name: 'Ada' })).toBe('Hello, Ada');
  const seen: number[] = [];
  for await (const tick of client.ticks.subscribe(3)) seen.push(tick);
  expect(seen).toEqual([0, 1, 2]);
  const raw = await harness.raw();
  expect(await raw.request('Hello Server!')).toMatchObject({ id: null, error: { code: -32700 } });
});
