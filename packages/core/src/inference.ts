import type { AnyProcedure } from './procedure.js';
import type { AnyRouter, RouterRecord } from './router.js';

/** The input a client passes to a procedure. */
export type inferProcedureInput<TProcedure extends AnyProcedure> = NonNullable<
  TProcedure['$types']
>['input'];

/**
 * What a client gets from a procedure: its result, or each event of a subscription,
 * as it is after the JSON round trip (see {@link Jsonify}).
 */
export type inferProcedureOutput<TProcedure extends AnyProcedure> = Jsonify<
  NonNullable<TProcedure['$types']>['output']
>;

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
 * The type a value has after a JSON round trip, which is what a client receives:
 * `Date` becomes `string` (through `toJSON`), `undefined` becomes `null` where it
 * stands alone and an optional key in an object, and functions and symbols vanish.
 */
export type Jsonify<T> = unknown extends T
  ? T
  : T extends JsonPrimitive
    ? T
    : T extends Unsendable
      ? null
      : T extends { toJSON(): infer TJson }
        ? Jsonify<TJson>
        : T extends ReadonlyArray<unknown>
          ? { [K in keyof T]: Jsonify<T[K]> }
          : Simplify<
              {
                [K in keyof T as K extends UndefinedKeys<T>
                  ? never
                  : T[K] extends Unsendable
                    ? never
                    : K]: Jsonify<T[K]>;
              } & {
                [K in keyof T as K extends UndefinedKeys<T>
                  ? Exclude<T[K], undefined> extends Unsendable
                    ? never
                    : K
                  : never]?: Jsonify<Exclude<T[K], undefined>>;
              }
            >;
