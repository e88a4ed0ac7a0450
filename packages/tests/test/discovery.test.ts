// rpc.discover: the OpenRPC document a server gives about itself, asked for by a raw
// JSON-RPC peer over a real socket. The document must pass OpenRPC's own meta-schema, and
// it must tell the truth: a peer that knows nothing but the document can call every
// procedure as described and gets results (and events) that match the described schemas.
import { createRequire } from 'node:module';
import { initVolley, type StandardSchemaV1, tracked } from '@volley/core';
import { DEFAULT_DISCOVERY_INFO, type JsonSchemaConverter } from '@volley/server';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type Harness, type RawPeer, startHarness } from './helpers/harness.js';

// ── The OpenRPC meta-schema ───────────────────────────────────────────────────────────
// @open-rpc/meta-schema is the schema of an OpenRPC 1.3.x document; its schemas (params,
// results) are checked against the JSON Schema meta-schema it refers to by URL
// (https://meta.json-schema.tools), which @json-schema-tools/meta-schema provides. Both are
// registered locally: the test never fetches anything.
// Their type declarations describe OpenRPC documents, not the schema values they export.
const require = createRequire(import.meta.url);
const { openrpcDocument: openRpcMetaSchema } = require('@open-rpc/meta-schema') as {
  openrpcDocument: object;
};
const { jsonSchema: jsonSchemaMetaSchema } = require('@json-schema-tools/meta-schema') as {
  jsonSchema: { [key: string]: unknown };
};

function openRpcValidator(): ValidateFunction {
  // Not strict: the meta-schemas are OpenRPC's, and use keywords strict mode frowns on.
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats.default(ajv);
  const {
    $id: _id,
    $schema: _schema,
    ...metaBody
  } = jsonSchemaMetaSchema as {
    [key: string]: unknown;
  };
  // Registered as the `$schema` of OpenRPC's meta-schema, and under the id its `$ref` uses
  // (without the trailing slash, which ajv does not treat as the same URI).
  ajv.addMetaSchema(jsonSchemaMetaSchema);
  ajv.addSchema({ ...metaBody, $id: 'https://meta.json-schema.tools' });
  return ajv.compile(openRpcMetaSchema);
}

/** Validates values against the schemas inside one document, resolving its `$ref`s. */
function documentSchemas(document: OpenRpc): (pointer: string) => ValidateFunction {
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats.default(ajv);
  ajv.addSchema({ ...document, $id: 'volley-document' } as object);
  return (pointer) => ajv.compile({ $ref: `volley-document#${pointer}` });
}

// ── What the test knows of OpenRPC ────────────────────────────────────────────────────
interface Descriptor {
  name: string;
  required?: boolean;
  schema: unknown;
}
interface Method {
  name: string;
  paramStructure?: 'by-name' | 'by-position' | 'either';
  params: Descriptor[];
  result?: Descriptor;
  tags?: Array<{ name: string }>;
  errors?: Array<{ $ref: string }>;
  'x-volley-subscription'?: boolean;
  'x-volley-event'?: Descriptor;
}
interface OpenRpc {
  openrpc: string;
  info: { title: string; version: string };
  methods: Method[];
  components: { schemas: { [name: string]: unknown }; errors: { [name: string]: unknown } };
  'x-volley-protocol': number;
  'x-volley-notifications': Array<{ name: string; params: Descriptor[] }>;
}

// ── A router with every kind of input, output and schema library ───────────────────────
/** A Standard Schema that is not zod and converts itself (Standard JSON Schema). */
function evenNumber(): StandardSchemaV1<number> {
  const json = () => ({ type: 'integer', multipleOf: 2 });
  return {
    '~standard': {
      version: 1,
      vendor: 'evens',
      validate: (value) =>
        typeof value === 'number' && value % 2 === 0
          ? { value }
          : { issues: [{ message: 'Expected an even number' }] },
      jsonSchema: { input: json, output: json },
    } as StandardSchemaV1<number>['~standard'],
  };
}

