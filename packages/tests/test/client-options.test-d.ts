// Types of the client's controls and defaults: what `$onStateChange` listeners receive,
// `$lastDisconnect`, the `Disconnect` kinds, `ConnectionLostError.disconnect`, and
// defaults that cannot be changed.
import {
  type ClientOptions,
  type ConnectionLostError,
  type ConnectionState,
  createClient,
  DEFAULT_CLIENT_HEARTBEAT_INTERVAL_MS,
  DEFAULT_RETRY,
  type Disconnect,
} from '@volley/client';
import { initVolley } from '@volley/core';
import { describe, expectTypeOf, it } from 'vitest';
import WebSocket from 'ws';

const v = initVolley();
const router = v.router({ ping: v.procedure.query(() => 'pong') });
const client = createClient<typeof router>({ url: 'ws://localhost:1', WebSocket, lazy: true });

describe('state and why', () => {
  it('gives listeners the state and, second, why the client is not connected', () => {
    client.$onStateChange((state, disconnect) => {
      expectTypeOf(state).toEqualTypeOf<ConnectionState>();
      expectTypeOf(disconnect).toEqualTypeOf<Disconnect | undefined>();
    });
    // A listener that takes only the state still fits.
    client.$onStateChange((state: ConnectionState) => state);
    expectTypeOf(client.$lastDisconnect).toEqualTypeOf<Disconnect | undefined>();
    // @ts-expect-error read only
    client.$lastDisconnect = undefined;
  });

  it('names each kind, with a code and a reason', () => {
    expectTypeOf<Disconnect['kind']>().toEqualTypeOf<
      'refused' | 'closed' | 'timeout' | 'heartbeat' | 'denied' | 'error'
    >();
    expectTypeOf<Disconnect['code']>().toEqualTypeOf<number>();
    expectTypeOf<Disconnect['reason']>().toEqualTypeOf<string>();
    expectTypeOf<ConnectionLostError['disconnect']>().toEqualTypeOf<Disconnect | undefined>();
  });
});

describe('options and defaults', () => {
  it('takes failFast as a boolean', () => {
    expectTypeOf<ClientOptions['failFast']>().toEqualTypeOf<boolean | undefined>();
  });

  it('has defaults that cannot be assigned', () => {
    expectTypeOf(DEFAULT_CLIENT_HEARTBEAT_INTERVAL_MS).toEqualTypeOf<number>();
    // @ts-expect-error DEFAULT_RETRY is read only
    DEFAULT_RETRY.maxAttempts = 3;
    expectTypeOf(DEFAULT_RETRY.initialDelayMs).toEqualTypeOf<number>();
  });
});
