// tRPC's ws adapter on a ws server of its own.
import type { AddressInfo } from 'node:net';
import { applyWSSHandler } from '@trpc/server/adapters/ws';
import { WebSocketServer } from 'ws';
import type { BenchServer } from './target.js';
import { emitter, listening, trpcRouter } from './trpc-router.js';

export async function startTrpcServer(): Promise<BenchServer> {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: false });
  await new Promise<void>((resolve) => wss.once('listening', resolve));
  const handler = applyWSSHandler({ wss, router: trpcRouter, createContext: () => ({}) });
  return {
    port: (wss.address() as AddressInfo).port,
    subscriberCount: () => listening.count,
    publish(event) {
      emitter.emit('event', event);
    },
    close: () =>
      new Promise<void>((resolve) => {
        handler.broadcastReconnectNotification();
        for (const socket of wss.clients) socket.terminate();
        wss.close(() => resolve());
      }),
  };
}
