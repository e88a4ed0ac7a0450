import type { AnyProcedure } from './procedure.js';
import type { AnyRouter, RouterRecord } from './router.js';

/** The input a client passes to a procedure. */
export type inferProcedureInput<TProcedure extends AnyProcedure> = NonNullable<
  TProcedure['$types']
>['input'];

/**
 * The encodings a connection can speak: `json` (the default, text frames) and `msgpack`
 * (MessagePack in binary frames, where `Uint8Array` and `Date` arrive as themselves). What
 * a value becomes on the way depends on it: see {@link Jsonify} and {@link Packify}.
 */
export type CodecName = 'json' | 'msgpack';

/** A value as a client receives it over each codec: a lookup, not a conditional, per use. */
interface ReceivedAs<T> {
  json: Jsonify<T>;
  msgpack: Packify<T>;
}

/**
 * What a client gets from a procedure: its result, or each event of a subscription,
 * as it is after the round trip through the codec (`json` by default: see {@link Jsonify};
 * `msgpack`: see {@link Packify}).
 */
export type inferProcedureOutput<
  TProcedure extends AnyProcedure,
  TCodec extends CodecName = 'json',
> = ReceivedAs<NonNullable<TProcedure['$types']>['output']>[TCodec];

type RecordOf<TEntry> = TEntry extends AnyRouter ? TEntry['record'] : TEntry;

type MapRecord<TRecord, TPick extends 'input' | 'output'> = {
  [K in keyof TRecord]: TRecord[K] extends AnyProcedure
    ? TPick extends 'input'
      ? inferProcedureInput<TRecord[K]>
      : inferProcedureOutput<TRecord[K]>
    : MapRecord<RecordOf<TRecord[K]>, TPick>;
};

/** The inputs of every procedure of a router, as a nested object type. */
export type inferRouterInputs<TRouter extends AnyRouter> = MapRecord<TRouter['record'], 'input'>;

/** The outputs of every procedure of a router, as a nested object type. */
export type inferRouterOutputs<TRouter extends AnyRouter> = MapRecord<TRouter['record'], 'output'>;

export type { RouterRecord };

type JsonPrimitive = string | number | boolean | null;
// `void` is what a resolver without a return value gives; it travels as null.
// biome-ignore lint/suspicious/noConfusingVoidType: void must map to null like undefined.
type Unsendable = undefined | void | symbol | ((...args: never) => unknown);
type UndefinedKeys<T> = {
  [K in keyof T]-?: undefined extends T[K] ? K : never;
}[keyof T];
type Simplify<T> = { [K in keyof T]: T[K] } & {};
/**
 * An object with keys that may be `undefined` (`TOptional`): JSON drops them when they
 * are, so they become optional. Passing the keys in, rather than asking
 * `K extends UndefinedKeys<T>` for every key, makes this a third cheaper.
 */
type JsonifySplit<T, TOptional extends keyof T> = Simplify<
  {
    [K in keyof T as K extends TOptional ? never : T[K] extends Unsendable ? never : K]: Jsonify<
      T[K]
    >;
  } & {
    [K in TOptional as Exclude<T[K], undefined> extends Unsendable ? never : K]?: Jsonify<
      Exclude<T[K], undefined>
    >;
  }
>;

/** A value that survives a JSON round trip unchanged. */
type JsonValue = JsonPrimitive | readonly JsonValue[] | { readonly [key: string]: JsonValue };

// Most results are plain JSON already (an object literal of strings and numbers), so
// that is asked first, as one assignability check: it returns `T` as it is instead of
// rebuilding it key by key, which was more than half of a large client's type-check.
// An object with no key that may be `undefined` is mapped in one pass, not split in
// two and merged. Other primitives (`bigint`) are left as they are.
/**
 * The type a value has after a JSON round trip, which is what a client receives:
 * `Date` becomes `string` (through `toJSON`), `undefined` becomes `null` where it
 * stands alone and an optional key in an object, and functions and symbols vanish.
 */
export type Jsonify<T> = T extends JsonValue
  ? T
  : unknown extends T
    ? T
    : T extends Unsendable
      ? null
      : T extends {
            /** A value with a JSON form of its own, such as a `Date`. */
            toJSON(): infer TJson;
          }
        ? Jsonify<TJson>
        : T extends Uint8Array
          ? // What JSON.stringify makes of bytes: {"0":137,"1":80,...}. Send them with the
            // msgpack codec (or as base64 text) instead.
            Record<string, number>
          : T extends ReadonlyArray<unknown>
            ? { [K in keyof T]: Jsonify<T[K]> }
            : T extends object
              ? [UndefinedKeys<T>] extends [never]
                ? { [K in keyof T as T[K] extends Unsendable ? never : K]: Jsonify<T[K]> }
                : JsonifySplit<T, UndefinedKeys<T>>
              : T;

type PackifySplit<T, TOptional extends keyof T> = Simplify<
  {
    [K in keyof T as K extends TOptional ? never : T[K] extends Unsendable ? never : K]: Packify<
      T[K]
    >;
  } & {
    [K in TOptional as Exclude<T[K], undefined> extends Unsendable ? never : K]?: Packify<
      Exclude<T[K], undefined>
    >;
  }
>;

/**
 * The type a value has after a MessagePack round trip (the `msgpack` codec), which is what
 * a client using it receives: as {@link Jsonify}, except that a `Uint8Array` (a Node
 * `Buffer` too) arrives as a `Uint8Array` of the same bytes, and a `Date` as a `Date`
 * (the timestamp extension).
 */
export type Packify<T> = T extends JsonValue
  ? T
  : unknown extends T
    ? T
    : T extends Uint8Array
      ? Uint8Array
      : T extends Date
        ? Date
        : T extends Unsendable
          ? null
          : T extends {
                /** A value with a JSON form of its own. */
                toJSON(): infer TJson;
              }
            ? Packify<TJson>
            : T extends ReadonlyArray<unknown>
              ? { [K in keyof T]: Packify<T[K]> }
              : T extends object
                ? [UndefinedKeys<T>] extends [never]
                  ? { [K in keyof T as T[K] extends Unsendable ? never : K]: Packify<T[K]> }
                  : PackifySplit<T, UndefinedKeys<T>>
                : T;
