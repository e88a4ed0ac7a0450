import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

const run = promisify(execFile);
const file = (path: string) => readFile(new URL(path, import.meta.url), 'utf8');

it('the README quickstart and errors snippets are exactly the example files', async () => {
  const readme = await file('../../../README.md');
  const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1]);
  expect(blocks).toContain(await file('../src/server.ts'));
  expect(blocks).toContain(await file('../src/client.ts'));
  expect(blocks).toContain(await file('../src/errors.ts'));
});

it('pnpm demo runs the server and client as separate processes and exits 0', {
  timeout: 120_000,
}, async () => {
  // Runs against the built packages, as a user's project would (pnpm test builds first).
  const { stdout } = await run(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(new URL('../src/demo.ts', import.meta.url))],
    { timeout: 60_000 },
  );
  const lines = stdout.trim().split('\n');
  expect(lines[0]).toMatch(/^\[server\] Volley listening on ws:\/\/localhost:\d+$/);
  expect(lines.slice(1)).toEqual([
    '[client] Welcome to Volley!',
    '[client] Hello Server!',
    '[client] Hello, Ada',
    '[client] tick 1',
    '[client] tick 2',
    '[client] tick 3',
    'demo: done',
  ]);
});
