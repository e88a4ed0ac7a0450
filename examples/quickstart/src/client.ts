import { createClient } from '@volley/client';
import WebSocket from 'ws';
import type { AppRouter } from './server.js';

const client = createClient<AppRouter>({
  url: process.env.VOLLEY_URL ?? 'ws://localhost:3000',
  WebSocket, // Node 20 has no global WebSocket; browsers and Node 22+ can leave this out.
});

for await (const message of client.welcome.subscribe()) console.log(message);
console.log(await client.echo.query('Hello Server!'));
console.log(await client.greet.query({ name: 'Ada' }));
for await (const tick of client.ticks.subscribe({ count: 3 })) console.log(`tick ${tick}`);

await client.$close();
