// Generates the same large router, and a client calling every procedure, in Volley and
// in tRPC, for the type-check benchmark. Procedures alternate query and mutation, in
// namespaces of 50, and each has its own input and output types.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const PER_NAMESPACE = 50;

type Framework = 'volley' | 'trpc';

interface Spec {
  namespace: number;
  index: number;
  kind: 'query' | 'mutation';
}

function specs(procedures: number): Spec[] {
  return Array.from({ length: procedures }, (_, i) => ({
    namespace: Math.floor(i / PER_NAMESPACE),
    index: i,
    kind: i % 2 === 0 ? 'query' : 'mutation',
  }));
}

function byNamespace(all: Spec[]): Spec[][] {
  const groups: Spec[][] = [];
  for (const spec of all) {
    const group = groups[spec.namespace] ?? [];
    group.push(spec);
    groups[spec.namespace] = group;
  }
  return groups;
}

function routerFile(framework: Framework, procedures: number): string {
  const b = framework === 'volley' ? 'v' : 't';
  const procedure = (spec: Spec) =>
    `    p${spec.index}: ${b}.procedure\n` +
    `      .input(z.object({ name: z.string(), n${spec.index}: z.number() }))\n` +
    `      .${spec.kind}(({ input }) => ({ greeting: \`Hello, \${input.name}\`, n${spec.index}: input.n${spec.index} })),`;
  const namespaces = byNamespace(specs(procedures)).map(
    (group, n) => `  ns${n}: ${b}.router({\n${group.map(procedure).join('\n')}\n  }),`,
  );
  const header =
    framework === 'volley'
      ? "import { initVolley } from '@volley/core';\nimport { z } from 'zod';\n\nconst v = initVolley();"
      : "import { initTRPC } from '@trpc/server';\nimport { z } from 'zod';\n\nconst t = initTRPC.create();";
  return `${header}\n\nexport const appRouter = ${b}.router({\n${namespaces.join('\n')}\n});\n\nexport type AppRouter = typeof appRouter;\n`;
}

function clientFile(framework: Framework, procedures: number): string {
  const header =
    framework === 'volley'
      ? "import { createClient } from '@volley/client';\nimport type { AppRouter } from './router.js';\n\n" +
        "const client = createClient<AppRouter>({ url: 'ws://localhost:3000' });"
      : "import { createTRPCClient, createWSClient, wsLink } from '@trpc/client';\nimport type { AppRouter } from './router.js';\n\n" +
        "const client = createTRPCClient<AppRouter>({\n  links: [wsLink({ client: createWSClient({ url: 'ws://localhost:3000' }) })],\n});";
  const call = (spec: Spec) =>
    `  const r${spec.index}: { greeting: string; n${spec.index}: number } = await client.ns${spec.namespace}.p${spec.index}.${spec.kind === 'query' ? 'query' : 'mutate'}({ name: 'Ada', n${spec.index}: ${spec.index} });\n` +
    `  sink.push(r${spec.index});`;
  const functions = byNamespace(specs(procedures)).map(
    (group, n) =>
      `export async function callNs${n}(sink: unknown[]): Promise<void> {\n${group.map(call).join('\n')}\n}`,
  );
  return `${header}\n\n${functions.join('\n\n')}\n`;
}

const TSCONFIG = {
  compilerOptions: {
    target: 'ES2022',
    lib: ['ES2022', 'DOM'],
    module: 'ESNext',
    moduleResolution: 'Bundler',
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: [],
  },
  files: ['router.ts', 'client.ts'],
};

/** Writes `<dir>/<framework>/{router,client}.ts` and a tsconfig; returns the project's directory. */
export async function generateProject(
  dir: string,
  framework: Framework,
  procedures: number,
): Promise<string> {
  const project = join(dir, framework);
  await mkdir(project, { recursive: true });
  await writeFile(join(project, 'router.ts'), routerFile(framework, procedures));
  await writeFile(join(project, 'client.ts'), clientFile(framework, procedures));
  await writeFile(join(project, 'tsconfig.json'), `${JSON.stringify(TSCONFIG, null, 2)}\n`);
  return project;
}
