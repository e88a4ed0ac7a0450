// The hand-written envelope checks against the zod schemas they are proven equal to
// (test/validate.property.test.ts): the reason the hot path does not use zod.
// Run: npx vitest bench --run packages/core/bench

import { checkRequest, isResponse } from '@volley/core';
import { requestSchema, responseSchema } from '@volley/core/schema';
import { bench, describe } from 'vitest';

// Parsed once, as the server and client see a frame after JSON.parse.
const request: unknown = JSON.parse(
  '{"jsonrpc":"2.0","id":42,"method":"chat.send","params":{"room":"general","text":"Hello, world","replyTo":null,"tags":["a","b"]}}',
);
const response: unknown = JSON.parse(
  '{"jsonrpc":"2.0","id":42,"result":{"id":"m_01HZX","room":"general","text":"Hello, world","at":1717171717171,"tags":["a","b"]}}',
);

// A check that fails would measure the wrong branch.
if (checkRequest(request) !== undefined || !requestSchema.safeParse(request).success) {
  throw new Error('The benchmark request must be valid');
}
if (!isResponse(response) || !responseSchema.safeParse(response).success) {
  throw new Error('The benchmark response must be valid');
}

let sink = 0;

describe('a typical request', () => {
  bench('checkRequest', () => {
    if (checkRequest(request) === undefined) sink += 1;
  });
  bench('requestSchema.safeParse', () => {
    if (requestSchema.safeParse(request).success) sink += 1;
  });
});

describe('a typical response', () => {
  bench('isResponse', () => {
    if (isResponse(response)) sink += 1;
  });
  bench('responseSchema.safeParse', () => {
    if (responseSchema.safeParse(response).success) sink += 1;
  });
});

export { sink };
