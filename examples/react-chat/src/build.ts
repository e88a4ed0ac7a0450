// Bundles the page for the browser with esbuild: dist/index.html and dist/app.js, static
// files any web server can serve. `platform: 'browser'` makes a Node-only import fail.
import { copyFile, mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { type BuildResult, build } from 'esbuild';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/** Where the static files go. */
export const DIST = here('../dist');

/** Bundles `main.tsx` (minified, for production) into `dist/`; returns esbuild's result and metafile. */
export async function buildReactChat(): Promise<BuildResult<{ metafile: true }>> {
  await mkdir(DIST, { recursive: true });
  const result = await build({
    entryPoints: [here('./main.tsx')],
    outfile: `${DIST}/app.js`,
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    jsx: 'automatic',
    define: { 'process.env.NODE_ENV': '"production"' },
    metafile: true,
    logLevel: 'silent',
  });
  await copyFile(here('./index.html'), `${DIST}/index.html`);
  return result;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await buildReactChat();
  console.log(`Built ${DIST}/index.html and app.js`);
}
