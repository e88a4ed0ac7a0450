import { createClient } from '@volley/client';
import { createServer } from '@volley/server';
import { afterEach, expect, it } from 'vitest';
import { createTodoRouter, type Todo, type TodoRouter } from '../src/router.js';

// The real server and client, over the real protocol, with no port: the user comes
// from the URL, as a real app might take it from a cookie or a token.
const server = createServer({
  router: createTodoRouter(),
  createContext: ({ request }) => ({
    user: new URL(request.url ?? '/', 'memory://test').searchParams.get('user'),
  }),
});
const client = createClient<TodoRouter>({
  url: 'memory://test/?user=ada',
  WebSocket: server.inMemoryWebSocket(),
});

afterEach(async () => {
  await client.$close();
  await server.close();
});

it('sees a todo added by a mutation arrive on a subscription', async () => {
  let onData!: (todo: Todo) => void;
  const received = new Promise<Todo>((resolve) => {
    onData = resolve;
  });
  // Subscribed once the server says so; then the mutation's event cannot be missed.
  await new Promise<void>((onStarted) =>
    client.onAdded.subscribe(undefined, { onStarted, onData }),
  );
  const todo = await client.add.mutate({ title: 'Ship it' });
  expect(await received).toEqual(todo);
});
