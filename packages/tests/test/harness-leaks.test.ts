// The harness's teardown is itself under test: it must fail a test that leaves a
// subscription running or a timer waiting, and stay quiet when nothing is left.
import { initVolley } from '@volley/core';
import { expect, it } from 'vitest';
import { startHarness } from './helpers/harness.js';

const v = initVolley();
const router = v.router({
  ping: v.procedure.query(() => 'pong'),
  // A subscription whose clean-up never finishes.
  stuck: v.procedure.subscription(async function* () {
    try {
      yield 1;
      await new Promise(() => {});
    } finally {
      await new Promise(() => {});
    }
  }),
});

it('fails when a subscription is still running after close()', async () => {
  const harness = await startHarness({ router, closeTimeoutMs: 200 });
  for await (const event of harness.client().stuck.subscribe()) {
    expect(event).toBe(1);
    break;
  }
  await expect(harness.close()).rejects.toThrow(
    'Leaked on the server: 0 call(s) and 1 subscription(s) still running after close()',
  );
});

it('fails when a timer made during the test still waits after close()', async () => {
  const harness = await startHarness({ router });
  const timer = setTimeout(() => {}, 60_000);
  try {
    await expect(harness.close()).rejects.toThrow(/^Leaked 1 timer\(s\)/);
  } finally {
    clearTimeout(timer);
  }
});

it('passes when everything was released', async () => {
  const harness = await startHarness({ router });
  expect(await harness.client().ping.query()).toBe('pong');
  await harness.close();
});
