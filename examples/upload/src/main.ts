// Runs the server and a client in one process: the client uploads 100 KiB with a
// progress line, and answers the server's confirmation (here: yes below 1 MiB).
import { createServer } from '@volley/server';
import WebSocket from 'ws';
import { connect } from './client.js';
import { createUploadRouter } from './routers.js';
import { upload } from './upload.js';

const store = new Map<string, Buffer>();
const server = createServer({ router: createUploadRouter(store) });
const { port } = await server.listen(0, '127.0.0.1');
const client = connect(
  `ws://127.0.0.1:${port}`,
  (name, size) => {
    console.log(`server asks: store ${name} (${size} B)? yes`);
    return size < 1024 * 1024;
  },
  WebSocket,
);
const bytes = new Uint8Array(100 * 1024).map((_, index) => index % 251);
const result = await upload(client, 'photo.bin', bytes, (sent, total) => {
  console.log(`progress ${Math.round((sent / total) * 100)}%`);
});
console.log(`stored ${result.stored} B`);
await client.$close();
await server.close();
