// Runs a command line as a user types it: through bash, in a process group of its own, so
// that `interrupt()` reaches every process of the command the way Ctrl-C in a terminal does.
import { type ChildProcess, spawn } from 'node:child_process';

export interface ShellOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
}

export interface ShellCommand {
  readonly child: ChildProcess;
  /** stdout and stderr so far, interleaved. */
  output(): string;
  /** stdout alone so far. */
  stdout(): string;
  /** Resolves with the first match of `pattern` in the output; rejects after `timeoutMs`. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Resolves with the exit code, or the signal's name when a signal ended it. */
  readonly exited: Promise<number | string>;
  /** Sends `signal` to the whole process group, as a terminal sends Ctrl-C (SIGINT). */
  interrupt(signal?: NodeJS.Signals): void;
}

const running = new Set<ShellCommand>();

export function startShell(command: string, options: ShellOptions): ShellCommand {
  const child = spawn('bash', ['-c', command], {
    cwd: options.cwd,
    env: options.env,
    detached: true,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let output = '';
  let stdout = '';
  const watchers = new Set<() => void>();
  for (const stream of [child.stdout, child.stderr]) {
    stream?.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
      if (stream === child.stdout) stdout += chunk;
      for (const watcher of watchers) watcher();
    });
  }
  // 'close', not 'exit': by then stdout and stderr have been read to the end.
  const exited = new Promise<number | string>((resolve) => {
    child.once('close', (code: number | null, signal: NodeJS.Signals | null) => {
      running.delete(handle);
      resolve(code ?? signal ?? 'unknown');
    });
  });
  const handle: ShellCommand = {
    child,
    exited,
    output: () => output,
    stdout: () => stdout,
    waitFor(pattern, timeoutMs = 120_000) {
      return new Promise((resolve, reject) => {
        const done = () => {
          watchers.delete(check);
          clearTimeout(timer);
        };
        const check = () => {
          const match = output.match(pattern);
          if (match) {
            done();
            resolve(match);
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`\`${command}\` never printed ${pattern}; it printed:\n${output}`));
        }, timeoutMs);
        watchers.add(check);
        void exited.then((status) => {
          if (!watchers.has(check)) return;
          done();
          reject(new Error(`\`${command}\` exited (${status}) before ${pattern}:\n${output}`));
        });
        check();
      });
    },
    interrupt(signal = 'SIGINT') {
      if (child.pid !== undefined) process.kill(-child.pid, signal);
    },
  };
  running.add(handle);
  return handle;
}

/** Runs `command` to its end, with `input` on stdin; resolves with its status and output. */
export async function runShell(
  command: string,
  options: ShellOptions,
  input = '',
): Promise<{ status: number | string; output: string; stdout: string }> {
  const shell = startShell(command, options);
  shell.child.stdin?.end(input);
  const status = await shell.exited;
  return { status, output: shell.output(), stdout: shell.stdout() };
}

/** Ends every command still running, with its whole process group. For `afterEach`. */
export async function killAllShells(): Promise<void> {
  await Promise.all(
    [...running].map(async (shell) => {
      try {
        shell.interrupt('SIGKILL');
      } catch {
        // Already gone between the exit and its event.
      }
      await shell.exited;
    }),
  );
}
