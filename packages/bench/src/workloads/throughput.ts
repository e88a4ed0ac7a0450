// Throughput with calls pipelined: each connection keeps a fixed number of calls in
// flight for a fixed time. The server's CPU time is read around the timed part.
import type { ServerHandle } from '../server-handle.js';
import { nowMs } from '../stats.js';
import { type BenchClient, type ConnectClient, GREET_NAME } from '../targets/target.js';
import { checkGreeting, closeClients, openClients } from './clients.js';

export interface ThroughputOptions {
  connections: number;
  /** Calls each connection keeps in flight. */
  inFlight: number;
  warmupMs: number;
  durationMs: number;
  /** Profile the server during the timed part and write the profile here. */
  profilePath?: string;
}

export interface ThroughputResult {
  callsPerSecond: number;
  calls: number;
  /** Server process CPU (user + system) per call, in µs. */
  serverCpuUsPerCall: number;
  /** Load generator CPU per call, in µs: what the target's client costs. */
  clientCpuUsPerCall: number;
}

/** Runs every connection's pipeline until `durationMs` has passed; returns calls completed. */
async function pipeline(clients: BenchClient[], inFlight: number, durationMs: number) {
  let stop = false;
  let calls = 0;
  const lane = async (client: BenchClient) => {
    while (!stop) {
      await client.greet(GREET_NAME);
      calls++;
    }
  };
  const timer = setTimeout(() => {
    stop = true;
  }, durationMs);
  const lanes = clients.flatMap((client) => Array.from({ length: inFlight }, () => lane(client)));
  try {
    await Promise.all(lanes);
  } finally {
    // After a failed call too: the other lanes must not run on.
    stop = true;
    clearTimeout(timer);
  }
  return calls;
}

export async function measureThroughput(
  connect: ConnectClient,
  server: ServerHandle,
  options: ThroughputOptions,
): Promise<ThroughputResult> {
  const clients = await openClients(connect, server.url, options.connections);
  try {
    checkGreeting(await clients[0]!.greet(GREET_NAME));
    await pipeline(clients, options.inFlight, options.warmupMs);
    if (options.profilePath !== undefined) await server.profileStart();
    await server.cpuStart();
    const clientCpu = process.cpuUsage();
    const start = nowMs();
    // Calls still in flight when time is up complete inside the window and count.
    const calls = await pipeline(clients, options.inFlight, options.durationMs);
    const elapsedMs = nowMs() - start;
    const clientUsed = process.cpuUsage(clientCpu);
    const serverCpuUs = await server.cpuStop();
    if (options.profilePath !== undefined) await server.profileStop(options.profilePath);
    return {
      callsPerSecond: (calls / elapsedMs) * 1000,
      calls,
      serverCpuUsPerCall: serverCpuUs / calls,
      clientCpuUsPerCall: (clientUsed.user + clientUsed.system) / calls,
    };
  } finally {
    await closeClients(clients);
  }
}
