// `pnpm demo`: starts the quickstart server in its own process on a free port, runs
// the client against it, prints what both say, and exits with the client's status.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));

function run(file: string, env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', here(file)], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
}

function prefixLines(child: ChildProcess, prefix: string, onLine?: (line: string) => void): void {
  let rest = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    const lines = (rest + chunk).split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) {
      console.log(`${prefix} ${line}`);
      onLine?.(line);
    }
  });
}

const server = run('./server.ts', { PORT: '0' });
const url = await new Promise<string>((resolve, reject) => {
  const timer = setTimeout(() => reject(new Error('The server did not start within 30 s')), 30_000);
  server.once('exit', (code) => reject(new Error(`The server exited early (${code})`)));
  prefixLines(server, '[server]', (line) => {
    const match = /ws:\/\/\S+/.exec(line);
    if (match) {
      clearTimeout(timer);
      resolve(match[0]);
    }
  });
});

const client = run('./client.ts', { VOLLEY_URL: url });
prefixLines(client, '[client]');
const [code] = await once(client, 'exit');
server.kill('SIGTERM');
await once(server, 'exit');
console.log(code === 0 ? 'demo: done' : `demo: client failed with exit code ${code}`);
process.exit(code ?? 1);
