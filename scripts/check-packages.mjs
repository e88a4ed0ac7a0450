// `pnpm check:packages`: packs each published package as `pnpm publish` would (workspace:
// versions replaced) and lints the tarballs with publint (package.json against the files
// really shipped) and attw, "are the types wrong" (every entry point under node10,
// node16 CJS and ESM, and bundler resolution). Exits 1 if either finds anything.
// The root script builds first; run it after `pnpm build` when calling it directly.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Every package that is not private; the helper packages for tests and benchmarks are.
const PUBLISHED = ['core', 'server', 'client', 'redis', 'react', 'otel', 'inspector'];
const root = new URL('..', import.meta.url).pathname;
const bin = (name) => join(root, 'node_modules', '.bin', name);

const dir = mkdtempSync(join(tmpdir(), 'volley-packages-'));
let failed = 0;
try {
  execFileSync(
    'pnpm',
    [
      ...PUBLISHED.flatMap((name) => ['--filter', `./packages/${name}`]),
      'pack',
      '--pack-destination',
      dir,
    ],
    { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const tarballs = readdirSync(dir).filter((file) => file.endsWith('.tgz'));
  if (tarballs.length !== PUBLISHED.length) {
    throw new Error(`Expected ${PUBLISHED.length} tarballs, got: ${tarballs.join(', ')}`);
  }
  for (const tarball of tarballs.sort()) {
    for (const [tool, args] of [
      ['publint', ['run', '--strict', join(dir, tarball)]],
      ['attw', [join(dir, tarball)]],
    ]) {
      console.log(`\n$ ${tool} ${args.join(' ').replace(dir, '<tmp>')}`);
      const { status } = spawnSync(bin(tool), args, { stdio: 'inherit' });
      if (status !== 0) {
        console.error(`${tool} failed for ${tarball}`);
        failed++;
      }
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
console.log(failed === 0 ? '\ncheck:packages: publint and attw found nothing' : '');
process.exit(failed === 0 ? 0 : 1);
