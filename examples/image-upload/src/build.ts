// Builds the page into dist/: `pnpm --filter image-upload-example build`. It bundles
// @volley/client and its msgpack codec from their built dist, as a user's bundler would
// (run `pnpm build` at the root first).
import { copyFile, mkdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/** Where the page is built by default: `examples/image-upload/dist`. */
export const DEFAULT_OUT_DIR = here('../dist');

/** Bundles `src/page` for the browser into `outDir` (`index.html`, `main.js`). */
export async function buildPage(outDir: string = DEFAULT_OUT_DIR): Promise<void> {
  await mkdir(outDir, { recursive: true });
  await build({
    entryPoints: [here('./page/main.ts')],
    outdir: outDir,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    sourcemap: true,
    logLevel: 'warning',
  });
  await copyFile(here('./page/index.html'), join(outDir, 'index.html'));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await buildPage();
  console.log(`Built the page into ${relative(process.cwd(), DEFAULT_OUT_DIR)}`);
}
