import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const source = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  resolve: {
    // Tests run against the packages' source, so no build is needed between edits.
    // The built artifacts are checked by the examples, which import them as users do.
    alias: [
      { find: /^@volley\/core$/, replacement: source('./packages/core/src/index.ts') },
      { find: /^@volley\/core\/schema$/, replacement: source('./packages/core/src/schema.ts') },
      { find: /^@volley\/server$/, replacement: source('./packages/server/src/index.ts') },
      { find: /^@volley\/client$/, replacement: source('./packages/client/src/index.ts') },
      { find: /^@volley\/react$/, replacement: source('./packages/react/src/index.ts') },
    ],
  },
  test: {
    // React tests are .tsx and ask for a DOM per file (`// @vitest-environment happy-dom`);
    // every other file keeps the default Node environment, with no DOM to set up.
    include: ['packages/*/test/**/*.test.{ts,tsx}', 'examples/*/test/**/*.test.{ts,tsx}'],
    // Real sockets on a busy 2-core machine: generous, never asserted on.
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    maxWorkers: 2,
    typecheck: {
      enabled: true,
      include: ['packages/*/test/**/*.test-d.ts'],
      tsconfig: './tsconfig.json',
    },
  },
});
