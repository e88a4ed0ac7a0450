import type { ConnectionState } from '@volley/client';
import { useSyncExternalStore } from 'react';
import type { ConnectionSource } from './types.js';

/**
 * The client's connection state (`idle`, `connecting`, `open`, `reconnecting` or
 * `closed`), re-rendering the component whenever it changes. Reads `client.$state` and
 * listens with `client.$onStateChange`, through `useSyncExternalStore`, so every component
 * sees the same state in the same render. On the server (SSR) it reports `client.$state`
 * as it is. Never throws.
 *
 * @example
 * const state = useConnectionState(client);
 * if (state === 'reconnecting') return <Banner>Reconnecting…</Banner>;
 */
export function useConnectionState(client: ConnectionSource): ConnectionState {
  const read = () => client.$state;
  return useSyncExternalStore(client.$onStateChange, read, read);
}
