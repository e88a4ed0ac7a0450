// The client in a real browser, as shipped: its built dist bundled for the browser platform
// (so any Node-only import fails the build), served beside the Volley endpoint, and run in
// Debian's Chromium on the browser's own WebSocket. Fails, never skips, when Chromium is
// missing. The root `pnpm test` builds dist before running vitest.
import { createServer as createHttpServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { initVolley } from '@volley/core';
import { createServer, type VolleyServer } from '@volley/server';
import { build } from 'esbuild';
import type { Browser } from 'playwright-core';
import { afterEach, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { z } from 'zod';
import { launchChromium } from './helpers/chromium.js';
import { deadPort } from './helpers/dead-port.js';

const source = (path: string) => fileURLToPath(new URL(path, import.meta.url));

const v = initVolley();
const router = v.router({
  greet: v.procedure
    .input(z.object({ name: z.string().min(1) }))
    .query(({ input }) => `Hello, ${input.name}`),
  ticks: v.procedure.input(z.number().int().max(10)).subscription(async function* ({ input }) {
    for (let tick = 1; tick <= input; tick++) yield tick;
  }),
});
export type BrowserRouter = typeof router;

let browser: Browser | undefined;
let http: Server | undefined;
let volley: VolleyServer | undefined;
afterEach(async () => {
  await browser?.close();
  await volley?.close();
  await new Promise((resolve) => (http ? http.close(resolve) : resolve(undefined)));
});

async function bundleClient() {
  const result = await build({
    entryPoints: [source('./browser/page.ts')],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    metafile: true,
    logLevel: 'silent',
    // @volley/client resolves through its package.json to dist, as for a user: the repo's
    // tsconfig, whose paths map it to source for type-checking, is left out.
    tsconfigRaw: {},
    absWorkingDir: source('../../..'), // so the metafile names inputs from the repository root
  });
  const code = result.outputFiles[0]?.text ?? '';
  return { code, inputs: Object.keys(result.metafile.inputs) };
}

it('bundles the built client for the browser without Node built-ins or zod', async () => {
  const { code, inputs } = await bundleClient();
  // The packages as shipped: their dist, never their source.
  expect(inputs.filter((input) => !input.startsWith('packages/tests/'))).toEqual([
    'packages/core/dist/index.js',
    'packages/client/dist/index.js',
  ]);
  expect(inputs.filter((input) => input.includes('node_modules/zod'))).toEqual([]);
  expect(code).not.toMatch(/from ["']node:/);
  expect(code).not.toMatch(/require\(["'](node:)?(fs|net|http|crypto|stream)["']\)/);
});

it('calls and subscribes from Chromium over the browser WebSocket, and tells a refused connection from a dropped one', async () => {
  const { code } = await bundleClient();
  http = createHttpServer((request, response) => {
    if (request.url === '/page.js') {
      response.writeHead(200, { 'Content-Type': 'text/javascript' }).end(code);
    } else {
      response
        .writeHead(200, { 'Content-Type': 'text/html' })
        .end('<!doctype html><script type="module" src="/page.js"></script>');
    }
  });
  volley = createServer({ router });
  volley.attach(http, { path: '/rpc' });
  // /drop: the WebSocket opens, then its connection is dropped at once.
  const dropping = new WebSocketServer({ noServer: true });
  dropping.on('connection', (socket) => socket.terminate());
  http.on('upgrade', (request, socket, head) => {
    if (request.url !== '/drop') return;
    dropping.handleUpgrade(request, socket, head, (ws) => dropping.emit('connection', ws));
  });
  await new Promise<void>((resolve) => http?.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;

  browser = await launchChromium(); // a missing browser fails here
  const page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${port}/?dead=${await deadPort()}`);
  await page.waitForFunction(() => window.volleyResult !== undefined, undefined, {
    timeout: 20_000,
  });
  expect(await page.evaluate(() => window.volleyResult)).toEqual({
    greeting: 'Hello, Chromium',
    ticks: [1, 2, 3],
    code: 'INVALID_PARAMS',
    refused: { name: 'ConnectionLostError', kind: 'refused', code: 1006 },
    dropped: { name: 'ConnectionLostError', kind: 'closed', code: 1006 },
    hasNodeGlobals: 'undefined',
  });
});
