// Procedures' schemas as JSON Schema, for the discovery document. Any Standard Schema that
// also implements Standard JSON Schema (zod 4, arktype, valibot through its adapter) says
// so on the schema object itself (`~standard.jsonSchema`), so no schema library is loaded
// here; a converter given by the user comes first. Definitions a converted schema carries
// (recursive and named types) move into the document's `components.schemas`, since a
// `$ref` inside an OpenRPC document is resolved against the whole document.
import type { StandardSchemaV1 } from '@volley/core';

/** A JSON Schema (draft-07, the dialect of OpenRPC 1.x), as plain JSON. */
export type JsonSchema = { [key: string]: unknown } | boolean;

/** Which side of a schema to describe: what it accepts (`input`) or what it gives (`output`). */
export type SchemaSide = 'input' | 'output';

/**
 * Turns a procedure's schema into a draft-07 JSON Schema: its `input` side for params, its
 * `output` side for results and events. Return `undefined` to leave the schema to Volley,
 * which asks the schema itself (Standard JSON Schema: zod 4 classic, arktype, ...). A throw
 * is caught: the schema is then described as accepting anything, with a `$comment` that
 * says so. For zod mini, which does not implement Standard JSON Schema:
 * `(schema, io) => toJSONSchema(schema as never, { io, target: 'draft-07' })` with
 * `toJSONSchema` from `zod/mini`.
 */
export type JsonSchemaConverter = (
  schema: StandardSchemaV1,
  io: SchemaSide,
) => JsonSchema | undefined;

/** What Standard JSON Schema adds to `~standard` (standardschema.dev/json-schema). */
interface StandardJsonSchemaProps {
  readonly vendor?: unknown;
  readonly jsonSchema?: {
    readonly input?: unknown;
    readonly output?: unknown;
  };
}

/** `#/definitions/<name>` and `#/$defs/<name>` (draft 2020-12, from a converter that used it). */
const DEFINITION_REF = /^#\/(?:definitions|\$defs)\/([^/]+)(.*)$/;
/** Members whose values are data, not schemas: a `$ref` key inside them is not a reference. */
const DATA_MEMBERS = new Set(['const', 'enum', 'default', 'examples']);
/** Members whose values map names to schemas. */
const SCHEMA_MAPS = new Set([
  'properties',
  'patternProperties',
  'definitions',
  '$defs',
  'dependencies',
]);
const MAX_VENDOR_LENGTH = 40;

/** Stands for the converted schema itself among its definitions. */
const ROOT: unique symbol = Symbol('root');
/** A definition's name, or {@link ROOT}. */
type Key = string | typeof ROOT;

/** Reads a JSON-pointer token (`a~1b` is `a/b`), percent-decoded first as a URI fragment. */
function pointerToken(token: string): string {
  let text = token;
  try {
    text = decodeURIComponent(token);
  } catch {
    // Not percent-encoded after all; read it as it is.
  }
  return text.replaceAll('~1', '/').replaceAll('~0', '~');
}

/** A components key: OpenRPC tools expect letters, digits, `_`, `.` and `-`. */
function componentName(name: string): string {
  const cleaned = name.replace(/[^A-Za-z0-9_.-]/g, '_');
  return cleaned.length === 0 ? '_' : cleaned;
}

function isObject(value: unknown): value is { [key: string]: unknown } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Whether `schema` accepts no value at all, as when a request has no `params`. Never throws. */
export function acceptsUndefined(schema: StandardSchemaV1): boolean | Promise<boolean> {
  try {
    const result = schema['~standard'].validate(undefined);
    if (result instanceof Promise) {
      return result.then(
        (settled) => settled.issues === undefined,
        () => false,
      );
    }
    return result.issues === undefined;
  } catch {
    return false;
  }
}

/**
 * The document's `components.schemas`, filled as procedures' schemas are converted. A
 * named definition that two schemas share (zod's `.meta({ id })`) is kept once.
 */
export class SchemaComponents {
  readonly schemas: { [name: string]: JsonSchema } = {};
  readonly #converter: JsonSchemaConverter | undefined;
  /** Each component as JSON text, to tell a shared definition from a clash of names. */
  readonly #texts = new Map<string, string>();

  constructor(converter: JsonSchemaConverter | undefined) {
    this.#converter = converter;
  }

  /** Adds a fixed schema under `name`, which must be free. */
  define(name: string, schema: JsonSchema): void {
    this.schemas[name] = schema;
    this.#texts.set(name, JSON.stringify(schema));
  }

