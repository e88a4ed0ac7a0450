// Idle memory per connection: the server's memory after garbage collection, before and
// after opening N connections that each made one call and then sit idle.
import type { ServerHandle } from '../server-handle.js';
import type { ConnectClient } from '../targets/target.js';
import { closeClients, openClients } from './clients.js';

export interface IdleMemoryOptions {
  connections: number;
}

export interface IdleMemoryResult {
  connections: number;
  rssBytesPerConnection: number;
  heapBytesPerConnection: number;
  /** Memory outside the JS heap (socket buffers and the like) per connection. */
  externalBytesPerConnection: number;
}

/** Connections opened and closed before the baseline, so lazily loaded code is not counted. */
const WARMUP_CONNECTIONS = 20;

export async function measureIdleMemory(
  connect: ConnectClient,
  server: ServerHandle,
  options: IdleMemoryOptions,
): Promise<IdleMemoryResult> {
  await closeClients(await openClients(connect, server.url, WARMUP_CONNECTIONS));
  const before = await server.memory();
  const clients = await openClients(connect, server.url, options.connections);
  try {
    const after = await server.memory();
    const per = (key: keyof typeof before) => (after[key] - before[key]) / options.connections;
    return {
      connections: options.connections,
      rssBytesPerConnection: per('rss'),
      heapBytesPerConnection: per('heapUsed'),
      externalBytesPerConnection: per('external'),
    };
  } finally {
    await closeClients(clients);
  }
}
