// The reference outsiders: the Python clients printed in PROTOCOL.md, run as they are
// against a live server with nothing but the `websockets` package: the complete client,
// and the one that finds the procedures with rpc.discover. If the document and the server
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

// The client's handler the server calls in `welcome`: its type only, as a server has it.
const handlers = initVolley().router({
  askName: initVolley()
    .procedure.input(z.object({ question: z.string() }))
    .query(() => ''),
});
const v = initVolley().withClient<typeof handlers>();
const router = v.router({
  greet: v.procedure
    .input(z.object({ name: z.string() }))
    .output(z.string())
    .query(({ input }) => `Hello, ${input.name}`),
  ticks: v.procedure
    .input(z.object({ count: z.number().int().positive(), intervalMs: z.number().int().min(0) }))
    .output(z.number().int())
    .subscription(async function* ({ input, signal }) {
      for (let tick = 1; tick <= input.count; tick++) {
        await sleep(input.intervalMs, undefined, { signal });
        yield tick;
      }
    }),
  double: v.procedure
    .input(z.number())
    .output(z.number())
    .query(({ input }) => input * 2),
  welcome: v.procedure
    .output(z.string())
    .mutation(
      async ({ ctx }) =>
        `Welcome, ${await ctx.client.askName.query({ question: 'What is your name?' })}`,
    ),
});

let harness: Harness<typeof router> | undefined;
let dir: string | undefined;
afterEach(async () => {
  await harness?.close();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

/** The Python program in PROTOCOL.md's section `heading`. */
async function pythonBlock(heading: string): Promise<string> {
  const protocol = await readFile(new URL('../../../PROTOCOL.md', import.meta.url), 'utf8');
  const section = protocol.split(/^## /m).find((part) => part.startsWith(`${heading}\n`));
  const match = /```python\n([\s\S]*?)```/.exec(section ?? '');
  if (match?.[1] === undefined) throw new Error(`PROTOCOL.md has no python block under ${heading}`);
  return match[1];
}

/** Runs the Python program under `heading` against a live server; its output lines. */
async function runPython(heading: string): Promise<string[]> {
  // Fails (rather than skips) when the interpreter or package is missing: CI installs them.
  await run(PYTHON, ['-c', 'import websockets']);
  harness = await startHarness({ router });
  dir = await mkdtemp(join(tmpdir(), 'volley-outsider-'));
  const script = join(dir, 'client.py');
  await writeFile(script, await pythonBlock(heading));
  const { stdout } = await run(PYTHON, [script, harness.url], { timeout: 30_000 });
  return stdout.trim().split('\n');
}

it('PROTOCOL.md is enough for a Python client that was never written for Volley', async () => {
  expect(await runPython('A complete client in Python')).toEqual([
    'Hello, Ada',
    'subscribed 2',
    'tick 1',
    'tick 2',
    'tick 3',
  ]);
});

it("PROTOCOL.md's discovery client finds the procedures with rpc.discover and calls them as described", async () => {
  expect(await runPython('Discovery: `rpc.discover`')).toEqual([
    'greet(name: string) -> string',
    'ticks(count: integer, intervalMs: integer) -> events of integer',
    'double(input: number) -> number',
    'welcome() -> string',
    'Hello, Ada',
    '42',
  ]);
});

it("PROTOCOL.md's Python client answers a server-to-client call", async () => {
  expect(await runPython('Server-to-client calls')).toEqual([
    'asked: What is your name?',
    'Welcome, Ada',
  ]);
});
