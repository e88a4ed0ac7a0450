import { createServer as createHttpServer, type IncomingMessage } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import {
  createClient,
  type VolleyClient,
  VolleyError,
  type WebSocketConstructor,
} from '@volley/client';
import { initVolley } from '@volley/core';
import { type ConnectionInfo, createServer, type ErrorInfo } from '@volley/server';
import { afterEach, describe, expect, expectTypeOf, it } from 'vitest';
import WebSocket from 'ws';
import { z } from 'zod';
import { deferred, type Harness, openRaw, startHarness, within } from './helpers/harness.js';

interface Ctx {
  token: string | undefined;
  room: string | null;
  /** Which createContext call made this context: 1 for the first connection, and so on. */
  serial: number;
}

const v = initVolley<Ctx>();

let probe = makeProbe();
function makeProbe() {
  return {
    /** Every ctx a resolver saw, by identity. */
    ctxSeen: [] as Ctx[],
    /** Inputs of `record`, in the order it ran. */
    recorded: [] as number[],
    meCalls: 0,
  };
}

const authed = v.procedure
  .use(async ({ ctx, next }) => {
    if (ctx.token !== 'secret') {
      throw new VolleyError({ code: 'UNAUTHORIZED', message: 'Sign in first' });
    }
    return next({ ctx: { user: { name: 'Ada' } } });
  })
  .use(async ({ ctx, next }) => next({ ctx: { greeting: `Hello, ${ctx.user.name}` } }));

const router = v.router({
  whoami: v.procedure.query(({ ctx }) => {
    probe.ctxSeen.push(ctx);
    return { token: ctx.token ?? null, room: ctx.room, serial: ctx.serial };
  }),
  record: v.procedure.input(z.number()).query(({ ctx, input }) => {
    // Reading ctx throws if the call was served before its context existed.
    if (ctx.serial < 1) throw new Error('no context');
    probe.recorded.push(input);
    return input;
  }),
  me: authed.query(({ ctx }) => {
    probe.meCalls++;
    return { user: ctx.user.name, greeting: ctx.greeting, token: ctx.token ?? null };
  }),
});

/** A context from the upgrade request's `x-token` header and `room` query parameter. */
function contextFrom(info: ConnectionInfo, serial: number): Ctx {
  const header = info.request.headers['x-token'];
  return {
    token: typeof header === 'string' ? header : undefined,
    room: new URL(info.request.url ?? '/', 'http://localhost').searchParams.get('room'),
    serial,
  };
}

let harness: Harness<typeof router> | undefined;
let extraClients: Array<VolleyClient<typeof router>> = [];
/** What a test opened outside the harness, released in order after it. */
let cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  await Promise.all(extraClients.map((client) => client.$close()));
  extraClients = [];
  const pending = cleanups;
  cleanups = [];
  for (const cleanup of pending) await cleanup();
  await harness?.close();
  harness = undefined;
  probe = makeProbe();
});

/** A typed client on `path` of the harness's server, whose upgrade request carries `headers`. */
function connect(path: string, headers: Record<string, string> = {}): VolleyClient<typeof router> {
  if (harness === undefined) throw new Error('start the harness first');
  const WithHeaders: WebSocketConstructor = class extends WebSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols, { headers });
    }
  };
  const client = createClient<typeof router>({ url: harness.url + path, WebSocket: WithHeaders });
  extraClients.push(client);
  return client;
}

/** The greeting a raw peer opens with: `rpc.init`, whose answer means the connection is accepted. */
const INIT = { jsonrpc: '2.0', id: 'hello', method: 'rpc.init', params: {} };

/** Bytes a client frame carrying `text` takes on the wire: header, mask key and payload. */
function clientFrameBytes(text: string): number {
  const length = Buffer.byteLength(text);
  return 2 + (length < 126 ? 0 : length < 65_536 ? 2 : 8) + 4 + length;
}

/** Settles with the error a promise rejects with, or fails the test if it resolves. */
function rejection(promise: Promise<unknown>, what: string): Promise<unknown> {
  return within(
    promise.then(
      (value) => {
        throw new Error(`Expected ${what} to fail, got ${JSON.stringify(value)}`);
      },
      (error: unknown) => error,
    ),
    what,
  );
}

