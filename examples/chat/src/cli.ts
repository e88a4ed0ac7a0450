// A terminal chat client: `pnpm cli -- --name Ada --room lobby [--url ws://localhost:3001]`.
// Lines you type are sent to the room; messages in the room are printed as they arrive.
import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import { createClient, VolleyError } from '@volley/client';
import WebSocket from 'ws';
import type { ChatRouter } from './router.js';

const { values } = parseArgs({
  options: {
    url: { type: 'string', default: process.env.CHAT_URL ?? 'ws://localhost:3001' },
    name: { type: 'string', default: process.env.USER ?? 'guest' },
    room: { type: 'string', default: 'lobby' },
  },
});

const url = new URL(values.url);
url.searchParams.set('name', values.name);
const client = createClient<ChatRouter>({ url, WebSocket });

const subscription = client.onMessage.subscribe(
  { room: values.room },
  {
    onStarted: () =>
      console.log(`Joined #${values.room} as ${values.name}. Type to chat; Ctrl-D leaves.`),
    onData: (message) =>
      console.log(`[${message.sentAt.slice(11, 19)}] ${message.author}: ${message.text}`),
    onError: (error) => {
      console.error(
        `Subscription ended: ${error instanceof Error ? error.message : String(error)}`,
      );
      process.exitCode = 1;
    },
  },
);

const input = createInterface({ input: process.stdin, terminal: false });
for await (const line of input) {
  if (line.trim() === '') continue;
  try {
    await client.send.mutate({ room: values.room, text: line });
  } catch (error) {
    console.error(error instanceof VolleyError ? `Not sent: ${error.message}` : error);
  }
}
// Leaving is not a failure: unsubscribe before closing so onError stays quiet.
subscription.unsubscribe();
await client.$close();
