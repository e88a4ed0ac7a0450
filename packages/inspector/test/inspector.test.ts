// The inspector over real sockets: its page and its live WebSocket refuse a request that
// `authorize` refuses, and its `snapshot` subscription, read with @volley/client, follows
// the observed server as clients come and go. Run after `pnpm build` (the page's files).
import { createServer as createHttpServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createClient, type VolleyClient, type WebSocketConstructor } from '@volley/client';
import { initVolley } from '@volley/core';
import { createPubSub, createServer, type VolleyServer } from '@volley/server';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { z } from 'zod';
import { deferred, startHarness, within } from '../../tests/test/helpers/harness.js';
import {
  createInspector,
  type Inspector,
  type InspectorOptions,
  type InspectorRouter,
  type InspectorSnapshot,
  type WatchableEngine,
} from '../src/index.js';
import { CONTENT_SECURITY_POLICY } from '../src/page-assets.js';

const v = initVolley();
const rooms = createPubSub<{ [topic: `room:${string}`]: string }>();
const appRouter = v.router({
  greet: v.procedure.input(z.string()).query(({ input }) => `Hello, ${input}`),
  fail: v.procedure.mutation(() => {
    throw new Error('boom');
  }),
  room: v.procedure
    .input(z.string())
    .subscription(({ input, signal }) => rooms.subscribe(`room:${input}`, { signal })),
});

const COOKIE = 'inspector=let-me-in';
const authorize = (request: { headers: { cookie?: string | undefined } }) =>
  request.headers.cookie === COOKIE;

let http: Server | undefined;
let app: VolleyServer | undefined;
let inspector: Inspector | undefined;
const clients: Array<{ $close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.$close()));
  await inspector?.close();
  await app?.close();
  await new Promise((resolve) => (http ? http.close(resolve) : resolve(undefined)));
  http = undefined;
  app = undefined;
  inspector = undefined;
});

/**
 * The app's Volley server at `/rpc` and the inspector at `/_volley`, on one HTTP server
 * whose own handler answers everything else with "app". Resolves with its base URL.
 */
async function start(options: Partial<InspectorOptions> = {}): Promise<string> {
  app = createServer({ router: appRouter, onError: false });
  inspector = createInspector({ server: app, authorize, onError: false, ...options });
  const mounted = inspector;
  http = createHttpServer((request, response) => {
    if (mounted.handleRequest(request, response)) return;
    response.writeHead(200, { 'Content-Type': 'text/plain' }).end('app');
  });
  app.attach(http, { path: '/rpc' });
  inspector.attach(http);
  await new Promise<void>((resolve) => http?.listen(0, '127.0.0.1', resolve));
  return `127.0.0.1:${(http.address() as AddressInfo).port}`;
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function get(url: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, { method, headers }, (response) => {
      let body = '';
      response.setEncoding('utf8').on('data', (chunk: string) => {
        body += chunk;
      });
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body }),
      );
    });
    request.on('error', reject).end();
  });
}

/** Opens a raw WebSocket and says whether the upgrade was accepted, or its HTTP status. */
function tryUpgrade(url: string, headers: Record<string, string>): Promise<'open' | number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { headers });
    socket.on('unexpected-response', (_request, response) => {
      resolve(response.statusCode ?? 0);
      response.resume();
      socket.terminate();
    });
    socket.on('open', () => {
      resolve('open');
      socket.close();
    });
    socket.on('error', reject);
  });
}

/** A WebSocket class for @volley/client that sends `headers` with its upgrade. */
function socketWith(headers: Record<string, string>): WebSocketConstructor {
  return class extends WebSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols, { headers });
    }
  } as unknown as WebSocketConstructor;
}

/** Subscribes to the inspector's snapshots; `until` waits for one that passes a test. */
function watch(url: string) {
  const client = createClient<InspectorRouter>({
    url,
    WebSocket: socketWith({ cookie: COOKIE }),
  });
  clients.push(client);
  let latest: InspectorSnapshot | undefined;
  const waiters = new Set<{ test: (s: InspectorSnapshot) => boolean; done: () => void }>();
  client.snapshot.subscribe(undefined, {
    onData(snapshot) {
      latest = snapshot;
      for (const waiter of waiters) if (waiter.test(snapshot)) waiter.done();
    },
  });
  return {
    get latest() {
      return latest;
    },
    async until(what: string, test: (s: InspectorSnapshot) => boolean): Promise<InspectorSnapshot> {
      if (latest !== undefined && test(latest)) return latest;
      const reached = deferred();
      const waiter = { test, done: () => reached.resolve() };
      waiters.add(waiter);
      try {
        await within(reached.promise, `a snapshot with ${what}`, 20_000);
      } finally {
        waiters.delete(waiter);
      }
      return latest!;
    },
  };
}

function appClient(base: string, origin: string): VolleyClient<typeof appRouter> {
  const client = createClient<typeof appRouter>({
    url: `ws://${base}/rpc`,
    WebSocket: socketWith({ origin }),
  });
  clients.push(client);
  return client;
}

