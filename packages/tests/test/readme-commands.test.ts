// Every shell command in the READMEs (the root one, the published packages' and any
// example's) is run here verbatim, in a fresh copy of the repository with no node_modules
// and no dist, as a new user would run it. The few that cannot run inside `pnpm test` are
// listed in NOT_RUN with the reason and another check. A command added to a README without
// being covered here fails the last test, and so does a covered command that the READMEs
// no longer contain.
//
// Only the environment differs from what a user types: PORT=0 (and the URL the server then
// prints) so that parallel runs never collide on a port, and a temporary HOME for `~`.
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { parseOptions } from '../../bench/src/options.js';
import {
  killAllShells,
  runShell,
  type ShellCommand,
  type ShellOptions,
  startShell,
} from './helpers/shell.js';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const PUBLISHED = ['core', 'server', 'client'];
/** Packages with a README a user reads: the published three, and the newer ones. */
const DOCUMENTED = [...PUBLISHED, 'react', 'redis', 'inspector'];

/** The documents whose commands a user is told to run. */
async function documents(): Promise<string[]> {
  const examples = await readdir(join(repo, 'examples'), { withFileTypes: true });
  const candidates = [
    'README.md',
    ...DOCUMENTED.map((name) => `packages/${name}/README.md`),
    ...examples.filter((entry) => entry.isDirectory()).map((e) => `examples/${e.name}/README.md`),
  ];
  return candidates.filter((path) => existsSync(join(repo, path)));
}

const COMMAND_WORD =
  /^(?:sudo|pnpm|npm|npx|node|bash|sh|apt-get|tsx|python3|git|[A-Z][A-Z0-9_]*=\S*)\s/;

/**
 * The shell commands of a Markdown document: each line of a sh/bash/shell block (comments
 * and prompts removed), and each inline code span outside blocks that starts like a command.
 */
