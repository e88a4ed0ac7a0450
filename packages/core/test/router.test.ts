import { createRouter, initVolley } from '@volley/core';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';

interface Ctx {
  user: string | null;
  requestId: number;
}

const v = initVolley<Ctx>();
const ping = v.procedure.query(() => 'pong');
const send = v.procedure.input(z.string()).mutation(({ input }) => input.length);

describe('routers', () => {
  it('flattens nested routers and plain nested objects to dotted paths', () => {
    const list = v.procedure.query(() => []);
    const ban = v.procedure.mutation(() => true);
    const deep = v.procedure.query(() => 'deep');
    const record = {
      ping,
      chat: { send, room: { list } },
      admin: v.router({ ban, nested: v.router({ deep }) }),
      mixed: { inner: createRouter({ deep }) },
    };
    const router = v.router(record);
    expect(router.kind).toBe('router');
    expect(router.record).toBe(record);
    expect([...router.procedures.keys()].sort()).toEqual([
      'admin.ban',
      'admin.nested.deep',
      'chat.room.list',
      'chat.send',
      'mixed.inner.deep',
      'ping',
    ]);
    expect(router.procedures.get('ping')).toBe(ping);
    expect(router.procedures.get('chat.send')).toBe(send);
    expect(router.procedures.get('chat.room.list')).toBe(list);
    expect(router.procedures.get('admin.ban')).toBe(ban);
    expect(router.procedures.get('admin.nested.deep')).toBe(deep);
    expect(router.procedures.get('mixed.inner.deep')).toBe(deep);
  });

  it('createRouter and initVolley().router build the same paths', () => {
    const record = { a: { b: ping }, c: send };
    expect([...createRouter(record).procedures]).toEqual([...v.router(record).procedures]);
  });

  it('gives each procedure its type', () => {
    const sub = v.procedure.subscription(async function* () {});
    const router = v.router({ ping, send, sub });
    expect(router.procedures.get('ping')?.type).toBe('query');
    expect(router.procedures.get('send')?.type).toBe('mutation');
    expect(router.procedures.get('sub')?.type).toBe('subscription');
  });

  it('allows keys that only look like reserved ones', () => {
    const router = createRouter({
      rpcs: ping,
      thenable: ping,
      a$: ping,
      'with-dash': ping,
      0: ping,
      rpcx: { then_: ping },
    });
    expect([...router.procedures.keys()].sort()).toEqual([
      '0',
      'a$',
      'rpcs',
      'rpcx.then_',
      'thenable',
      'with-dash',
    ]);
  });

  const forbidden: Array<[string, Record<string, unknown>]> = [
    ['an empty key', { '': ping }],
    ['a dotted key', { 'a.b': ping }],
    ['"rpc"', { rpc: ping }],
    // biome-ignore lint/suspicious/noThenProperty: the router must refuse this key.
    ['"then"', { then: ping }],
    ['a "$" key', { $x: ping }],
    ['a nested "$" key', { chat: { $close: ping } }],
    // biome-ignore lint/suspicious/noThenProperty: the router must refuse this key.
    ['a nested "then" in a sub-router record', { chat: { room: { then: ping } } }],
  ];

  it.each(forbidden)('rejects %s with a TypeError', (_label, record) => {
    expect(() => createRouter(record as never)).toThrow(TypeError);
    expect(() => v.router(record as never)).toThrow(TypeError);
  });

  it('says which key is wrong and why', () => {
    const messages = forbidden.map(([, record]) => {
      try {
        createRouter(record as never);
        return 'did not throw';
      } catch (error) {
        return (error as Error).message;
      }
    });
    expect(messages).toMatchInlineSnapshot(`
      [
        "Router key "" is not allowed: it is empty",
        "Router key "a.b" is not allowed: it contains "."",
        "Router key "rpc" is not allowed: "rpc" is reserved for protocol methods",
        "Router key "then" is not allowed: "then" would make the client proxy look like a promise",
        "Router key "$x" is not allowed: keys starting with "$" are reserved for client methods",
        "Router key "chat.$close" is not allowed: keys starting with "$" are reserved for client methods",
        "Router key "chat.room.then" is not allowed: "then" would make the client proxy look like a promise",
      ]
    `);
  });

  it.each([
    ['a number', { a: 5 }, 'a'],
    ['null', { a: { b: null } }, 'a.b'],
    ['a string', { a: 'query' }, 'a'],
    ['a function', { a: { b: { c: () => 'pong' } } }, 'a.b.c'],
  ])('rejects %s where a procedure belongs', (_label, record, path) => {
    expect(() => createRouter(record as never)).toThrow(
      new TypeError(`Router key "${path}" is not a procedure, a router or an object of them`),
    );
  });

  it('rejects a procedure without a resolver', () => {
    expect(() => v.procedure.query(undefined as never)).toThrowErrorMatchingInlineSnapshot(
      `[TypeError: A query needs a resolver function]`,
    );
  });
});
