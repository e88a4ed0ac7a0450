// socket.io 4 on the websocket transport only: greet answers through the ack callback,
// and fan-out is a room broadcast.
import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import type { BenchServer } from './target.js';

const ROOM = 't';

export async function startSocketIoServer(): Promise<BenchServer> {
  const http = createHttpServer();
  const io = new Server(http, { transports: ['websocket'], serveClient: false });
  io.on('connection', (socket) => {
    socket.on('greet', (input: { name: string }, ack: (greeting: string) => void) => {
      ack(`Hello, ${input.name}`);
    });
    socket.on('subscribe', (ack: (ok: boolean) => void) => {
      socket.join(ROOM);
      ack(true);
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  return {
    port: (http.address() as AddressInfo).port,
    subscriberCount: () => io.sockets.adapter.rooms.get(ROOM)?.size ?? 0,
    publish(event) {
      io.to(ROOM).emit('event', event);
    },
    close: () => new Promise<void>((resolve) => io.close(() => resolve())),
  };
}
