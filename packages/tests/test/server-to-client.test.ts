// Server-to-client calls over real sockets: the server's resolvers call the client's
// handlers (`ctx.client.confirm.query(...)`), typed from the client's router. Timeouts,
// cancellation that reaches the handler, limits on both sides, the errors a client
// answers with, a drop mid-call, and ids that collide across the two directions.
import { createClient, VolleyError } from '@volley/client';
import { createHandlers, type HandlerOptions } from '@volley/client/handlers';
import { initVolley } from '@volley/core';
import { ConnectionClosedError } from '@volley/server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { z } from 'zod';
import { deferred, type Harness, startHarness, untilState, within } from './helpers/harness.js';

/** Resolves once the signal aborts (at once if it has), with its reason. */
function untilAborted(signal: AbortSignal): Promise<unknown> {
  if (signal.aborted) return Promise.resolve(signal.reason);
  return new Promise((resolve) => {
    signal.addEventListener('abort', () => resolve(signal.reason), { once: true });
  });
}

let probe = makeProbe();
function makeProbe() {
  return {
    confirmCalls: 0,
    hangStarted: deferred(),
    hangAborted: deferred<unknown>(),
    hangCalls: 0,
    gate: deferred<string>(),
    gateStarted: 0,
    gateWaiting: deferred(),
    /** What a resolver saw when its client call failed. */
    serverSaw: deferred<unknown>(),
    kept: undefined as unknown,
  };
}

// ── The client's router of handlers ──────────────────────────────────────────────────
const c = initVolley<{ user: string }>();
const clientRouter = c.router({
  confirm: c.procedure
    .input(z.object({ name: z.string(), size: z.number().int() }))
    .query(({ input, ctx }) => {
      probe.confirmCalls += 1;
      return { ok: input.size < 1000, by: ctx.user, name: input.name };
    }),
  files: {
    rename: c.procedure.input(z.string()).mutation(({ input }) => `renamed:${input}`),
  },
  hang: c.procedure.query(async ({ signal }) => {
    probe.hangCalls += 1;
    probe.hangStarted.resolve();
    probe.hangAborted.resolve(await untilAborted(signal));
    return 'late';
  }),
  gated: c.procedure.query(async () => {
    probe.gateStarted += 1;
    if (probe.gateStarted === 1) probe.gateWaiting.resolve();
    return probe.gate.promise;
  }),
  refuse: c.procedure.query(() => {
    throw new VolleyError({ code: 'FORBIDDEN', message: 'The user said no', data: { why: 'no' } });
  }),
  crash: c.procedure.query(() => {
    throw new Error('secret detail of the client');
  }),
});
type ClientRouter = typeof clientRouter;

