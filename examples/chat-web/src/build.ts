// Builds the page into dist/: `pnpm --filter chat-web-example build`. The chat server
// (examples/chat) serves that directory. The page bundles @volley/client as a user's
// bundler would: from the package's built dist (run `pnpm build` at the root first).
import { copyFile, mkdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/** Where the page is built by default: `examples/chat-web/dist`. */
export const DEFAULT_OUT_DIR = here('../dist');

/**
 * Bundles `src/page` for the browser into `outDir` (`index.html`, `favicon.svg`, `main.js`,
 * `main.css`, with source maps). A Node built-in anywhere in the bundle fails the build, as the
 * browser platform has none. Resolves with the bundled input files, relative to the
 * repository root; rejects with esbuild's error when the build fails.
 */
export async function buildPage(outDir: string = DEFAULT_OUT_DIR): Promise<string[]> {
  await mkdir(outDir, { recursive: true });
  const result = await build({
    entryPoints: [here('./page/main.ts'), here('./page/main.css')],
    outdir: outDir,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    sourcemap: true,
    metafile: true,
    logLevel: 'warning',
    absWorkingDir: here('../../../'), // so the metafile names inputs from the repository root
  });
  for (const file of ['index.html', 'favicon.svg']) {
    await copyFile(here(`./page/${file}`), join(outDir, file));
  }
  return Object.keys(result.metafile.inputs);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await buildPage();
  console.log(`Built the chat page into ${relative(process.cwd(), DEFAULT_OUT_DIR)}`);
}