export function shellCommands(markdown: string): string[] {
  const commands: string[] = [];
  const rest = markdown.replace(
    /^```(\w*)\n([\s\S]*?)^```$/gm,
    (_block, lang: string, body: string) => {
      if (['sh', 'bash', 'shell', 'console'].includes(lang)) {
        for (const line of body.replace(/\\\n/g, ' ').split('\n')) {
          const command = line
            .replace(/^\$ /, '')
            .replace(/\s+#.*$/, '')
            .trim();
          if (command !== '' && !command.startsWith('#')) commands.push(command);
        }
      }
      return '';
    },
  );
  for (const [, span] of rest.matchAll(/`([^`\n]+)`/g)) {
    if (span !== undefined && COMMAND_WORD.test(span)) commands.push(span.trim());
  }
  return commands;
}

// ---------------------------------------------------------------------------------------
// The commands each scenario below runs verbatim.

const RUN = {
  demo: ['pnpm install --frozen-lockfile', 'pnpm install && pnpm demo'],
  checkout: [
    'pnpm install && pnpm build',
    'pnpm --filter "./packages/{core,server,client}" pack --pack-destination ~/volley-packages',
    'mkdir ~/my-app && cd ~/my-app && npm init -y',
    'npm install ~/volley-packages/volley-core-0.1.0.tgz ~/volley-packages/volley-server-0.1.0.tgz ~/volley-packages/volley-client-0.1.0.tgz zod ws',
  ],
  quickstart: ['npx tsx server.ts', 'npx tsx client.ts', 'npx tsx errors.ts'],
  chat: [
    'pnpm --filter chat-web-example build',
    'pnpm --filter chat-example start',
    'pnpm --filter chat-example cli --name Ada',
  ],
  reactChat: ['pnpm --filter react-chat-example start'],
  embedding: ['pnpm --filter embedding-example start express'],
  fuzz: ['FUZZ_FRAMES=2000 pnpm fuzz'],
  bench: ['pnpm bench --help'],
  tools: ['bash scripts/system-deps.sh', 'pnpm lint', 'pnpm format', 'pnpm docs:api'],
};

const ciRun = () => readFile(join(repo, '.ci/run'), 'utf8');
const rootScripts = async (): Promise<Record<string, string>> =>
  JSON.parse(await readFile(join(repo, 'package.json'), 'utf8')).scripts;
/** The lines of .ci/run that are commands, comments and blanks removed. */
const ciLines = async () =>
  (await ciRun())
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));

/** Commands that cannot run inside `pnpm test`: why, and what is checked instead. */
const NOT_RUN: Record<string, { why: string; check: () => Promise<void> }> = {
  'npm i -g pnpm@10': {
    why: 'installs pnpm globally on the machine; .ci/run runs this very line when pnpm is missing',
    check: async () => expect(await ciRun()).toContain('  npm i -g pnpm@10\n'),
  },
  'pnpm install && pnpm test': {
    why: 'pnpm test is what runs this file; .ci/run runs pnpm install --frozen-lockfile, then pnpm test',
    check: async () => {
      const lines = await ciLines();
      const install = lines.indexOf('pnpm install --frozen-lockfile');
      const test = lines.findIndex((line) => line.startsWith('pnpm test'));
      expect(install).toBeGreaterThanOrEqual(0);
      expect(test).toBeGreaterThan(install);
    },
  },
  'pnpm test': {
    why: 'pnpm test is what runs this file; .ci/run runs it, and its script does what the README says',
    check: async () => {
      expect((await ciLines()).some((line) => line.startsWith('pnpm test'))).toBe(true);
      expect((await rootScripts()).test).toBe(
        'bash scripts/system-deps.sh && pnpm run build && pnpm run typecheck && vitest run',
      );
    },
  },
  'pnpm build': {
    why: 'the checkout scenario runs `pnpm install && pnpm build`, this command after an install',
    check: async () => expect(RUN.checkout).toContain('pnpm install && pnpm build'),
  },
  'pnpm demo': {
    why: 'the first scenario runs `pnpm install && pnpm demo`, this command after an install',
    check: async () => expect(RUN.demo).toContain('pnpm install && pnpm demo'),
  },
  'pnpm typecheck': {
    why: 'pnpm test runs it before vitest starts (see the test script), so it has passed by now',
    check: async () => expect((await rootScripts()).test).toContain('pnpm run typecheck'),
  },
  'pnpm check:packages': {
    why: '.ci/run runs it; here it would build and pack a second time on a 2-core machine',
    check: async () => expect(await ciLines()).toContain('pnpm check:packages'),
  },
  'pnpm fuzz': {
    why: '100,000 fuzzed frames take minutes; `FUZZ_FRAMES=2000 pnpm fuzz` runs the same script',
    check: async () => {
      expect((await rootScripts()).fuzz).toMatch(
        /^FUZZ_FRAMES=\$\{FUZZ_FRAMES:-100000\} vitest run packages\/tests\/test\/fuzz\.test\.ts$/,
      );
    },
  },
  'pnpm bench': {
    why: 'the full benchmark runs for many minutes on both cores; its options are checked instead',
    check: async () => {
      // What the README says of the full run: 3 repetitions, 5,000 idle connections,
      // 500 subscribers x 2,000 events.
      const options = parseOptions([]);
      if (options === 'help') throw new Error('pnpm bench with no options printed its help');
      expect(options.quick).toBe(false);
      expect(options.reps).toBe(3);
      expect(options.memory.connections).toBe(5_000);
      expect(options.fanOut).toMatchObject({ subscribers: 500, events: 2_000 });
      expect((await rootScripts()).bench).toContain('node --import tsx src/cli.ts');
    },
  },
  'pnpm bench --quick': {
    why: 'minutes of load on both cores; the option is checked instead',
    check: async () => {
      const options = parseOptions(['--quick']);
      if (options === 'help') throw new Error('pnpm bench --quick printed its help');
      expect(options.quick).toBe(true);
      expect(options.reps).toBeLessThan(3);
    },
  },
  'pnpm bench --only scale-fanout,scale-latency,soak,stretch': {
    why: 'about 15 minutes of load on both cores, with 10,000 connections held for 3 minutes; its options are checked instead, and packages/bench/test/scale.test.ts runs every scale workload at tiny N',
    check: async () => {
      // What the README says of the scale run: 200 subscribers x 2,000 events over 2 nodes,
      // 10,000 connections with 5 s heartbeats held 3 minutes, 50,000 on one node.
      const options = parseOptions(['--only', 'scale-fanout,scale-latency,soak,stretch']);
      if (options === 'help') throw new Error('the scale run printed its help');
      expect([...options.only]).toEqual(['scale-fanout', 'scale-latency', 'soak', 'stretch']);
      expect(options.scale.fanOut).toMatchObject({ subscribers: 200, events: 2_000 });
      expect(options.scale.soak).toEqual({
        connections: 10_000,
        holdMs: 180_000,
        heartbeatMs: 5_000,
      });
      expect(options.scale.stretch.connections).toBe(50_000);
      // A plain `pnpm bench` leaves them out.
      const plain = parseOptions([]);
      if (plain === 'help') throw new Error('pnpm bench printed its help');
      expect(plain.only.has('soak')).toBe(false);
    },
  },
  'pnpm bench --only scale-fanout,scale-latency': {
    why: 'minutes of load on both cores and its own redis-server; its options are checked instead, and packages/bench/test/scale.test.ts runs both workloads at tiny N',
    check: async () => {
      const options = parseOptions(['--only', 'scale-fanout,scale-latency']);
      if (options === 'help') throw new Error('the scale run printed its help');
      expect([...options.only]).toEqual(['scale-fanout', 'scale-latency']);
      expect(options.scale.reps).toBe(3);
    },
  },
  'npm install @volley/core @volley/server zod': {
    why: 'the packages are not on npm yet; the checkout scenario installs them from tarballs',
    check: checkPublishedNames,
  },
  'npm install @volley/react @volley/client @tanstack/react-query': {
    why: 'the packages are not on npm yet; the react example installs them from the workspace',
    check: () => checkNames(['react', 'client']),
  },
  'npm install @volley/react @volley/client @tanstack/react-query react': {
    why: 'the packages are not on npm yet; the react example installs them from the workspace',
    check: () => checkNames(['react', 'client']),
  },
  ...nginxCommands(),
  'npm install @volley/client': {
    why: 'the packages are not on npm yet; the checkout scenario installs it from a tarball',
    check: checkPublishedNames,
  },
  'sudo apt-get update && sudo apt-get install -y python3-websockets chromium redis-server nginx': {
    why: 'installs system packages with sudo; scripts/system-deps.sh (run below) checks the same list',
    check: async () => {
      const script = await readFile(join(repo, 'scripts/system-deps.sh'), 'utf8');
      const checked = [...script.matchAll(/missing\+=\(([\w-]+)\)/g)].map((match) => match[1]);
      expect(new Set(checked)).toEqual(
        new Set(['python3-websockets', 'chromium', 'redis-server', 'nginx']),
      );
    },
  },
};

/**
 * The nginx example's commands want fixed ports (3001, 3002, 8080) and the machine's own
 * Redis; `packages/redis/test/chat-cluster.test.ts` runs the same thing on free ports: the
 * chat server with these variables, twice, behind this nginx.conf, its own redis-server,
 * and a client through nginx. What is checked here is that those commands still name what
 * that test runs: the same config, the same variables, the chat's scripts and CLI flags.
 */
function nginxCommands(): Record<string, { why: string; check: () => Promise<void> }> {
  const why =
    'fixed ports and the machine Redis; packages/redis/test/chat-cluster.test.ts runs the same on free ports';
  const chatScripts = async () =>
    JSON.parse(await readFile(join(repo, 'examples/chat/package.json'), 'utf8')).scripts;
  const node = (port: number) =>
    `VOLLEY_REDIS_URL=redis://127.0.0.1:6379 VOLLEY_TRUST_PROXY=1 PORT=${port} pnpm --filter chat-example start`;
  const checkNode = async () => {
    expect((await chatScripts()).start).toBeDefined();
    const cluster = await readFile(join(repo, 'packages/redis/test/chat-cluster.test.ts'), 'utf8');
    expect(cluster).toContain('VOLLEY_REDIS_URL');
    expect(cluster).toContain("VOLLEY_TRUST_PROXY: '1'");
  };
  return {
    'nginx -p "$PWD" -c nginx.conf -g \'daemon off;\'': {
      why,
      check: async () => {
        const conf = await readFile(join(repo, 'examples/nginx/nginx.conf'), 'utf8');
        expect(conf).toMatch(/server 127\.0\.0\.1:3001/);
        expect(conf).toMatch(/server 127\.0\.0\.1:3002/);
        expect(conf).toMatch(/listen\s+(127\.0\.0\.1:)?8080/);
        const cluster = await readFile(join(repo, 'packages/redis/test/cluster.test.ts'), 'utf8');
        expect(cluster).toContain('examples/nginx/nginx.conf');
      },
    },
    [node(3001)]: { why, check: checkNode },
    [node(3002)]: { why, check: checkNode },
    'pnpm --filter chat-example cli --url ws://localhost:8080 --name Ada': {
      why,
      check: async () => {
        expect((await chatScripts()).cli).toBeDefined();
        const cli = await readFile(join(repo, 'examples/chat/src/cli.ts'), 'utf8');
        expect(cli).toMatch(/url: \{ type: 'string'/);
      },
    },
  };
}

async function checkNames(names: readonly string[]): Promise<void> {
  for (const name of names) {
    const manifest = JSON.parse(
      await readFile(join(repo, `packages/${name}/package.json`), 'utf8'),
    );
    expect(manifest.name).toBe(`@volley/${name}`);
    expect(manifest.private).toBeUndefined();
  }
}

async function checkPublishedNames(): Promise<void> {
  for (const name of PUBLISHED) {
    const manifest = JSON.parse(
      await readFile(join(repo, `packages/${name}/package.json`), 'utf8'),
    );
    expect(manifest.name).toBe(`@volley/${name}`);
    expect(manifest.private).toBeUndefined();
  }
}

// ---------------------------------------------------------------------------------------
// The fresh copy, and the environment the commands run in.

let copy: string;
let home: string;
let env: NodeJS.ProcessEnv;

/** The environment without what the `pnpm test` around this file adds to it. */
function userEnvironment(): NodeJS.ProcessEnv {
  const clean: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(npm_|PNPM_|VITEST|TINYPOOL)/i.test(key) || key === 'NODE_OPTIONS') continue;
    clean[key] = value;
  }
  clean.PATH = (process.env.PATH ?? '')
    .split(':')
    .filter((entry) => !entry.includes('node_modules'))
    .join(':');
  return clean;
}

