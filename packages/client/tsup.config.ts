import { defineConfig } from 'tsup';

export default defineConfig({
  // `handlers` and `msgpack` are their own entries (`@volley/client/handlers`,
  // `@volley/client/msgpack`), so the default bundle has none of them.
  entry: ['src/index.ts', 'src/handlers.ts', 'src/msgpack.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'es2022',
  // Browser path: nothing Node-only may be pulled in.
  platform: 'browser',
  // Two settings for the browser bundle's size (`pnpm bench --only bundle`, and the budget
  // test in packages/bench/test): the app's bundler minifies this file again, but cannot
  // undo what is decided here.
  esbuildOptions(options) {
    // Inline the constants (defaults, close codes, the protocol's methods) where they are
    // used, which the app's bundler does not do across the `var`s of a built file: -55 B
    // min+gzip. Names and whitespace stay; the source map points into `src`.
    options.minifySyntax = true;
    // Members of the client's internal objects (the connection, the two tables, a pending
    // request, a subscription's sink) start with `_`, and are shortened here: -120 B. No
    // public member starts with `_`; nothing outside this file reads an internal one.
    options.mangleProps = /^_/;
  },
});
