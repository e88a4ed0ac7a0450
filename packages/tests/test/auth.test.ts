// Authentication beyond the handshake: the origin allowlist at upgrade time, and in-band
// token refresh (rpc.auth, client.$reauth()) with middleware enforcing token expiry.
import type { IncomingMessage } from 'node:http';
import { createClient, VolleyError } from '@volley/client';
import { initVolley } from '@volley/core';
import type { ErrorInfo } from '@volley/server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { deferred, type Harness, startHarness, within } from './helpers/harness.js';

interface Ctx {
  user: string;
  /** The token's expiry, as a counter the test moves forward ("now" is `clock`). */
  expiresAt: number;
}

/** Tokens look like "<user>:<expiresAt>"; "bad" is refused; "boom" fails unexpectedly. */
function contextFrom(connectionParams: unknown): Ctx {
  const token = (connectionParams as { token?: unknown } | undefined)?.token;
  if (token === 'boom') throw new Error('token store down');
  if (typeof token !== 'string' || !/^\w+:\d+$/.test(token)) {
    throw new VolleyError({ code: 'UNAUTHORIZED', message: 'Bad token' });
  }
  const [user, expiresAt] = token.split(':') as [string, string];
  if (user === 'banned') throw new VolleyError({ code: 'FORBIDDEN', message: 'Banned' });
  return { user, expiresAt: Number(expiresAt) };
}

let clock = 0;
let gate = deferred();
let slowStarted = deferred();
const v = initVolley<Ctx>();
/** Refuses calls once the connection's token has expired, so the client must re-auth. */
const authed = v.procedure.use(async ({ ctx, next }) => {
  if (clock >= ctx.expiresAt) throw new VolleyError({ code: 'UNAUTHORIZED', message: 'Expired' });
  return next();
});
const router = v.router({
  whoami: authed.query(({ ctx }) => ctx.user),
  slowWhoami: authed.query(async ({ ctx }) => {
    slowStarted.resolve();
    await gate.promise;
    return ctx.user;
  }),
});

let harness: Harness<typeof router> | undefined;
const errors: ErrorInfo[] = [];
beforeEach(() => {
  clock = 0;
  gate = deferred();
  slowStarted = deferred();
  errors.length = 0;
});
afterEach(async () => {
  gate.resolve();
  await harness?.close();
  harness = undefined;
});

async function start(
  extra: { allowedOrigins?: Parameters<typeof startHarness>[0]['allowedOrigins'] } = {},
) {
  harness = await startHarness({
    router,
    createContext: ({ connectionParams }) => contextFrom(connectionParams),
    onError: (info) => errors.push(info),
    ...extra,
  });
  return harness;
}

/** Opens a socket with `origin` (or none) and says whether the upgrade was accepted or its HTTP status. */
function tryUpgrade(url: string, origin?: string): Promise<'open' | number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, origin === undefined ? {} : { origin });
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

describe('allowedOrigins', () => {
  it('refuses other origins with 403 before the upgrade; a client with no Origin is let through', async () => {
    const { url } = await start({ allowedOrigins: ['https://app.example.com'] });
    expect(await within(tryUpgrade(url, 'https://app.example.com'), 'allowed')).toBe('open');
    expect(await within(tryUpgrade(url, 'https://evil.example.com'), 'refused')).toBe(403);
    expect(await within(tryUpgrade(url, 'null'), 'refused')).toBe(403);
    // Only browsers send Origin, and anything else can claim any origin: it must authenticate.
    expect(await within(tryUpgrade(url), 'no origin')).toBe('open');
  });

  it('can be a function of the origin and the request', async () => {
    const seen: Array<[string | undefined, string | undefined]> = [];
    const check = (origin: string | undefined, request: IncomingMessage) => {
      seen.push([origin, request.url]);
      return origin?.endsWith('.example.com') === true;
    };
    const { url } = await start({ allowedOrigins: check });
    expect(await within(tryUpgrade(`${url}/rpc?x=1`, 'https://a.example.com'), 'ok')).toBe('open');
    expect(await within(tryUpgrade(url, 'https://example.org'), 'refused')).toBe(403);
    expect(await within(tryUpgrade(url), 'no origin')).toBe(403);
    expect(seen).toEqual([
      ['https://a.example.com', '/rpc?x=1'],
      ['https://example.org', '/'],
      [undefined, '/'],
    ]);
  });
});

