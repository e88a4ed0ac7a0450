// What a user reads when they misuse the builder: each misuse is compiled with the
// repository's own compiler options, and the diagnostic pinned, so a message that stops
// reading as a sentence (or an error that goes away) fails here. misuse.test-d.ts checks
// that each misuse fails and that the legal uses next to it keep their types.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const HERE = dirname(fileURLToPath(import.meta.url));

const PRELUDE = `import { createRouter, initVolley } from '@volley/core';
import { z } from 'zod';

const v = initVolley<{ user: string | null }>();
const p = v.procedure.query(() => 1);
`;

/** One misuse per file, each compiled after the prelude. */
const MISUSES = {
  dottedKey: `v.router({ 'a.b': p });`,
  rpcKey: `v.router({ rpc: p });`,
  thenKey: `v.router({ then: p });`,
  dollarKey: `v.router({ $close: p });`,
  emptyKey: `v.router({ '': p });`,
  nestedKey: `v.router({ chat: { room: { then: p } } });`,
  nestedRouterKey: `v.router({ admin: v.router({ rpc: p }) });`,
  recordVariable: `const record = { ok: p, 'a.b': p };\ncreateRouter(record);`,
  inputString: `v.procedure.input('name');`,
  inputNumber: `v.procedure.input(42);`,
  inputObject: `v.procedure.input({});`,
  outputString: `v.procedure.output('name');`,
  useReturnsNumber: `v.procedure.use(async () => 1);`,
  useReturnsNothing: `v.procedure.use(async ({ next }) => {\n  await next();\n});`,
  useReturnsCtx: `v.procedure.use(async ({ ctx }) => {\n  return { ctx };\n});`,
  middlewareReturnsNumber: `v.middleware(async () => 1);`,
  middlewareReturnsNothing: `v.middleware(async ({ next }) => {\n  next();\n});`,
} as const;

type Misuse = keyof typeof MISUSES;

/** Compiles every misuse in one program; gives each file's diagnostics as text. */
function compile(): Record<Misuse, string[]> {
  const config = ts.getParsedCommandLineOfConfigFile(join(ROOT, 'tsconfig.json'), undefined, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
      throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
    },
  });
  if (config === undefined) throw new Error('tsconfig.json did not parse');
  const names = Object.keys(MISUSES) as Misuse[];
  // Next to this file, so that `zod` resolves as it does for the other tests.
  const fileOf = (name: Misuse) => join(HERE, `__misuse_${name}.ts`);
  const sources = new Map(names.map((name) => [fileOf(name), PRELUDE + MISUSES[name]]));
  const host = ts.createCompilerHost(config.options);
  const { getSourceFile, fileExists, readFile } = host;
  host.fileExists = (file) => sources.has(file) || fileExists(file);
  host.readFile = (file) => sources.get(file) ?? readFile(file);
  host.getSourceFile = (file, language, ...rest) => {
    const text = sources.get(file);
    return text === undefined
      ? getSourceFile(file, language, ...rest)
      : ts.createSourceFile(file, text, language);
  };
  const program = ts.createProgram({
    rootNames: [...sources.keys()],
    options: config.options,
    host,
  });
  const byName = {} as Record<Misuse, string[]>;
  for (const name of names) {
    const file = program.getSourceFile(fileOf(name));
    if (file === undefined) throw new Error(`${name} was not compiled`);
    const prelude = PRELUDE.split('\n').length - 1;
    byName[name] = ts.getPreEmitDiagnostics(program, file).map((diagnostic) => {
      const { line, character } = file.getLineAndCharacterOfPosition(diagnostic.start ?? 0);
      return `${line + 1 - prelude}:${character + 1} ${ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')}`;
    });
  }
  return byName;
}

// Compiling zod and the packages' sources takes a few seconds on a busy machine.
const COMPILE_TIMEOUT_MS = 120_000;

