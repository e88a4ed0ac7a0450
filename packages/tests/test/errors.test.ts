// How errors travel: validation issues, application codes, unexpected throws (hidden unless
// exposeErrors), output schema violations, onError, and what the typed client rebuilds.

import { VolleyError } from '@volley/client';
import {
  type AnyRouter,
  ERROR_CODES,
  type ErrorCodeName,
  initVolley,
  STANDARD_MESSAGES,
} from '@volley/core';
import type { ErrorInfo, ServerOptions } from '@volley/server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type Harness, type RawPeer, startHarness } from './helpers/harness.js';

/** An error response as it arrives, parsed. */
interface WireError {
  jsonrpc: '2.0';
  id: string | number | null;
  error: {
    code: number;
    message: string;
    data: {
      code: string;
      issues?: Array<{ path: Array<string | number>; message: string }>;
      details?: unknown;
      stack?: string;
    };
  };
}

const v = initVolley();

const profile = z.object({ name: z.string(), age: z.number().int().min(0) });

const codeNames = Object.keys(ERROR_CODES) as [ErrorCodeName, ...ErrorCodeName[]];

/** The application codes and the numbers the protocol gives them. */
const APP_CODES: Array<[ErrorCodeName, number]> = [
  ['BAD_REQUEST', -32000],
  ['UNAUTHORIZED', -32001],
  ['FORBIDDEN', -32003],
  ['NOT_FOUND', -32004],
  ['TIMEOUT', -32008],
  ['CONFLICT', -32009],
  ['PRECONDITION_FAILED', -32012],
  ['PAYLOAD_TOO_LARGE', -32013],
  ['UNPROCESSABLE_CONTENT', -32022],
  ['TOO_MANY_REQUESTS', -32029],
  ['CANCELLED', -32099],
];

const SECRET = 'db password is hunter2';
/** Thrown by `leak`; onError must receive this very object. */
let leaked = new Error(SECRET);

/** What `leak` throws, by the input it is given: an Error unless told otherwise. */
const unexpected: Record<string, () => unknown> = {
  error: () => leaked,
  string: () => SECRET,
  object: () => ({ secret: SECRET }),
  typeError: () => new TypeError(`Cannot read properties of undefined (reading '${SECRET}')`),
};

const router = v.router({
  saveProfile: v.procedure.input(profile).mutation(({ input }) => input.name),
  fail: v.procedure
    .input(z.object({ code: z.enum(codeNames), message: z.string().optional() }))
    .query(({ input }) => {
      throw new VolleyError({ code: input.code, message: input.message });
    }),
  conflict: v.procedure.mutation(() => {
    throw new VolleyError({
      code: 'CONFLICT',
      message: 'Version mismatch',
      data: { expected: 3, actual: 4, path: ['rooms', 'r1'] },
    });
  }),
  leak: v.procedure.input(z.string().optional()).query(({ input }) => {
    throw (unexpected[input ?? 'error'] ?? unexpected.error)?.();
  }),
  badOutput: v.procedure
    .output(z.object({ id: z.number() }))
    // The resolver breaks its own output schema: the server's bug, not the caller's.
    .query(() => ({ id: 'seven' }) as unknown as { id: number }),
  ok: v.procedure.query(() => 'ok'),
  // Results JSON cannot carry, answered in the same turn and after an await.
  bigint: v.procedure.query(() => 1n),
  asyncBigint: v.procedure.query(async () => 2n),
});

const harnesses: Array<Harness<AnyRouter>> = [];
let errors: ErrorInfo[];

async function start(
  options: Omit<ServerOptions<typeof router>, 'router'> = {},
): Promise<Harness<typeof router>> {
  const harness = await startHarness({
    router,
    onError: (info) => errors.push(info),
    ...options,
  });
  harnesses.push(harness as unknown as Harness<AnyRouter>);
  return harness;
}

/** Collects every frame's exact text, to check what never appears in it. */
function texts(peer: RawPeer): string[] {
  const seen: string[] = [];
  peer.ws!.on('message', (data) => seen.push(data.toString()));
  return seen;
}

/** A request frame; like the client, it sends an object by name and anything else as `[input]`. */
function call(method: string, input?: unknown, id: string | number = 1): unknown {
  if (input === undefined) return { jsonrpc: '2.0', id, method };
  const byName = typeof input === 'object' && input !== null && !Array.isArray(input);
  return { jsonrpc: '2.0', id, method, params: byName ? input : [input] };
}

async function expectOk(peer: RawPeer, id: number): Promise<void> {
  expect(await peer.request(call('ok', undefined, id))).toEqual({
    jsonrpc: '2.0',
    id,
    result: 'ok',
  });
}

beforeEach(() => {
  errors = [];
  leaked = new Error(SECRET);
});

afterEach(async () => {
  await Promise.all(harnesses.splice(0).map((harness) => harness.close()));
});