/** A Standard Schema with no JSON Schema form. */
const opaque: StandardSchemaV1<string> = {
  '~standard': {
    version: 1,
    vendor: 'opaque',
    validate: (value) =>
      typeof value === 'string' ? { value } : { issues: [{ message: 'Expected a string' }] },
  },
};

/**
 * A Standard JSON Schema whose conversion carries a definition named `Thing`, as a library
 * with named types gives: two of them with different `Thing`s must not share one.
 */
function withDefinition(thing: { [key: string]: unknown }, sample: unknown): StandardSchemaV1 {
  const json = () => ({
    type: 'object',
    properties: { thing: { $ref: '#/definitions/Thing' } },
    required: ['thing'],
    definitions: { Thing: thing },
  });
  return {
    '~standard': {
      version: 1,
      vendor: 'named',
      validate: (value) =>
        typeof value === 'object' &&
        value !== null &&
        typeof (value as { thing?: unknown }).thing === typeof sample
          ? { value }
          : { issues: [{ message: 'Expected a thing' }] },
      jsonSchema: { input: json, output: json },
    } as StandardSchemaV1['~standard'],
  };
}

interface TreeNode {
  name: string;
  children: TreeNode[];
}
const treeNode: z.ZodType<TreeNode> = z.object({
  name: z.string(),
  get children() {
    return z.array(treeNode);
  },
});
const userId = z.string().min(1).meta({ id: 'UserId', description: 'A user id' });

const v = initVolley();
const router = v.router({
  greet: v.procedure
    .input(z.object({ name: z.string(), excited: z.boolean().optional() }))
    .output(z.string())
    .query(({ input }) => `Hello, ${input.name}${input.excited === true ? '!' : ''}`),
  users: {
    get: v.procedure
      .input(z.object({ id: userId }))
      .output(z.object({ id: userId, name: z.string() }))
      .query(({ input }) => ({ id: input.id, name: 'Ada' })),
    rename: v.procedure
      .input(z.strictObject({ id: userId, name: z.string().min(1) }))
      .mutation(({ input }) => input.name),
  },
  math: {
    double: v.procedure.input(z.number()).query(({ input }) => input * 2),
    sum: v.procedure
      .input(z.array(z.number()))
      .output(z.number())
      .query(({ input }) => input.reduce((total, value) => total + value, 0)),
    between: v.procedure
      .input(z.tuple([z.number(), z.number()]))
      .query(({ input }) => (input[0] + input[1]) / 2),
    half: v.procedure
      .input(evenNumber())
      .output(evenNumber())
      .query(({ input }) => (input / 2) * 2),
  },
  search: v.procedure.input(z.string().optional()).query(({ input }) => [input ?? '*']),
  page: v.procedure
    .input(z.object({ limit: z.number().int().default(10), cursor: z.string().optional() }))
    .query(({ input }) => input.limit),
  settings: v.procedure
    .input(z.record(z.string(), z.number()))
    .query(({ input }) => Object.keys(input).length),
  length: v.procedure
    .input(z.string().transform((text) => text.length))
    .output(z.number().transform((count) => `${count} characters`))
    .query(({ input }) => input),
  shout: v.procedure.input(opaque).query(({ input }) => input.toUpperCase()),
  tree: { size: v.procedure.input(treeNode).query(({ input }) => countNodes(input)) },
  named: {
    text: v.procedure.input(withDefinition({ type: 'string' }, 'x')).query(() => 'text'),
    count: v.procedure.input(withDefinition({ type: 'number' }, 1)).query(() => 'count'),
  },
  time: v.procedure.query(() => 1_700_000_000_000),
  ticks: v.procedure
    .input(z.object({ count: z.number().int().positive() }))
    .output(z.object({ tick: z.number() }))
    .subscription(async function* ({ input }) {
      for (let tick = 1; tick <= input.count; tick++) yield tracked(`t${tick}`, { tick });
    }),
});

function countNodes(node: TreeNode): number {
  return 1 + node.children.reduce((total, child) => total + countNodes(child), 0);
}

