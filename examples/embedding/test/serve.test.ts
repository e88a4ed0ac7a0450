// `src/serve.ts` runs each recipe as a program; SIGINT and SIGTERM close it gracefully:
// a connected socket is closed with 1001 (going away) and the process exits 0.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type Certificate, makeCertificate } from './certificate.js';

const serve = fileURLToPath(new URL('../src/serve.ts', import.meta.url));
const children: ChildProcess[] = [];
let certificate: Certificate | undefined;

afterEach(async () => {
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
  }
  await certificate?.remove();
  certificate = undefined;
});

/** Starts `serve.ts` with `args` on a free port; resolves with the URLs it says it serves. */
async function start(args: string[]): Promise<{ child: ChildProcess; urls: string[] }> {
  const child = spawn(process.execPath, ['--import', 'tsx', serve, ...args], {
    env: { ...process.env, PORT: '0' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  const exited = once(child, 'exit').then(([code]) => {
    throw new Error(`serve.ts ${args.join(' ')} exited (${code}) before listening`);
  });
  const lines = createInterface({ input: child.stdout! });
  const listening = (async () => {
    for await (const line of lines) {
      if (line.includes('Volley listening on')) return line.match(/wss?:\/\/\S+/g) ?? [];
    }
    return [];
  })();
  const urls = await Promise.race([listening, exited]);
  return { child, urls };
}

/** Opens a socket, makes one call and resolves with the answer's result. */
async function whoami(socket: WebSocket): Promise<unknown> {
  await once(socket, 'open');
  socket.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'whoami' }));
  const [data] = await once(socket, 'message');
  return JSON.parse(String(data)).result;
}

it.each([
  ['http', 'SIGINT', ['http']],
  ['express', 'SIGTERM', ['express']],
  ['fastify', 'SIGINT', ['fastify']],
  ['two-routers', 'SIGTERM', ['public', 'admin']],
  ['tls', 'SIGINT', ['tls']],
] as const)(
  '%s: serves, then closes with 1001 and exits 0 on %s',
  async (recipe, signal, names) => {
    const args: string[] = [recipe];
    if (recipe === 'tls') {
      certificate = await makeCertificate();
      args.push('--key', certificate.keyFile, '--cert', certificate.certFile);
    }
    const { child, urls } = await start(args);
    expect(urls).toHaveLength(names.length);
    const sockets = urls.map((url) => new WebSocket(url, { ca: certificate?.cert }));
    expect(await Promise.all(sockets.map(whoami))).toEqual(names);

    const closes = Promise.all(sockets.map((socket) => once(socket, 'close')));
    const exit = once(child, 'exit');
    child.kill(signal);
    expect((await closes).map(([code]) => code)).toEqual(names.map(() => 1001));
    expect(await exit).toEqual([0, null]);
  },
);

it('names the recipes and exits 2 when given none', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', serve], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  children.push(child);
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const [code] = await once(child, 'exit');
  expect(code).toBe(2);
  expect(stderr).toContain('http|express|fastify|two-routers|tls');
});
