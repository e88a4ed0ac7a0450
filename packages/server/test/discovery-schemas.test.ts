// Converting schemas for rpc.discover, from values: what a converter's JSON Schema becomes
// once its definitions are components of the OpenRPC document.
import type { StandardSchemaV1 } from '@volley/core';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { acceptsUndefined, type JsonSchema, SchemaComponents } from '../src/discovery-schemas.js';

/** A Standard Schema whose JSON Schema (both sides) is `json`, from a library called `vendor`. */
function converting(json: unknown, vendor = 'test'): StandardSchemaV1 {
  return {
    '~standard': {
      version: 1,
      vendor,
      validate: (value) => ({ value }),
      jsonSchema: { input: () => json, output: () => json },
    } as StandardSchemaV1['~standard'],
  };
}

describe('SchemaComponents', () => {
  it.each<[string, unknown, JsonSchema, { [name: string]: JsonSchema }]>([
    [
      'draft 2020-12 $defs, and a name that needs cleaning and pointer-decoding',
      {
        $schema: 'https://json-schema.org/draft/2020-12/schema',
        type: 'array',
        items: { $ref: '#/$defs/a~1b%20c' },
        $defs: { 'a/b c': { type: 'string' } },
      },
      { type: 'array', items: { $ref: '#/components/schemas/a_b_c' } },
      { a_b_c: { type: 'string' } },
    ],
    [
      'a property named like a keyword, and data that looks like a reference',
      {
        type: 'object',
        properties: { enum: { $ref: '#/definitions/Id' } },
        const: { $ref: '#/definitions/Id' },
        definitions: { Id: { type: 'integer' } },
      },
      {
        type: 'object',
        properties: { enum: { $ref: '#/components/schemas/Id' } },
        const: { $ref: '#/definitions/Id' },
      },
      { Id: { type: 'integer' } },
    ],
    [
      'a pointer into the schema itself, which then becomes a component too',
      { type: 'object', properties: { a: { type: 'string' }, b: { $ref: '#/properties/a' } } },
      {
        type: 'object',
        properties: {
          a: { type: 'string' },
          b: { $ref: '#/components/schemas/m.input/properties/a' },
        },
      },
      {
        'm.input': {
          type: 'object',
          properties: {
            a: { type: 'string' },
            b: { $ref: '#/components/schemas/m.input/properties/a' },
          },
        },
      },
    ],
    ['a boolean schema', true, true, {}],
    [
      'a reference elsewhere, left as it is',
      { $ref: 'https://example.com/schema.json' },
      { $ref: 'https://example.com/schema.json' },
      {},
    ],
  ])('%s', (_, json, described, components) => {
    const schemas = new SchemaComponents(undefined);
    expect(schemas.describe(converting(json), 'input', 'm.input')).toEqual(described);
    expect(schemas.schemas).toEqual(components);
  });

  it('keeps a definition two schemas share once, and renames one that clashes', () => {
    const schemas = new SchemaComponents(undefined);
    const shared = { $ref: '#/definitions/Id', definitions: { Id: { type: 'string' } } };
    expect(schemas.describe(converting(shared), 'input', 'a.input')).toEqual({
      $ref: '#/components/schemas/Id',
    });
    expect(schemas.describe(converting(shared), 'output', 'b.output')).toEqual({
      $ref: '#/components/schemas/Id',
    });
    const other = {
      type: 'array',
      items: { $ref: '#/definitions/Id' },
      definitions: { Id: { type: 'number' }, Unused: { $ref: '#/definitions/Id' } },
    };
    expect(schemas.describe(converting(other), 'input', 'c.input')).toEqual({
      type: 'array',
      items: { $ref: '#/components/schemas/Id_2' },
    });
    expect(schemas.schemas).toEqual({
      Id: { type: 'string' },
      Id_2: { type: 'number' },
      Unused: { $ref: '#/components/schemas/Id_2' },
    });
  });

  it.each<[string, StandardSchemaV1, string]>([
    ['a schema with no JSON Schema form', z.date(), 'this zod schema could not be converted'],
    [
      'a library without Standard JSON Schema',
      {
        '~standard': { version: 1, vendor: 'plain', validate: (value) => ({ value }) },
      },
      'this plain schema has no JSON Schema form',
    ],
    [
      'a conversion JSON cannot hold',
      converting({ type: 'integer', default: 10n }),
      'this test schema could not be converted',
    ],
    ['a conversion that is not a schema', converting('string'), 'was converted to something else'],
    [
      'a very long vendor name',
      converting(undefined, 'v'.repeat(500)),
      `this ${'v'.repeat(40)} schema`,
    ],
  ])('%s is {} with a note', (_, schema, note) => {
    const schemas = new SchemaComponents(undefined);
    expect(schemas.describe(schema, 'input', 'm.input')).toEqual({
      $comment: expect.stringContaining(note),
    });
    expect(schemas.schemas).toEqual({});
  });

  it('asks the converter first, then the schema itself', () => {
    const sides: string[] = [];
    const schemas = new SchemaComponents((schema, io) => {
      sides.push(`${schema['~standard'].vendor} ${io}`);
      return schema['~standard'].vendor === 'mine' ? { type: 'null' } : undefined;
    });
    expect(schemas.describe(converting({ type: 'string' }, 'mine'), 'output', 'x')).toEqual({
      type: 'null',
    });
    expect(schemas.describe(z.string().transform(Number), 'input', 'y')).toEqual({
      type: 'string',
    });
    expect(sides).toEqual(['mine output', 'zod input']);
  });
});

describe('acceptsUndefined', () => {
  it.each<[string, StandardSchemaV1, boolean]>([
    ['a required string', z.string(), false],
    ['an optional string', z.string().optional(), true],
    ['a default', z.number().default(1), true],
    ['an optional object', z.object({ a: z.string() }).optional(), true],
    [
      'an async check that passes',
      z
        .string()
        .optional()
        .refine(async () => true),
      true,
    ],
    [
      'a validator that throws',
      {
        '~standard': {
          version: 1,
          vendor: 'x',
          validate: () => {
            throw new Error('no');
          },
        },
      },
      false,
    ],
  ])('%s: %s', async (_, schema, expected) => {
    expect(await acceptsUndefined(schema)).toBe(expected);
  });
});