// ── The server's router, which calls them ────────────────────────────────────────────
const v = initVolley().withClient<ClientRouter>();
const router = v.router({
  ping: v.procedure.query(() => 'pong'),
  upload: v.procedure
    .input(z.object({ name: z.string(), size: z.number() }))
    .mutation(async ({ ctx, input }) => {
      const answer = await ctx.client.confirm.query(input, { timeoutMs: 10_000 });
      const renamed = await ctx.client.files.rename.mutate(`${input.name}.bak`);
      return { answer, renamed };
    }),
  call: v.procedure
    .input(
      z.object({
        path: z.enum(['hang', 'gated', 'refuse', 'crash', 'confirm', 'missing']),
        timeoutMs: z.number().optional(),
        abortAfterStart: z.boolean().optional(),
        input: z.unknown().optional(),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      const controller = new AbortController();
      if (input.abortAfterStart) {
        probe.hangStarted.promise.then(() => controller.abort(new Error('server gave up')));
      }
      // A test of the wire: the path and input are what the test chose, typed or not.
      const handle = ctx.client as unknown as Record<
        string,
        { query(input: unknown, options: object): Promise<unknown> }
      >;
      try {
        return {
          result: await handle[input.path]?.query(input.input, {
            timeoutMs: input.timeoutMs,
            signal: controller.signal,
          }),
        };
      } catch (error) {
        probe.serverSaw.resolve(error);
        if (error instanceof VolleyError) {
          return { code: error.code, message: error.message, limit: error.limit, data: error.data };
        }
        return { error: error instanceof Error ? error.name : String(error) };
      }
    }),
  keep: v.procedure.mutation(({ ctx }) => {
    probe.kept = ctx.client;
    return true;
  }),
});

let harness: Harness<typeof router>;
const clients: Array<{ $close(): Promise<void> }> = [];

async function start(options: Partial<Parameters<typeof startHarness>[0]> = {}) {
  harness = await startHarness({ router, ...options } as Parameters<typeof startHarness>[0] & {
    router: typeof router;
  });
  return harness;
}

function connect(handlerOptions: HandlerOptions<{ user: string }> = {}, withHandlers = true) {
  const client = createClient<typeof router>({
    url: harness.url,
    WebSocket: harness.WebSocket,
    handlers: withHandlers
      ? createHandlers(clientRouter, { context: { user: 'ada' }, ...handlerOptions })
      : undefined,
  });
  clients.push(client);
  return client;
}

beforeEach(() => {
  probe = makeProbe();
});

afterEach(async () => {
  probe.gate.resolve('released');
  await Promise.all(clients.splice(0).map((client) => client.$close()));
  await harness?.close();
});

describe('server-to-client calls', () => {
  it('round-trips typed calls to the client, nested paths included, with the handler context', async () => {
    await start();
    const client = connect();
    const result = await client.upload.mutate({ name: 'a.txt', size: 10 });
    expect(result).toEqual({
      answer: { ok: true, by: 'ada', name: 'a.txt' },
      renamed: 'renamed:a.txt.bak',
    });
    expect(probe.confirmCalls).toBe(1);
  });

  it('times out, rejects with TIMEOUT and the handler is told to stop (its signal aborts)', async () => {
    await start();
    const client = connect();
    const outcome = await client.call.mutate({ path: 'hang', timeoutMs: 200 });
    expect(outcome).toMatchObject({ code: 'TIMEOUT' });
    await within(probe.hangAborted.promise, 'the handler signal to abort');
  });

  it('cancels through the server-side AbortSignal: the call rejects with its reason and the handler aborts', async () => {
    await start();
    const client = connect();
    const outcome = await client.call.mutate({ path: 'hang', abortAfterStart: true });
    expect(outcome).toEqual({ error: 'Error' });
    expect(((await probe.serverSaw.promise) as Error).message).toBe('server gave up');
    const reason = await within(probe.hangAborted.promise, 'the handler signal to abort');
    expect(reason).toBeInstanceOf(VolleyError);
    expect((reason as VolleyError).code).toBe('CANCELLED');
  });

  it('bounds the calls waiting on one connection (maxClientCalls), refusing one more without sending it', async () => {
    await start({ maxClientCalls: 1 });
    const client = connect();
    const first = client.call.mutate({ path: 'gated' });
    await within(probe.gateWaiting.promise, 'the first handler to start');
    const second = await client.call.mutate({ path: 'gated' });
    expect(second).toMatchObject({ code: 'TOO_MANY_REQUESTS', limit: 'maxClientCalls' });
    expect(probe.gateStarted).toBe(1);
    probe.gate.resolve('done');
    expect(await first).toEqual({ result: 'done' });
  });

  it('bounds the handlers a client runs at once (maxConcurrent), answering extras with -32029', async () => {
    await start();
    const client = connect({ maxConcurrent: 1 });
    const first = client.call.mutate({ path: 'gated' });
    await within(probe.gateWaiting.promise, 'the first handler to start');
    const second = await client.call.mutate({ path: 'gated' });
    expect(second).toMatchObject({ code: 'TOO_MANY_REQUESTS', limit: 'maxConcurrent' });
    expect(probe.gateStarted).toBe(1);
    probe.gate.resolve('done');
    expect(await first).toEqual({ result: 'done' });
  });

  it('gets METHOD_NOT_FOUND from a client without handlers, and from one without that handler', async () => {
    await start();
    const bare = connect({}, false);
    expect(
      await bare.call.mutate({ path: 'confirm', input: { name: 'x', size: 1 } }),
    ).toMatchObject({ code: 'METHOD_NOT_FOUND' });
    const client = connect();
    expect(await client.call.mutate({ path: 'missing' })).toMatchObject({
      code: 'METHOD_NOT_FOUND',
    });
  });

  it('gets INVALID_PARAMS with the issues when the input fails the handler schema', async () => {
    await start();
    const client = connect();
    const outcome = await client.call.mutate({ path: 'confirm', input: { name: 5 } });
    expect(outcome).toMatchObject({ code: 'INVALID_PARAMS' });
    expect(probe.confirmCalls).toBe(0);
    const error = (await probe.serverSaw.promise) as VolleyError;
    expect(error.issues?.map((issue) => issue.path)).toEqual([['name'], ['size']]);
  });

  it('passes a VolleyError from the handler as it is, and masks an unexpected one unless exposed', async () => {
    await start();
    const reported: unknown[] = [];
    const client = connect({ onError: (info) => reported.push(info.error.cause) });
    expect(await client.call.mutate({ path: 'refuse' })).toEqual({
      code: 'FORBIDDEN',
      message: 'The user said no',
      data: { why: 'no' },
    });
    expect(await client.call.mutate({ path: 'crash' })).toMatchObject({
      code: 'INTERNAL_ERROR',
      message: 'Internal error',
    });
    expect((reported.at(-1) as Error).message).toBe('secret detail of the client');
    const exposed = connect({ exposeErrors: true, onError: false });
    expect(await exposed.call.mutate({ path: 'crash' })).toMatchObject({
      code: 'INTERNAL_ERROR',
      message: 'secret detail of the client',
    });
  });

  it('rejects a call in flight with ConnectionClosedError when the connection drops, and never sends it again', async () => {
    await start();
    const sockets: WebSocket[] = [];
    class Tracked extends WebSocket {
      constructor(...args: ConstructorParameters<typeof WebSocket>) {
        super(...args);
        sockets.push(this);
      }
    }
    const client = createClient<typeof router>({
      url: harness.url,
      WebSocket: Tracked as never,
      handlers: createHandlers(clientRouter, { context: { user: 'ada' } }),
    });
    clients.push(client);
    await untilState(client, 'open');
    // The mutation that makes the server call cannot survive the drop either; the server's
    // own call is what this test watches.
    const call = client.call.mutate({ path: 'hang' }).catch((error: unknown) => error);
    await within(probe.hangStarted.promise, 'the handler to start');
    sockets[0]?.terminate();
    const seen = await within(probe.serverSaw.promise, 'the server call to reject');
    expect(seen).toBeInstanceOf(ConnectionClosedError);
    expect((seen as Error).message).toMatch(/connection closed before the client answered "hang"/);
    await within(probe.hangAborted.promise, 'the handler to abort with the drop');
    expect(((await call) as Error).name).toBe('ConnectionLostError');
    // Reconnected: the connection works, and the handler never ran a second time.
    await untilState(client, 'open');
    expect(await client.ping.query()).toBe('pong');
    expect(probe.hangCalls).toBe(1);
  });

  it('rejects a call in flight with ConnectionClosedError when the server closes', async () => {
    await start({ drainTimeoutMs: 50 });
    const client = connect();
    void client.call.mutate({ path: 'hang' }).catch(() => {});
    await within(probe.hangStarted.promise, 'the handler to start');
    const closing = harness.server.close();
    expect(await within(probe.serverSaw.promise, 'the server call to reject')).toBeInstanceOf(
      ConnectionClosedError,
    );
    await closing;
  });

  it('keeps the handle beyond the resolver: the server calls the client later, outside any call', async () => {
    await start();
    const client = connect();
    await client.keep.mutate();
    const handle = probe.kept as typeof probe.kept & {
      confirm: { query(input: unknown): Promise<unknown> };
    };
    expect(await handle.confirm.query({ name: 'later', size: 1 })).toEqual({
      ok: true,
      by: 'ada',
      name: 'later',
    });
  });

  it('keeps ids apart: a plain client using "s1" for its own call answers the server call "s1" too', async () => {
    await start();
    const raw = await harness.raw();
    raw.send({
      jsonrpc: '2.0',
      id: 's1',
      method: 'upload',
      params: { name: 'r.txt', size: 5 },
    });
    const request = (await raw.next('the server call')) as Record<string, unknown>;
    expect(request).toEqual({
      jsonrpc: '2.0',
      id: 's1',
      method: 'confirm',
      params: { name: 'r.txt', size: 5 },
    });
    raw.send({ jsonrpc: '2.0', id: 's1', result: 'yes' });
    const second = (await raw.next('the second server call')) as Record<string, unknown>;
    expect(second).toMatchObject({ id: 's2', method: 'files.rename', params: ['r.txt.bak'] });
    raw.send({ jsonrpc: '2.0', id: 's2', result: 'done' });
    expect(await raw.next('the answer to the raw call')).toEqual({
      jsonrpc: '2.0',
      id: 's1',
      result: { answer: 'yes', renamed: 'done' },
    });
  });

  it('ignores a response whose id the server never sent, and never takes one for a bad request', async () => {
    await start();
    const raw = await harness.raw();
    raw.send({ jsonrpc: '2.0', id: 's99', result: 1 });
    raw.send({ jsonrpc: '2.0', id: 7, error: { code: -32601, message: 'Method not found' } });
    raw.send({ jsonrpc: '2.0', id: 's98', error: 'not an error object' });
    // Nothing answered those: the next frame is the ping's answer.
    expect(await raw.request({ jsonrpc: '2.0', id: 1, method: 'ping' })).toEqual({
      jsonrpc: '2.0',
      id: 1,
      result: 'pong',
    });
  });

  it('answers the server with -32601 from a client without handlers, on the wire', async () => {
    await start();
    const bare = connect({}, false);
    expect(
      await bare.upload.mutate({ name: 'a', size: 1 }).catch((error: VolleyError) => error.code),
    ).toBe('METHOD_NOT_FOUND');
  });
});

describe('createHandlers', () => {
  it('refuses a subscription at run time (and at compile time) with a readable error', () => {
    const withSubscription = c.router({
      events: c.procedure.subscription(async function* () {
        yield 1;
      }),
    });
    // @ts-expect-error a client cannot serve a subscription: the type says which key
    expect(() => createHandlers(withSubscription)).toThrow(
      'createHandlers: "events" is a subscription: client handlers are queries and mutations',
    );
  });
});
