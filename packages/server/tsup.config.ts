import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts', 'src/msgpack.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node20',
  platform: 'node',
  // nanoid is ESM-only; bundling its few lines keeps the CommonJS build loadable
  // without require(esm).
  noExternal: ['nanoid'],
});