beforeAll(async () => {
  copy = await mkdtemp(join(tmpdir(), 'volley-readme-'));
  const skipped = new Set(['node_modules', 'dist', '.git', 'coverage', '.bench-results']);
  await cp(repo, copy, {
    recursive: true,
    filter: (source) => {
      const path = relative(repo, source);
      return (
        !skipped.has(basename(source)) && !path.startsWith('docs/api') && path !== '.generated'
      );
    },
  });
  env = userEnvironment();
  // The checkout sequence's `~`: a temporary HOME whose pnpm and npm settings point at the
  // machine's store and cache, so that nothing is downloaded again.
  home = await mkdtemp(join(tmpdir(), 'volley-home-'));
  const store = execFileSync('pnpm', ['store', 'path'], { cwd: repo, encoding: 'utf8' }).trim();
  await mkdir(join(home, '.config/pnpm'), { recursive: true });
  await writeFile(join(home, '.config/pnpm/rc'), `store-dir=${dirname(store)}\n`);
  await writeFile(join(home, '.npmrc'), `cache=${join(homedir(), '.npm')}\n`);
}, 60_000);

afterEach(killAllShells);

afterAll(async () => {
  await killAllShells();
  await rm(copy, { recursive: true, force: true });
  await rm(home, { recursive: true, force: true });
});

