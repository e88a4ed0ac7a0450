// `rpc.discover`: the server describes itself as an OpenRPC document, so that a client in
// any language can list the methods and the shape of their params and results. The
// document is built from the router once, at the first `rpc.discover`, and its JSON text
// is then sent as it is to every client that asks.
import { type AnyProcedure, PROTOCOL_VERSION } from '@volley/core';
import type { Connection } from './connection.js';
import {
  type ContentDescriptor,
  ERROR_COMPONENTS,
  type MethodObject,
  NOTIFICATIONS,
  OPENRPC_VERSION,
  PROCEDURE_ERRORS,
  PROTOCOL_METHODS,
  PROTOCOL_SCHEMAS,
} from './discovery-protocol.js';
import {
  acceptsUndefined,
  type JsonSchema,
  type JsonSchemaConverter,
  SchemaComponents,
} from './discovery-schemas.js';
import type { Outcome } from './dispatch.js';
import { reportInternal } from './error-mapping.js';
import { protocolError } from './replies.js';
import type { WireId } from './wire.js';

/** The document's `info`: what the API is called and which version of it this is. */
export interface DiscoveryInfo {
  /** Default `DEFAULT_DISCOVERY_INFO.title`. */
  title?: string | undefined;
  /** Your API's version, such as your package's. Default `DEFAULT_DISCOVERY_INFO.version`. */
  version?: string | undefined;
  /** What the API is for, in Markdown. */
  description?: string | undefined;
  /** A URL. */
  termsOfService?: string | undefined;
  /** Who to ask about the API. */
  contact?:
    | { name?: string | undefined; email?: string | undefined; url?: string | undefined }
    | undefined;
  /** The API's license. */
  license?: { name: string; url?: string | undefined } | undefined;
}

/** What `rpc.discover` tells, as the `discovery` server option. */
export interface DiscoveryOptions {
  /** The document's `info`. Default {@link DEFAULT_DISCOVERY_INFO}. */
  info?: DiscoveryInfo | undefined;
  /**
   * Converts schemas that do not convert themselves (see {@link JsonSchemaConverter}).
   * Default: none; zod 4 (classic), arktype and other Standard JSON Schema libraries need none.
   */
  toJSONSchema?: JsonSchemaConverter | undefined;
}

/** The `info` of a document when the server's `discovery` option gives none. */
export const DEFAULT_DISCOVERY_INFO = { title: 'Volley API', version: '0.0.0' } as const;

/** How many procedures the build describes before it lets the event loop run. */
const PROCEDURES_PER_TURN = 50;

/** A server's answer to `rpc.discover`, built at the first one. */
export class Discovery {
  readonly #procedures: ReadonlyMap<string, AnyProcedure>;
  readonly #options: DiscoveryOptions;
  /** The document as JSON text once built; the build while it runs. */
  #json: string | Promise<string> | undefined;

  constructor(procedures: ReadonlyMap<string, AnyProcedure>, options: DiscoveryOptions = {}) {
    this.#procedures = procedures;
    this.#options = options;
  }

  /**
   * `{"id":3,"method":"rpc.discover"}` → `{"id":3,"result":{"openrpc":"1.3.2",...}}`. A
   * notification is not answered (nor the document built). Never throws or rejects: a
   * failure to build is answered -32603 and reported to `onError`, and the next request
   * tries again.
   */
  answer(connection: Connection, id: WireId | undefined): Outcome | Promise<Outcome> {
    if (id === undefined) return undefined;
    if (this.#json === undefined) {
      const building = this.#build();
      this.#json = building;
      building.then(
        (json) => {
          this.#json = json;
        },
        () => {
          this.#json = undefined;
        },
      );
    }
    const json = this.#json;
    if (typeof json === 'string') return connection.codec.resultJson(id, json);
    return json.then(
      (text) => connection.codec.resultJson(id, text),
      (error: unknown) => {
        reportInternal(connection, error);
        return connection.codec.error(id, protocolError('INTERNAL_ERROR'));
      },
    );
  }

