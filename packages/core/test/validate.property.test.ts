// The hand-written envelope checks in src/protocol/validate.ts run on every frame, so
// they are short-circuiting code rather than zod. These properties prove that they
// accept exactly what the reference zod schemas in src/schema.ts accept, for every
// value JSON.parse can produce.
//
// Inputs are generated as JSON *text* and then parsed, so each one is something a
// peer could really send, including what a JS object literal cannot express:
// `1e999` (parses to Infinity), `-0`, integers past 2^53, duplicate keys and
// `__proto__` keys (own properties after JSON.parse).

import { checkRequest, isRequest, isResponse } from '@volley/core';
import { requestSchema, responseSchema } from '@volley/core/schema';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

const NUM_RUNS = 5_000;

// ---------------------------------------------------------------------------
// JSON text arbitraries
// ---------------------------------------------------------------------------

const str = (value: string) => JSON.stringify(value);

/** Number tokens, with the edge cases of JSON.parse. */
const numberText = fc.oneof(
  fc.integer().map(String),
  fc
    .double({ noNaN: true, noDefaultInfinity: true })
    .map((n) => (Object.is(n, -0) ? '-0' : String(n))),
  fc.constantFrom(
    '1e999',
    '-1e999',
    '-0',
    '0.5',
    '1.0',
    '1e2',
    '9007199254740993',
    '1e20',
    '-1e20',
  ),
);

const keyText = fc.oneof(
  fc.string({ maxLength: 6 }),
  fc.constantFrom(
    '__proto__',
    'constructor',
    'toString',
    'jsonrpc',
    'id',
    'method',
    'params',
    'result',
    'error',
    'code',
    'message',
    'data',
  ),
);

const leafText = fc.oneof(
  numberText,
  fc.string({ maxLength: 8 }).map(str),
  fc.constantFrom('true', 'false', 'null', '""', '"2.0"'),
);

/** Any JSON text, kept small so that many runs stay fast. */
const { json: jsonText } = fc.letrec<{ json: string; array: string; object: string }>((tie) => ({
  json: fc.oneof({ depthSize: 'small', maxDepth: 3 }, leafText, tie('array'), tie('object')),
  array: fc.array(tie('json'), { maxLength: 4 }).map((items) => `[${items.join(',')}]`),
  object: fc
    .array(fc.tuple(keyText, tie('json')), { maxLength: 4 })
    .map((entries) => `{${entries.map(([key, value]) => `${str(key)}:${value}`).join(',')}}`),
}));

/** A field of an envelope: absent, or one of the texts given. */
type FieldText = string | undefined;

/**
 * An object text with the given fields (absent ones left out), shuffled among a few
 * extra members, which JSON-RPC 2.0 ignores. Now and then an extra member repeats a
 * field's key, and JSON.parse keeps whichever comes last, as it would from a peer.
 */
function envelopeText(fields: Record<string, fc.Arbitrary<FieldText>>): fc.Arbitrary<string> {
  const extraKey = fc.oneof(
    { arbitrary: fc.string({ maxLength: 4 }).map((key) => `x${key}`), weight: 4 },
    { arbitrary: fc.constantFrom(...Object.keys(fields)), weight: 1 },
  );
  const extras = fc.array(fc.tuple(extraKey, jsonText), { maxLength: 2 });
  return fc.tuple(fc.record(fields), extras).chain(([record, extra]) => {
    const members = [...Object.entries(record), ...extra]
      .filter((entry): entry is [string, string] => entry[1] !== undefined)
      .map(([key, value]) => `${str(key)}:${value}`);
    return fc
      .shuffledSubarray(members, { minLength: members.length })
      .map((shuffled) => `{${shuffled.join(',')}}`);
  });
}

/** Absent, a valid text (most of the time) or a mostly invalid one. */
function field(
  valid: fc.Arbitrary<string>,
  invalid: fc.Arbitrary<string>,
): fc.Arbitrary<FieldText> {
  return fc.oneof(
    { arbitrary: valid, weight: 8 },
    { arbitrary: invalid, weight: 2 },
    { arbitrary: fc.constant(undefined), weight: 1 },
  );
}

const jsonrpcText = field(
  fc.constant('"2.0"'),
  fc.oneof(fc.constantFrom('"2"', '"1.0"', '" 2.0"', '2', '2.0', 'null', '["2.0"]'), jsonText),
);

const idValid = fc.oneof(
  fc.integer().map(String),
  numberText.filter((text) => Number.isFinite(JSON.parse(text))),
  fc.string({ maxLength: 6 }).map(str),
  fc.constant('null'),
);
const idInvalid = fc.oneof(
  fc.constantFrom('true', 'false', '[]', '[1]', '{}', '{"id":1}', '1e999', '-1e999'),
  jsonText,
);

const arrayText = fc.array(jsonText, { maxLength: 3 }).map((items) => `[${items.join(',')}]`);
const objectText = fc
  .array(fc.tuple(keyText, jsonText), { maxLength: 3 })
  .map((entries) => `{${entries.map(([key, value]) => `${str(key)}:${value}`).join(',')}}`);
const structuredText = fc.oneof(arrayText, objectText);