/** Where and with what a command runs: `path` inside the copy, `extra` variables. */
const at = (path = '', extra: Record<string, string> = {}): ShellOptions => ({
  cwd: join(copy, path),
  env: { ...env, ...extra },
});
/** In the temporary HOME, for the checkout sequence and its `~`. */
const atHome = (path = ''): ShellOptions => ({
  cwd: join(home, path),
  env: { ...env, HOME: home },
});

/** Runs `command` to the end and expects exit 0; resolves with its stdout. */
async function expectRuns(command: string, shell = at()): Promise<string> {
  const { status, output, stdout } = await runShell(command, shell);
  if (status !== 0) throw new Error(`\`${command}\` ended with ${status}:\n${output}`);
  return stdout;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI colour codes start with ESC.
const plain = (text: string) => text.replace(/\x1b\[[0-9;]*m/g, '');

/**
 * Opens a socket and has it accepted (`rpc.init`, so that no init timeout closes it);
 * then `closed` resolves with the close code the server sends at shutdown.
 */
async function watchClose(url: string): Promise<{ closed: Promise<number> }> {
  const socket = new WebSocket(url);
  const closed = once(socket, 'close').then(([code]) => code as number);
  await once(socket, 'open');
  socket.send(JSON.stringify({ jsonrpc: '2.0', id: 0, method: 'rpc.init' }));
  await once(socket, 'message');
  return { closed };
}

/** `promise`, or a failure that shows what `shell` printed when it takes over `ms`. */
async function within<T>(promise: Promise<T>, what: string, shell: ShellCommand, ms = 60_000) {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`No ${what} within ${ms} ms; it printed:\n${shell.output()}`)),
      ms,
    );
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The ```text blocks of the README, in order. */
async function textBlocks(): Promise<string[]> {
  const readme = await readFile(join(repo, 'README.md'), 'utf8');
  return [...readme.matchAll(/^```text\n([\s\S]*?)^```$/gm)].map((match) => match[1] ?? '');
}

// ---------------------------------------------------------------------------------------
// The scenarios, in the order a user meets them. Each runs in the same copy.

describe('the README commands, run in a fresh copy', { timeout: 300_000 }, () => {
  it('pnpm install --frozen-lockfile, then pnpm install && pnpm demo: builds and runs the quickstart', async () => {
    const [frozen, demo] = RUN.demo as [string, string];
    await expectRuns(frozen); // fails when package.json and pnpm-lock.yaml disagree
    const output = await expectRuns(demo);
    expect(output).toMatch(/\[client\] tick 3\s+demo: done/);
  });

  it('the checkout sequence packs the packages and installs them in a new project', async () => {
    // In the copy (the clone), with HOME a new folder, as one shell session: `cd` carries on.
    await expectRuns(['set -euo pipefail', ...RUN.checkout].join('\n'), {
      ...at(),
      env: atHome().env,
    });
    const packs = join(home, 'volley-packages');
    const app = join(home, 'my-app');

    // Each tarball ships its LICENSE and README.
    for (const name of PUBLISHED) {
      const files = execFileSync('tar', ['-tzf', join(packs, `volley-${name}-0.1.0.tgz`)], {
        encoding: 'utf8',
      });
      expect(files).toContain('package/LICENSE');
      expect(files).toContain('package/README.md');
    }

    // The new project imports all three, as ESM and CommonJS, and makes a call.
    await writeFile(
      join(app, 'check.mjs'),
      `import { initVolley } from '@volley/core';
