import type { Params } from './messages.js';

/**
 * Maps JSON-RPC `params` to a procedure's single input.
 *
 * - absent or `[]`: no input (`undefined`);
 * - `[x]`: the input is `x` (this is how primitives, `null` and arrays travel);
 * - `[x, y, ...]`: the input is the whole array, for procedures whose input is a tuple;
 * - `{...}`: the input is the object itself (params by name).
 */
export function inputFromParams(params: Params | undefined): unknown {
  if (params === undefined) return undefined;
  if (!Array.isArray(params)) return params;
  if (params.length === 0) return undefined;
  return params.length === 1 ? params[0] : params;
}

/**
 * The inverse of {@link inputFromParams}: a plain object is sent by name, anything
 * else (a primitive, `null`, an array, a `Date`) is wrapped as the only positional
 * param, and `undefined` omits `params`.
 */
export function paramsFromInput(input: unknown): Params | undefined {
  if (input === undefined) return undefined;
  // A plain object's prototype is Object.prototype, or null; a primitive has none here.
  const proto = typeof input === 'object' && input !== null && Object.getPrototypeOf(input);
  return proto === Object.prototype || proto === null ? (input as Params) : [input];
}
