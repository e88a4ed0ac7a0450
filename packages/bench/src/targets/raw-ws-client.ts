// The raw ws client: JSON requests correlated to responses by an integer id.
import WebSocket from 'ws';
import type { BenchClient, FanOutEvent } from './target.js';

interface RawMessage {
  id?: number;
  result?: unknown;
  method?: string;
  params?: FanOutEvent;
}

export function connectRawWs(url: string): Promise<BenchClient> {
  const socket = new WebSocket(url, { perMessageDeflate: false });
  const pending = new Map<number, { resolve(result: unknown): void; reject(e: Error): void }>();
  let nextId = 0;
  let onEvent: ((event: FanOutEvent) => void) | undefined;

  socket.on('message', (data) => {
    const message = JSON.parse(String(data)) as RawMessage;
    if (message.id !== undefined) {
      const call = pending.get(message.id);
      pending.delete(message.id);
      call?.resolve(message.result);
    } else if (message.method === 'event' && message.params !== undefined) {
      onEvent?.(message.params);
    }
  });

  socket.on('close', () => {
    for (const call of pending.values()) call.reject(new Error('raw ws connection closed'));
    pending.clear();
  });

  const request = (method: string, params?: unknown) =>
    new Promise<unknown>((resolve, reject) => {
      const id = ++nextId;
      pending.set(id, { resolve, reject });
      socket.send(JSON.stringify({ id, method, params }));
    });

  const client: BenchClient = {
    greet: (name) => request('greet', { name }) as Promise<string>,
    async subscribe(listener) {
      onEvent = listener;
      await request('subscribe');
    },
    close: () =>
      new Promise<void>((resolve) => {
        if (socket.readyState === WebSocket.CLOSED) resolve();
        else {
          socket.once('close', () => resolve());
          socket.close();
        }
      }),
  };
  return new Promise((resolve, reject) => {
    socket.once('open', () => resolve(client));
    socket.once('error', reject);
  });
}
