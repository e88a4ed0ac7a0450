// What a client's outputs are typed as, per codec: under JSON a Uint8Array is what
// JSON.stringify makes of it (an object of indexes), under msgpack it is a Uint8Array.
import { createClient } from '@volley/client';
import { msgpack } from '@volley/client/msgpack';
import { type inferProcedureOutput, initVolley, type Jsonify, type Packify } from '@volley/core';
import { describe, expectTypeOf, it } from 'vitest';
import WebSocket from 'ws';
import { z } from 'zod';

const v = initVolley();
const bytes = z.custom<Uint8Array>((value) => value instanceof Uint8Array);
const router = v.router({
  thumbnail: v.procedure.input(bytes).query(({ input }) => input.subarray(0, 10)),
  file: v.procedure.query(() => ({
    name: 'a.png',
    bytes: new Uint8Array(4),
    at: new Date(),
    note: undefined as string | undefined,
  })),
  chunks: v.procedure.subscription(async function* () {
    yield new Uint8Array(1);
  }),
});
type AppRouter = typeof router;
const url = 'ws://localhost:3000';

describe('under JSON (the default codec)', () => {
  const client = createClient<AppRouter>({ url, WebSocket });
  it('types a Uint8Array output as what JSON makes of it', () => {
    expectTypeOf(client.thumbnail.query).returns.resolves.toEqualTypeOf<Record<string, number>>();
    expectTypeOf(client.file.query).returns.resolves.toEqualTypeOf<{
      name: string;
      bytes: Record<string, number>;
      at: string;
      note?: string;
    }>();
    expectTypeOf<Jsonify<Uint8Array>>().toEqualTypeOf<Record<string, number>>();
  });
  it('still takes bytes as input (the schema decides)', () => {
    expectTypeOf(client.thumbnail.query).parameter(0).toEqualTypeOf<Uint8Array>();
  });
  it('refuses a codec option it is not typed for', () => {
    // @ts-expect-error: a JSON-typed client given the msgpack codec would lie about its outputs.
    createClient<AppRouter>({ url, WebSocket, codec: msgpack });
  });
});

describe('under msgpack', () => {
  const client = createClient<AppRouter, 'msgpack'>({ url, WebSocket, codec: msgpack });
  it('types a Uint8Array output as a Uint8Array, and a Date as a Date', () => {
    expectTypeOf(client.thumbnail.query).returns.resolves.toEqualTypeOf<Uint8Array>();
    expectTypeOf(client.file.query).returns.resolves.toEqualTypeOf<{
      name: string;
      bytes: Uint8Array;
      at: Date;
      note?: string;
    }>();
    expectTypeOf<Packify<Buffer>>().toEqualTypeOf<Uint8Array>();
    expectTypeOf<
      inferProcedureOutput<AppRouter['record']['thumbnail'], 'msgpack'>
    >().toEqualTypeOf<Uint8Array>();
  });
  it('types subscription events the same way', () => {
    const subscription = client.chunks.subscribe();
    expectTypeOf(subscription).toMatchTypeOf<AsyncIterable<Uint8Array>>();
  });
  it('needs the codec it is typed for', () => {
    // @ts-expect-error: a msgpack-typed client needs `codec: msgpack`.
    createClient<AppRouter, 'msgpack'>({ url, WebSocket });
  });
});