/** An input for each procedure that its schema accepts, and what the call answers. */
const SAMPLES: { [method: string]: { input: unknown; result?: unknown } } = {
  greet: { input: { name: 'Ada', excited: true }, result: 'Hello, Ada!' },
  'users.get': { input: { id: 'u1' }, result: { id: 'u1', name: 'Ada' } },
  'users.rename': { input: { id: 'u1', name: 'Grace' }, result: 'Grace' },
  'math.double': { input: 21, result: 42 },
  'math.sum': { input: [1, 2, 3], result: 6 },
  'math.between': { input: [1, 3], result: 2 },
  'math.half': { input: 8, result: 8 },
  search: { input: undefined, result: ['*'] },
  page: { input: { cursor: 'c' }, result: 10 },
  settings: { input: { a: 1, b: 2 }, result: 2 },
  length: { input: 'four', result: '4 characters' },
  shout: { input: 'hey', result: 'HEY' },
  'tree.size': {
    input: { name: 'root', children: [{ name: 'leaf', children: [] }] },
    result: 2,
  },
  'named.text': { input: { thing: 'x' }, result: 'text' },
  'named.count': { input: { thing: 1 }, result: 'count' },
  time: { input: undefined, result: 1_700_000_000_000 },
};

const PROTOCOL_METHODS = [
  'rpc.init',
  'rpc.ping',
  'rpc.auth',
  'rpc.cancel',
  'rpc.resume',
  'rpc.discover',
];

let harness: Harness<typeof router> | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

let nextId = 1;
async function discover(peer: RawPeer): Promise<OpenRpc> {
  const id = nextId++;
  const answer = (await peer.request({ jsonrpc: '2.0', id, method: 'rpc.discover' })) as {
    id: number;
    result: OpenRpc;
  };
  expect(answer.id).toBe(id);
  return answer.result;
}

function method(document: OpenRpc, name: string): Method {
  const found = document.methods.find((candidate) => candidate.name === name);
  if (found === undefined) throw new Error(`The document has no method ${name}`);
  return found;
}

/** `params` for `input`, built the way the document says, as a generic client would. */
function paramsFor(described: Method, input: unknown): unknown {
  if (described.paramStructure === 'by-name') return input;
  if (input === undefined) return [];
  expect(described.params).toHaveLength(1);
  return [input];
}

/** zod's own conversion of a schema, as it appears in the document (no `$schema`). */
function zodJson(schema: z.ZodType, io: 'input' | 'output'): unknown {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io, target: 'draft-07' });
  return rest;
}

