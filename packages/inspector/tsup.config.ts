import { copyFile } from 'node:fs/promises';
import { defineConfig } from 'tsup';

export default defineConfig([
  {
    // The library, for Node.
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    clean: true,
    sourcemap: true,
    target: 'node20',
    platform: 'node',
    // `import.meta.url` in the CommonJS build too: it finds the page's files in `assets/`.
    shims: true,
  },
  {
    // The page, for the browser: one script with @volley/client in it (from its built dist,
    // as a user's bundler would take it) and one stylesheet, served by the library from
    // `assets/`. Nothing is fetched from elsewhere at run time.
    entry: { app: 'src/page/main.ts' },
    outDir: 'assets',
    format: ['esm'],
    outExtension: () => ({ js: '.js' }),
    platform: 'browser',
    target: 'es2022',
    minify: true,
    clean: true,
    dts: false,
    sourcemap: false,
    noExternal: [/.*/],
    async onSuccess() {
      await copyFile('src/page/index.html', 'assets/index.html');
      await copyFile('src/page/app.css', 'assets/app.css');
    },
  },
]);
