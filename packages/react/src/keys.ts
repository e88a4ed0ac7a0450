import type { DataTag } from '@tanstack/react-query';

/**
 * The key of every Volley query, procedure or router: the procedure's path as an array of
 * router keys, then, when there is an input, `{ input }`.
 *
 * `greet({ name: 'Ada' })` is `[['greet'], { input: { name: 'Ada' } }]`; a query without
 * input, and the key that matches every input of `greet`, is `[['greet']]`; the router
 * `chat` is `[['chat']]`. TanStack Query matches keys by prefix (and objects by their
 * keys), so `[['chat']]` matches every query under `chat`, and `[['greet']]` every input
 * of `greet`. Inputs are compared by value: TanStack Query hashes keys with object keys
 * sorted.
 */
export type VolleyQueryKey = readonly [path: readonly string[], params?: { input: unknown }];

/** The key of a query, tagged with its data and error types (so `getQueryData` knows them). */
export type VolleyTaggedQueryKey<TOutput, TError> = DataTag<VolleyQueryKey, TOutput, TError>;

/** The key of every mutation: `[path]`, as in `[['chat', 'send']]`. */
export type VolleyMutationKey = readonly [path: readonly string[]];

/** The key for `path` and `input`; `undefined` input leaves the params out (see {@link VolleyQueryKey}). */
export function queryKeyOf(path: readonly string[], input: unknown): VolleyQueryKey {
  return input === undefined ? [path] : [path, { input }];
}
