// The React chat: its README snippets, its browser bundle, and two people chatting in
// Debian's Chromium over the page's own WebSocket. Fails, never skips, when Chromium is
// missing (CI installs it).
import { readFile } from 'node:fs/promises';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { launchChromium } from '../../../packages/tests/test/helpers/chromium.js';
import { buildReactChat } from '../src/build.js';
import { serveReactChat } from '../src/serve.js';

const file = (path: string) => readFile(new URL(path, import.meta.url), 'utf8');

let inputs: string[] = [];
beforeAll(async () => {
  // Bundles the built packages, as a user's app would (pnpm test builds them first).
  const result = await buildReactChat();
  inputs = Object.keys(result.metafile.inputs);
}, 60_000);

it("the README's React snippets are exactly the example's files", async () => {
  const readme = await file('../../../README.md');
  const blocks = [...readme.matchAll(/```tsx?\n([\s\S]*?)```/g)].map((match) => match[1]);
  expect(blocks).toContain(await file('../src/volley.ts'));
  expect(blocks).toContain(await file('../src/chat-room.tsx'));
});

it('bundles for the browser with no Node built-ins, no ws, no server and no zod', async () => {
  // platform: 'browser' already fails the build on a Node built-in; this names the rest.
  const packages = inputs.filter((input) => input.includes('node_modules'));
  expect(packages.some((input) => input.includes('/react-dom/'))).toBe(true);
  expect(inputs.some((input) => input.includes('packages/react/dist/'))).toBe(true);
  for (const unwanted of ['/ws/', '/zod/', 'packages/server/', '/@volley/server/', 'node:']) {
    expect(inputs.filter((input) => input.includes(unwanted))).toEqual([]);
  }
  const code = await file('../dist/app.js');
  expect(code).not.toMatch(
    /from ?["']node:|require\(["'](node:)?(fs|net|http|crypto|stream)["']\)/,
  );
});

let browser: Browser | undefined;
let server: Awaited<ReturnType<typeof serveReactChat>> | undefined;
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

it('two people chat in Chromium, and a new room starts empty', async () => {
  browser = await launchChromium();
  server = await serveReactChat(0, '127.0.0.1');
  const errors: string[] = [];
  const open = async (name: string) => {
    const page = await browser!.newPage();
    page.on('pageerror', (error) => errors.push(`${name}: ${error.message}`));
    await page.goto(`http://127.0.0.1:${server!.port}/?name=${name}`);
    // `active`: the server acknowledged the subscription, so no message after is missed.
    await page.getByRole('status').getByText('active').waitFor({ timeout: 20_000 });
    return page;
  };
  const ada = await open('Ada');
  const bob = await open('Bob');

  await ada.getByRole('textbox').fill('Hello from React');
  await ada.getByRole('button', { name: 'Send' }).click();
  await bob.getByText('Ada: Hello from React').waitFor({ timeout: 20_000 });
  await ada.getByText('Ada: Hello from React').waitFor({ timeout: 20_000 });
  expect(await ada.getByRole('textbox').inputValue()).toBe(''); // cleared on success

  await bob.getByRole('button', { name: '#random' }).click();
  await bob.getByRole('heading', { name: '#random as Bob' }).waitFor();
  await bob.getByRole('status').getByText('active').waitFor({ timeout: 20_000 });
  expect(await bob.getByRole('listitem').count()).toBe(0);
  expect(errors).toEqual([]);
});
