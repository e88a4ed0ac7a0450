// A Volley server in a child process, which a test can kill with SIGKILL and restart on the
// same port: a real crash, with the in-memory event log lost.
import { type ChildProcess, fork } from 'node:child_process';
import { type AddressInfo, createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { ChildMessage } from '../fixtures/numbers-server.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/numbers-server.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const TSCONFIG = fileURLToPath(new URL('../../../../tsconfig.json', import.meta.url));

/** Options of {@link startChildServer}. */
export interface ChildServerOptions {
  /** Milliseconds between two published numbers. Default 3. */
  paceMs?: number;
  /** The server's ws ping interval. Default 1,000. */
  heartbeatIntervalMs?: number;
  /** The in-memory engine's log size per topic. Default 50,000. */
  logSize?: number;
}

/** The numbers server (fixtures/numbers-server.ts) running in a child process. */
export interface ChildServer {
  /** The fixed port every incarnation listens on, on 127.0.0.1. */
  readonly port: number;
  /** `ws://127.0.0.1:<port>`. */
  readonly url: string;
  /** 1 for the first process, one more for each restart. What its events carry. */
  readonly incarnation: number;
  /** Whether a process is running. */
  readonly running: boolean;
  /** Kills the process (default SIGKILL: no cleanup, no close frames) and waits for it to exit. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Kills the process if it runs, then starts the next incarnation on the same port. */
  restart(): Promise<void>;
  /** Kills the process for good. */
  close(): Promise<void>;
}

/**
 * A port that was free a moment ago: bound on port 0 and released, so that every
 * incarnation of a child server can listen on it (the fixture retries while it is busy).
 */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * Starts the numbers server in a child process (`node --import tsx`, run from the
 * repository root, with the root tsconfig's `paths` pointing `@volley/*` at the sources:
 * vitest's aliases do not reach a child process, and the built `dist/` may be stale).
 * Resolves once it listens.
 */
export async function startChildServer(options: ChildServerOptions = {}): Promise<ChildServer> {
  const port = await freePort();
  let incarnation = 0;
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();

  const spawn = async () => {
    incarnation += 1;
    const spawned = fork(FIXTURE, [], {
      cwd: ROOT,
      execArgv: ['--import', 'tsx'],
      env: {
        ...process.env,
        TSX_TSCONFIG_PATH: TSCONFIG,
        VOLLEY_PORT: String(port),
        VOLLEY_INCARNATION: String(incarnation),
        VOLLEY_PACE_MS: String(options.paceMs ?? 3),
        VOLLEY_HEARTBEAT_MS: String(options.heartbeatIntervalMs ?? 1_000),
        VOLLEY_LOG_SIZE: String(options.logSize ?? 50_000),
      },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    child = spawned;
    exited = new Promise((resolve) => spawned.once('exit', () => resolve()));
    await new Promise<void>((resolve, reject) => {
      const onExit = (code: number | null, signal: string | null) =>
        reject(new Error(`The numbers server exited (${code ?? signal}) before listening`));
      spawned.once('exit', onExit);
      spawned.once('message', (message: ChildMessage) => {
        spawned.off('exit', onExit);
        if ('ready' in message) resolve();
        else reject(new Error(`The numbers server failed to start: ${message.error}`));
      });
    });
  };

  const kill = async (signal: NodeJS.Signals = 'SIGKILL') => {
    const running = child;
    if (running === undefined) return;
    child = undefined;
    if (running.exitCode === null && running.signalCode === null) running.kill(signal);
    await exited;
  };

  await spawn();
  return {
    port,
    url: `ws://127.0.0.1:${port}`,
    get incarnation() {
      return incarnation;
    },
    get running() {
      return child !== undefined;
    },
    kill,
    async restart() {
      await kill();
      await spawn();
    },
    close: () => kill(),
  };
}
