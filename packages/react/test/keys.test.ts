// The helpers' keys and options, without React: what TanStack Query is given.
import { hashKey, QueryClient, skipToken } from '@tanstack/react-query';
import { createClient } from '@volley/client';
import { createVolleyOptions } from '@volley/react';
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { TestRouter } from './harness.js';

// Lazy: no connection is opened, as nothing here is called.
const client = createClient<TestRouter>({ url: 'ws://127.0.0.1:9', WebSocket, lazy: true });
const volley = createVolleyOptions<TestRouter>(client);
afterAll(() => client.$close());

describe('query keys', () => {
  it('are the path as an array, then the input', () => {
    expect(volley.greet.queryKey({ name: 'Ada' })).toEqual([['greet'], { input: { name: 'Ada' } }]);
    expect(volley.counter.get.queryKey()).toEqual([['counter', 'get']]);
    expect(volley.counter.pathKey()).toEqual([['counter']]);
    expect(volley.counter.add.mutationKey()).toEqual([['counter', 'add']]);
  });

  it('hash the same for equal inputs, whatever their key order, and apart otherwise', () => {
    const a = volley.ticks.subscriptionOptions({ room: 'a' }).key;
    expect(hashKey(volley.greet.queryKey({ name: 'Ada' }))).toBe(
      hashKey(volley.greet.queryKey({ name: 'Ada' })),
    );
    const reordered = { b: 1, a: 2 } as unknown as { name: string };
    expect(hashKey(volley.greet.queryKey(reordered))).toBe(
      hashKey(volley.greet.queryKey({ a: 2, b: 1 } as unknown as { name: string })),
    );
    const hashes = [
      volley.greet.queryKey({ name: 'Ada' }),
      volley.greet.queryKey({ name: 'Bob' }),
      volley.greet.queryKey(),
      volley.counter.get.queryKey(),
      volley.counter.pathKey(),
      a,
      volley.ticks.subscriptionOptions({ room: 'b' }).key,
    ].map(hashKey);
    expect(new Set(hashes).size).toBe(hashes.length);
  });

  it('match by prefix: a path key finds every query under it', () => {
    const queryClient = new QueryClient();
    queryClient.setQueryData(volley.counter.get.queryKey(), 1);
    queryClient.setQueryData(volley.greet.queryKey({ name: 'Ada' }), { text: 'hi', at: '' });
    queryClient.setQueryData(volley.greet.queryKey({ name: 'Bob' }), { text: 'hi', at: '' });
    const found = (queryKey: readonly unknown[]) =>
      queryClient.getQueryCache().findAll({ queryKey }).length;
    expect(found(volley.counter.pathKey())).toBe(1);
    expect(found(volley.greet.queryKey())).toBe(2); // every input of greet
    expect(found(volley.greet.queryKey({ name: 'Ada' }))).toBe(1);
    queryClient.clear();
  });
});

describe('options', () => {
  it('carry the key and the TanStack options given, and keep call options out of them', () => {
    const options = volley.greet.queryOptions(
      { name: 'Ada' },
      { staleTime: 5_000, call: { timeoutMs: 1_000 } },
    );
    expect(options.queryKey).toEqual(volley.greet.queryKey({ name: 'Ada' }));
    expect(options.staleTime).toBe(5_000);
    expect(options).not.toHaveProperty('call');
    expect(typeof options.queryFn).toBe('function');
    const mutation = volley.counter.add.mutationOptions({ call: { idempotent: true } });
    expect(mutation.mutationKey).toEqual([['counter', 'add']]);
    expect(mutation).not.toHaveProperty('call');
  });

  it('skip with skipToken: no query function, and a subscription that stays idle', () => {
    expect(volley.greet.queryOptions(skipToken).queryFn).toBe(skipToken);
    expect(volley.ticks.subscriptionOptions(skipToken).enabled).toBe(false);
    expect(volley.ticks.subscriptionOptions({ room: 'a' }, { enabled: false }).enabled).toBe(false);
    expect(volley.ticks.subscriptionOptions({ room: 'a' }).enabled).toBe(true);
  });

  it('reach a procedure named like a helper through one more step', () => {
    const untyped = volley as unknown as Record<
      string,
      Record<string, { queryKey(input?: unknown): unknown }>
    >;
    expect(untyped.admin?.queryKey?.queryKey('x')).toEqual([['admin', 'queryKey'], { input: 'x' }]);
  });

  it('throw a TypeError for a call that is not a helper, and are not thenable', async () => {
    const untyped = volley as unknown as Record<string, Record<string, () => unknown>>;
    expect(() => untyped.greet?.query?.()).toThrow(
      new TypeError('volley.greet.query() is not a helper of a procedure'),
    );
    expect(() => (volley.greet as unknown as () => unknown)()).toThrow(TypeError);
    expect(await Promise.resolve(volley.greet)).toBe(volley.greet);
  });
});
