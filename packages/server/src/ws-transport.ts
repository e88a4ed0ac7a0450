import type { WebSocket } from 'ws';
import type { ServerTransport, TransportEvents } from './transport.js';

/** Adapts a `ws` socket to a {@link ServerTransport} and feeds its events to `events`. */
export function wsTransport(socket: WebSocket, events: TransportEvents): ServerTransport {
  socket.on('message', (data, isBinary) => {
    events.message(isBinary ? undefined : data.toString());
  });
  socket.once('close', () => events.close());
  // 'error' precedes 'close'; ws closes the socket itself, and without a listener
  // the error would be thrown out of the process.
  socket.on('error', () => {});
  return {
    send(text) {
      if (socket.readyState === socket.OPEN) socket.send(text);
    },
    close(code, reason) {
      socket.close(code, reason);
    },
    terminate() {
      socket.terminate();
    },
    get bufferedAmount() {
      return socket.bufferedAmount;
    },
  };
}
