// Runs one recipe as a program: `pnpm --filter embedding-example start express`.
// Recipes: http, express, fastify, two-routers, and tls (with `--key key.pem --cert cert.pem`).
// PORT picks the port (default 3002). Ctrl-C (SIGINT) or SIGTERM closes Volley and the
// server under it, then exits 0.
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { startWithExpress } from './express.js';
import { startWithFastify } from './fastify.js';
import { startOnHttpServer } from './http-server.js';
import { startOverTls } from './https.js';
import { startTwoRouters } from './no-server.js';
import type { Running } from './router.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { key: { type: 'string' }, cert: { type: 'string' } },
});

const recipes: Record<string, { start: (port: number) => Promise<Running>; urls: string[] }> = {
  http: { start: startOnHttpServer, urls: ['ws://127.0.0.1:PORT/rpc'] },
  express: { start: startWithExpress, urls: ['ws://127.0.0.1:PORT/rpc'] },
  fastify: { start: startWithFastify, urls: ['ws://127.0.0.1:PORT/rpc'] },
  'two-routers': {
    start: startTwoRouters,
    urls: ['ws://127.0.0.1:PORT/public', 'ws://127.0.0.1:PORT/admin'],
  },
  tls: {
    async start(port) {
      if (values.key === undefined || values.cert === undefined) {
        throw new Error('The tls recipe needs --key key.pem --cert cert.pem');
      }
      const tls = { key: await readFile(values.key), cert: await readFile(values.cert) };
      return startOverTls(tls, port);
    },
    urls: ['wss://127.0.0.1:PORT/rpc'],
  },
};

const name = positionals[0] ?? '';
const recipe = recipes[name];
if (recipe === undefined) {
  console.error(`Usage: serve.ts <${Object.keys(recipes).join('|')}> [--key file --cert file]`);
  process.exit(2);
}

const running = await recipe.start(Number(process.env.PORT ?? 3002));
const urls = recipe.urls.map((url) => url.replace('PORT', String(running.port)));
console.log(`${name}: Volley listening on ${urls.join(' and ')}`);

// Once only: under pnpm, Ctrl-C arrives twice (from the terminal and passed on by pnpm).
let closing = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, async () => {
    if (closing) return;
    closing = true;
    await running.close();
    process.exit(0);
  });
}
