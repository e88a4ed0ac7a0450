// Where each target's server and client live. Imported lazily, so the server process
// loads only its own target and the load generator loads no server code.
import type { ConnectClient, StartServer, TargetName } from './target.js';

export async function loadServer(name: TargetName): Promise<StartServer> {
  switch (name) {
    case 'raw-ws':
      return (await import('./raw-ws-server.js')).startRawWsServer;
    case 'volley':
      return (await import('./volley-server.js')).startVolleyServer;
    case 'volley-otel':
      return (await import('./volley-otel-server.js')).startVolleyOtelServer;
    case 'trpc':
      return (await import('./trpc-server.js')).startTrpcServer;
    case 'socket-io':
      return (await import('./socket-io-server.js')).startSocketIoServer;
  }
}

export async function loadClient(name: TargetName): Promise<ConnectClient> {
  switch (name) {
    case 'raw-ws':
      return (await import('./raw-ws-client.js')).connectRawWs;
    case 'volley':
      return (await import('./volley-client.js')).connectVolley;
    case 'volley-otel':
      return (await import('./volley-client.js')).connectVolleyTraced;
    case 'trpc':
      return (await import('./trpc-client.js')).connectTrpc;
    case 'socket-io':
      return (await import('./socket-io-client.js')).connectSocketIo;
  }
}
