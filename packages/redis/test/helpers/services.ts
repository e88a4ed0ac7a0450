// Services the Redis tests run for themselves: a redis-server and an nginx of their own,
// each on a free port, as child processes the test can stop and start again. A missing
// binary fails the test (CI installs both: see .ci/run); nothing is skipped.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../../tests/test/helpers/child-server.js';

export { freePort };

const REDIS_SERVER = process.env.VOLLEY_REDIS_SERVER ?? '/usr/bin/redis-server';
const NGINX = process.env.VOLLEY_NGINX ?? '/usr/sbin/nginx';

/**
 * Spawns `command` and resolves once a line of its output matches `ready`.
 *
 * @throws when the binary is missing, or the process exits (or `timeoutMs` passes) first.
 */
function spawnUntil(
  command: string,
  args: string[],
  ready: RegExp,
  what: string,
  timeoutMs = 20_000,
): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const timer = setTimeout(
      () => fail(new Error(`${what} did not start in time:\n${output}`)),
      timeoutMs,
    );
    const fail = (error: Error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(error);
    };
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (!ready.test(output)) return;
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.stderr?.off('data', onData);
      // Keep draining, so a chatty process never blocks on a full pipe.
      child.stdout?.resume();
      child.stderr?.resume();
      child.off('exit', onExit);
      resolve(child);
    };
    const onExit = (code: number | null) =>
      fail(new Error(`${what} exited (${code}) before it was ready:\n${output}`));
    child.once('error', (error: NodeJS.ErrnoException) =>
      fail(
        error.code === 'ENOENT'
          ? new Error(`${command} is missing: install it (apt-get install ${what})`)
          : error,
      ),
    );
    child.once('exit', onExit);
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
  });
}

async function stopChild(child: ChildProcess | undefined, signal: NodeJS.Signals): Promise<void> {
  if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill(signal);
  await exited;
}

/** A redis-server of the test's own. */
export interface RedisServer {
  readonly port: number;
  /** `redis://127.0.0.1:<port>`. */
  readonly url: string;
  readonly running: boolean;
  /** Kills it (SIGKILL by default: nothing saved, connections cut). */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again on the same port (and data directory). */
  start(): Promise<void>;
  /** Stops it for good and removes its data. */
  close(): Promise<void>;
}

/**
 * Starts a redis-server on a free port. Without `persist` it keeps nothing (a restart
 * loses every key, as a Redis without persistence does); with it, an append-only file
 * synced on every write, so a restart keeps every acknowledged event.
 */
export async function startRedis(options: { persist?: boolean } = {}): Promise<RedisServer> {
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'volley-redis-'));
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    dir,
    '--save',
    '',
    ...(options.persist
      ? ['--appendonly', 'yes', '--appendfsync', 'always']
      : ['--appendonly', 'no']),
  ];
  let child: ChildProcess | undefined;
  const start = async () => {
    child = await spawnUntil(REDIS_SERVER, args, /Ready to accept connections/, 'redis-server');
  };
  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    get running() {
      return child !== undefined;
    },
    async stop(signal = 'SIGKILL') {
      const running = child;
      child = undefined;
      await stopChild(running, signal);
    },
    start,
    async close() {
      const running = child;
      child = undefined;
      await stopChild(running, 'SIGKILL');
      await rm(dir, { recursive: true, force: true });
    },
  };
}

const CONFIG = new URL('../../../../examples/nginx/nginx.conf', import.meta.url);

/** An nginx of the test's own, running examples/nginx/nginx.conf. */
export interface Nginx {
  readonly port: number;
  /** `ws://127.0.0.1:<port>`. */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Runs the example config (examples/nginx/nginx.conf) with only its ports changed: it
 * listens on a free port and proxies to `upstreams` (the config's 3001 and 3002, in order).
 */
export async function startNginx(upstreams: number[]): Promise<Nginx> {
  const port = await freePort();
  const prefix = await mkdtemp(join(tmpdir(), 'volley-nginx-'));
  let config = await readFile(CONFIG, 'utf8');
  config = config.replace(/listen 8080;/, `listen 127.0.0.1:${port};`);
  const servers = [...config.matchAll(/^\s*server 127\.0\.0\.1:300\d[^;]*;$/gm)];
  if (servers.length !== upstreams.length) {
    throw new Error(`The config has ${servers.length} upstream servers, not ${upstreams.length}`);
  }
  config = config.replace(
    /^(\s*server 127\.0\.0\.1:)300\d/gm,
    (_, head: string) => `${head}${upstreams.shift()}`,
  );
  const file = join(prefix, 'nginx.conf');
  await writeFile(file, config);
  const child = await spawnUntil(
    NGINX,
    ['-p', prefix, '-c', file, '-e', 'stderr', '-g', 'daemon off; error_log stderr notice;'],
    /start worker process/,
    'nginx',
  );
  return {
    port,
    url: `ws://127.0.0.1:${port}`,
    async close() {
      await stopChild(child, 'SIGTERM');
      await rm(prefix, { recursive: true, force: true });
    },
  };
}
