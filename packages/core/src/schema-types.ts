// How the procedure builder reads a schema's input and output types. This is on the
// type-check hot path: it runs once per `.input()` and `.output()` of every procedure.
import type { InferSchemaInput, InferSchemaOutput, StandardSchemaV1 } from './standard-schema.js';
// biome-ignore lint/suspicious/noShadowRestrictedNames: type-only, and the name the compiler prints.
import type { TypeError } from './type-error.js';

/**
 * The input and output types of a schema: what it accepts and what it produces. The
 * builder keeps the schema's own record of them (zod's `_zod`, or the Standard Schema
 * `types`) rather than building a new one, so TypeScript works the types out only when
 * a resolver or a client reads them.
 */
export interface SchemaTypes<TIn = unknown, TOut = unknown> {
  readonly input: TIn;
  readonly output: TOut;
}

/**
 * A zod 4 schema (classic or mini): a Standard Schema that also carries its types on
 * `_zod`. They are the same types as in `~standard`, but zod declares those through
 * the schema's `this` type, and TypeScript then instantiates zod's Standard Schema
 * interfaces afresh for every schema; reading `_zod` skips that. On a 500-procedure
 * router that is about a sixth of the type-check work.
 */
export interface ZodTypesCarrier {
  readonly _zod: SchemaTypes;
  // Only that it is there: comparing its type would cost what reading `_zod` saves.
  readonly '~standard': unknown;
}

/** The types of any other Standard Schema, from its `~standard.types`. */
export type StandardSchemaTypes<TSchema extends StandardSchemaV1> = {
  readonly input: InferSchemaInput<TSchema>;
  readonly output: InferSchemaOutput<TSchema>;
};

/**
 * What `.input()` and `.output()` (named by `TMethod`) accept: the schema itself when it
 * is a zod schema or another Standard Schema, else a {@link TypeError} that says so. zod
 * is asked first, which is the cheap question (see {@link ZodTypesCarrier}).
 */
export type SchemaArgument<TSchema, TMethod extends string> = TSchema extends ZodTypesCarrier
  ? TSchema
  : TSchema extends StandardSchemaV1
    ? TSchema
    : TypeError<`${TMethod} takes a zod schema or another Standard Schema`>;

/** The {@link SchemaTypes} of a schema that {@link SchemaArgument} accepted. */
export type SchemaTypesOf<TSchema> = TSchema extends ZodTypesCarrier
  ? TSchema['_zod']
  : TSchema extends StandardSchemaV1
    ? StandardSchemaTypes<TSchema>
    : never;
