// Presence over real sockets, on the in-memory engine: who is subscribed to a topic, with
// an identity the server derives from the connection's context. (The same API across two
// nodes on Redis: packages/redis/test/presence-redis.test.ts.)
import { ClientClosedError, createClient, type VolleyClient, VolleyError } from '@volley/client';
import {
  initVolley,
  type PresenceChange,
  type PubSubEngine,
  VolleyError as ServerError,
} from '@volley/core';
import { createMemoryEngine, createPubSub, type ServerOptions } from '@volley/server';
import { afterEach, expect, it } from 'vitest';
import { z } from 'zod';
import { deferred, type Harness, type RawPeer, startHarness, within } from './helpers/harness.js';

interface User {
  id: string;
  name: string;
}
/** Tokens the server trusts: the identity comes from here, never from what a client says. */
const USERS: Record<string, User> = {
  't-ada': { id: 'ada', name: 'Ada' },
  't-bob': { id: 'bob', name: 'Bob' },
  't-eve': { id: 'eve', name: 'Eve' },
};

const v = initVolley<{ user: User }>();
const room = z.object({ room: z.string() });

function makeRouter(options: { maxPresenceMembers?: number; engine?: PubSubEngine } = {}) {
  const rooms = createPubSub<{ [topic: `room:${string}`]: string }, { name: string }>(options);
  const router = v.router({
    // The input may say anything; presence is taken from ctx alone.
    join: v.procedure
      .input(room.extend({ id: z.string().optional(), name: z.string().optional() }))
      .subscription(({ ctx, input, signal, lastEventId }) =>
        rooms.subscribe(`room:${input.room}`, {
          signal,
          lastEventId,
          presence: { id: ctx.user.id, data: { name: ctx.user.name } },
        }),
      ),
    who: v.procedure.input(room).query(({ input }) => rooms.presence(`room:${input.room}`)),
    presence: v.procedure
      .input(room)
      .subscription(({ input, signal }) => rooms.presenceEvents(`room:${input.room}`, { signal })),
    topics: v.procedure.query(() => rooms.presenceTopics()),
  });
  return { rooms, router };
}
type PresenceRouter = ReturnType<typeof makeRouter>['router'];

const context: Pick<ServerOptions<PresenceRouter>, 'createContext'> = {
  createContext: ({ connectionParams }) => {
    const token = (connectionParams as { token?: unknown } | undefined)?.token;
    const user = typeof token === 'string' ? USERS[token] : undefined;
    if (user === undefined) throw new ServerError({ code: 'UNAUTHORIZED' });
    return { user };
  },
};

let harness: Harness<PresenceRouter> | undefined;
const clients: Array<VolleyClient<PresenceRouter>> = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.$close()));
  await harness?.close();
  harness = undefined;
});

async function start(
  options: { maxPresenceMembers?: number; heartbeatIntervalMs?: number } = {},
): Promise<Harness<PresenceRouter>> {
  return (await startWithRooms(options)).h;
}

/** `start`, with the server's pub/sub for the test to read directly. */
async function startWithRooms(
  options: { maxPresenceMembers?: number; heartbeatIntervalMs?: number } = {},
) {
  const { router, rooms } = makeRouter(options);
  harness = await startHarness<PresenceRouter>({
    router,
    ...context,
    heartbeatIntervalMs: options.heartbeatIntervalMs,
    onError: false,
  });
  return { h: harness, rooms };
}

function connect(h: Harness<PresenceRouter>, token: string): VolleyClient<PresenceRouter> {
  const client = createClient<PresenceRouter>({
    url: h.url,
    WebSocket: h.WebSocket,
    connectionParams: { token },
  });
  clients.push(client);
  return client;
}

/** Joins `room` as the client's user; resolves once the server acknowledged. */
async function join(client: VolleyClient<PresenceRouter>, name: string, input: object = {}) {
  const started = deferred();
  const failed = deferred<unknown>();
  const subscription = client.join.subscribe(
    { room: name, ...input },
    {
      onStarted: () => started.resolve(),
      onData: () => {},
      onError: (error) => {
        if (!(error instanceof ClientClosedError)) failed.resolve(error);
      },
    },
  );
  const outcome = await within(
    Promise.race([started.promise.then(() => undefined), failed.promise]),
    `joining ${name}`,
  );
  if (outcome !== undefined) throw outcome;
  return subscription;
}

/** Resolves once the server runs `count` subscriptions (it has ended the others). */
async function untilSubscriptions(h: Harness<PresenceRouter>, count: number): Promise<void> {
  await within(
    (async () => {
      while (h.server.stats.subscriptions !== count) {
        await new Promise((resolve) => setImmediate(resolve));
      }
    })(),
    `${count} subscriptions on the server`,
  );
}

