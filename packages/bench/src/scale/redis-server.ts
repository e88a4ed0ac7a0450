// The bench's own redis-server: on a free port, keeping nothing on disk (`--save ""
// --appendonly no`), so a run never touches a Redis that is already there. A missing
// binary is an error that says what to install.
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Where the redis-server binary is: `VOLLEY_REDIS_SERVER`, else `redis-server` on the PATH. */
export const REDIS_SERVER = process.env.VOLLEY_REDIS_SERVER ?? 'redis-server';

/** How long redis-server may take to say it is ready: 20 s. */
export const REDIS_START_TIMEOUT_MS = 20_000;

/** A port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** A running redis-server of the bench's own. */
export interface BenchRedis {
  readonly url: string;
  readonly pid: number;
  /** Its CPU time so far (user + system), in µs, from /proc (Linux); `null` elsewhere. */
  cpuUs(): number | null;
  close(): Promise<void>;
}

/** Clock ticks per second of /proc's CPU times: 100 on Linux everywhere it runs. */
const CLOCK_TICKS = 100;

/** A process's user + system CPU time, in µs, from /proc/<pid>/stat; `null` if unreadable. */
export function procCpuUs(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces), from field 3 on.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return (ticks / CLOCK_TICKS) * 1e6;
  } catch {
    return null;
  }
}

/**
 * Starts a redis-server on a free port of 127.0.0.1, without persistence.
 *
 * @throws when the binary is missing or the server does not start within
 * {@link REDIS_START_TIMEOUT_MS}.
 */
export async function startBenchRedis(): Promise<BenchRedis> {
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'volley-bench-redis-'));
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir];
  args.push('--save', '', '--appendonly', 'no');
  const child: ChildProcess = spawn(REDIS_SERVER, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    let output = '';
    const timer = setTimeout(
      () => fail(new Error(`redis-server did not start:\n${output}`)),
      REDIS_START_TIMEOUT_MS,
    );
    const fail = (error: Error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(error);
    };
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (!output.includes('Ready to accept connections')) return;
      clearTimeout(timer);
      child.off('exit', onExit);
      child.stdout?.off('data', onData);
      child.stderr?.off('data', onData);
      resolve();
    };
    const onExit = (code: number | null) =>
      fail(new Error(`redis-server exited (${code}) before it was ready:\n${output}`));
    child.once('error', (error: NodeJS.ErrnoException) =>
      fail(
        error.code === 'ENOENT'
          ? new Error(
              `${REDIS_SERVER} is missing: install Redis (apt-get install redis-server) or set VOLLEY_REDIS_SERVER`,
            )
          : error,
      ),
    );
    child.once('exit', onExit);
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
  });
  // Keep draining, so a chatty server never blocks on a full pipe.
  child.stdout?.resume();
  child.stderr?.resume();
  const pid = child.pid as number;
  return {
    url: `redis://127.0.0.1:${port}`,
    pid,
    cpuUs: () => procCpuUs(pid),
    async close() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGKILL');
        await exited;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
