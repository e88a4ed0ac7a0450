// socket.io's client on the websocket transport only, one manager per connection.
import { io } from 'socket.io-client';
import type { BenchClient, FanOutEvent } from './target.js';

export function connectSocketIo(url: string): Promise<BenchClient> {
  const socket = io(url.replace(/^ws:/, 'http:'), {
    transports: ['websocket'],
    forceNew: true,
    reconnection: false,
  });
  const client: BenchClient = {
    greet: (name) => socket.emitWithAck('greet', { name }) as Promise<string>,
    async subscribe(onEvent) {
      socket.on('event', (event: FanOutEvent) => onEvent(event));
      await socket.emitWithAck('subscribe');
    },
    close: () =>
      new Promise<void>((resolve) => {
        if (socket.disconnected) resolve();
        else {
          socket.once('disconnect', () => resolve());
          socket.disconnect();
        }
      }),
  };
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(client));
    socket.once('connect_error', reject);
  });
}
