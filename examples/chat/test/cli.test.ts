// The chat as a person uses it: a server process and two CLI processes talking through it.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { type AddressInfo, createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach, expect, it } from 'vitest';

const script = (file: string) => fileURLToPath(new URL(`../src/${file}`, import.meta.url));
const children: ChildProcess[] = [];

afterEach(async () => {
  await Promise.all(
    children.splice(0).map(async (child) => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await once(child, 'exit');
      }
    }),
  );
});

/** Starts a process and resolves `waitFor(pattern)` once its output (stdout, stderr) has matched. */
function start(file: string, args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, ['--import', 'tsx', script(file), ...args], {
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  const watchers: Array<{ pattern: RegExp; resolve: (match: RegExpMatchArray) => void }> = [];
  const check = () => {
    for (const watcher of [...watchers]) {
      const match = output.match(watcher.pattern);
      if (match) {
        watchers.splice(watchers.indexOf(watcher), 1);
        watcher.resolve(match);
      }
    }
  };
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
    check();
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
    check();
  });
  return {
    child,
    output: () => output,
    waitFor(pattern: RegExp, what: string): Promise<RegExpMatchArray> {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`Timed out waiting for ${what}; output so far:\n${output}`)),
          30_000,
        );
        watchers.push({
          pattern,
          resolve: (match) => {
            clearTimeout(timer);
            resolve(match);
          },
        });
        check();
      });
    },
  };
}

it('two CLI clients chat through the server', { timeout: 120_000 }, async () => {
  const server = start('server.ts', [], { PORT: '0' });
  const [url] = await server.waitFor(/ws:\/\/\S+/, 'the server to listen');
  const bob = start('cli.ts', ['--url', url, '--name', 'Bob', '--room', 'lobby']);
  const ada = start('cli.ts', ['--url', url, '--name', 'Ada', '--room', 'lobby']);
  await bob.waitFor(/Joined #lobby as Bob/, 'Bob to join');
  await ada.waitFor(/Joined #lobby as Ada/, 'Ada to join');

  ada.child.stdin?.write('hello, Bob\n');
  await bob.waitFor(/\] Ada: hello, Bob/, "Ada's message at Bob");
  bob.child.stdin?.write('hi Ada\n');
  await ada.waitFor(/\] Bob: hi Ada/, "Bob's message at Ada");
  ada.child.stdin?.write('/who\n');
  await ada.waitFor(/In #lobby: Ada, Bob/, 'who is in the room');

  // End of input leaves the room and exits cleanly.
  // Listen for both exits first: one may finish while the other is awaited.
  const exits = Promise.all([once(ada.child, 'exit'), once(bob.child, 'exit')]);
  ada.child.stdin?.end();
  bob.child.stdin?.end();
  const [[adaCode], [bobCode]] = await exits;
  expect([adaCode, bobCode]).toEqual([0, 0]);
});

/** A port on 127.0.0.1 with nothing listening: bound on port 0, then released. */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

it('says at once why it cannot connect, keeps trying, refuses a line, and leaves on SIGTERM', {
  timeout: 60_000,
}, async () => {
  const url = `ws://127.0.0.1:${await deadPort()}`;
  // With the `--` that pnpm 10 passes on (`pnpm cli -- --url ...`).
  const cli = start('cli.ts', ['--', '--url', url, '--name', 'Ada']);
  await cli.waitFor(
    new RegExp(`cannot connect to ${url}: connection refused \\(retrying\\)`),
    'the reason',
  );
  // Typed while the server is down: refused at once, not after a 30 s timeout.
  cli.child.stdin?.write('anyone?\n');
  await cli.waitFor(/Not sent: connection refused/, 'the line to be refused');
  const exit = once(cli.child, 'exit');
  cli.child.kill('SIGTERM');
  const [code, signal] = await exit;
  expect({ code, signal }).toEqual({ code: 0, signal: null });
  expect(cli.output()).not.toMatch(/timed out|Error:|ERR_/);
});

it('joins once the server comes up, and leaves on SIGINT', { timeout: 120_000 }, async () => {
  const port = await deadPort();
  const url = `ws://127.0.0.1:${port}`;
  const cli = start('cli.ts', ['--', '--url', url, '--name', 'Ada', '--room', 'quiet']);
  await cli.waitFor(/cannot connect to .*: connection refused \(retrying\)/, 'the reason');
  // The server starts on that port: the next attempt connects, and the CLI joins.
  const server = start('server.ts', [], { PORT: String(port) });
  await server.waitFor(/ws:\/\/\S+/, 'the server to listen');
  await cli.waitFor(/Joined #quiet as Ada/, 'Ada to join');
  const exit = once(cli.child, 'exit');
  cli.child.kill('SIGINT');
  const [code, signal] = await exit;
  expect({ code, signal }).toEqual({ code: 0, signal: null });
});
