import type { AnyProcedure } from './procedure.js';
// Aliased: this file also throws the global `TypeError`, which the import leaves alone.
import type { TypeError as TypeLevelError } from './type-error.js';

// The keys `keyProblem` refuses, typed so that a value under one is a compile error
// that says why. They are index signatures and optional members of `RouterRecord`
// rather than a conditional type over each key: the check is then part of the
// assignability TypeScript does anyway, at every depth, for next to nothing.
type DottedKey = TypeLevelError<"Router keys may not contain '.'">;
type DollarKey = TypeLevelError<"Router keys starting with '$' are reserved for client methods">;
type RpcKey =
  TypeLevelError<"Router key 'rpc' is not allowed: 'rpc' is reserved for protocol methods">;
type ThenKey =
  TypeLevelError<"Router key 'then' is not allowed: 'then' would make the client proxy look like a promise">;
type EmptyKey = TypeLevelError<"Router key '' is not allowed: it is empty">;

/**
 * The procedures and sub-routers of a router, by key. The keys `createRouter` refuses
 * (empty, containing `.`, `rpc`, `then`, starting with `$`) are typed as errors that
 * say why, so using one fails to compile.
 */
export interface RouterRecord {
  readonly [key: string]:
    | AnyProcedure
    | AnyRouter
    | RouterRecord
    | DottedKey
    | DollarKey
    | RpcKey
    | ThenKey
    | EmptyKey
    | undefined;
  readonly [key: `${string}.${string}`]: DottedKey;
  readonly [key: `$${string}`]: DollarKey;
  readonly rpc?: RpcKey;
  readonly then?: ThenKey;
  readonly ''?: EmptyKey;
}

/** A router: a tree of procedures, flattened to dotted paths for the server. */
export interface Router<TCtx, TRecord extends RouterRecord> {
  readonly kind: 'router';
  readonly record: TRecord;
  /** Every procedure by its dotted path, such as `chat.send`. */
  readonly procedures: ReadonlyMap<string, AnyProcedure>;
  /** Type-only, never set at runtime: the context its procedures expect. */
  readonly $context?: TCtx;
}

/** Any router, whatever its context and procedures. */
export type AnyRouter = Router<unknown, RouterRecord>;

/** The context type a router's procedures expect. */
export type RouterContext<TRouter extends AnyRouter> = NonNullable<TRouter['$context']>;

function isProcedure(value: unknown): value is AnyProcedure {
  return (value as AnyProcedure | undefined)?.kind === 'procedure';
}

function isRouter(value: unknown): value is AnyRouter {
  return (value as AnyRouter | undefined)?.kind === 'router';
}

/**
 * Why a key cannot name a procedure, or `undefined` when it can. Dots would make
 * paths ambiguous, `rpc` is the reserved protocol prefix, and `then` and `$...`
 * collide with the client proxy (promises and control methods).
 */
function keyProblem(key: string): string | undefined {
  if (key.length === 0) return 'it is empty';
  if (key.includes('.')) return 'it contains "."';
  if (key === 'rpc') return '"rpc" is reserved for protocol methods';
  if (key === 'then') return '"then" would make the client proxy look like a promise';
  if (key.startsWith('$')) return 'keys starting with "$" are reserved for client methods';
  return undefined;
}

function flatten(
  record: RouterRecord,
  prefix: string,
  into: Map<string, AnyProcedure>,
): Map<string, AnyProcedure> {
  for (const key of Object.keys(record)) {
    const path = prefix + key;
    const problem = keyProblem(key);
    if (problem !== undefined)
      throw new TypeError(`Router key "${path}" is not allowed: ${problem}`);
    const value = record[key];
    if (isProcedure(value)) into.set(path, value);
    else if (isRouter(value)) {
      for (const [subPath, procedure] of value.procedures)
        into.set(`${path}.${subPath}`, procedure);
    } else if (typeof value === 'object' && value !== null)
      flatten(value as RouterRecord, `${path}.`, into);
    else
      throw new TypeError(`Router key "${path}" is not a procedure, a router or an object of them`);
  }
  return into;
}

/**
 * Makes a router from procedures, routers and plain objects of them. A nested key
 * becomes a dotted path: `{ chat: { send } }` serves `chat.send`.
 *
 * @throws TypeError when a key is empty, contains ".", is "rpc" or "then", or starts with "$"
 * (which {@link RouterRecord} also refuses at compile time).
 */
export function createRouter<TCtx, TRecord extends RouterRecord>(
  record: TRecord,
): Router<TCtx, TRecord> {
  return { kind: 'router', record, procedures: flatten(record, '', new Map()) };
}