describe('rpc.discover', () => {
  it('answers with an OpenRPC document that passes the OpenRPC meta-schema', async () => {
    harness = await startHarness({
      router,
      discovery: { info: { title: 'Shop', version: '2.1.0', description: 'The shop API' } },
    });
    const document = await discover(await harness.raw());
    const validate = openRpcValidator();
    expect(validate(document), JSON.stringify(validate.errors, null, 2)).toBe(true);
    expect(document.openrpc).toBe('1.3.2');
    expect(document.info).toEqual({ title: 'Shop', version: '2.1.0', description: 'The shop API' });
    expect(document['x-volley-protocol']).toBe(1);
    expect(document.methods.map((described) => described.name)).toEqual([
      ...router.procedures.keys(),
      ...PROTOCOL_METHODS,
    ]);
    // The meta-schema check can fail: a document with a nameless param does not pass.
    const broken = structuredClone(document);
    (broken.methods[0] as Method).params[0] = { name: '', schema: {} };
    expect(validate(broken)).toBe(false);
  });

  it('maps each input to params as PROTOCOL.md does: objects by name, anything else as one positional param', async () => {
    harness = await startHarness({ router });
    const document = await discover(await harness.raw());
    expect(method(document, 'greet')).toMatchObject({
      tags: [{ name: 'query' }],
      paramStructure: 'by-name',
      params: [
        { name: 'name', required: true, schema: { type: 'string' } },
        { name: 'excited', required: false, schema: { type: 'boolean' } },
      ],
      result: { name: 'result', schema: { type: 'string' } },
    });
    // Required params come first, as OpenRPC asks; a defaulted member is optional.
    expect(method(document, 'page').params.map(({ name, required }) => [name, required])).toEqual([
      ['limit', false],
      ['cursor', false],
    ]);
    expect(method(document, 'users.rename')).toMatchObject({
      tags: [{ name: 'mutation' }],
      paramStructure: 'by-name',
    });
    for (const [name, schema] of [
      ['math.double', z.number()],
      ['math.sum', z.array(z.number())],
      ['math.between', z.tuple([z.number(), z.number()])],
      ['settings', z.record(z.string(), z.number())],
    ] as const) {
      expect(method(document, name), name).toMatchObject({
        paramStructure: 'by-position',
        params: [{ name: 'input', required: true, schema: zodJson(schema, 'input') }],
      });
    }
    expect(method(document, 'search')).toMatchObject({
      paramStructure: 'by-position',
      params: [{ name: 'input', required: false, schema: { type: 'string' } }],
    });
    expect(method(document, 'time')).toMatchObject({ paramStructure: 'either', params: [] });
  });

  it("converts zod schemas with zod's own toJSONSchema: the input side for params, the output side for results", async () => {
    harness = await startHarness({ router });
    const document = await discover(await harness.raw());
    // A transform: the input side is what a client sends; the output side cannot be told.
    expect(method(document, 'length').params[0]?.schema).toEqual(
      zodJson(
        z.string().transform((text) => text.length),
        'input',
      ),
    );
    expect(method(document, 'length').result?.schema).toEqual({
      $comment: expect.stringContaining('could not be converted'),
    });
    // The output side: a defaulted member is always there in a result.
    const page = z.object({ limit: z.number().default(10) });
    expect(zodJson(page, 'output')).not.toEqual(zodJson(page, 'input'));
    expect(method(document, 'users.get').result?.schema).toEqual({
      type: 'object',
      properties: {
        id: { $ref: '#/components/schemas/UserId' },
        name: { type: 'string' },
      },
      required: ['id', 'name'],
      additionalProperties: false,
    });
    // A procedure without an output schema may answer anything.
    expect(method(document, 'time').result).toEqual({ name: 'result', schema: {} });
    // Named types are components, kept once for all the procedures that use them.
    expect(document.components.schemas.UserId).toEqual({
      type: 'string',
      minLength: 1,
      description: 'A user id',
    });
    expect(method(document, 'users.rename').params[0]?.schema).toEqual({
      $ref: '#/components/schemas/UserId',
    });
  });

  it('describes other Standard Schemas by their own JSON Schema, and notes the ones that have none', async () => {
    harness = await startHarness({ router });
    const document = await discover(await harness.raw());
    expect(method(document, 'math.half')).toMatchObject({
      params: [{ name: 'input', required: true, schema: { type: 'integer', multipleOf: 2 } }],
      result: { schema: { type: 'integer', multipleOf: 2 } },
    });
    expect(method(document, 'shout').params).toEqual([
      {
        name: 'input',
        required: true,
        schema: { $comment: expect.stringMatching(/opaque schema .*Standard JSON Schema/) },
      },
    ]);
    // Two different definitions named Thing: each keeps its own.
    const text = method(document, 'named.text').params[0]?.schema as { $ref: string };
    const count = method(document, 'named.count').params[0]?.schema as { $ref: string };
    expect(text.$ref).not.toBe(count.$ref);
    const resolve = (ref: string) => document.components.schemas[ref.split('/').pop() as string];
    expect(resolve(text.$ref)).toEqual({ type: 'string' });
    expect(resolve(count.$ref)).toEqual({ type: 'number' });
  });

  it('marks subscriptions, with the schema of their events, and describes the protocol methods and notifications', async () => {
    harness = await startHarness({ router });
    const document = await discover(await harness.raw());
    expect(method(document, 'ticks')).toMatchObject({
      tags: [{ name: 'subscription' }],
      'x-volley-subscription': true,
      'x-volley-event': { name: 'data', schema: zodJson(z.object({ tick: z.number() }), 'output') },
      result: { schema: { $ref: '#/components/schemas/VolleySubscriptionAck' } },
    });
    expect(method(document, 'greet')['x-volley-subscription']).toBeUndefined();
    expect(method(document, 'rpc.cancel')).toMatchObject({
      paramStructure: 'by-name',
      params: [{ name: 'id', required: true }],
    });
    expect(method(document, 'rpc.resume').params.map((param) => param.name)).toEqual([
      'method',
      'params',
      'lastEventId',
    ]);
    expect(document['x-volley-notifications'].map((notification) => notification.name)).toEqual([
      'rpc.event',
      'rpc.complete',
      'rpc.error',
    ]);
    // Every error code, by name, with its JSON-RPC number.
    expect(document.components.errors.NOT_FOUND).toEqual({
      code: -32004,
      message: 'Not found',
      data: { code: 'NOT_FOUND' },
    });
    expect(Object.keys(document.components.errors)).toHaveLength(16);
    expect(method(document, 'greet').errors).toContainEqual({
      $ref: '#/components/errors/INVALID_PARAMS',
    });
  });

  it('tells the truth: a peer that knows only the document calls every procedure and gets what it describes', async () => {
    harness = await startHarness({ router });
    const peer = await harness.raw();
    const document = await discover(peer);
    const schemaAt = documentSchemas(document);
    const procedures = document.methods.filter(
      (described) => !described.name.startsWith('rpc.') && !described['x-volley-subscription'],
    );
    expect(procedures.map((described) => described.name).sort()).toEqual(
      Object.keys(SAMPLES).sort(),
    );
    for (const described of procedures) {
      const sample = SAMPLES[described.name] as { input: unknown; result: unknown };
      const index = document.methods.indexOf(described);
      const params = paramsFor(described, sample.input);
      // Each param the sample gives passes its described schema, and no required one is missing.
      const given: Array<[Descriptor, unknown]> =
        described.paramStructure === 'by-name'
          ? described.params
              .filter((param) => param.name in (params as object))
              .map((param) => [param, (params as { [name: string]: unknown })[param.name]])
          : (params as unknown[]).map((value, at) => [described.params[at] as Descriptor, value]);
      for (const param of described.params.filter((candidate) => candidate.required)) {
        expect(
          given.map(([each]) => each),
          `${described.name} ${param.name}`,
        ).toContain(param);
      }
      for (const [param, value] of given) {
        const at = described.params.indexOf(param);
        const check = schemaAt(`/methods/${index}/params/${at}/schema`);
        expect(
          check(value),
          `${described.name} ${param.name}: ${JSON.stringify(check.errors)}`,
        ).toBe(true);
      }
      const id = nextId++;
      const answer = await peer.request({ jsonrpc: '2.0', id, method: described.name, params });
      expect(answer, described.name).toEqual({ jsonrpc: '2.0', id, result: sample.result });
      const check = schemaAt(`/methods/${index}/result/schema`);
      expect(check(sample.result), `${described.name} result`).toBe(true);
    }
    // The schemas are not vacuous: they refuse what the server refuses.
    const greet = document.methods.findIndex((described) => described.name === 'greet');
    expect(schemaAt(`/methods/${greet}/params/0/schema`)(42)).toBe(false);
    const tree = document.methods.findIndex((described) => described.name === 'tree.size');
    expect(schemaAt(`/methods/${tree}/params/1/schema`)([{ name: 'leaf' }])).toBe(false);
  });

  it("a subscription's acknowledgement, events and end match the document", async () => {
    harness = await startHarness({ router });
    const peer = await harness.raw();
    const document = await discover(peer);
    const schemaAt = documentSchemas(document);
    const index = document.methods.findIndex((described) => described.name === 'ticks');
    peer.send({ jsonrpc: '2.0', id: 'feed', method: 'ticks', params: { count: 2 } });
    const ack = (await peer.next('the acknowledgement')) as { result: unknown };
    expect(schemaAt(`/methods/${index}/result/schema`)(ack.result)).toBe(true);
    const eventParams = document['x-volley-notifications'][0] as { params: Descriptor[] };
    for (const tick of [1, 2]) {
      const event = (await peer.next(`event ${tick}`)) as {
        method: string;
        params: { [name: string]: unknown };
      };
      expect(event).toEqual({
        jsonrpc: '2.0',
        method: 'rpc.event',
        params: { subscription: 'feed', eventId: `t${tick}`, data: { tick } },
      });
      expect(schemaAt(`/methods/${index}/x-volley-event/schema`)(event.params.data)).toBe(true);
      // Every member of the event is a described param, with a value its schema accepts.
      for (const [name, value] of Object.entries(event.params)) {
        const at = eventParams.params.findIndex((param) => param.name === name);
        expect(at, name).not.toBe(-1);
        expect(schemaAt(`/x-volley-notifications/0/params/${at}/schema`)(value), name).toBe(true);
      }
    }
    expect(await peer.next('the end')).toEqual({
      jsonrpc: '2.0',
      method: 'rpc.complete',
      params: { subscription: 'feed' },
    });
  });
});

