// Volley's client on the `ws` package, as on Node 20.
import { createClient } from '@volley/client';
import WebSocket from 'ws';
import type { BenchClient } from './target.js';
import type { VolleyRouter } from './volley-router.js';

export async function connectVolley(url: string): Promise<BenchClient> {
  const client = createClient<VolleyRouter>({ url, WebSocket });
  return {
    greet: (name) => client.greet.query({ name }),
    subscribe: (onEvent) =>
      new Promise<void>((resolve, reject) => {
        client.events.subscribe(undefined, {
          onStarted: () => resolve(),
          onData: onEvent,
          onError: reject,
        });
      }),
    close: () => client.$close(),
  };
}
