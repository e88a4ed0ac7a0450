import { createClient, VolleyError } from '@volley/client';
import { createServer, type VolleyServer } from '@volley/server';
import { afterEach, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type ChatMessage, type ChatRouter, chatContext, createChatRouter } from '../src/router.js';

let server: VolleyServer;
const clients: Array<{ $close(): Promise<void> }> = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.$close()));
  await server.close();
});

async function start() {
  server = createServer({
    router: createChatRouter(),
    createContext: ({ request }) => chatContext(request.url),
  });
  const { port } = await server.listen(0, '127.0.0.1');
  return (name?: string) => {
    const url = `ws://127.0.0.1:${port}/${name === undefined ? '' : `?name=${name}`}`;
    const client = createClient<ChatRouter>({ url, WebSocket });
    clients.push(client);
    return client;
  };
}

/** Subscribes to `room`; `started` resolves on the server's ack, `messages` after `count` messages. */
function collect(
  client: ReturnType<Awaited<ReturnType<typeof start>>>,
  room: string,
  count: number,
): { started: Promise<void>; messages: Promise<ChatMessage[]> } {
  let started!: () => void;
  const startedPromise = new Promise<void>((resolve) => {
    started = resolve;
  });
  const messages = new Promise<ChatMessage[]>((resolve, reject) => {
    const seen: ChatMessage[] = [];
    const subscription = client.onMessage.subscribe(
      { room },
      {
        onStarted: started,
        onData: (message) => {
          seen.push(message);
          if (seen.length === count) {
            subscription.unsubscribe();
            resolve(seen);
          }
        },
        onError: reject,
      },
    );
  });
  return { started: startedPromise, messages };
}

it('delivers a message to everyone in the room, and only that room', async () => {
  const connect = await start();
  const ada = connect('Ada');
  const bob = connect('Bob');
  const eve = connect('Eve');
  const bobSees = collect(bob, 'lobby', 2);
  const eveSees = collect(eve, 'other', 1);
  // Once acknowledged, a subscription misses nothing published after.
  await Promise.all([bobSees.started, eveSees.started]);
  await ada.send.mutate({ room: 'lobby', text: 'hi' });
  await ada.send.mutate({ room: 'lobby', text: 'there' });
  await bob.send.mutate({ room: 'other', text: 'elsewhere' });
  expect((await bobSees.messages).map((m) => `${m.author}: ${m.text}`)).toEqual([
    'Ada: hi',
    'Ada: there',
  ]);
  expect((await eveSees.messages).map((m) => m.text)).toEqual(['elsewhere']);
});

it('refuses to post without a name, and rejects bad rooms', async () => {
  const connect = await start();
  const anonymous = connect();
  await expect(anonymous.send.mutate({ room: 'lobby', text: 'hi' })).rejects.toMatchObject({
    code: 'UNAUTHORIZED',
  });
  const ada = connect('Ada');
  const error = await ada.send.mutate({ room: 'Not A Room', text: 'hi' }).catch((e) => e);
  expect(error).toBeInstanceOf(VolleyError);
  expect(error.code).toBe('INVALID_PARAMS');
  expect(error.issues[0].path).toEqual(['room']);
});

it('shows who is in the room: named listeners, each name once, leaving when they go', async () => {
  const connect = await start();
  const eve = connect('Eve');
  const changes: string[] = [];
  let notify = () => {};
  eve.onPresence.subscribe(
    { room: 'lobby' },
    {
      onData: (change) => {
        changes.push(`${change.type} ${change.member.data.name}`);
        notify();
      },
      onError: () => {},
    },
  );
  const until = (count: number) =>
    new Promise<void>((resolve) => {
      notify = () => {
        if (changes.length >= count) resolve();
      };
      notify();
    });
  /** Listens to the room; resolves once the server acknowledged. */
  const listen = (client: ReturnType<typeof connect>) =>
    new Promise<void>((resolve) => {
      client.onMessage.subscribe({ room: 'lobby' }, { onStarted: resolve, onError: () => {} });
    });
  const ada = connect('Ada');
  const adaAgain = connect('Ada');
  await listen(ada);
  await listen(adaAgain);
  // An anonymous listener reads the room without being in it.
  await listen(connect());
  expect(await eve.who.query({ room: 'lobby' })).toEqual(['Ada']);
  await until(1);
  await ada.$close();
  await adaAgain.$close();
  await until(2);
  expect(changes).toEqual(['join Ada', 'leave Ada']);
  expect(await eve.who.query({ room: 'lobby' })).toEqual([]);
});
