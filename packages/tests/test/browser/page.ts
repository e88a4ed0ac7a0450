// Runs inside Chromium: the real client on the browser's own WebSocket.
import { createClient, VolleyError } from '@volley/client';
import type { BrowserRouter } from '../browser.test.js';

declare global {
  interface Window {
    volleyResult?: unknown;
  }
}

async function main() {
  const client = createClient<BrowserRouter>({ url: `ws://${location.host}/rpc` });
  const greeting = await client.greet.query({ name: 'Chromium' });
  const ticks: number[] = [];
  for await (const tick of client.ticks.subscribe(3)) ticks.push(tick);
  const error = await client.greet.query({ name: '' }).catch((caught: unknown) => caught);
  const code = error instanceof VolleyError ? error.code : String(error);
  await client.$close();
  return {
    greeting,
    ticks,
    code,
    hasNodeGlobals: typeof (globalThis as { process?: unknown }).process,
  };
}

main().then(
  (result) => {
    window.volleyResult = result;
  },
  (error: unknown) => {
    window.volleyResult = { failed: String(error) };
  },
);
