// The chat example (examples/chat), unmodified, as two servers behind nginx sharing rooms
// through Redis (VOLLEY_REDIS_URL). It runs as users run it: `tsx src/server.ts`, on the
// built packages.
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ClientClosedError, createClient } from '@volley/client';
import { afterEach, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { ChatMessage, ChatRouter } from '../../../examples/chat/src/router.js';
import { freePort, startNginx, startRedis } from './helpers/services.js';

const SERVER = fileURLToPath(new URL('../../../examples/chat/src/server.ts', import.meta.url));
const CHAT = fileURLToPath(new URL('../../../examples/chat/', import.meta.url));

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Starts examples/chat/src/server.ts on a free port; resolves with the port once it listens. */
async function startChatServer(redisUrl: string): Promise<number> {
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', SERVER], {
    cwd: CHAT,
    env: {
      ...process.env,
      PORT: String(port),
      VOLLEY_REDIS_URL: redisUrl,
      VOLLEY_TRUST_PROXY: '1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`The chat server did not start:\n${output}`)),
      30_000,
    );
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk;
    });
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk;
      if (!output.includes('Chat server on ws://')) return;
      clearTimeout(timer);
      resolve();
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`The chat server exited (${code}):\n${output}`));
    });
  });
  return port;
}

function chatClient(url: string, name: string) {
  const client = createClient<ChatRouter>({ url: `${url}/?name=${name}`, WebSocket });
  cleanups.push(() => client.$close());
  return client;
}

it('the chat example on two nodes behind nginx: a message sent on one reaches clients of the other', async () => {
  const redis = await startRedis();
  cleanups.push(() => redis.close());
  const ports = [await startChatServer(redis.url), await startChatServer(redis.url)];
  const nginx = await startNginx([...ports]);
  cleanups.push(() => nginx.close());

  // Bob listens through nginx, on whichever node it picks; Ada posts on node 1 directly
  // and Eve on node 2, so one of the two messages crosses from one node to the other.
  const bob = chatClient(nginx.url, 'Bob');
  const seen: ChatMessage[] = [];
  const errors: unknown[] = [];
  let started!: () => void;
  const ready = new Promise<void>((resolve) => {
    started = resolve;
  });
  const both = new Promise<void>((resolve) => {
    bob.onMessage.subscribe(
      { room: 'lobby' },
      {
        onStarted: started,
        onData: (message) => {
          seen.push(message);
          if (seen.length === 2) resolve();
        },
        onError: (error) => {
          if (!(error instanceof ClientClosedError)) errors.push(error);
        },
      },
    );
  });
  await ready;
  await chatClient(`ws://127.0.0.1:${ports[0]}`, 'Ada').send.mutate({
    room: 'lobby',
    text: 'from node 1',
  });
  await chatClient(`ws://127.0.0.1:${ports[1]}`, 'Eve').send.mutate({
    room: 'lobby',
    text: 'from node 2',
  });
  await both;
  expect(seen.map((message) => `${message.author}: ${message.text}`)).toEqual([
    'Ada: from node 1',
    'Eve: from node 2',
  ]);
  expect(errors).toEqual([]);
});