describe('type errors a user reads', () => {
  let errors: Record<Misuse, string[]>;
  beforeAll(() => {
    errors = compile();
  }, COMPILE_TIMEOUT_MS);

  it('fails to compile every misuse', () => {
    for (const name of Object.keys(MISUSES) as Misuse[]) {
      expect(errors[name], name).not.toEqual([]);
    }
  });

  it('names the rule a router key breaks, where it breaks it', () => {
    expect(errors.dottedKey).toMatchInlineSnapshot(`
      [
        "1:12 Property '[typeError]' is missing in type 'Procedure<"query", undefined, number>' but required in type 'TypeError<"Router keys may not contain '.'">'.",
      ]
    `);
    expect(errors.rpcKey).toMatchInlineSnapshot(`
      [
        "1:12 Property '[typeError]' is missing in type 'Procedure<"query", undefined, number>' but required in type 'TypeError<"Router key 'rpc' is not allowed: 'rpc' is reserved for protocol methods">'.",
      ]
    `);
    expect(errors.thenKey).toMatchInlineSnapshot(`
      [
        "1:12 Property '[typeError]' is missing in type 'Procedure<"query", undefined, number>' but required in type 'TypeError<"Router key 'then' is not allowed: 'then' would make the client proxy look like a promise">'.",
      ]
    `);
    expect(errors.dollarKey).toMatchInlineSnapshot(`
      [
        "1:12 Property '[typeError]' is missing in type 'Procedure<"query", undefined, number>' but required in type 'TypeError<"Router keys starting with '$' are reserved for client methods">'.",
      ]
    `);
    expect(errors.emptyKey).toMatchInlineSnapshot(`
      [
        "1:12 Property '[typeError]' is missing in type 'Procedure<"query", undefined, number>' but required in type 'TypeError<"Router key '' is not allowed: it is empty">'.",
      ]
    `);
    expect(errors.nestedKey).toMatchInlineSnapshot(`
      [
        "1:28 Property '[typeError]' is missing in type 'Procedure<"query", undefined, number>' but required in type 'TypeError<"Router key 'then' is not allowed: 'then' would make the client proxy look like a promise">'.",
      ]
    `);
    expect(errors.nestedRouterKey).toMatchInlineSnapshot(`
      [
        "1:30 Property '[typeError]' is missing in type 'Procedure<"query", undefined, number>' but required in type 'TypeError<"Router key 'rpc' is not allowed: 'rpc' is reserved for protocol methods">'.",
      ]
    `);
    expect(errors.recordVariable).toMatchInlineSnapshot(`
      [
        "2:14 Argument of type '{ ok: Procedure<"query", undefined, number>; 'a.b': Procedure<"query", undefined, number>; }' is not assignable to parameter of type 'RouterRecord'.
        Property ''a.b'' is incompatible with index signature.
          Property '[typeError]' is missing in type 'Procedure<"query", undefined, number>' but required in type 'TypeError<"Router keys may not contain '.'">'.",
      ]
    `);
  });

  it('says what .input() and .output() take, in one sentence', () => {
    expect(errors.inputString).toMatchInlineSnapshot(`
      [
        "1:19 Argument of type 'string' is not assignable to parameter of type 'TypeError<".input() takes a zod schema or another Standard Schema">'.",
      ]
    `);
    expect(errors.inputNumber).toMatchInlineSnapshot(`
      [
        "1:19 Argument of type 'number' is not assignable to parameter of type 'TypeError<".input() takes a zod schema or another Standard Schema">'.",
      ]
    `);
    expect(errors.inputObject).toMatchInlineSnapshot(`
      [
        "1:19 Argument of type '{}' is not assignable to parameter of type 'TypeError<".input() takes a zod schema or another Standard Schema">'.
        Property '[typeError]' is missing in type '{}' but required in type 'TypeError<".input() takes a zod schema or another Standard Schema">'.",
      ]
    `);
    expect(errors.outputString).toMatchInlineSnapshot(`
      [
        "1:20 Argument of type 'string' is not assignable to parameter of type 'TypeError<".output() takes a zod schema or another Standard Schema">'.",
      ]
    `);
  });

  it('tells a middleware to return what next() gave it', () => {
    expect(errors.useReturnsNumber).toMatchInlineSnapshot(`
      [
        "1:29 Type 'Promise<number>' is not assignable to type 'Promise<TypeError<"A middleware must return next()'s result: 'return next()' or 'return next({ ctx })'">>'.
        Type 'number' is not assignable to type 'TypeError<"A middleware must return next()'s result: 'return next()' or 'return next({ ctx })'">'.",
      ]
    `);
    expect(errors.useReturnsNothing).toMatchInlineSnapshot(`
      [
        "1:17 Argument of type '({ next }: MiddlewareOptions<{ user: string | null; }>) => Promise<void>' is not assignable to parameter of type '(options: MiddlewareOptions<{ user: string | null; }>) => Promise<TypeError<"A middleware must return next()'s result: 'return next()' or 'return next({ ctx })'">>'.
        Type 'Promise<void>' is not assignable to type 'Promise<TypeError<"A middleware must return next()'s result: 'return next()' or 'return next({ ctx })'">>'.
          Type 'void' is not assignable to type 'TypeError<"A middleware must return next()'s result: 'return next()' or 'return next({ ctx })'">'.",
      ]
    `);
    expect(errors.useReturnsCtx).toMatchInlineSnapshot(`
      [
        "1:17 Argument of type '({ ctx }: MiddlewareOptions<{ user: string | null; }>) => Promise<{ ctx: { user: string | null; }; }>' is not assignable to parameter of type '(options: MiddlewareOptions<{ user: string | null; }>) => Promise<TypeError<"A middleware must return next()'s result: 'return next()' or 'return next({ ctx })'">>'.
        Type 'Promise<{ ctx: { user: string | null; }; }>' is not assignable to type 'Promise<TypeError<"A middleware must return next()'s result: 'return next()' or 'return next({ ctx })'">>'.
          Property '[typeError]' is missing in type '{ ctx: { user: string | null; }; }' but required in type 'TypeError<"A middleware must return next()'s result: 'return next()' or 'return next({ ctx })'">'.",
      ]
    `);
    expect(errors.middlewareReturnsNumber).toMatchInlineSnapshot(`
      [
        "1:26 Type 'Promise<number>' is not assignable to type 'Promise<TypeError<"A middleware must return next()'s result: 'return next()' or 'return next({ ctx })'">>'.
        Type 'number' is not assignable to type 'TypeError<"A middleware must return next()'s result: 'return next()' or 'return next({ ctx })'">'.",
      ]
    `);
    expect(errors.middlewareReturnsNothing).toMatchInlineSnapshot(`
      [
        "1:14 Argument of type '({ next }: MiddlewareOptions<{ user: string | null; }>) => Promise<void>' is not assignable to parameter of type '(options: MiddlewareOptions<{ user: string | null; }>) => Promise<TypeError<"A middleware must return next()'s result: 'return next()' or 'return next({ ctx })'">>'.
        Type 'Promise<void>' is not assignable to type 'Promise<TypeError<"A middleware must return next()'s result: 'return next()' or 'return next({ ctx })'">>'.
          Type 'void' is not assignable to type 'TypeError<"A middleware must return next()'s result: 'return next()' or 'return next({ ctx })'">'.",
      ]
    `);
  });
});
