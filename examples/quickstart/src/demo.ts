// `pnpm demo`: starts the quickstart server in its own process on a free port, runs
// the client against it, prints what both say, stops the server with SIGTERM, and exits 0
// when both ended well.
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
// The server closes gracefully on SIGTERM and exits 0; anything else is a failure too.
server.kill('SIGTERM');
const [serverCode, serverSignal] = await once(server, 'exit');
if (code !== 0) console.log(`demo: client failed with exit code ${code}`);
else if (serverCode !== 0) console.log(`demo: server ended with ${serverSignal ?? serverCode}`);
else console.log('demo: done');
process.exit(code === 0 && serverCode === 0 ? 0 : 1);