describe('rpc.auth', () => {
  it('rebuilds the context for later calls, while a running call keeps the one it started with', async () => {
    const { raw } = await start();
    const peer = await raw();
    expect(
      await peer.request({
        jsonrpc: '2.0',
        id: 0,
        method: 'rpc.init',
        params: { connectionParams: { token: 'ada:10' } },
      }),
    ).toMatchObject({ id: 0, result: { protocol: 1 } });
    peer.send({ jsonrpc: '2.0', id: 1, method: 'slowWhoami' });
    await within(slowStarted.promise, 'the slow call to start');
    // The call right behind rpc.auth waits for the new context.
    peer.send({
      jsonrpc: '2.0',
      id: 2,
      method: 'rpc.auth',
      params: { connectionParams: { token: 'grace:20' } },
    });
    peer.send({ jsonrpc: '2.0', id: 3, method: 'whoami' });
    expect(await peer.next()).toEqual({ jsonrpc: '2.0', id: 2, result: true });
    expect(await peer.next()).toEqual({ jsonrpc: '2.0', id: 3, result: 'grace' });
    gate.resolve();
    expect(await peer.next()).toEqual({ jsonrpc: '2.0', id: 1, result: 'ada' });
  });

  it('answers a refusal with its error and keeps the context; an unexpected failure is -32603', async () => {
    const { raw } = await start();
    const peer = await raw();
    const auth = (id: number, token: string) => ({
      jsonrpc: '2.0',
      id,
      method: 'rpc.auth',
      params: { connectionParams: { token } },
    });
    expect(
      await peer.request({
        jsonrpc: '2.0',
        id: 0,
        method: 'rpc.init',
        params: { connectionParams: { token: 'eve:10' } },
      }),
    ).toMatchObject({ id: 0, result: { protocol: 1 } });
    expect(await peer.request(auth(1, 'ada:10'))).toEqual({ jsonrpc: '2.0', id: 1, result: true });
    expect(await peer.request(auth(2, 'bad'))).toEqual({
      jsonrpc: '2.0',
      id: 2,
      error: { code: -32001, message: 'Bad token', data: { code: 'UNAUTHORIZED' } },
    });
    expect(await peer.request(auth(3, 'banned:10'))).toEqual({
      jsonrpc: '2.0',
      id: 3,
      error: { code: -32003, message: 'Banned', data: { code: 'FORBIDDEN' } },
    });
    expect(await peer.request(auth(4, 'boom'))).toEqual({
      jsonrpc: '2.0',
      id: 4,
      error: { code: -32603, message: 'Internal error', data: { code: 'INTERNAL_ERROR' } },
    });
    expect(errors.map((info) => info.error.cause)).toEqual([new Error('token store down')]);
    expect(await peer.request({ jsonrpc: '2.0', id: 5, method: 'whoami' })).toEqual({
      jsonrpc: '2.0',
      id: 5,
      result: 'ada',
    });
    // As a notification it re-authenticates without an answer.
    peer.send({
      jsonrpc: '2.0',
      method: 'rpc.auth',
      params: { connectionParams: { token: 'bo:9' } },
    });
    expect(await peer.request({ jsonrpc: '2.0', id: 6, method: 'whoami' })).toEqual({
      jsonrpc: '2.0',
      id: 6,
      result: 'bo',
    });
  });
});

describe('client.$reauth()', () => {
  it('sends fresh connection params, so calls refused for an expired token pass again', async () => {
    const { url } = await start();
    let issued = 0;
    const client = createClient<typeof router>({
      url,
      WebSocket,
      // Each token is good for 10 ticks of the test's clock from when it is issued.
      connectionParams: () => ({ token: `ada${++issued}:${clock + 10}` }),
    });
    try {
      expect(await client.whoami.query()).toBe('ada1');
      clock = 10;
      await expect(client.whoami.query()).rejects.toMatchObject({
        code: 'UNAUTHORIZED',
        message: 'Expired',
      });
      await client.$reauth();
      expect(await client.whoami.query()).toBe('ada2');
      expect(harness?.server.connectionCount).toBe(1);
    } finally {
      await client.$close();
    }
  });

  it('rejects with the refusal and the connection goes on with its old context', async () => {
    const { url } = await start();
    let token = 'ada:10';
    const client = createClient<typeof router>({
      url,
      WebSocket,
      connectionParams: async () => ({ token }),
    });
    try {
      expect(await client.whoami.query()).toBe('ada');
      token = 'bad';
      const error = await client.$reauth().then(
        () => undefined,
        (reason: unknown) => reason,
      );
      expect(error).toBeInstanceOf(VolleyError);
      expect(error).toMatchObject({ code: 'UNAUTHORIZED', message: 'Bad token' });
      expect(await client.whoami.query()).toBe('ada');
    } finally {
      await client.$close();
    }
  });
});
