// The ceiling for JSON over ws: parse, answer with the request's id, nothing else.
// Fan-out serializes each event once and sends the same string to every subscriber.
import type { AddressInfo } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';
import type { BenchServer, FanOutEvent } from './target.js';

interface RawRequest {
  id: number;
  method: string;
  params?: { name?: string };
}

/**
 * Starts the raw ws server. With `heartbeatMs` (the soak's), it pings every socket that
 * often and terminates one that did not answer the previous ping: ws's documented pattern.
 */
export async function startRawWsServer(
  options: { heartbeatMs?: number } = {},
): Promise<BenchServer> {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: false });
  await new Promise<void>((resolve) => wss.once('listening', resolve));
  const subscribers = new Set<WebSocket>();
  const awaitingPong = new WeakSet<WebSocket>();
  const heartbeat =
    options.heartbeatMs !== undefined && options.heartbeatMs > 0
      ? setInterval(() => {
          for (const socket of wss.clients) {
            if (awaitingPong.has(socket)) {
              socket.terminate();
              continue;
            }
            awaitingPong.add(socket);
            socket.ping();
          }
        }, options.heartbeatMs)
      : undefined;

  wss.on('connection', (socket) => {
    socket.on('pong', () => awaitingPong.delete(socket));
    socket.on('message', (data, isBinary) => {
      // The binary workload's ceiling: the frame back as it came.
      if (isBinary) {
        socket.send(data, { binary: true });
        return;
      }
      const request = JSON.parse(String(data)) as RawRequest;
      if (request.method === 'echoBase64') {
        socket.send(JSON.stringify({ id: request.id, result: request.params }));
      } else if (request.method === 'greet') {
        socket.send(JSON.stringify({ id: request.id, result: `Hello, ${request.params?.name}` }));
      } else if (request.method === 'subscribe') {
        subscribers.add(socket);
        socket.send(JSON.stringify({ id: request.id, result: true }));
      }
    });
    socket.on('close', () => subscribers.delete(socket));
  });

  return {
    port: (wss.address() as AddressInfo).port,
    subscriberCount: () => subscribers.size,
    publish(event: FanOutEvent) {
      const frame = JSON.stringify({ method: 'event', params: event });
      for (const socket of subscribers) socket.send(frame);
    },
    connectionCount: () => wss.clients.size,
    close: () =>
      new Promise<void>((resolve) => {
        clearInterval(heartbeat);
        for (const socket of wss.clients) socket.terminate();
        wss.close(() => resolve());
      }),
  };
}
