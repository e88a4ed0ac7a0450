// The chat server's file handler, over a real HTTP server: it serves the built page and
// nothing else.
import { once } from 'node:events';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { serveFiles } from '../src/static-files.js';

let http: Server | undefined;
let scratch: string | undefined;
afterEach(async () => {
  if (http) await new Promise((resolve) => http?.close(resolve));
  if (scratch) await rm(scratch, { recursive: true });
});

/** Serves `<scratch>/site`; `<scratch>/secret.js` sits beside it. Resolves with the origin. */
async function start(files: Record<string, string>): Promise<string> {
  scratch = await mkdtemp(join(tmpdir(), 'volley-static-'));
  await mkdir(join(scratch, 'site'));
  await writeFile(join(scratch, 'secret.js'), 'secret');
  for (const [name, body] of Object.entries(files))
    await writeFile(join(scratch, 'site', name), body);
  http = createServer(serveFiles(join(scratch, 'site'), 'Build the page first'));
  await once(http.listen(0, '127.0.0.1'), 'listening');
  return `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
}

it('serves index.html at / and the files beside it, with their types', async () => {
  const origin = await start({ 'index.html': '<!doctype html>', 'main.js': 'export {};' });
  const page = await fetch(`${origin}/?name=Ada`);
  expect(page.status).toBe(200);
  expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
  expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
  expect(await page.text()).toBe('<!doctype html>');
  const script = await fetch(`${origin}/main.js`);
  expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
  expect(await script.text()).toBe('export {};');
  const head = await fetch(`${origin}/main.js`, { method: 'HEAD' });
  expect([head.status, head.headers.get('content-length'), await head.text()]).toEqual([
    200,
    '10',
    '',
  ]);
});

it.each([
  ['/..%2fsecret.js', 404],
  ['/%2e%2e/secret.js', 404],
  ['/missing.js', 404],
  ['/notes.txt', 404], // exists, but not a type the page uses
  ['/%E0%A4%A', 400],
])('answers GET %s with %i', async (path, status) => {
  const origin = await start({ 'index.html': 'page', 'notes.txt': 'notes' });
  const response = await fetch(`${origin}${path}`);
  expect(response.status).toBe(status);
  expect(await response.text()).not.toContain('secret');
});

it('refuses other methods, and says how to build a missing page', async () => {
  const origin = await start({});
  const post = await fetch(`${origin}/`, { method: 'POST', body: 'x' });
  expect([post.status, post.headers.get('allow')]).toEqual([405, 'GET, HEAD']);
  const page = await fetch(`${origin}/`);
  expect([page.status, await page.text()]).toEqual([404, 'Build the page first']);
});