import { requestSchema } from '@volley/core/schema';
import { createServer } from '@volley/server';
import { createClient } from '@volley/client';
import WebSocket from 'ws';
import { z } from 'zod';
const v = initVolley();
const router = v.router({ greet: v.procedure.input(z.string()).query(({ input }) => 'Hello, ' + input) });
const server = createServer({ router });
const { port } = await server.listen(0, '127.0.0.1');
const client = createClient({ url: 'ws://127.0.0.1:' + port, WebSocket });
console.log(await client.greet.query('Ada'), requestSchema.safeParse({ jsonrpc: '2.0', method: 'x' }).success);
await client.$close();
await server.close();
`,
    );
    await writeFile(
      join(app, 'check.cjs'),
      `const core = require('@volley/core');
const server = require('@volley/server');
const client = require('@volley/client');
const schema = require('@volley/core/schema');
console.log([core.initVolley, server.createServer, client.createClient, schema.requestSchema.parse].every((f) => typeof f === 'function'));
`,
    );
    expect(await expectRuns('node check.mjs', atHome('my-app'))).toBe('Hello, Ada true\n');
    expect(await expectRuns('node check.cjs', atHome('my-app'))).toBe('true\n');
  });

  it('installing only @volley/client (and core) installs no zod, and a zod 3 project keeps its zod', async () => {
    const packs = join(home, 'volley-packages');
    const tarballs = `${packs}/volley-core-0.1.0.tgz ${packs}/volley-client-0.1.0.tgz`;
    const flags = '--no-audit --no-fund --prefer-offline';

    const clientOnly = join(home, 'client-only');
    await mkdir(clientOnly);
    await expectRuns(`npm init -y && npm install ${flags} ${tarballs}`, atHome('client-only'));
    expect(existsSync(join(clientOnly, 'node_modules/@volley/client'))).toBe(true);
    expect(existsSync(join(clientOnly, 'node_modules/zod'))).toBe(false);
    await expectRuns(`node -e "require('@volley/client')"`, atHome('client-only'));

    // zod is an optional peer of core: a project on zod 3 installs it without a conflict
    // and gets no second zod.
    const zod3 = join(home, 'zod3-app');
    await mkdir(zod3);
    await expectRuns(
      `npm init -y && npm install ${flags} zod@3 && npm install ${flags} ${tarballs}`,
      atHome('zod3-app'),
    );
    const zod = JSON.parse(await readFile(join(zod3, 'node_modules/zod/package.json'), 'utf8'));
    expect(zod.version).toMatch(/^3\./);
    expect(existsSync(join(zod3, 'node_modules/@volley/core/node_modules/zod'))).toBe(false);
  });

  it('npx tsx server.ts, client.ts and errors.ts print what the README shows; Ctrl-C closes the server', async () => {
    const [server, client, errors] = RUN.quickstart as [string, string, string];
    const src = 'examples/quickstart/src';
    const started = startShell(server, at(src, { PORT: '0' }));
    const [, url] = await started.waitFor(/Volley listening on (ws:\/\/\S+)/);
    const [clientOutput, errorsOutput] = await textBlocks();

    expect(await expectRuns(client, at(src, { VOLLEY_URL: url! }))).toBe(clientOutput);
    expect(await expectRuns(errors, at(src, { VOLLEY_URL: url! }))).toBe(errorsOutput);

    // Ctrl-C ends it. Neither npx's status nor the close code is the server's to give:
    // npm exec runs tsx through sh, which re-raises SIGINT after its child exits, and tsx's
    // CLI kills a child that does not acknowledge a signal within 30 ms, which a loaded
    // machine can miss. The pnpm scenarios below check the graceful close.
    started.interrupt('SIGINT');
    await started.exited;
  });

  it('pnpm --filter chat-web-example build, then chat-example start serves the page, and cli --name Ada chats; Ctrl-C stops the server with exit 0', async () => {
    const [page, server, cli] = RUN.chat as [string, string, string];
    await expectRuns(page);
    const started = startShell(server, at('', { PORT: '0' }));
    const [, url] = await started.waitFor(/Chat server on (ws:\/\/\S+)/);
    const [, pageUrl] = await started.waitFor(/Chat page on (http:\/\/\S+)/);
    const served = await fetch(pageUrl!, { headers: { connection: 'close' } });
    expect(served.status).toBe(200);
    expect(await served.text()).toContain('<html');

    const ada = startShell(cli, at('', { CHAT_URL: url! }));
    await ada.waitFor(/Joined #lobby as Ada/);
    ada.child.stdin?.write('hello from the README\n');
    await ada.waitFor(/\] Ada: hello from the README/);
    ada.child.stdin?.end();
    expect(await within(ada.exited, 'exit of the CLI', ada)).toBe(0);

    const { closed } = await watchClose(url!);
    started.interrupt('SIGINT');
    expect(await within(closed, 'close frame', started)).toBe(1001);
    expect(await within(started.exited, 'exit', started)).toBe(0);
    expect(started.output()).not.toMatch(/ELIFECYCLE|ERR_PNPM/);
  });

  it('pnpm --filter react-chat-example start builds and serves the React page; Ctrl-C stops it with exit 0', async () => {
    const started = startShell(RUN.reactChat[0]!, at('', { PORT: '0' }));
    const [, pageUrl] = await started.waitFor(/React chat on (http:\/\/\S+)/);
    const served = await fetch(pageUrl!, { headers: { connection: 'close' } });
    expect(served.status).toBe(200);
    expect(await served.text()).toContain('<html');
    started.interrupt('SIGINT');
    expect(await within(started.exited, 'exit', started)).toBe(0);
    expect(started.output()).not.toMatch(/ELIFECYCLE|ERR_PNPM/);
  });

  it('pnpm --filter embedding-example start express serves, and stops on Ctrl-C with exit 0', async () => {
    const started = startShell(RUN.embedding[0]!, at('', { PORT: '0' }));
    const [, url, port] = await started.waitFor(
      /Volley listening on (ws:\/\/127\.0\.0\.1:(\d+)\/rpc)/,
    );
    const health = await fetch(`http://127.0.0.1:${port}/health`, {
      headers: { connection: 'close' },
    });
    expect(await health.text()).toBe('ok');

    const { closed } = await watchClose(url!);
    started.interrupt('SIGINT');
    expect(await within(closed, 'close frame', started)).toBe(1001);
    expect(await within(started.exited, 'exit', started)).toBe(0);
  });

  it('FUZZ_FRAMES=2000 pnpm fuzz runs the fuzz script with that many frames', async () => {
    const output = plain(await expectRuns(RUN.fuzz[0]!));
    expect(output).toContain('answers 2000 fuzzed frames as documented');
    expect(output).toMatch(/Tests\s+3 passed/);
  });

  it('pnpm bench --help builds and prints the options', async () => {
    const output = await expectRuns(RUN.bench[0]!);
    expect(output).toContain('Usage: pnpm bench [--quick]');
  });

  it('bash scripts/system-deps.sh, pnpm lint, pnpm format and pnpm docs:api pass', async () => {
    const [deps, lint, format, docs] = RUN.tools as [string, string, string, string];
    const checked = await runShell(deps, at());
    expect(checked.status).toBe(0);
    expect(checked.output).toMatch(/system-deps: .*present/);
    await expectRuns(lint);
    await expectRuns(format);
    // (pnpm docs, without :api, would be pnpm's own command that opens a browser.)
    await expectRuns(docs);
    expect(existsSync(join(copy, 'docs/api/index.html'))).toBe(true);
  });
});

describe('commands that are not run here', () => {
  it.each(Object.entries(NOT_RUN))('%s: checked another way', async (_command, { check }) => {
    await check();
  });
});

it('every command in the READMEs is run or checked here, and nothing else is', async () => {
  const found = new Map<string, string[]>();
  for (const path of await documents()) {
    for (const command of shellCommands(await readFile(join(repo, path), 'utf8'))) {
      found.set(command, [...(found.get(command) ?? []), path]);
    }
  }
  const covered = new Set([...Object.values(RUN).flat(), ...Object.keys(NOT_RUN)]);
  const uncovered = [...found].filter(([command]) => !covered.has(command));
  const stale = [...covered].filter((command) => !found.has(command));
  expect(uncovered.map(([command, paths]) => `${command}  (${paths.join(', ')})`)).toEqual([]);
  expect(stale).toEqual([]);
});
