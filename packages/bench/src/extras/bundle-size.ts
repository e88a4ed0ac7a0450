// Browser bundle size of each client: bundled by esbuild for the browser, minified,
// then gzipped, as a bundler would ship it. Also lists the packages each bundle pulls in.
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const BENCH_DIR = fileURLToPath(new URL('../..', import.meta.url));

/**
 * The largest `@volley/client` bundle the issue allows, min+gzip: 4 kB (4,000 B). The
 * bench reports against it; `packages/tests/test/bundle-size.test.ts` fails above it.
 */
export const BUNDLE_LIMIT_BYTES = 4_000;

/** The bundles this file knows how to measure. */
export type BundleName = 'volley' | 'volley-msgpack' | 'volley-react' | 'trpc' | 'socket-io';

interface BundleEntry {
  name: BundleName;
  label: string;
  /** The imports an application making calls and subscriptions over a WebSocket needs. */
  code: string;
  /** Packages left out of the bundle: an app has them anyway, so they are not this entry's cost. */
  external?: string[];
}

const ENTRIES: BundleEntry[] = [
  {
    name: 'volley',
    label: '@volley/client (createClient)',
    code: "export { createClient } from '@volley/client';",
  },
  {
    // The MessagePack codec's own cost, on top of the client: msgpackr and the codec.
    name: 'volley-msgpack',
    label: '@volley/client/msgpack (the codec and msgpackr, on top of the client)',
    code: "export { msgpack } from '@volley/client/msgpack';",
    external: ['@volley/core'],
  },
  {
    // Its own cost on top of what a React app with TanStack Query and Volley already ships.
    name: 'volley-react',
    label: '@volley/react (react, @tanstack/react-query, @volley/client external)',
    code: "export { createVolleyOptions, useConnectionState, useSubscription } from '@volley/react';",
    external: ['react', '@tanstack/react-query', '@volley/client'],
  },
  {
    name: 'trpc',
    label: '@trpc/client (createTRPCClient, createWSClient, wsLink)',
    code: "export { createTRPCClient, createWSClient, wsLink } from '@trpc/client';",
  },
  {
    name: 'socket-io',
    label: 'socket.io-client (io)',
    code: "export { io } from 'socket.io-client';",
  },
];

export interface BundleResult {
  name: BundleName;
  label: string;
  minifiedBytes: number;
  gzipBytes: number;
  /** Package names in the bundle, from esbuild's metafile. */
  packages: string[];
  zodIncluded: boolean;
}

/** `…/node_modules/@scope/name/…` or `…/packages/core/…` → the package's name. */
function packageOf(input: string): string {
  const parts = resolve(BENCH_DIR, input).split('/');
  const at = parts.lastIndexOf('node_modules');
  if (at !== -1) {
    const first = parts[at + 1] ?? '';
    return first.startsWith('@') ? `${first}/${parts[at + 2]}` : first;
  }
  const workspace = parts.lastIndexOf('packages');
  return workspace !== -1 ? `@volley/${parts[workspace + 1]}` : input;
}

async function measure(entry: BundleEntry): Promise<BundleResult> {
  const result = await build({
    stdin: { contents: entry.code, resolveDir: BENCH_DIR, loader: 'js', sourcefile: 'entry.js' },
    // This package's tsconfig, which has no `paths`: the bench bundles the built packages.
    tsconfig: `${BENCH_DIR}tsconfig.json`,
    // The metafile's paths are relative to this, whatever directory the bench runs from.
    absWorkingDir: BENCH_DIR,
    bundle: true,
    external: entry.external,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const code = result.outputFiles[0]!.contents;
  const packages = [
    ...new Set(
      Object.keys(result.metafile.inputs)
        .filter((input) => input !== 'entry.js')
        .map(packageOf),
    ),
  ].sort();
  return {
    name: entry.name,
    label: entry.label,
    minifiedBytes: code.byteLength,
    gzipBytes: gzipSync(code, { level: 9 }).byteLength,
    packages,
    zodIncluded: packages.includes('zod'),
  };
}

/**
 * Bundles one entry from the built packages (`dist`, so run `pnpm build` first) and
 * measures it as {@link measureBundles} does.
 */
export async function measureBundle(name: BundleName): Promise<BundleResult> {
  const entry = ENTRIES.find((candidate) => candidate.name === name);
  if (!entry) throw new Error(`No bundle named ${name}`);
  return measure(entry);
}

/** Bundles each client; Volley first. */
export async function measureBundles(): Promise<BundleResult[]> {
  const results: BundleResult[] = [];
  for (const entry of ENTRIES) results.push(await measure(entry));
  return results;
}
