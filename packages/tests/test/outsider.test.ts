// The reference outsider: the Python client printed in PROTOCOL.md, run as is against a
// live server with nothing but the `websockets` package. If the document and the server
// drift apart, this fails.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { initVolley } from '@volley/core';
import { afterEach, expect, it } from 'vitest';
import { z } from 'zod';
import { type Harness, startHarness } from './helpers/harness.js';

const run = promisify(execFile);
// Debian's interpreter, where `apt-get install python3-websockets` puts the package.
const PYTHON = process.env.VOLLEY_PYTHON ?? '/usr/bin/python3';

const v = initVolley();
const router = v.router({
  greet: v.procedure
    .input(z.object({ name: z.string() }))
    .query(({ input }) => `Hello, ${input.name}`),
  ticks: v.procedure
    .input(z.object({ count: z.number().int().positive(), intervalMs: z.number().int().min(0) }))
    .subscription(async function* ({ input, signal }) {
      for (let tick = 1; tick <= input.count; tick++) {
        await sleep(input.intervalMs, undefined, { signal });
        yield tick;
      }
    }),
});

let harness: Harness<typeof router> | undefined;
let dir: string | undefined;
afterEach(async () => {
  await harness?.close();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

async function pythonBlock(): Promise<string> {
  const protocol = await readFile(new URL('../../../PROTOCOL.md', import.meta.url), 'utf8');
  const match = /```python\n([\s\S]*?)```/.exec(protocol);
  if (match?.[1] === undefined) throw new Error('PROTOCOL.md has no python block');
  return match[1];
}

it('PROTOCOL.md is enough for a Python client that was never written for Volley', async () => {
  // Fails (rather than skips) when the interpreter or package is missing: CI installs them.
  await run(PYTHON, ['-c', 'import websockets']);
  harness = await startHarness({ router });
  dir = await mkdtemp(join(tmpdir(), 'volley-outsider-'));
  const script = join(dir, 'client.py');
  await writeFile(script, await pythonBlock());
  const { stdout } = await run(PYTHON, [script, harness.url], { timeout: 30_000 });
  expect(stdout.trim().split('\n')).toEqual([
    'Hello, Ada',
    'subscribed 2',
    'tick 1',
    'tick 2',
    'tick 3',
  ]);
});
