import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const source = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/** The suites that also run over the in-memory pair: every test in them uses the harness. */
const IN_MEMORY_SUITES = [
  'calls',
  'spec',
  'subscriptions',
  'limits-batch',
  'limits-depth',
  'limits-in-flight',
  'limits-queued',
  'limits-init-timeout',
  'limits-rate',
  'limits-subscriptions',
  'limits-values',
];

export default defineConfig({
  resolve: {
    // Tests run against the packages' source, so no build is needed between edits.
    // The built artifacts are checked by the examples, which import them as users do.
    alias: [
      { find: /^@volley\/core$/, replacement: source('./packages/core/src/index.ts') },
      { find: /^@volley\/core\/schema$/, replacement: source('./packages/core/src/schema.ts') },
      { find: /^@volley\/server$/, replacement: source('./packages/server/src/index.ts') },
      {
        find: /^@volley\/server\/msgpack$/,
        replacement: source('./packages/server/src/msgpack.ts'),
      },
      {
        find: /^@volley\/client\/msgpack$/,
        replacement: source('./packages/client/src/msgpack.ts'),
      },
      { find: /^@volley\/client$/, replacement: source('./packages/client/src/index.ts') },
      {
        find: /^@volley\/client\/handlers$/,
        replacement: source('./packages/client/src/handlers.ts'),
      },
      { find: /^@volley\/redis$/, replacement: source('./packages/redis/src/index.ts') },
      { find: /^@volley\/react$/, replacement: source('./packages/react/src/index.ts') },
      { find: /^@volley\/inspector$/, replacement: source('./packages/inspector/src/index.ts') },
      { find: /^@volley\/otel$/, replacement: source('./packages/otel/src/index.ts') },
      {
        find: /^@volley\/otel\/prometheus$/,
        replacement: source('./packages/otel/src/prometheus.ts'),
      },
    ],
  },
  test: {
    // Real sockets on a busy 2-core machine: generous, never asserted on.
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: {
          name: 'volley',
          // React tests are .tsx and ask for a DOM per file (`// @vitest-environment
          // happy-dom`); every other file keeps the default Node environment.
          include: ['packages/*/test/**/*.test.{ts,tsx}', 'examples/*/test/**/*.test.{ts,tsx}'],
          typecheck: {
            enabled: true,
            include: ['packages/*/test/**/*.test-d.ts'],
            tsconfig: './tsconfig.json',
          },
        },
      },
      {
        // The same call, batch, subscription and limit tests again, over the server's
        // in-memory transport pair instead of ws on a port (see helpers/harness.ts).
        extends: true,
        test: {
          name: 'in memory',
          include: IN_MEMORY_SUITES.map((suite) => `packages/tests/test/${suite}.test.ts`),
          env: { VOLLEY_TEST_TRANSPORT: 'memory' },
        },
      },
    ],
  },
});
