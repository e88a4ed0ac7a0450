// The load generator's side of a server process: forks it and turns IPC into promises.
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { CommandBody, MemoryReading, ServerCommand, ServerReply } from './server-protocol.js';
import type { TargetName } from './targets/target.js';

const ENTRY = fileURLToPath(new URL('./server-process.ts', import.meta.url));

/** A target's server, running in a process of its own on 127.0.0.1. */
export class ServerHandle {
  readonly target: TargetName;
  readonly url: string;
  readonly #child: ChildProcess;
  readonly #waiting = new Map<number, { resolve(value: unknown): void; reject(e: Error): void }>();
  #nextId = 0;

  private constructor(target: TargetName, child: ChildProcess, port: number) {
    this.target = target;
    this.url = `ws://127.0.0.1:${port}`;
    this.#child = child;
    child.on('message', (reply: ServerReply) => {
      if (!('id' in reply)) return;
      const waiter = this.#waiting.get(reply.id);
      this.#waiting.delete(reply.id);
      if (reply.error !== undefined) waiter?.reject(new Error(`${target} server: ${reply.error}`));
      else waiter?.resolve(reply.result);
    });
    child.on('exit', () => {
      for (const waiter of this.#waiting.values()) {
        waiter.reject(new Error(`${target} server exited`));
      }
      this.#waiting.clear();
    });
  }

  /**
   * Forks the server process (with `--expose-gc`, for memory readings) and waits until it
   * listens. `env` is added to the child's environment (the scale workloads configure
   * their servers there).
   */
  static start(target: TargetName, env: Record<string, string> = {}): Promise<ServerHandle> {
    // process.execArgv carries tsx's loader under `pnpm bench`, so the child runs
    // TypeScript too; under vitest it does not, and the child gets it here.
    const loader = process.execArgv.some((arg) => arg.includes('tsx')) ? [] : ['--import', 'tsx'];
    const child = fork(ENTRY, [target], {
      execArgv: [...process.execArgv, ...loader, '--expose-gc'],
      env: { ...process.env, ...env },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    return new Promise((resolve, reject) => {
      const onExit = (code: number | null) =>
        reject(new Error(`${target} server exited with ${code} before listening`));
      child.once('exit', onExit);
      child.once('message', (reply: ServerReply) => {
        child.off('exit', onExit);
        if ('ready' in reply) resolve(new ServerHandle(target, child, reply.port));
        else reject(new Error(`${target} server sent ${JSON.stringify(reply)} before ready`));
      });
    });
  }

  #request(body: CommandBody): Promise<unknown> {
    const id = ++this.#nextId;
    return new Promise((resolve, reject) => {
      this.#waiting.set(id, { resolve, reject });
      this.#child.send({ ...body, id } as ServerCommand);
    });
  }

  /** Starts counting the server process's CPU time. */
  async cpuStart(): Promise<void> {
    await this.#request({ op: 'cpu-start' });
  }

  /** User plus system CPU time of the server process since `cpuStart`, in µs. */
  async cpuStop(): Promise<number> {
    return (await this.#request({ op: 'cpu-stop' })) as number;
  }

  /** The server's memory after garbage collection. */
  async memory(): Promise<MemoryReading> {
    return (await this.#request({ op: 'memory' })) as MemoryReading;
  }

  /** How many fan-out subscribers the server has. */
  async subscribers(): Promise<number> {
    return (await this.#request({ op: 'subscribers' })) as number;
  }

  /**
   * Publishes `events` fan-out events; resolves once the last is published (not
   * delivered). `options` number them from `first`, space them `intervalMs` apart instead
   * of one per turn of the event loop, and `stamp` them with their publish time.
   */
  async publish(
    events: number,
    options: { first?: number; intervalMs?: number; stamp?: boolean } = {},
  ): Promise<void> {
    await this.#request({ op: 'publish', events, ...options });
  }

  /** How many connections the server holds, when the target can tell (else `null`). */
  async connections(): Promise<number | null> {
    return (await this.#request({ op: 'connections' })) as number | null;
  }

  /** The server process's id (for readings from outside, such as /proc). */
  get pid(): number | undefined {
    return this.#child.pid;
  }

  /** Starts the V8 CPU profiler in the server process. */
  async profileStart(): Promise<void> {
    await this.#request({ op: 'profile-start' });
  }

  /** Stops the profiler and writes a `.cpuprofile` (open it in Chrome DevTools) to `path`. */
  async profileStop(path: string): Promise<void> {
    await this.#request({ op: 'profile-stop', path });
  }

  /** Closes the server and waits for its process to exit; kills it if it will not. */
  async close(): Promise<void> {
    if (this.#child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => this.#child.once('exit', () => resolve()));
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), 10_000);
    this.#request({ op: 'close' }).catch(() => {});
    await exited;
    clearTimeout(timer);
  }
}
