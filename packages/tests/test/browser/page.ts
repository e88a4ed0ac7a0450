// Runs inside Chromium: the real client on the browser's own WebSocket.
import { ConnectionLostError, createClient, VolleyError } from '@volley/client';
import type { BrowserRouter } from '../browser.test.js';

declare global {
  interface Window {
    volleyResult?: unknown;
  }
}

/**
 * Why a call to `url` fails, as a client that fails fast tells it: the error's name, and
 * the kind and code of its `disconnect`.
 */
async function whyNot(url: string) {
  const client = createClient<BrowserRouter>({
    url,
    failFast: true,
    retry: { initialDelayMs: 60_000 },
  });
  const error = await client.greet.query({ name: 'x' }).catch((caught: unknown) => caught);
  await client.$close();
  const disconnect = error instanceof ConnectionLostError ? error.disconnect : undefined;
  return { name: (error as Error).name, kind: disconnect?.kind, code: disconnect?.code };
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
    // A browser gives 1006 for both; whether the socket opened tells them apart.
    refused: await whyNot(`ws://127.0.0.1:${new URLSearchParams(location.search).get('dead')}`),
    dropped: await whyNot(`ws://${location.host}/drop`),
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
