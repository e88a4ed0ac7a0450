import { createServer } from '@volley/server';
import { chatContext, createChatRouter } from './router.js';

const server = createServer({
  router: createChatRouter(),
  createContext: ({ request }) => chatContext(request.url),
});
const { port } = await server.listen(Number(process.env.PORT ?? 3001));
console.log(`Chat server on ws://localhost:${port}`);

// Ctrl-C or SIGTERM: close gracefully (sockets end with 1001), then exit 0. Once only:
// under pnpm, Ctrl-C arrives twice (from the terminal and passed on by pnpm).
let closing = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, async () => {
    if (closing) return;
    closing = true;
    await server.close();
    process.exit(0);
  });
}
