// The inspector page in Debian's Chromium, as built by `pnpm build`: it loads under its strict
// Content-Security-Policy (a violation is a console error, which fails the test), goes live
// over the browser's WebSocket, and its connection count follows a client that connects.
// Fails, never skips, when Chromium is missing (VOLLEY_CHROMIUM names another binary).
import { createServer as createHttpServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createClient, type WebSocketConstructor } from '@volley/client';
import { initVolley } from '@volley/core';
import { createPubSub, createServer, type VolleyServer } from '@volley/server';
import type { Browser, Page } from 'playwright-core';
import { afterEach, expect, it } from 'vitest';
import WebSocket from 'ws';
import { z } from 'zod';
import { launchChromium } from '../../tests/test/helpers/chromium.js';
import { deferred, within } from '../../tests/test/helpers/harness.js';
import { createInspector, type Inspector } from '../src/index.js';

/**
 * Every run keeps its screenshot in `test-results/` (not committed). The one in the
 * repository, shown in the README, is replaced only with VOLLEY_UPDATE_SCREENSHOTS=1.
 */
const SCREENSHOT = fileURLToPath(
  new URL(
    process.env.VOLLEY_UPDATE_SCREENSHOTS === '1'
      ? '../../../docs/inspector.png'
      : '../../../test-results/inspector.png',
    import.meta.url,
  ),
);
/** How long to wait for any one state of the page; generous, for a busy machine. */
const WAIT = { timeout: 30_000 };
const COOKIE = { name: 'inspector', value: 'let-me-in' };

const v = initVolley();
const rooms = createPubSub<{ [topic: `room:${string}`]: string }>();
const router = v.router({
  greet: v.procedure.input(z.string()).query(({ input }) => `Hello, ${input}`),
  send: v.procedure
    .input(z.object({ room: z.string(), text: z.string().min(1) }))
    .mutation(async ({ input }) => {
      await rooms.publish(`room:${input.room}`, input.text);
    }),
  room: v.procedure
    .input(z.string())
    .subscription(({ input, signal }) => rooms.subscribe(`room:${input}`, { signal })),
});

let browser: Browser | undefined;
let http: Server | undefined;
let app: VolleyServer | undefined;
let inspector: Inspector | undefined;
const clients: Array<{ $close(): Promise<void> }> = [];
afterEach(async () => {
  await browser?.close();
  await Promise.all(clients.splice(0).map((client) => client.$close()));
  await inspector?.close();
  await app?.close();
  await new Promise((resolve) => (http ? http.close(resolve) : resolve(undefined)));
});

/** A client of the app whose upgrade carries `origin`, as a browser page there would. */
function appClient(base: string, origin: string) {
  const WithOrigin = class extends WebSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols, { origin });
    }
  } as unknown as WebSocketConstructor;
  const client = createClient<typeof router>({ url: `ws://${base}/rpc`, WebSocket: WithOrigin });
  clients.push(client);
  return client;
}

/** Waits until the page shows `value` open connections. */
async function expectOpen(page: Page, value: number): Promise<void> {
  await page.locator(`#connections-open[data-value="${value}"]`).waitFor(WAIT);
  expect(await page.locator('#connections-open').textContent()).toBe(String(value));
}

it('shows a live connection count in Chromium that changes when a client connects', {
  timeout: 120_000,
}, async () => {
  browser = await launchChromium(); // first, so a missing browser fails at once
  app = createServer({ router, onError: false, maxSubscriptions: 2 });
  inspector = createInspector({
    server: app,
    authorize: (request) => request.headers.cookie === `${COOKIE.name}=${COOKIE.value}`,
    presence: (topic) => (topic === 'room:lobby' ? ['ada', 'bob'] : ['grace']),
  });
  const mounted = inspector;
  http = createHttpServer((request, response) => {
    if (!mounted.handleRequest(request, response)) response.writeHead(404).end();
  });
  app.attach(http, { path: '/rpc' });
  inspector.attach(http);
  await new Promise<void>((resolve) => http?.listen(0, '127.0.0.1', resolve));
  const base = `127.0.0.1:${(http.address() as AddressInfo).port}`;

  const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
  // Without the cookie: refused, and the page never gets its script.
  const stranger = await context.newPage();
  expect((await stranger.goto(`http://${base}/_volley/`))?.status()).toBe(403);
  await stranger.close();

  await context.addCookies([{ ...COOKIE, url: `http://${base}` }]);
  const page = await context.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') pageErrors.push(message.text()); // CSP violations land here
  });
  const response = await page.goto(`http://${base}/_volley/`);
  expect(response?.status()).toBe(200);
  await page.locator('#status[data-state="open"]').waitFor(WAIT);
  await expectOpen(page, 0);

  // One client connects: the count goes to 1.
  const ada = appClient(base, 'https://chat.example');
  expect(await ada.greet.query('Ada')).toBe('Hello, Ada');
  await expectOpen(page, 1);

  // More traffic, for the screenshot: another origin, subscriptions, calls, a failing call.
  const bob = appClient(base, 'https://admin.example');
  for (const [client, room] of [
    [ada, 'lobby'],
    [bob, 'lobby'],
    [bob, 'rust'],
  ] as const) {
    const started = deferred();
    client.room.subscribe(room, { onStarted: () => started.resolve() });
    await within(started.promise, `a subscription to ${room}`);
  }
  // A third subscription is one too many for Bob: a limit hit.
  const refused = deferred<unknown>();
  bob.room.subscribe('general', { onError: (error) => refused.resolve(error) });
  expect(await within(refused.promise, 'the refused subscription')).toMatchObject({
    limit: 'maxSubscriptions',
  });
  for (let index = 0; index < 20; index++) await ada.greet.query(`Ada ${index}`);
  await ada.send.mutate({ room: 'lobby', text: 'Hello, lobby' });
  await expect(bob.send.mutate({ room: 'lobby', text: '' })).rejects.toThrow();
  await expectOpen(page, 2);
  await page.locator('#topics td', { hasText: 'room:lobby' }).waitFor(WAIT);
  await page.locator('#topics td', { hasText: 'ada, bob' }).waitFor(WAIT);
  await page.locator('#procedures td', { hasText: 'INVALID_PARAMS' }).waitFor(WAIT);
  await page.locator('#limits td', { hasText: 'maxSubscriptions' }).waitFor(WAIT);
  expect(await page.locator('#origins tbody tr').count()).toBe(2);
  await page.screenshot({ path: SCREENSHOT, fullPage: true });

  // One leaves: the count goes down again.
  await bob.$close();
  await expectOpen(page, 1);
  expect(pageErrors).toEqual([]);
});