const requestText = envelopeText({
  jsonrpc: jsonrpcText,
  method: field(
    fc.oneof(fc.string({ maxLength: 8 }).map(str), fc.constantFrom('"rpc.cancel"', '""')),
    fc.oneof(fc.constantFrom('null', '1', '["a"]', '{"name":"a"}', 'true'), jsonText),
  ),
  // `id` is optional, so its absence is as valid as a good value.
  id: fc.oneof(
    { arbitrary: idValid, weight: 4 },
    { arbitrary: idInvalid, weight: 1 },
    { arbitrary: fc.constant(undefined), weight: 2 },
  ),
  params: fc.oneof(
    { arbitrary: structuredText, weight: 4 },
    { arbitrary: fc.oneof(leafText, fc.constantFrom('null', '5', '"x"', 'true')), weight: 1 },
    { arbitrary: fc.constant(undefined), weight: 2 },
  ),
});

const errorObjectText = envelopeText({
  code: field(
    fc.oneof(fc.integer({ min: -32_768, max: 32_767 }).map(String), fc.constantFrom('-32603', '0')),
    fc.oneof(
      fc.constantFrom('1.5', '"-32600"', 'null', '1e999', '1e20', '9007199254740993', '[1]', '{}'),
      numberText,
      jsonText,
    ),
  ),
  message: field(
    fc.string({ maxLength: 8 }).map(str),
    fc.oneof(fc.constantFrom('null', '1', '["m"]', '{}'), jsonText),
  ),
  data: fc.oneof(
    { arbitrary: jsonText, weight: 1 },
    { arbitrary: fc.constant(undefined), weight: 1 },
  ),
});

const responseText = envelopeText({
  jsonrpc: jsonrpcText,
  id: field(idValid, idInvalid),
  // Exactly one of `result` and `error` is required, so each is absent half the time.
  result: fc.oneof(jsonText, fc.constant(undefined)),
  error: fc.oneof(
    { arbitrary: errorObjectText, weight: 3 },
    {
      arbitrary: fc.oneof(fc.constantFrom('null', '[]', '"error"', '-32600'), jsonText),
      weight: 1,
    },
    { arbitrary: fc.constant(undefined), weight: 4 },
  ),
});

/** Values as JSON.parse gives them: fast-check's own JSON, and our edge-case texts. */
const anyJson = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.parse(JSON.stringify(value)) as unknown),
  jsonText.map((text) => JSON.parse(text) as unknown),
);

// ---------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------

/** The top-level members a list of issues points at, as a sorted list. */
function issueRoots(issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey> }>): string[] {
  return [...new Set(issues.map((issue) => String(issue.path[0] ?? '')))].sort();
}

/**
 * Runs `verdict` as a property over `arbitrary`, then checks that the values were
 * accepted and rejected often enough for both branches to have been exercised.
 */
function assertBalanced(
  arbitrary: fc.Arbitrary<unknown>,
  verdict: (value: unknown) => boolean,
  minShare: { accepted: number; rejected: number },
): void {
  let accepted = 0;
  let total = 0;
  fc.assert(
    fc.property(arbitrary, (value) => {
      total += 1;
      if (verdict(value)) accepted += 1;
    }),
    { numRuns: NUM_RUNS },
  );
  expect(accepted / total).toBeGreaterThanOrEqual(minShare.accepted);
  expect((total - accepted) / total).toBeGreaterThanOrEqual(minShare.rejected);
}

// The verdicts throw plain errors rather than call `expect`: they run tens of
// thousands of times, and fast-check reports the counterexample with the message.

const said = (valid: boolean) => (valid ? 'valid' : 'invalid');

/** zod's verdict on a request, after checking that checkRequest agrees with it. */
function requestVerdict(value: unknown): boolean {
  const issues = checkRequest(value);
  const reference = requestSchema.safeParse(value);
  if ((issues === undefined) !== reference.success || isRequest(value) !== reference.success) {
    throw new Error(
      `checkRequest says ${said(issues === undefined)}, requestSchema says ${said(reference.success)}`,
    );
  }
  if (!reference.success) {
    // A rejection always says why, and names the same members zod names.
    const ours = issueRoots(issues ?? []).join();
    const theirs = issueRoots(reference.error.issues).join();
    if (issues?.length === 0 || ours !== theirs) {
      throw new Error(`checkRequest names [${ours}], requestSchema names [${theirs}]`);
    }
  }
  return reference.success;
}

/** zod's verdict on a response, after checking that isResponse agrees with it. */
function responseVerdict(value: unknown): boolean {
  const reference = responseSchema.safeParse(value).success;
  const ours = isResponse(value);
  if (ours !== reference) {
    throw new Error(`isResponse says ${said(ours)}, responseSchema says ${said(reference)}`);
  }
  return reference;
}

describe('checkRequest accepts exactly what requestSchema accepts', () => {
  it('on arbitrary JSON', () => {
    fc.assert(
      fc.property(anyJson, (value) => {
        requestVerdict(value);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('on request-shaped objects with valid and invalid members', () => {
    assertBalanced(
      requestText.map((text) => JSON.parse(text) as unknown),
      requestVerdict,
      {
        accepted: 0.2,
        rejected: 0.2,
      },
    );
  });
});

describe('isResponse accepts exactly what responseSchema accepts', () => {
  it('on arbitrary JSON', () => {
    fc.assert(
      fc.property(anyJson, (value) => {
        responseVerdict(value);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('on response-shaped objects with valid and invalid members', () => {
    assertBalanced(
      responseText.map((text) => JSON.parse(text) as unknown),
      responseVerdict,
      {
        accepted: 0.1,
        rejected: 0.2,
      },
    );
  });
});