/** Records the presence changes of `room` that the client is told of. */
function watch(client: VolleyClient<PresenceRouter>, name: string) {
  const changes: string[] = [];
  const waiting: Array<{ count: number; resolve(): void }> = [];
  const started = deferred();
  const subscription = client.presence.subscribe(
    { room: name },
    {
      onStarted: () => started.resolve(),
      onData: (change: PresenceChange<{ name: string }>) => {
        changes.push(`${change.type} ${change.member.id} (${change.member.data.name})`);
        for (const waiter of waiting.filter((w) => changes.length >= w.count)) {
          waiting.splice(waiting.indexOf(waiter), 1);
          waiter.resolve();
        }
      },
      onError: () => {},
    },
  );
  return {
    changes,
    subscription,
    started: within(started.promise, 'the presence subscription'),
    /** Resolves once `count` changes were heard in all. */
    until(count: number) {
      const done = deferred();
      if (changes.length >= count) done.resolve();
      else waiting.push({ count, resolve: done.resolve });
      return within(done.promise, `${count} presence changes (have: ${changes.join(', ')})`);
    },
  };
}

it('tells watchers who joins and leaves, and lists who is there', async () => {
  const h = await start();
  const eve = connect(h, 't-eve');
  const watcher = watch(eve, 'lobby');
  await watcher.started;
  expect(await eve.who.query({ room: 'lobby' })).toEqual([]);

  const ada = connect(h, 't-ada');
  const adaIn = await join(ada, 'lobby');
  // Acknowledged means present.
  expect(await eve.who.query({ room: 'lobby' })).toEqual([{ id: 'ada', data: { name: 'Ada' } }]);
  await watcher.until(1);
  const bob = connect(h, 't-bob');
  await join(bob, 'lobby');
  await watcher.until(2);
  expect((await eve.who.query({ room: 'lobby' })).map((m) => m.id).sort()).toEqual(['ada', 'bob']);
  expect(await eve.who.query({ room: 'elsewhere' })).toEqual([]);
  expect(await eve.topics.query()).toEqual([
    {
      topic: 'room:lobby',
      members: expect.arrayContaining([
        { id: 'ada', data: { name: 'Ada' } },
        { id: 'bob', data: { name: 'Bob' } },
      ]),
    },
  ]);

  adaIn.unsubscribe();
  await watcher.until(3);
  await bob.$close();
  await watcher.until(4);
  expect(watcher.changes).toEqual([
    'join ada (Ada)',
    'join bob (Bob)',
    'leave ada (Ada)',
    'leave bob (Bob)',
  ]);
  expect(await eve.who.query({ room: 'lobby' })).toEqual([]);
  expect(await eve.topics.query()).toEqual([]);
});

it('starts a watcher with a join for everyone already there', async () => {
  const h = await start();
  await join(connect(h, 't-ada'), 'lobby');
  await join(connect(h, 't-bob'), 'lobby');
  const watcher = watch(connect(h, 't-eve'), 'lobby');
  await watcher.until(2);
  expect([...watcher.changes].sort()).toEqual(['join ada (Ada)', 'join bob (Bob)']);
});

it('takes the identity from the context: what the client sends is ignored', async () => {
  const h = await start();
  const eve = connect(h, 't-eve');
  const watcher = watch(eve, 'lobby');
  await watcher.started;
  // A plain JSON-RPC peer authenticated as Ada, claiming to be Bob in every way it can.
  const peer: RawPeer = await h.raw();
  expect(
    await peer.request({
      jsonrpc: '2.0',
      id: 1,
      method: 'rpc.init',
      params: { connectionParams: { token: 't-ada', id: 'bob', presence: { id: 'bob' } } },
    }),
  ).toMatchObject({ id: 1, result: {} });
  expect(
    await peer.request({
      jsonrpc: '2.0',
      id: 2,
      method: 'join',
      params: { room: 'lobby', id: 'bob', name: 'Bob', presence: { id: 'bob', data: 'x' } },
    }),
  ).toMatchObject({ id: 2, result: { subscription: 2 } });
  await watcher.until(1);
  expect(watcher.changes).toEqual(['join ada (Ada)']);
  expect(await eve.who.query({ room: 'lobby' })).toEqual([{ id: 'ada', data: { name: 'Ada' } }]);
});

