// The chat page in real Chromium, served by the chat server run as a person runs it (its
// own process). Ada and Bob chat; Bob's connection goes through a TCP proxy that cuts it
// and refuses him for a while. His page must say it is reconnecting and, once back, show
// what Ada wrote meanwhile: every message, once, in order. Fails, never skips, when
// Chromium is missing (VOLLEY_CHROMIUM names another binary).
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { type AddressInfo, createServer as createTcpServer, type Server } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterEach, expect, it } from 'vitest';
import { launchChromium } from '../../../packages/tests/test/helpers/chromium.js';
import { startTcpProxy, type TcpProxy } from '../../../packages/tests/test/helpers/tcp-proxy.js';
import { buildPage } from '../src/build.js';

/**
 * Every run keeps its screenshot in `test-results/` (not committed). The one in the
 * repository, shown in the README, is replaced only with VOLLEY_UPDATE_SCREENSHOTS=1.
 */
const SCREENSHOT = fileURLToPath(
  new URL(
    process.env.VOLLEY_UPDATE_SCREENSHOTS === '1'
      ? '../screenshot.png'
      : '../../../test-results/chat-web.png',
    import.meta.url,
  ),
);
const SERVER = fileURLToPath(new URL('../../chat/src/server.ts', import.meta.url));
/** How long to wait for any one state of a page; generous, for a busy machine. */
const WAIT = { timeout: 30_000 };

let browser: Browser | undefined;
let proxy: TcpProxy | undefined;
let refuser: Server | undefined;
let server: ChildProcess | undefined;
afterEach(async () => {
  for (const context of browser?.contexts() ?? []) await context.close();
  await browser?.close();
  await proxy?.close();
  await new Promise((resolve) => (refuser ? refuser.close(resolve) : resolve(undefined)));
  if (server && server.exitCode === null && server.signalCode === null) {
    const exited = once(server, 'exit');
    server.kill('SIGTERM');
    await exited;
  }
});

/** Starts `examples/chat/src/server.ts` on a free port and resolves with the port. */
async function startChatServer(): Promise<number> {
  const child = spawn(process.execPath, ['--import', 'tsx', SERVER], {
    env: { ...process.env, PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  server = child;
  let output = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`No chat server:\n${output}`)), 30_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`The chat server exited with ${code}:\n${output}`));
    });
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
      const match = output.match(/Chat page on http:\/\/localhost:(\d+)\//);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
  });
}

/** A TCP server that drops every connection at once: somewhere to send Bob meanwhile. */
async function startRefuser(): Promise<number> {
  refuser = createTcpServer((socket) => socket.destroy());
  await once(refuser.listen(0, '127.0.0.1'), 'listening');
  return (refuser.address() as AddressInfo).port;
}

/** What the pages reported as errors (a script error, a refused load): none, expected. */
const pageErrors: string[] = [];

/** Opens the page as `name` in #lobby, through `port`, and waits until it has joined. */
async function join(name: string, port: number): Promise<Page> {
  const page = await browser!.newPage({ viewport: { width: 880, height: 700 } });
  page.on('pageerror', (error) => pageErrors.push(`${name}: ${error.message}`));
  page.on('console', (message) => {
    // The browser logs the cut connection's failed attempts; anything else is a fault.
    const text = message.text();
    if (message.type() === 'error' && !text.includes('WebSocket connection to')) {
      pageErrors.push(`${name}: ${text}`);
    }
  });
  await page.goto(`http://127.0.0.1:${port}/?name=${name}&room=lobby`);
  await page.locator('.notice', { hasText: `You joined #lobby as ${name}` }).waitFor(WAIT);
  await expectState(page, 'open', 'Connected');
  return page;
}

/** Waits until the page shows the connection `state`, and checks what it says. */
async function expectState(page: Page, state: string, label: string): Promise<void> {
  await page.locator(`#status[data-state="${state}"]`).waitFor(WAIT);
  expect(await page.locator('#status-text').textContent()).toBe(label);
}

/** Sends `text` from the page's form. */
async function say(page: Page, text: string): Promise<void> {
  await page.locator('#text').fill(text);
  await page.getByRole('button', { name: 'Send' }).click();
}

/** Waits until the page shows a message with `text` (exactly one: the locator is strict). */
async function waitForMessage(page: Page, text: string): Promise<void> {
  await page.locator('.message .text', { hasText: text }).waitFor(WAIT);
}

/** Every message the page shows, in order, as `author: text`. */
function transcript(page: Page): Promise<string[]> {
  return page.$$eval('#messages .message', (items) =>
    items.map(
      (item) =>
        `${item.querySelector('.author')?.textContent}: ${item.querySelector('.text')?.textContent}`,
    ),
  );
}

it('bundles the page from the built @volley/client, with nothing from Node', async () => {
  const inputs = await buildPage();
  expect(inputs.filter((input) => !input.startsWith('examples/chat-web/src/page/'))).toEqual([
    'packages/core/dist/index.js',
    'packages/client/dist/index.js',
  ]);
});

it('two pages chat; one loses its connection and, back, shows what it missed once each', {
  timeout: 180_000,
}, async () => {
  browser = await launchChromium(); // first, so a missing browser fails at once
  await buildPage();
  const port = await startChatServer();
  proxy = await startTcpProxy(port);
  const refused = await startRefuser();

  const ada = await join('Ada', port);
  const bob = await join('Bob', proxy.port); // page and WebSocket both through the proxy

  await say(ada, 'Hi Bob! Are you on the train?');
  await waitForMessage(bob, 'Hi Bob! Are you on the train?');
  await say(bob, 'Yes, going into a tunnel now.');
  await waitForMessage(ada, 'Yes, going into a tunnel now.');

  // Cut Bob's connection, and refuse him until told otherwise.
  proxy.setTarget(refused);
  proxy.cut();
  await expectState(bob, 'reconnecting', 'Reconnecting…');
  expect(await bob.locator('#banner').isVisible()).toBe(true);
  expect(await bob.locator('#banner').textContent()).toContain('Reconnecting…');

  const missed = ['The show starts at eight.', 'I have your ticket.', 'Meet me at the door.'];
  for (const text of missed) await say(ada, text);
  for (const text of missed) await waitForMessage(ada, text); // published: Ada has them back
  await expectState(bob, 'reconnecting', 'Reconnecting…'); // Bob was away for all three

  proxy.setTarget(port);
  await expectState(bob, 'open', 'Connected');
  await bob.locator('.notice', { hasText: 'Reconnected' }).waitFor(WAIT);
  expect(await bob.locator('#banner').isVisible()).toBe(false);
  await waitForMessage(bob, missed.at(-1)!);
  // Live again: a message sent now comes after the missed ones, and nothing comes twice.
  await say(ada, 'Welcome back!');
  await waitForMessage(bob, 'Welcome back!');

  const conversation = [
    'Ada: Hi Bob! Are you on the train?',
    'Bob: Yes, going into a tunnel now.',
    ...missed.map((text) => `Ada: ${text}`),
    'Ada: Welcome back!',
  ];
  expect(await transcript(bob)).toEqual(conversation);
  expect(await transcript(ada)).toEqual(conversation);
  expect(await bob.locator('.notice').allTextContents()).toEqual([
    'You joined #lobby as Bob',
    'Reconnected',
  ]);

  expect(pageErrors).toEqual([]);
  await bob.screenshot({ path: SCREENSHOT });
});
