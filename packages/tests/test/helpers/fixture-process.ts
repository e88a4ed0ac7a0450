// A fixture server (test/fixtures/*.ts) in a child process, so that what it holds in
// memory or writes to stderr is its own. The fixture prints its port on stdout's first
// line and exits when its stdin closes.
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { within } from './harness.js';

const ROOT = fileURLToPath(new URL('../../../..', import.meta.url));
const TSCONFIG = fileURLToPath(new URL('../../../../tsconfig.json', import.meta.url));

/** A running fixture server. */
export interface FixtureProcess {
  readonly port: number;
  /** `ws://127.0.0.1:<port>`. */
  readonly url: string;
  readonly child: ChildProcess;
  /** What it wrote to stdout after its port line, and to stderr, so far. */
  readonly stdout: string;
  readonly stderr: string;
  /** Resolves once stdout (after the port line) matches `pattern`. */
  untilStdout(pattern: RegExp, what: string, ms?: number): Promise<void>;
  /** Closes its stdin and resolves once it has exited; idempotent. */
  stop(): Promise<void>;
}

/**
 * Starts `test/fixtures/<name>` with `node --import tsx` (vitest's aliases do not reach a
 * child process, so the root tsconfig's `paths` point `@volley/*` at the sources), with
 * `env` added and `execArgv` (such as `--expose-gc`) before the file. Resolves once it
 * listens.
 */
export async function startFixture(
  name: string,
  options: { env?: Record<string, string>; execArgv?: string[] } = {},
): Promise<FixtureProcess> {
  const file = fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));
  const child = spawn(process.execPath, [...(options.execArgv ?? []), '--import', 'tsx', file], {
    cwd: ROOT,
    env: { ...process.env, TSX_TSCONFIG_PATH: TSCONFIG, ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let port: number | undefined;
  const watchers = new Set<() => void>();
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const listening = new Promise<number>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (port === undefined) {
        const newline = stdout.indexOf('\n');
        if (newline === -1) return;
        port = Number(stdout.slice(0, newline));
        stdout = stdout.slice(newline + 1);
        resolve(port);
      }
      for (const watcher of [...watchers]) watcher();
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.once('exit', (code) =>
      reject(new Error(`The fixture ${name} exited (${code}) before listening: ${stderr}`)),
    );
  });
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.stdin?.end();
    await within(exited, `the fixture ${name} to exit`, 20_000);
  };
  try {
    await within(listening, `the fixture ${name} to listen`, 30_000);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return {
    port: port as number,
    url: `ws://127.0.0.1:${port}`,
    child,
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
    untilStdout(pattern, what, ms) {
      return within(
        new Promise<void>((resolve) => {
          const check = () => {
            if (!pattern.test(stdout)) return;
            watchers.delete(check);
            resolve();
          };
          watchers.add(check);
          check();
        }),
        what,
        ms,
      );
    },
    stop,
  };
}