describe('invalid params', () => {
  it('a zod failure answers -32602 with every issue by path and message', async () => {
    const harness = await start();
    const peer = await harness.raw();
    const bad = { name: 5, age: -1 };
    const reply = (await peer.request(call('saveProfile', bad))) as WireError;
    const expected = profile
      .safeParse(bad)
      .error?.issues.map((issue) => ({ path: issue.path, message: issue.message }));
    expect(expected).toHaveLength(2);
    expect(reply).toEqual({
      jsonrpc: '2.0',
      id: 1,
      error: {
        code: -32602,
        message: 'Invalid params',
        data: { code: 'INVALID_PARAMS', issues: expected },
      },
    });
    expect(reply.error.data.issues?.map((issue) => issue.path)).toEqual([['name'], ['age']]);
  });

  it('issue paths reach into nested objects and arrays', async () => {
    const harness = await start();
    const peer = await harness.raw();
    const reply = (await peer.request(call('fail', { code: 'NOPE' }))) as WireError;
    expect(reply.error.code).toBe(-32602);
    expect(reply.error.data.issues).toEqual([{ path: ['code'], message: expect.any(String) }]);
  });
});

describe('application codes', () => {
  it('the table covers every code outside the five JSON-RPC ones', () => {
    const standard = new Set(Object.keys(STANDARD_MESSAGES));
    expect(standard).toEqual(
      new Set([
        'PARSE_ERROR',
        'INVALID_REQUEST',
        'METHOD_NOT_FOUND',
        'INVALID_PARAMS',
        'INTERNAL_ERROR',
      ]),
    );
    const applicationCodes = Object.keys(ERROR_CODES).filter((name) => !standard.has(name));
    expect(applicationCodes.sort()).toEqual(APP_CODES.map(([name]) => name).sort());
  });

  it.each(APP_CODES)(
    '%s arrives as %i with data.code, on the wire and in the client',
    async (name, number) => {
      const harness = await start();
      const peer = await harness.raw();
      expect(await peer.request(call('fail', { code: name }))).toEqual({
        jsonrpc: '2.0',
        id: 1,
        error: { code: number, message: name, data: { code: name } },
      });
      const client = harness.client();
      const error = await client.fail.query({ code: name }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(VolleyError);
      const { code, rpcCode, message, data, issues } = error as VolleyError;
      expect({ code, rpcCode, message, data, issues }).toEqual({
        code: name,
        rpcCode: number,
        message: name,
        data: undefined,
        issues: undefined,
      });
    },
  );

  it('a custom message is sent as is', async () => {
    const harness = await start();
    const peer = await harness.raw();
    expect(
      await peer.request(call('fail', { code: 'NOT_FOUND', message: 'No room "r1"' })),
    ).toEqual({
      jsonrpc: '2.0',
      id: 1,
      error: { code: -32004, message: 'No room "r1"', data: { code: 'NOT_FOUND' } },
    });
  });

  it('VolleyError data arrives as data.details, and onError hears the error', async () => {
    const harness = await start();
    const peer = await harness.raw();
    expect(await peer.request(call('conflict'))).toEqual({
      jsonrpc: '2.0',
      id: 1,
      error: {
        code: -32009,
        message: 'Version mismatch',
        data: { code: 'CONFLICT', details: { expected: 3, actual: 4, path: ['rooms', 'r1'] } },
      },
    });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ path: 'conflict', type: 'mutation' });
    expect(errors[0]?.error.code).toBe('CONFLICT');
  });
});

