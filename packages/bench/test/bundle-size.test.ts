// The budget: `@volley/client` as a browser app ships it, at most 4,000 B min+gzip.
// Measured by the bench's own function (src/extras/bundle-size.ts), so CI and `pnpm bench`
// agree: esbuild bundles `export { createClient } from '@volley/client'` from the built
// `dist` for the browser, minified, then gzip level 9. The root `pnpm test` builds `dist`
// first.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { BUNDLE_LIMIT_BYTES, measureBundle } from '../src/extras/bundle-size.js';

const built = (pkg: string) =>
  existsSync(fileURLToPath(new URL(`../../${pkg}/dist/index.js`, import.meta.url)));

it('@volley/client bundles to at most 4,000 B min+gzip, with only core beside it', async () => {
  expect(built('client') && built('core'), 'dist is missing: run `pnpm build`').toBe(true);
  const client = await measureBundle('volley');
  console.log(
    `@volley/client: ${client.gzipBytes} B min+gzip (${client.minifiedBytes} B minified), budget ${BUNDLE_LIMIT_BYTES} B`,
  );
  // No zod, no server, nothing Node-only: the client and the part of core it uses.
  expect(client.packages).toEqual(['@volley/client', '@volley/core']);
  expect(client.gzipBytes).toBeLessThanOrEqual(BUNDLE_LIMIT_BYTES);
});

it('@volley/client/msgpack, the MessagePack codec, is its own import: msgpackr and the codec', async () => {
  expect(existsSync(fileURLToPath(new URL('../../client/dist/msgpack.js', import.meta.url)))).toBe(
    true,
  );
  const codec = await measureBundle('volley-msgpack');
  console.log(
    `@volley/client/msgpack on top: ${codec.gzipBytes} B min+gzip (${codec.minifiedBytes} B minified)`,
  );
  expect(codec.packages).toEqual(['@volley/client', 'msgpackr']);
});

it('@volley/react adds only its own code to an app that has React, TanStack Query and the client', async () => {
  expect(built('react'), 'dist is missing: run `pnpm build`').toBe(true);
  const react = await measureBundle('volley-react');
  console.log(
    `@volley/react on top: ${react.gzipBytes} B min+gzip (${react.minifiedBytes} B minified)`,
  );
  expect(react.packages).toEqual(['@volley/react']);
});
