import type { SubscribeOptions } from './subscription.js';
import type { CallOptions, MutationOptions } from './types.js';

/** The operations a procedure has, which end a chain: `client.a.b.query(input, options)`. */
export type Operation = 'query' | 'mutate' | 'subscribe';

/** What the proxy turns `client.a.b.query(input, options)` into: `dispatch('query', 'a.b', input, options)`. */
export type Dispatch = (
  operation: Operation,
  path: string,
  input: unknown,
  options: CallOptions & SubscribeOptions<unknown> & MutationOptions,
) => unknown;

/**
 * The client proxy: control members (`$close`, ...) at the root, procedures below. Each
 * node below is the one at `parent.key`; its path is built once, when the node is first
 * reached, and each node keeps its children, so a call builds no string.
 */
export function createProxy(
  dispatch: Dispatch,
  controls: object | undefined,
  parent = '',
  key = '',
): unknown {
  const path = parent === '' ? key : `${parent}.${key}`;
  const children: Record<string, unknown> = Object.create(null);
  // A function target, so that `client.a.b.query(...)` can be called while
  // `client.a.query` can still be a procedure named `query`.
  return new Proxy(() => {}, {
    get(_function, name) {
      // `then` and symbols are asked by `await` and inspectors; a router can't use them.
      if (typeof name !== 'string' || name === 'then') return undefined;
      // Control members (`$close`, ...) live at the root; router keys cannot start with `$`.
      if (controls && name[0] === '$') {
        return (controls as Record<string, unknown>)[name];
      }
      // biome-ignore lint/suspicious/noAssignInExpressions: `??=` gives the child, made now or before: fewer bytes in the browser bundle.
      return (children[name] ??= createProxy(dispatch, undefined, path, name));
    },
    apply(_function, _this, args: unknown[]) {
      if (parent !== '' && (key === 'query' || key === 'mutate' || key === 'subscribe')) {
        return dispatch(key, parent, args[0], (args[1] ?? {}) as Parameters<Dispatch>[3]);
      }
      throw new TypeError(`client.${path}(): not a call`);
    },
  });
}