describe('unexpected errors', () => {
  it.each(Object.keys(unexpected))(
    'a thrown %s answers a bare -32603 with no message or stack in the frame',
    async (kind) => {
      const harness = await start();
      const peer = await harness.raw();
      const seen = texts(peer);
      expect(await peer.request(call('leak', kind))).toEqual({
        jsonrpc: '2.0',
        id: 1,
        error: { code: -32603, message: 'Internal error', data: { code: 'INTERNAL_ERROR' } },
      });
      expect(seen).toHaveLength(1);
      const text = seen[0] ?? '';
      expect(text).not.toContain('hunter2');
      expect(text).not.toContain('stack');
      expect(text).not.toMatch(/\bat .*:\d+:\d+/);
      expect(text).not.toContain('.ts');
      await expectOk(peer, 2);
    },
  );

  it('onError receives the original error as cause, with path, type and input', async () => {
    const harness = await start();
    const peer = await harness.raw();
    const thrown = leaked;
    await peer.request(call('leak', 'error'));
    expect(errors).toHaveLength(1);
    const info = errors[0];
    expect(info?.error).toBeInstanceOf(VolleyError);
    expect(info?.error.code).toBe('INTERNAL_ERROR');
    expect(info?.error.cause).toBe(thrown);
    expect(info).toMatchObject({
      path: 'leak',
      type: 'query',
      input: 'error',
      connectionId: expect.any(String),
    });
  });

  it('with exposeErrors the message and stack do arrive', async () => {
    const harness = await start({ exposeErrors: true });
    const peer = await harness.raw();
    const thrown = leaked;
    expect(thrown.stack).toContain(SECRET);
    expect(await peer.request(call('leak', 'error'))).toEqual({
      jsonrpc: '2.0',
      id: 1,
      error: {
        code: -32603,
        message: SECRET,
        data: { code: 'INTERNAL_ERROR', stack: thrown.stack },
      },
    });
    expect(errors[0]?.error.cause).toBe(thrown);
  });

  it('an output that breaks its schema answers -32603 and onError hears why', async () => {
    const harness = await start();
    const peer = await harness.raw();
    const seen = texts(peer);
    expect(await peer.request(call('badOutput'))).toEqual({
      jsonrpc: '2.0',
      id: 1,
      error: { code: -32603, message: 'Internal error', data: { code: 'INTERNAL_ERROR' } },
    });
    expect(seen[0]).not.toContain('seven');
    expect(seen[0]).not.toContain('schema');
    expect(errors).toHaveLength(1);
    const [info] = errors;
    expect(info).toMatchObject({ path: 'badOutput', type: 'query' });
    expect(info?.error.code).toBe('INTERNAL_ERROR');
    const cause = info?.error.cause;
    expect(cause).toBeInstanceOf(Error);
    expect(String((cause as Error | undefined)?.message)).toMatch(/output.*schema.*\bid\b/i);
  });

  it.each(['bigint', 'asyncBigint'])(
    'a result JSON cannot carry (%s) answers -32603 and onError hears why',
    async (method) => {
      const harness = await start();
      const peer = await harness.raw();
      expect(await peer.request(call(method))).toEqual({
        jsonrpc: '2.0',
        id: 1,
        error: { code: -32603, message: 'Internal error', data: { code: 'INTERNAL_ERROR' } },
      });
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatchObject({ path: method, type: 'query' });
      expect(String(errors[0]?.error.cause)).toMatch(/BigInt/);
      // The connection goes on.
      expect(await peer.request(call('ok', undefined, 2))).toMatchObject({ id: 2, result: 'ok' });
    },
  );

  it('an onError that throws does not stop the server answering', async () => {
    let heard = 0;
    const harness = await start({
      onError: () => {
        heard++;
        throw new Error('the hook itself is broken');
      },
    });
    const peer = await harness.raw();
    const other = await harness.raw();
    for (const id of [1, 2]) {
      expect(await peer.request(call('leak', 'error', id))).toMatchObject({
        id,
        error: { code: -32603, message: 'Internal error' },
      });
    }
    expect(await peer.request(call('conflict', undefined, 3))).toMatchObject({
      id: 3,
      error: { code: -32009 },
    });
    expect(heard).toBe(3);
    await expectOk(peer, 4);
    await expectOk(other, 5);
  });
});

describe('the typed client', () => {
  it('rebuilds a VolleyError with the code, number, message and data that were sent', async () => {
    const harness = await start();
    const peer = await harness.raw();
    const sent = ((await peer.request(call('conflict'))) as WireError).error;
    const error = await harness
      .client()
      .conflict.mutate()
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(VolleyError);
    const { code, rpcCode, message, data, issues } = error as VolleyError;
    expect({ code, rpcCode, message, data, issues }).toEqual({
      code: sent.data.code,
      rpcCode: sent.code,
      message: sent.message,
      data: sent.data.details,
      issues: undefined,
    });
    expect(code).toBe('CONFLICT');
  });

  it('rebuilds the issues of an input failure', async () => {
    const harness = await start();
    const peer = await harness.raw();
    const bad = { name: 5, age: -1 };
    const sent = ((await peer.request(call('saveProfile', bad))) as WireError).error;
    const error = await harness
      .client()
      // @ts-expect-error sending input the schema rejects is the point of this test
      .saveProfile.mutate(bad)
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(VolleyError);
    const { code, rpcCode, message, data, issues } = error as VolleyError;
    expect({ code, rpcCode, message, data, issues }).toEqual({
      code: 'INVALID_PARAMS',
      rpcCode: -32602,
      message: 'Invalid params',
      data: undefined,
      issues: sent.data.issues,
    });
    expect(issues).toHaveLength(2);
  });

  it('gets a generic INTERNAL_ERROR for an unexpected throw', async () => {
    const harness = await start();
    const error = await harness
      .client()
      .leak.query('error')
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(VolleyError);
    const { code, rpcCode, message, data, issues } = error as VolleyError;
    expect({ code, rpcCode, message, data, issues }).toEqual({
      code: 'INTERNAL_ERROR',
      rpcCode: -32603,
      message: 'Internal error',
      data: undefined,
      issues: undefined,
    });
    expect(String((error as VolleyError).stack)).not.toContain('hunter2');
  });
});
