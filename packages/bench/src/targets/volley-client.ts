// Volley's client on the `ws` package, as on Node 20.
import { createClient } from '@volley/client';
import WebSocket from 'ws';
import type { BenchClient } from './target.js';
import type { VolleyRouter } from './volley-router.js';

/** What a traced client sends with each call: a caller's span, as W3C trace context. */
const TRACE = Object.freeze({
  traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
});

export function connectVolley(url: string): Promise<BenchClient> {
  return connect(createClient<VolleyRouter>({ url, WebSocket }));
}

/** The same client sending trace context with every call, for the `volley-otel` target. */
export function connectVolleyTraced(url: string): Promise<BenchClient> {
  return connect(createClient<VolleyRouter>({ url, WebSocket, trace: () => TRACE }));
}

async function connect(
  client: ReturnType<typeof createClient<VolleyRouter>>,
): Promise<BenchClient> {
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