describe('createInspector', () => {
  it('refuses to be made without an authorize function', () => {
    const server = createServer({ router: appRouter });
    expect(() =>
      createInspector({ server } as unknown as InspectorOptions),
    ).toThrowErrorMatchingInlineSnapshot(
      `[TypeError: createInspector: \`authorize\` is required: a function (request) => boolean | Promise<boolean> that says who may see the inspector (return true only for your operators)]`,
    );
  });

  it('refuses a path that does not start with /', () => {
    const server = createServer({ router: appRouter });
    expect(() => createInspector({ server, authorize, path: 'inspector' })).toThrow(TypeError);
  });

  it('watches the engines it is given, and lets them go when closed', async () => {
    let watcher: Parameters<NonNullable<WatchableEngine['observe']>>[0] | undefined;
    const engine: WatchableEngine = {
      observe(observer) {
        watcher = observer;
        return () => {
          watcher = undefined;
        };
      },
    };
    app = createServer({ router: appRouter });
    inspector = createInspector({ server: app, authorize, engines: [engine, {}] });
    watcher?.publishFailed?.('room:lobby', new Error('Redis is down'));
    watcher?.engineReconnected?.('redis');
    expect((await inspector.snapshot()).engine).toEqual({
      publishFailures: { total: 1, recent: 1 },
      reconnections: 1,
    });
    await inspector.close();
    expect(watcher).toBeUndefined();
  });
});

