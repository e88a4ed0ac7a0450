// The Standard Schema v1 interface (standardschema.dev), which zod, valibot and
// arktype implement. The spec asks libraries to restate it rather than depend on a
// package; this is the part Volley uses.

/** A validator that implements Standard Schema v1, such as a zod schema. */
export interface StandardSchemaV1<TInput = unknown, TOutput = TInput> {
  readonly '~standard': {
    readonly version: 1;
    readonly vendor: string;
    /** Checks a value: its output, or the issues found. May be async. */
    readonly validate: (
      value: unknown,
    ) => StandardSchemaResult<TOutput> | Promise<StandardSchemaResult<TOutput>>;
    readonly types?: { readonly input: TInput; readonly output: TOutput } | undefined;
  };
}

/** The outcome of `validate`: a value, or issues. */
export type StandardSchemaResult<TOutput> =
  | { readonly value: TOutput; readonly issues?: undefined }
  | { readonly issues: ReadonlyArray<StandardSchemaIssue> };

/** One validation problem. */
export interface StandardSchemaIssue {
  readonly message: string;
  readonly path?: ReadonlyArray<PropertyKey | { readonly key: PropertyKey }> | undefined;
}

/** The type a schema accepts. */
export type InferSchemaInput<TSchema extends StandardSchemaV1> = NonNullable<
  TSchema['~standard']['types']
>['input'];

/** The type a schema produces. */
export type InferSchemaOutput<TSchema extends StandardSchemaV1> = NonNullable<
  TSchema['~standard']['types']
>['output'];