  async #build(): Promise<string> {
    const components = new SchemaComponents(this.#options.toJSONSchema);
    for (const [name, schema] of Object.entries(PROTOCOL_SCHEMAS)) {
      components.define(name, schema);
    }
    const methods: MethodObject[] = [];
    for (const [path, procedure] of this.#procedures) {
      methods.push(await procedureMethod(path, procedure, components));
      // Converting schemas is CPU work (about half a millisecond each for zod): a large
      // router lets other connections be served in between.
      if (methods.length % PROCEDURES_PER_TURN === 0) await new Promise(setImmediate);
    }
    return JSON.stringify({
      openrpc: OPENRPC_VERSION,
      info: infoOf(this.#options.info),
      methods: [...methods, ...PROTOCOL_METHODS],
      components: { schemas: components.schemas, errors: ERROR_COMPONENTS },
      'x-volley-protocol': PROTOCOL_VERSION,
      'x-volley-notifications': NOTIFICATIONS,
    });
  }
}

function infoOf(info: DiscoveryInfo | undefined): DiscoveryInfo {
  const { title, version, ...rest } = info ?? {};
  return {
    title: title ?? DEFAULT_DISCOVERY_INFO.title,
    version: version ?? DEFAULT_DISCOVERY_INFO.version,
    ...Object.fromEntries(Object.entries(rest).filter(([, value]) => value !== undefined)),
  };
}

/** A procedure as an OpenRPC method. */
async function procedureMethod(
  path: string,
  procedure: AnyProcedure,
  components: SchemaComponents,
): Promise<MethodObject> {
  const { input, output } = procedure.def;
  const method: MethodObject = {
    name: path,
    tags: [{ name: procedure.type }],
    paramStructure: 'either',
    params: [],
  };
  if (input !== undefined) {
    const schema = components.describe(input, 'input', `${path}.input`);
    const byName = namedParams(schema);
    if (byName !== undefined) {
      method.paramStructure = 'by-name';
      method.params = byName;
    } else {
      // PROTOCOL.md, "Params and procedure input": any input travels as the one positional
      // param (`[x]` is `x`), which is how a primitive, an array or a tuple must travel.
      method.paramStructure = 'by-position';
      method.params = [{ name: 'input', required: !(await acceptsUndefined(input)), schema }];
    }
  }
  const described =
    output === undefined ? {} : components.describe(output, 'output', `${path}.output`);
  if (procedure.type === 'subscription') {
    method.result = {
      name: 'subscription',
      schema: { $ref: '#/components/schemas/VolleySubscriptionAck' },
    };
    method['x-volley-subscription'] = true;
    method['x-volley-event'] = { name: 'data', schema: described };
  } else {
    method.result = { name: 'result', schema: described };
  }
  method.errors = PROCEDURE_ERRORS;
  return method;
}

/** The members a plain object schema may have and still be described member by member. */
const PLAIN_OBJECT_KEYS = new Set([
  'type',
  'properties',
  'required',
  'additionalProperties',
  'title',
  'description',
  '$comment',
]);

/**
 * An object input's properties as by-name params (required ones first, as OpenRPC asks),
 * or `undefined` when the schema is anything but a plain object of named members: a record,
 * a union, an object that takes extra keys, ... whose params are then described whole.
 */
function namedParams(schema: JsonSchema): ContentDescriptor[] | undefined {
  if (typeof schema !== 'object' || schema.type !== 'object') return undefined;
  const { properties, required, additionalProperties } = schema;
  if (typeof properties !== 'object' || properties === null || Array.isArray(properties)) {
    return undefined;
  }
  if (additionalProperties !== undefined && additionalProperties !== false) return undefined;
  if (Object.keys(schema).some((key) => !PLAIN_OBJECT_KEYS.has(key))) return undefined;
  const names = Object.keys(properties);
  if (names.includes('')) return undefined;
  const requiredNames = new Set(Array.isArray(required) ? required : []);
  const params = names.map((name) => ({
    name,
    required: requiredNames.has(name),
    schema: (properties as { [name: string]: JsonSchema })[name] as JsonSchema,
  }));
  return [...params.filter((param) => param.required), ...params.filter((p) => !p.required)];
}
