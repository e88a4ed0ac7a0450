import { createServer } from '@volley/server';
import { chatContext, createChatRouter } from './router.js';

const server = createServer({
  router: createChatRouter(),
  createContext: ({ request }) => chatContext(request.url),
});
const { port } = await server.listen(Number(process.env.PORT ?? 3001));
console.log(`Chat server on ws://localhost:${port}`);
