// tRPC's client: createWSClient plus wsLink, on the `ws` package.
import { createTRPCClient, createWSClient, wsLink } from '@trpc/client';
import WebSocket from 'ws';
import type { BenchClient } from './target.js';
import type { TrpcRouter } from './trpc-router.js';

export function connectTrpc(url: string): Promise<BenchClient> {
  return new Promise((resolve, reject) => {
    const wsClient = createWSClient({
      url,
      // ws implements the browser WebSocket API tRPC expects; its types differ in detail.
      WebSocket: WebSocket as unknown as typeof globalThis.WebSocket,
      retryDelayMs: () => 60_000,
      onOpen: () => resolve(client),
      onError: (event) => reject(new Error('tRPC client could not connect', { cause: event })),
    });
    const trpc = createTRPCClient<TrpcRouter>({ links: [wsLink({ client: wsClient })] });
    const client: BenchClient = {
      greet: (name) => trpc.greet.query({ name }),
      subscribe: (onEvent) =>
        new Promise<void>((started, failed) => {
          trpc.events.subscribe(undefined, {
            onStarted: () => started(),
            onData: onEvent,
            onError: failed,
          });
        }),
      close: () => wsClient.close(),
    };
  });
}