  /**
   * `schema`'s `io` side as JSON Schema, its definitions moved into the components (the
   * schema itself too, under `name`, when it refers to itself). A schema that cannot be
   * converted is `{}` with a `$comment` saying why. Never throws.
   */
  describe(schema: StandardSchemaV1, io: SchemaSide, name: string): JsonSchema {
    let converted: unknown;
    try {
      converted = this.#convert(schema, io);
    } catch {
      return this.#unconverted(schema, 'could not be converted to JSON Schema');
    }
    if (converted === undefined) {
      return this.#unconverted(
        schema,
        'has no JSON Schema form: its library does not implement Standard JSON Schema, and no `discovery.toJSONSchema` converter took it',
      );
    }
    let json: unknown;
    try {
      // A copy that is plain JSON: the converter's object stays untouched, and a value
      // JSON cannot hold (a BigInt default) fails here rather than in the answer.
      json = JSON.parse(JSON.stringify(converted));
    } catch {
      return this.#unconverted(schema, 'could not be converted to JSON Schema');
    }
    if (typeof json === 'boolean') return json;
    if (!isObject(json)) return this.#unconverted(schema, 'was converted to something else');
    return this.#hoist(json, name);
  }

  #convert(schema: StandardSchemaV1, io: SchemaSide): unknown {
    const fromUser = this.#converter?.(schema, io);
    if (fromUser !== undefined) return fromUser;
    const props = schema['~standard'] as StandardJsonSchemaProps;
    const method = props.jsonSchema?.[io];
    if (typeof method !== 'function') return undefined;
    return (method as (options: { target: string }) => unknown).call(props.jsonSchema, {
      target: 'draft-07',
    });
  }

  #unconverted(schema: StandardSchemaV1, why: string): JsonSchema {
    const vendor = String((schema['~standard'] as StandardJsonSchemaProps).vendor ?? 'unknown');
    const shown = vendor.length <= MAX_VENDOR_LENGTH ? vendor : vendor.slice(0, MAX_VENDOR_LENGTH);
    return { $comment: `Not described: this ${shown} schema ${why}. Any value is shown here.` };
  }

  /** Moves `root`'s definitions into the components and points its `$ref`s there. */
  #hoist(root: { [key: string]: unknown }, rootName: string): JsonSchema {
    const { $schema: _dialect, definitions, $defs, ...rest } = root;
    const batch = new Map<Key, unknown>(
      Object.entries({
        ...(isObject($defs) ? $defs : {}),
        ...(isObject(definitions) ? definitions : {}),
      }),
    );
    const selfReferring = refersToRoot(rest) || [...batch.values()].some(refersToRoot);
    // What each definition (and the schema itself, when it refers to itself) is called in
    // the components: its own name, cleaned, and unique within this schema.
    const wanted = new Map<Key, string>();
    const used = new Set<string>();
    const claim = (key: Key, name: string) => {
      let candidate = componentName(name);
      for (let suffix = 2; used.has(candidate); suffix++) {
        candidate = `${componentName(name)}_${suffix}`;
      }
      used.add(candidate);
      wanted.set(key, candidate);
    };
    if (selfReferring) claim(ROOT, rootName);
    for (const key of batch.keys()) claim(key, key as string);
    if (selfReferring) batch.set(ROOT, rest);
    let names = wanted;
    let texts = rewriteAll(batch, names);
    const clash = [...texts].some(([key, text]) => {
      const existing = this.#texts.get(names.get(key) as string);
      return existing !== undefined && existing !== text;
    });
    if (clash) {
      // A name is taken by a different schema: every name of this schema that is taken
      // gets a fresh one, and none of the existing components is reused.
      names = new Map([...wanted].map(([key, name]) => [key, this.#freeName(name, used)]));
      texts = rewriteAll(batch, names);
    }
    for (const [key, text] of texts) {
      const name = names.get(key) as string;
      if (this.#texts.has(name)) continue;
      this.#texts.set(name, text);
      this.schemas[name] = JSON.parse(text) as JsonSchema;
    }
    return rewriteRefs(rest, refTarget(names)) as JsonSchema;
  }

  /** `name`, or `name_2`, `name_3`, ... when a component or another name of `used` has it. */
  #freeName(name: string, used: Set<string>): string {
    if (!this.#texts.has(name)) return name;
    for (let suffix = 2; ; suffix++) {
      const candidate = `${name}_${suffix}`;
      if (!this.#texts.has(candidate) && !used.has(candidate)) {
        used.add(candidate);
        return candidate;
      }
    }
  }
}

/** Where a `$ref` of a converted schema points once its definitions are components. */
function refTarget(names: Map<Key, string>): (ref: string) => string | undefined {
  return (ref) => {
    const match = DEFINITION_REF.exec(ref);
    if (match !== null) {
      const name = names.get(pointerToken(match[1] as string));
      return name === undefined ? undefined : `#/components/schemas/${name}${match[2]}`;
    }
    const self = names.get(ROOT);
    return ref.startsWith('#') && self !== undefined
      ? `#/components/schemas/${self}${ref.slice(1)}`
      : undefined;
  };
}

/** Each schema of `batch` with its `$ref`s pointed at the components, as JSON text. */
function rewriteAll(batch: Map<Key, unknown>, names: Map<Key, string>): Map<Key, string> {
  const target = refTarget(names);
  const texts = new Map<Key, string>();
  for (const [key, schema] of batch) texts.set(key, JSON.stringify(rewriteRefs(schema, target)));
  return texts;
}

/** Whether a schema refers to its document's root (`#`, or a pointer not into definitions). */
function refersToRoot(schema: unknown): boolean {
  let found = false;
  rewriteRefs(schema, (ref) => {
    if (ref.startsWith('#') && !DEFINITION_REF.test(ref)) found = true;
    return undefined;
  });
  return found;
}

/** A copy of `schema` with each `$ref` that `target` maps replaced; others stay as they are. */
function rewriteRefs(schema: unknown, target: (ref: string) => string | undefined): unknown {
  if (Array.isArray(schema)) return schema.map((item) => rewriteRefs(item, target));
  if (!isObject(schema)) return schema;
  const copy: { [key: string]: unknown } = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === '$ref' && typeof value === 'string') copy[key] = target(value) ?? value;
    else if (DATA_MEMBERS.has(key)) copy[key] = value;
    else if (SCHEMA_MAPS.has(key) && isObject(value)) {
      // Keys here are names (a property may be called "enum"); only the values are schemas.
      const map: { [name: string]: unknown } = {};
      for (const [name, member] of Object.entries(value)) map[name] = rewriteRefs(member, target);
      copy[key] = map;
    } else copy[key] = rewriteRefs(value, target);
  }
  return copy;
}