describe('createContext', () => {
  it('runs once per connection with the upgrade request, and its result is the ctx of every call', async () => {
    const made: Ctx[] = [];
    const connectionIds: string[] = [];
    harness = await startHarness({
      router,
      createContext: (info) => {
        connectionIds.push(info.connectionId);
        const ctx = contextFrom(info, made.length + 1);
        made.push(ctx);
        return ctx;
      },
    });
    const blue = connect('/?room=blue', { 'x-token': 'abc' });
    const first = await blue.whoami.query();
    expect(first).toEqual({ token: 'abc', room: 'blue', serial: 1 });
    const more = await Promise.all([blue.whoami.query(), blue.whoami.query()]);
    expect(more).toEqual([first, first]);
    expect(await blue.whoami.query()).toEqual(first);
    expect(made).toHaveLength(1);
    expect(probe.ctxSeen).toHaveLength(4);
    for (const ctx of probe.ctxSeen) expect(ctx).toBe(made[0]);

    const red = connect('/?room=red', { 'x-token': 'xyz' });
    expect(await red.whoami.query()).toEqual({ token: 'xyz', room: 'red', serial: 2 });
    expect(await blue.whoami.query()).toEqual(first);
    expect(made).toHaveLength(2);
    expect(probe.ctxSeen.at(-2)).toBe(made[1]);
    expect(probe.ctxSeen.at(-1)).toBe(made[0]);
    expect(new Set(connectionIds).size).toBe(2);
  });

  it.each([
    ['after rpc.init', true],
    ['without rpc.init', false],
  ])(
    'holds frames sent before an async createContext resolves, then serves them in order (%s)',
    async (_how, greet) => {
      const frames = [
        ...(greet ? [JSON.stringify(INIT)] : []),
        ...[1, 2, 3].map((id) =>
          JSON.stringify({ jsonrpc: '2.0', id, method: 'record', params: [id * 10] }),
        ),
      ];
      const frameBytes = frames.reduce((total, frame) => total + clientFrameBytes(frame), 0);
      // How many bytes each upgrade request took, to know when every frame has been read.
      const requestBytes = new WeakMap<IncomingMessage, number>();
      const arrived = deferred();
      const gate = deferred();
      const server = createServer({
        router,
        createContext: async (info) => {
          const socket = info.request.socket;
          const target = (requestBytes.get(info.request) ?? 0) + frameBytes;
          const check = () => {
            if (socket.bytesRead >= target) arrived.resolve();
          };
          socket.on('data', check);
          check();
          await gate.promise;
          socket.off('data', check);
          return contextFrom(info, 1);
        },
      });
      const http = createHttpServer();
      http.on('upgrade', (request: IncomingMessage, socket: Socket, head: Buffer) => {
        requestBytes.set(request, socket.bytesRead - head.length);
      });
      server.attach(http);
      await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
      cleanups.push(
        () => server.close(),
        () => new Promise((resolve) => http.close(resolve)),
      );
      const raw = await openRaw(`ws://127.0.0.1:${(http.address() as AddressInfo).port}`);
      cleanups.unshift(() => raw.close());

      for (const frame of frames) raw.send(frame);
      await within(arrived.promise, 'the frames to reach the server');
      // Holding them: nothing ran, nothing was answered.
      expect(probe.recorded).toEqual([]);
      expect(raw.backlog).toEqual([]);

      gate.resolve();
      if (greet) {
        expect(await raw.next('the rpc.init answer')).toEqual({
          jsonrpc: '2.0',
          id: 'hello',
          result: { connectionId: expect.any(String), protocol: 1 },
        });
      }
      expect(await raw.next('answer 1')).toEqual({ jsonrpc: '2.0', id: 1, result: 10 });
      expect(await raw.next('answer 2')).toEqual({ jsonrpc: '2.0', id: 2, result: 20 });
      expect(await raw.next('answer 3')).toEqual({ jsonrpc: '2.0', id: 3, result: 30 });
      expect(probe.recorded).toEqual([10, 20, 30]);
    },
  );
});

