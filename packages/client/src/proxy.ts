import type { SubscribeOptions, Subscription } from './subscription.js';
import type { CallOptions } from './types.js';

/** What the proxy turns property chains into. */
export interface ProxyTarget {
  call(
    operation: 'query' | 'mutate',
    path: string,
    input: unknown,
    options?: CallOptions,
  ): Promise<unknown>;
  subscribe(
    path: string,
    input: unknown,
    options?: SubscribeOptions<unknown>,
  ): Subscription<unknown>;
}

function node(target: ProxyTarget, path: readonly string[]): unknown {
  const children = new Map<string, unknown>();
  // A function target, so that `client.a.b.query(...)` can be called while
  // `client.a.query` can still be a procedure named `query`.
  return new Proxy(() => {}, {
    get(_function, key) {
      // `then` and symbols are asked by `await` and inspectors; a router can't use them.
      if (typeof key !== 'string' || key === 'then') return undefined;
      let child = children.get(key);
      if (child === undefined) {
        child = node(target, [...path, key]);
        children.set(key, child);
      }
      return child;
    },
    apply(_function, _this, args: unknown[]) {
      const operation = path[path.length - 1];
      const procedure = path.slice(0, -1).join('.');
      if (procedure !== '') {
        if (operation === 'query' || operation === 'mutate') {
          return target.call(operation, procedure, args[0], args[1] as CallOptions | undefined);
        }
        if (operation === 'subscribe') {
          return target.subscribe(
            procedure,
            args[0],
            args[1] as SubscribeOptions<unknown> | undefined,
          );
        }
      }
      throw new TypeError(
        `client.${path.join('.')}() is not a procedure call: use .query(), .mutate() or .subscribe() on a procedure`,
      );
    },
  });
}

/** The client proxy: control members (`$close`, ...) at the root, procedures below. */
export function createProxy(target: ProxyTarget, controls: object): unknown {
  const root = node(target, []) as object;
  return new Proxy(root, {
    get(inner, key, receiver) {
      if (typeof key === 'string' && key.startsWith('$')) return Reflect.get(controls, key);
      return Reflect.get(inner, key, receiver);
    },
  });
}
