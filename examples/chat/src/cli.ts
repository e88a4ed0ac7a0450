// A terminal chat client: `pnpm --filter chat-example cli --name Ada [--room lobby] [--url ws://localhost:3001]`.
// Lines you type are sent to the room; messages in the room are printed as they arrive.
// `/who` lists who is in the room.
// While the server cannot be reached it says why on stderr and keeps trying; a line typed
// meanwhile is refused at once instead of waiting. Ctrl-D, Ctrl-C or SIGTERM leaves.
import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import {
  ConnectionLostError,
  createClient,
  type Disconnect,
  type Subscription,
  VolleyError,
} from '@volley/client';
import WebSocket from 'ws';
import type { ChatMessage, ChatRouter } from './router.js';

// pnpm 10 passes `pnpm cli -- --name Ada` on with the `--`, which parseArgs would read as
// the end of the options (and then refuse `--name` as a positional).
const args = process.argv.slice(2);
if (args[0] === '--') args.shift();
const { values } = parseArgs({
  args,
  options: {
    url: { type: 'string', default: process.env.CHAT_URL ?? 'ws://localhost:3001' },
    name: { type: 'string', default: process.env.USER ?? 'guest' },
    room: { type: 'string', default: 'lobby' },
  },
});

/** What went wrong, in words: `connection refused`, `connection closed (1006)`, ... */
function describe({ kind, code, reason }: Disconnect): string {
  const detail = `(${code}${reason ? `: ${reason}` : ''})`;
  switch (kind) {
    case 'refused':
      // ws gives the system's error; a refusal is the common case (the server is down).
      return reason === '' || reason.includes('ECONNREFUSED') ? 'connection refused' : reason;
    case 'timeout':
      return 'the server did not answer in time';
    case 'heartbeat':
      return 'the connection stopped answering';
    case 'denied':
      return `the server refused us ${detail}`;
    case 'error':
      return reason;
    default:
      return `connection closed ${detail}`;
  }
}

const url = new URL(values.url);
url.searchParams.set('name', values.name);
// failFast: a line typed while the server is unreachable is refused at once.
const client = createClient<ChatRouter>({ url, WebSocket, failFast: true });

let joined: Subscription<ChatMessage> | undefined;
/** Joins the room. Unreachable at first, it fails, and joins again once connected. */
const join = () => {
  joined = client.onMessage.subscribe(
    { room: values.room },
    {
      onStarted: () =>
        console.log(`Joined #${values.room} as ${values.name}. Type to chat; Ctrl-D leaves.`),
      onData: (message) =>
        console.log(`[${message.sentAt.slice(11, 19)}] ${message.author}: ${message.text}`),
      onResumed: ({ recovered }) => {
        if (!recovered) console.error('Reconnected; messages sent meanwhile may be missing.');
      },
      onError: (error) => {
        joined = undefined;
        // The server could not be reached: said already; join again once it can be.
        if (error instanceof ConnectionLostError) return;
        console.error(`Left #${values.room}: ${error instanceof Error ? error.message : error}`);
        process.exitCode = 1;
      },
    },
  );
};

let wasOpen = false;
client.$onStateChange((state, disconnect) => {
  if (state === 'open') {
    if (wasOpen) console.error(`Reconnected to ${values.url}.`);
    wasOpen = true;
    if (!joined) join();
  } else if (disconnect) {
    const retrying = state === 'reconnecting' ? ' (retrying)' : '';
    console.error(
      wasOpen && disconnect.kind !== 'refused'
        ? `lost the connection to ${values.url}: ${describe(disconnect)}${retrying}`
        : `cannot connect to ${values.url}: ${describe(disconnect)}${retrying}`,
    );
  }
});
join();

const input = createInterface({ input: process.stdin, terminal: false });
// A signal leaves as end of input does.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => input.close());
for await (const line of input) {
  if (line.trim() === '') continue;
  try {
    if (line.trim() === '/who') {
      const names = await client.who.query({ room: values.room });
      console.log(`In #${values.room}: ${names.join(', ')}`);
      continue;
    }
    await client.send.mutate({ room: values.room, text: line });
  } catch (error) {
    if (error instanceof ConnectionLostError && error.disconnect) {
      console.error(`Not sent: ${describe(error.disconnect)}`);
    } else console.error(error instanceof VolleyError ? `Not sent: ${error.message}` : error);
  }
}
// Leaving is not a failure: unsubscribe before closing so onError stays quiet.
joined?.unsubscribe();
await client.$close();
