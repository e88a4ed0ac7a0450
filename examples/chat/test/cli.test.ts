// The chat as a person uses it: a server process and two CLI processes talking through it.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
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

/** Starts a process and resolves `waitFor(pattern)` once its stdout has matched. */
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

  // End of input leaves the room and exits cleanly.
  // Listen for both exits first: one may finish while the other is awaited.
  const exits = Promise.all([once(ada.child, 'exit'), once(bob.child, 'exit')]);
  ada.child.stdin?.end();
  bob.child.stdin?.end();
  const [[adaCode], [bobCode]] = await exits;
  expect([adaCode, bobCode]).toEqual([0, 0]);
});
