// Volley nodes (fixtures/node-server.ts) in child processes, for the multi-node tests.
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { NodeMessage } from '../fixtures/node-server.js';
import { freePort } from './services.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/node-server.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const TSCONFIG = fileURLToPath(new URL('../../../../tsconfig.json', import.meta.url));

/** One node in a child process. */
export interface VolleyNode {
  readonly name: string;
  readonly port: number;
  /** `ws://127.0.0.1:<port>`: the node itself, not through nginx. */
  readonly url: string;
  /** Kills the process (SIGKILL: no close frames, nothing cleaned up) and waits for it. */
  kill(): Promise<void>;
}

/** Starts a node that shares topics through the Redis at `redisUrl`. */
export async function startNode(
  name: string,
  redisUrl: string,
  options: { keyPrefix: string; maxConnectionsPerAddress?: number; presenceLeaseMs?: number },
): Promise<VolleyNode> {
  const port = await freePort();
  const child: ChildProcess = fork(FIXTURE, [], {
    cwd: ROOT,
    execArgv: ['--import', 'tsx'],
    env: {
      ...process.env,
      TSX_TSCONFIG_PATH: TSCONFIG,
      VOLLEY_NODE: name,
      VOLLEY_PORT: String(port),
      VOLLEY_REDIS_URL: redisUrl,
      VOLLEY_KEY_PREFIX: options.keyPrefix,
      VOLLEY_MAX_PER_ADDRESS: String(options.maxConnectionsPerAddress ?? 1_000),
      VOLLEY_PRESENCE_LEASE_MS: String(options.presenceLeaseMs ?? 15_000),
    },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const onExit = (code: number | null) =>
      reject(new Error(`Node ${name} exited (${code}) before listening`));
    child.once('exit', onExit);
    child.once('message', (message: NodeMessage) => {
      child.off('exit', onExit);
      if ('ready' in message) resolve();
      else reject(new Error(`Node ${name} failed to start: ${message.error}`));
    });
  });
  return {
    name,
    port,
    url: `ws://127.0.0.1:${port}`,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}