it('counts several connections of one identity once: joins with the first, leaves with the last', async () => {
  const h = await start();
  const eve = connect(h, 't-eve');
  const watcher = watch(eve, 'lobby');
  await watcher.started;
  const tab1 = connect(h, 't-ada');
  const tab2 = connect(h, 't-ada');
  await join(tab1, 'lobby');
  await join(tab2, 'lobby');
  // One subscription of tab 2 more, on the same connection.
  const again = await join(tab2, 'lobby');
  await watcher.until(1);
  expect(await eve.who.query({ room: 'lobby' })).toEqual([{ id: 'ada', data: { name: 'Ada' } }]);
  again.unsubscribe();
  await tab1.$close();
  // Once the server has ended both (Eve's watch and tab 2's join are left), Ada is still
  // there: a marker member joins after, so a leave would have come before it.
  await untilSubscriptions(h, 2);
  expect(await eve.who.query({ room: 'lobby' })).toEqual([{ id: 'ada', data: { name: 'Ada' } }]);
  await join(connect(h, 't-bob'), 'lobby');
  await watcher.until(2);
  expect(watcher.changes).toEqual(['join ada (Ada)', 'join bob (Bob)']);
  await tab2.$close();
  await watcher.until(3);
  expect(watcher.changes.at(-1)).toBe('leave ada (Ada)');
});

it('refuses a new member past maxPresenceMembers, but takes more entries of one present', async () => {
  const h = await start({ maxPresenceMembers: 2 });
  const eve = connect(h, 't-eve');
  await join(connect(h, 't-ada'), 'lobby');
  const bob = connect(h, 't-bob');
  await join(bob, 'lobby');
  const refused = await join(eve, 'lobby').then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(refused).toBeInstanceOf(VolleyError);
  expect(refused).toMatchObject({ code: 'TOO_MANY_REQUESTS', limit: 'maxPresenceMembers' });
  // Another tab of a member already there is no new member.
  await join(connect(h, 't-ada'), 'lobby');
  // Other topics have their own bound.
  await join(eve, 'other');
  expect((await eve.who.query({ room: 'lobby' })).map((m) => m.id).sort()).toEqual(['ada', 'bob']);
  // Room again once someone leaves.
  await bob.$close();
  await join(eve, 'lobby');
  expect((await eve.who.query({ room: 'lobby' })).map((m) => m.id).sort()).toEqual(['ada', 'eve']);
});

it('a connection that dies without a close frame leaves once the heartbeat finds it dead', async () => {
  const { h, rooms } = await startWithRooms({ heartbeatIntervalMs: 250 });
  // Watched in this process, with no socket: a short heartbeat in a busy process must
  // not take the watcher's own connection for a dead one.
  const controller = new AbortController();
  const changes: string[] = [];
  const watched = (async () => {
    for await (const change of rooms.presenceEvents('room:lobby', { signal: controller.signal })) {
      changes.push(`${change.type} ${change.member.id}`);
      if (changes.length === 2) return;
    }
  })();
  const peer = await h.raw();
  await peer.request({
    jsonrpc: '2.0',
    id: 1,
    method: 'rpc.init',
    params: { connectionParams: { token: 't-ada' } },
  });
  expect(
    await peer.request({ jsonrpc: '2.0', id: 2, method: 'join', params: { room: 'lobby' } }),
  ).toMatchObject({ result: { subscription: 2 } });
  expect(await rooms.presence('room:lobby')).toEqual([{ id: 'ada', data: { name: 'Ada' } }]);
  // The peer goes silent: it reads nothing more, so it answers no ping and sends no close.
  peer.socket.pause();
  try {
    await within(watched, 'Ada to leave');
  } finally {
    controller.abort();
  }
  expect(changes).toEqual(['join ada', 'leave ada']);
  expect(await rooms.presence('room:lobby')).toEqual([]);
  // Let it see the end the server gave it.
  peer.socket.resume();
  await within(peer.closed, 'the dead peer to be closed');
});

it('refuses presence over an engine that has none, or without an id, when the subscription is made', () => {
  const { presence: _, ...bare } = createMemoryEngine();
  const rooms = createPubSub<{ lobby: string }>({ engine: bare });
  expect(() => rooms.subscribe('lobby', { presence: { id: 'ada', data: null } })).toThrow(
    /no presence/,
  );
  expect(() => rooms.presenceEvents('lobby')).toThrow(/no presence/);
  const withPresence = createPubSub<{ lobby: string }>();
  expect(() => withPresence.subscribe('lobby', { presence: { id: '', data: null } })).toThrow(
    /presence\.id/,
  );
  expect(() => createPubSub({ maxPresenceMembers: 0 })).toThrow(/maxPresenceMembers/);
});