describe('the discovery option', () => {
  it('is on by default, with a default info, and built once per server, at the first rpc.discover', async () => {
    const seen: string[] = [];
    const converter: JsonSchemaConverter = (schema, io) => {
      seen.push(`${schema['~standard'].vendor} ${io}`);
      return undefined;
    };
    harness = await startHarness({ router, discovery: { toJSONSchema: converter } });
    const first = await harness.raw();
    // Calls do not build it.
    expect(await first.request({ jsonrpc: '2.0', id: 1, method: 'time' })).toMatchObject({
      result: 1_700_000_000_000,
    });
    expect(seen).toEqual([]);
    const document = await discover(first);
    expect(document.info).toEqual(DEFAULT_DISCOVERY_INFO);
    const converted = seen.length;
    expect(converted).toBeGreaterThan(0);
    expect(seen).toContain('zod input');
    expect(seen).toContain('opaque input');
    // A second peer, and a second ask, get the same document without converting again.
    const again = await discover(await harness.raw());
    expect(again).toEqual(document);
    expect(await discover(first)).toEqual(document);
    expect(seen).toHaveLength(converted);
  });

  it("lets a converter describe what the schema cannot, and a converter's throw is only a note", async () => {
    const converter: JsonSchemaConverter = (schema, io) => {
      const vendor = schema['~standard'].vendor;
      if (vendor === 'opaque') return { type: 'string', description: `opaque ${io}` };
      if (vendor === 'evens') throw new Error('evens cannot be described');
      return undefined;
    };
    harness = await startHarness({ router, discovery: { toJSONSchema: converter } });
    const document = await discover(await harness.raw());
    expect(method(document, 'shout').params[0]?.schema).toEqual({
      type: 'string',
      description: 'opaque input',
    });
    expect(method(document, 'math.half').params[0]?.schema).toEqual({
      $comment: expect.stringContaining('evens schema could not be converted'),
    });
    expect(JSON.stringify(document)).not.toContain('evens cannot be described');
    // Falling back to the schema's own conversion when the converter gives nothing.
    expect(method(document, 'greet').params[0]?.schema).toEqual({ type: 'string' });
  });

  it('`discovery: false` answers rpc.discover like any unknown method', async () => {
    harness = await startHarness({ router, discovery: false });
    const peer = await harness.raw();
    expect(await peer.request({ jsonrpc: '2.0', id: 1, method: 'rpc.discover' })).toEqual({
      jsonrpc: '2.0',
      id: 1,
      error: {
        code: -32601,
        message: 'Method not found',
        data: {
          code: 'METHOD_NOT_FOUND',
          issues: [{ path: ['method'], message: 'No protocol method "rpc.discover"' }],
        },
      },
    });
  });

  it('rpc.discover as a notification is not answered', async () => {
    harness = await startHarness({ router });
    const peer = await harness.raw();
    peer.send({ jsonrpc: '2.0', method: 'rpc.discover' });
    expect(await peer.request({ jsonrpc: '2.0', id: 2, method: 'rpc.ping' })).toEqual({
      jsonrpc: '2.0',
      id: 2,
      result: 'pong',
    });
    expect(peer.backlog).toEqual([]);
  });
});
