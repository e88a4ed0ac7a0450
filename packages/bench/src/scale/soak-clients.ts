// The soak's clients: Volley's client with its heartbeat on, and a raw ws client that pings
// as often. Both count the heartbeats they see (server pings they answer, pings they send)
// and the connections that dropped, and can bind to a given loopback address, so tens of
// thousands of sockets do not exhaust one address's ephemeral ports.
import { createClient } from '@volley/client';
import WebSocket from 'ws';
import { GREET_NAME } from '../targets/target.js';
import type { VolleyRouter } from '../targets/volley-router.js';
import { checkGreeting } from '../workloads/clients.js';

/** What the soak's clients count, all together. */
export interface HeartbeatCounters {
  /** Server heartbeats (WebSocket pings) the clients answered. */
  serverPings: number;
  /** Heartbeats the clients sent (Volley: `rpc.ping` requests; raw ws: ping frames). */
  clientPings: number;
  /** Connections that closed without the bench closing them. */
  drops: number;
}

export function newCounters(): HeartbeatCounters {
  return { serverPings: 0, clientPings: 0, drops: 0 };
}

/** One idle soak connection. */
export interface SoakClient {
  close(): Promise<void>;
}

/** Opens a soak connection from `localAddress` (or the default) and makes one call. */
export type SoakConnect = (url: string, localAddress: string | undefined) => Promise<SoakClient>;

/** Volley's client, its heartbeat every `heartbeatMs`, over a `ws` socket that counts. */
export function volleySoakClient(counters: HeartbeatCounters, heartbeatMs: number): SoakConnect {
  return async (url, localAddress) => {
    let closing = false;
    class CountingWebSocket extends WebSocket {
      constructor(address: string, protocols?: string | string[]) {
        super(address, protocols, { perMessageDeflate: false, localAddress });
        this.on('ping', () => counters.serverPings++);
        this.on('close', () => {
          if (!closing) counters.drops++;
        });
      }
      override send(data: unknown, ...rest: unknown[]): void {
        if (typeof data === 'string' && data.includes('"rpc.ping"')) counters.clientPings++;
        (super.send as (...args: unknown[]) => void)(data, ...rest);
      }
    }
    const client = createClient<VolleyRouter>({
      url,
      WebSocket: CountingWebSocket,
      heartbeatIntervalMs: heartbeatMs,
    });
    checkGreeting(await client.greet.query({ name: GREET_NAME }));
    return {
      close: () => {
        closing = true;
        return client.$close();
      },
    };
  };
}

/** A raw ws client that pings every `heartbeatMs` (one timer per connection, as Volley's). */
export function rawSoakClient(counters: HeartbeatCounters, heartbeatMs: number): SoakConnect {
  return (url, localAddress) =>
    new Promise((resolve, reject) => {
      const socket = new WebSocket(url, { perMessageDeflate: false, localAddress });
      let closing = false;
      let timer: ReturnType<typeof setInterval> | undefined;
      socket.on('ping', () => counters.serverPings++);
      socket.on('close', () => {
        clearInterval(timer);
        if (!closing) counters.drops++;
      });
      socket.once('error', reject);
      socket.once('open', () => {
        socket.send(JSON.stringify({ id: 1, method: 'greet', params: { name: GREET_NAME } }));
        socket.once('message', (data) => {
          checkGreeting((JSON.parse(String(data)) as { result: unknown }).result);
          if (heartbeatMs > 0) {
            timer = setInterval(() => {
              counters.clientPings++;
              socket.ping();
            }, heartbeatMs);
          }
          resolve({
            close: () =>
              new Promise<void>((done) => {
                closing = true;
                clearInterval(timer);
                if (socket.readyState === WebSocket.CLOSED) done();
                else {
                  socket.once('close', () => done());
                  socket.close();
                }
              }),
          });
        });
      });
    });
}
