// The typed handle of one connection's client, `ctx.client`: a proxy that turns
// `client.files.confirm.query(input, options)` into a server-to-client call of
// `files.confirm` (see `client-calls.ts`).
import type { ClientCallOptions } from '@volley/core';
import type { ClientCalls } from './client-calls.js';

/**
 * A proxy over `calls`: each node below is the one at `parent.key`; `.query()` and
 * `.mutate()` call. Paths are built once per node, and nodes are kept.
 */
export function createClientHandle(calls: ClientCalls, parent = '', key = ''): unknown {
  const path = parent === '' ? key : `${parent}.${key}`;
  const children: Record<string, unknown> = Object.create(null);
  return new Proxy(() => {}, {
    get(_function, name) {
      // `then` and symbols are asked by `await` and inspectors; a router can't use them.
      if (typeof name !== 'string' || name === 'then') return undefined;
      children[name] ??= createClientHandle(calls, path, name);
      return children[name];
    },
    apply(_function, _this, args: unknown[]) {
      if (parent !== '' && (key === 'query' || key === 'mutate')) {
        return calls.call(parent, args[0], args[1] as ClientCallOptions | undefined);
      }
      throw new TypeError(`ctx.client.${path}() is not a call: use .query() or .mutate()`);
    },
  });
}

/**
 * The context procedures see when the router uses the client: a shallow copy of the one
 * `createContext` made, with `client` added. A context that is not an object has none.
 */
export function contextWithClient(ctx: unknown, handle: unknown): unknown {
  if (typeof ctx !== 'object' || ctx === null) return ctx;
  return { ...ctx, client: handle };
}
