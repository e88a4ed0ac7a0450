// The image upload page in real Chromium: it picks a PNG, sends its bytes over the
// MessagePack codec, and the server must have exactly those bytes. Fails, never skips,
// when Chromium is missing (VOLLEY_CHROMIUM names another binary).
import { createHash } from 'node:crypto';
import type { Browser } from 'playwright-core';
import { afterEach, expect, it } from 'vitest';
import { launchChromium } from '../../../packages/tests/test/helpers/chromium.js';
import { buildPage } from '../src/build.js';
import { stored } from '../src/router.js';
import { startImageServer } from '../src/server.js';

let browser: Browser | undefined;
let server: Awaited<ReturnType<typeof startImageServer>> | undefined;
afterEach(async () => {
  await browser?.close();
  await server?.close();
  stored.clear();
});

/** A PNG-looking payload of 300 KiB with every byte value in it, 0x00 and 0xff included. */
function image(): Buffer {
  const bytes = Buffer.alloc(300 * 1024);
  for (let index = 0; index < bytes.length; index++)
    bytes[index] = (index * 7 + (index >> 8)) % 256;
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(bytes);
  return bytes;
}

it('sends an image from the page as bytes, and the server stores exactly them', async () => {
  // The server serves dist/ next to its source: build it as `pnpm build` there would.
  await buildPage();
  server = await startImageServer(0);
  browser = await launchChromium();
  const page = await browser.newPage();
  // Every WebSocket frame the page sends, to see that the bytes went as binary.
  const sent: Array<string | Buffer> = [];
  page.on('websocket', (socket) => socket.on('framesent', (frame) => sent.push(frame.payload)));
  await page.goto(`http://127.0.0.1:${server.port}/`);
  await page.getByText('Ready: pick an image').waitFor({ timeout: 30_000 });
  const png = image();
  await page.setInputFiles('#file', { name: 'cat.png', mimeType: 'image/png', buffer: png });
  await page.getByText('Stored cat.png').waitFor({ timeout: 30_000 });
  const sha256 = createHash('sha256').update(png).digest('hex');
  expect(await page.locator('#status').getAttribute('data-sha256')).toBe(sha256);
  const kept = stored.get('cat.png');
  expect(kept).toBeDefined();
  expect(Buffer.from(kept as Uint8Array).equals(png)).toBe(true);
  // No text frame carried it, and the binary one is about its size, not base64's 4/3.
  expect(sent.every((frame) => typeof frame !== 'string')).toBe(true);
  const largest = Math.max(...sent.map((frame) => frame.length));
  expect(largest).toBeGreaterThan(png.length);
  expect(largest).toBeLessThan(png.length + 200);
});