describe('middleware', () => {
  it('extends ctx for the resolver, and stops a call with UNAUTHORIZED', async () => {
    harness = await startHarness({ router, createContext: (info) => contextFrom(info, 1) });
    const signedIn = connect('/', { 'x-token': 'secret' });
    const me = await signedIn.me.query();
    expect(me).toEqual({ user: 'Ada', greeting: 'Hello, Ada', token: 'secret' });
    expectTypeOf(me.user).toEqualTypeOf<string>();
    expectTypeOf(me.greeting).toEqualTypeOf<string>();

    const anonymous = connect('/');
    const error = await rejection(anonymous.me.query(), 'the anonymous call');
    expect(error).toBeInstanceOf(VolleyError);
    expect(error).toMatchObject({
      code: 'UNAUTHORIZED',
      rpcCode: -32001,
      message: 'Sign in first',
    });
    expect(probe.meCalls).toBe(1);
    // Only the call was stopped: the connection still serves others.
    expect(await anonymous.whoami.query()).toEqual({ token: null, room: null, serial: 1 });
  });
});

describe('createContext refusing a connection', () => {
  const refusals = [
    {
      code: 'UNAUTHORIZED',
      closeCode: 4401,
      error: () => new VolleyError({ code: 'UNAUTHORIZED', message: 'Bad token' }),
    },
    {
      code: 'FORBIDDEN',
      closeCode: 4403,
      error: () => new VolleyError({ code: 'FORBIDDEN', message: 'Not in this room' }),
    },
  ] as const;

  for (const mode of ['throws', 'rejects'] as const) {
    for (const { code, closeCode, error } of refusals) {
      it(`closes with ${closeCode} when createContext ${mode} ${code}`, async () => {
        const serverErrors: ErrorInfo[] = [];
        harness = await startHarness({
          router,
          onError: (info) => serverErrors.push(info),
          createContext:
            mode === 'throws'
              ? () => {
                  throw error();
                }
              : async () => {
                  throw error();
                },
        });
        const raw = await harness.raw();
        // The context is made at the first frame: greet, and call without waiting.
        raw.send(INIT);
        raw.send({ jsonrpc: '2.0', id: 1, method: 'whoami' });
        expect(await within(raw.closed, 'the close')).toEqual({
          code: closeCode,
          reason: error().message,
        });
        // Neither the greeting nor the call was answered: nothing runs before acceptance.
        expect(raw.backlog).toEqual([]);

        const client = harness.client();
        const refused = await rejection(client.whoami.query(), 'the pending call');
        expect(refused).toBeInstanceOf(VolleyError);
        expect(refused).toMatchObject({ code, message: error().message });
        // A refusal is the application's decision, not a server failure.
        expect(serverErrors).toEqual([]);
      });
    }

    it.each([
      ['an Error', () => new Error('database down')],
      [
        'a VolleyError other than UNAUTHORIZED or FORBIDDEN',
        () => new VolleyError({ code: 'NOT_FOUND', message: 'database down' }),
      ],
    ])(
      `closes with 1011 and reports to onError when createContext ${mode} %s`,
      async (_what, makeError) => {
        const serverErrors: ErrorInfo[] = [];
        const thrown = makeError();
        harness = await startHarness({
          router,
          onError: (info) => serverErrors.push(info),
          createContext:
            mode === 'throws'
              ? () => {
                  throw thrown;
                }
              : async () => {
                  throw thrown;
                },
        });
        const raw = await harness.raw();
        raw.send(INIT);
        raw.send({ jsonrpc: '2.0', id: 1, method: 'whoami' });
        // The reason is generic: the real message stays on the server.
        expect(await within(raw.closed, 'the close')).toEqual({
          code: 1011,
          reason: 'Internal error',
        });
        expect(raw.backlog).toEqual([]);
        expect(serverErrors).toHaveLength(1);
        const reported = serverErrors[0]?.error;
        expect(reported).toBeInstanceOf(VolleyError);
        if (thrown instanceof VolleyError) expect(reported).toBe(thrown);
        else {
          expect(reported?.code).toBe('INTERNAL_ERROR');
          expect(reported?.cause).toBe(thrown);
        }
        expect(typeof serverErrors[0]?.connectionId).toBe('string');
      },
    );
  }
});