describe('the page over HTTP', () => {
  it('answers 403 without authorisation, for the page and its files, and serves them with it', async () => {
    const base = await start();
    for (const file of ['', 'app.js', 'app.css', 'nothing-here']) {
      const refused = await get(`http://${base}/_volley/${file}`);
      expect(refused.status).toBe(403);
      expect(refused.body).toBe('Forbidden');
      expect(refused.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
      expect(
        (await get(`http://${base}/_volley/${file}`, { cookie: 'inspector=guess' })).status,
      ).toBe(403);
    }
    const page = await get(`http://${base}/_volley/`, { cookie: COOKIE });
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
    expect(page.headers['x-frame-options']).toBe('DENY');
    expect(page.body).toContain('<title>Volley inspector</title>');
    // Nothing from another origin: every script and stylesheet is the page's own.
    expect(page.body).not.toMatch(/(src|href)="(https?:)?\/\//);
    const script = await get(`http://${base}/_volley/app.js`, { cookie: COOKIE });
    expect(script.status).toBe(200);
    expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(script.body).toContain('rpc.init'); // @volley/client is bundled in
    expect((await get(`http://${base}/_volley/nothing-here`, { cookie: COOKIE })).status).toBe(404);
    const redirect = await get(`http://${base}/_volley`, { cookie: COOKIE });
    expect([redirect.status, redirect.headers.location]).toEqual([308, '_volley/']);
    expect((await get(`http://${base}/_volley/`, { cookie: COOKIE }, 'POST')).status).toBe(405);
    // Everything else is the app's.
    expect((await get(`http://${base}/other`)).body).toBe('app');
    expect((await get(`http://${base}/_volleyball`)).body).toBe('app');
  });

  it('answers 401 with the challenge when one is set, and 500 when authorize throws', async () => {
    const errors: unknown[] = [];
    const base = await start({
      challenge: 'Basic realm="Volley inspector"',
      authorize: (request) => {
        if (request.headers.cookie === 'throw') throw new Error('session store down');
        return authorize(request);
      },
      onError: (error) => errors.push(error),
    });
    const refused = await get(`http://${base}/_volley/`);
    expect(refused.status).toBe(401);
    expect(refused.headers['www-authenticate']).toBe('Basic realm="Volley inspector"');
    const failed = await get(`http://${base}/_volley/`, { cookie: 'throw' });
    expect(failed.status).toBe(500);
    expect(failed.body).not.toContain('session store');
    expect(errors).toEqual([new Error('session store down')]);
    expect(await tryUpgrade(`ws://${base}/_volley/live`, {})).toBe(401);
    expect(await tryUpgrade(`ws://${base}/_volley/live`, { cookie: 'throw' })).toBe(500);
  });

  it('takes an async authorize', async () => {
    const base = await start({ authorize: async (request) => authorize(request) });
    expect((await get(`http://${base}/_volley/`)).status).toBe(403);
    expect((await get(`http://${base}/_volley/`, { cookie: COOKIE })).status).toBe(200);
  });
});

describe('the live WebSocket', () => {
  it('refuses an upgrade without authorisation (403) or from another site’s page (403)', async () => {
    const base = await start();
    const live = `ws://${base}/_volley/live`;
    expect(await within(tryUpgrade(live, {}), 'no cookie')).toBe(403);
    expect(await within(tryUpgrade(live, { cookie: 'inspector=guess' }), 'bad cookie')).toBe(403);
    // A page on another origin can make the browser send the cookie, never the Origin.
    const hijack = { cookie: COOKIE, origin: 'https://evil.example' };
    expect(await within(tryUpgrade(live, hijack), 'other origin')).toBe(403);
    expect(
      await within(tryUpgrade(live, { cookie: COOKIE, origin: `http://${base}` }), 'same origin'),
    ).toBe('open');
    expect(await within(tryUpgrade(live, { cookie: COOKIE }), 'not a browser')).toBe('open');
    // The app's own endpoint is not the inspector's business.
    expect(await within(tryUpgrade(`ws://${base}/rpc`, {}), 'the app')).toBe('open');
  });

  it('sends snapshots that follow a client as it connects, calls and leaves', async () => {
    const base = await start();
    const snapshots = watch(`ws://${base}/_volley/live`);
    const first = await snapshots.until('a first snapshot', () => true);
    // The inspector's own connection is on its own server: the app has none.
    expect(first.connections.open).toBe(0);

    const client = appClient(base, 'https://app.example');
    expect(await client.greet.query('Ada')).toBe('Hello, Ada');
    await expect(client.fail.mutate()).rejects.toThrow();
    const busy = await snapshots.until(
      'one connection and two calls',
      (s) => s.connections.open === 1 && s.procedures.length === 2,
    );
    expect(busy.connections.byOrigin).toEqual([{ origin: 'https://app.example', count: 1 }]);
    expect(busy.procedures.find((row) => row.path === 'greet')).toMatchObject({
      type: 'query',
      calls: { total: 1 },
      errors: { total: 0 },
    });
    expect(busy.procedures.find((row) => row.path === 'fail')).toMatchObject({
      type: 'mutation',
      errors: { total: 1 },
      errorsByCode: [{ code: 'INTERNAL_ERROR', count: 1 }],
    });

    await client.$close();
    const after = await snapshots.until('no connection', (s) => s.connections.open === 0);
    expect(after.connections.closed).toEqual([{ code: 1000, total: 1 }]);
  });

  it('shows subscriptions by topic, with who is present when given a presence source', async () => {
    const base = await start({
      presence: (topic) => (topic === 'room:lobby' ? [{ id: 'ada' }, 'bob'] : []),
    });
    const snapshots = watch(`ws://${base}/_volley/live`);
    const client = appClient(base, 'https://app.example');
    const started = deferred();
    client.room.subscribe('lobby', { onStarted: () => started.resolve() });
    await within(started.promise, 'the subscription');
    const seen = await snapshots.until('a topic', (s) => s.subscriptions.byTopic.length === 1);
    expect(seen.subscriptions.byTopic).toEqual([
      { topic: 'room:lobby', subscribers: 1, presence: { count: 2, members: ['ada', 'bob'] } },
    ]);
    expect(seen.subscriptions.open).toBe(1);
  });

  it('shows who is present from a pub/sub with presence (`presence: rooms`)', async () => {
    const base = await start({ presence: rooms });
    // Ada is in the room (entered as a subscription declaring her presence would be).
    const leave = await rooms.engine.presence?.enter(
      'room:lobby',
      { id: 'ada', data: { name: 'Ada' } },
      10,
    );
    try {
      const snapshots = watch(`ws://${base}/_volley/live`);
      const client = appClient(base, 'https://app.example');
      const started = deferred();
      client.room.subscribe('lobby', { onStarted: () => started.resolve() });
      await within(started.promise, 'the subscription');
      const seen = await snapshots.until('a topic', (s) => s.subscriptions.byTopic.length === 1);
      expect(seen.subscriptions.byTopic).toEqual([
        { topic: 'room:lobby', subscribers: 1, presence: { count: 1, members: ['Ada (ada)'] } },
      ]);
    } finally {
      leave?.();
    }
  });

  it('serves on a port of its own, and leaves no timer, call or subscription behind', async () => {
    const harness = await startHarness({ router: appRouter, onError: false });
    try {
      // A long interval: a snapshot timer left behind would outlive the harness's wait.
      inspector = createInspector({
        server: harness.server,
        authorize,
        path: '/',
        intervalMs: 60_000,
      });
      const { port } = await inspector.listen(0, '127.0.0.1');
      expect((await get(`http://127.0.0.1:${port}/`)).status).toBe(403);
      expect((await get(`http://127.0.0.1:${port}/`, { cookie: COOKIE })).status).toBe(200);
      expect(await tryUpgrade(`ws://127.0.0.1:${port}/live`, {})).toBe(403);
      const snapshots = watch(`ws://127.0.0.1:${port}/live`);
      await snapshots.until('a first snapshot', (s) => s.connections.open === 0);
      expect(await harness.client().greet.query('Bob')).toBe('Hello, Bob');
      await snapshots.until('the app’s client', (s) => s.connections.open === 1);
      await Promise.all(clients.splice(0).map((client) => client.$close()));
      await inspector.close();
    } finally {
      await harness.close(); // fails on a timer still waiting: the snapshot loop's, say
    }
  });
});
