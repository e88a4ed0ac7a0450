// Runs the scale measurements: fan-out and cross-node latency on every system (repeated,
// rotating the order so drift on a busy machine spreads over all of them), then the soak
// (Volley and raw ws) and the stretch (Volley), each against fresh server processes.
import { join } from 'node:path';
import type { BenchOptions } from '../options.js';
import { ServerHandle } from '../server-handle.js';
import { nowMs } from '../stats.js';
import { loadClient } from '../targets/registry.js';
import type { TargetName } from '../targets/target.js';
import { type CrossNodeLatencyResult, measureCrossNodeLatency } from './cross-node-latency.js';
import { type BenchRedis, startBenchRedis } from './redis-server.js';
import { measureScaleFanOut, type ScaleFanOutResult } from './scale-fan-out.js';
import { SCALE_CONFIG_ENV, type ScaleServerConfig } from './scale-servers.js';
import { measureSoak, type SoakResult } from './soak.js';
import { newCounters, rawSoakClient, volleySoakClient } from './soak-clients.js';
import { SCALE_SYSTEMS, type ScaleSystem, SYSTEMS, startSystem, stopSystem } from './topology.js';

/** One system's figures of a workload: one per repetition that produced one. */
export interface SystemRuns<T> {
  runs: T[];
  errors: string[];
}

/** The soak (or stretch) on one target. */
export interface SoakRun {
  target: TargetName;
  /** Connections asked for; `result.connections` is what was opened. */
  asked: number;
  result?: SoakResult;
  error?: string;
}

export interface ScaleResults {
  fanOut?: Record<ScaleSystem, SystemRuns<ScaleFanOutResult>>;
  latency?: Record<ScaleSystem, SystemRuns<CrossNodeLatencyResult>>;
  soak?: SoakRun[];
  stretch?: SoakRun;
  profiles: string[];
  notes: string[];
}

/** Loopback addresses the soak and stretch clients bind to in turn: 127.0.0.2 to .17. */
export const LOOPBACK_SOURCES = Array.from({ length: 16 }, (_, i) => `127.0.0.${i + 2}`);

/** The server heartbeat in the fan-out and latency runs: Volley's default, 30 s. */
const FAN_OUT_HEARTBEAT_MS = 30_000;

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

function emptyRuns<T>(): Record<ScaleSystem, SystemRuns<T>> {
  const runs = {} as Record<ScaleSystem, SystemRuns<T>>;
  for (const system of SCALE_SYSTEMS) runs[system] = { runs: [], errors: [] };
  return runs;
}

/**
 * Runs the selected scale measurements. `fdUsable` is how many sockets one process may
 * open (the stretch is cut to it, and says so).
 */
export async function runScale(
  options: BenchOptions,
  profileDir: string,
  fdUsable: number,
  log: (line: string) => void,
): Promise<ScaleResults> {
  const { scale } = options;
  const results: ScaleResults = { profiles: [], notes: [] };
  const fanOut = options.only.has('scale-fanout');
  const latency = options.only.has('scale-latency');
  if (fanOut || latency) {
    const redis = await startBenchRedis();
    log(`Started redis-server (${redis.url}, no persistence) for the scale workloads.`);
    try {
      await runSystems(options, redis, profileDir, results, log);
    } finally {
      await redis.close();
    }
  }
  if (options.only.has('soak')) {
    results.soak = [];
    for (const target of ['volley', 'raw-ws'] as const) {
      results.soak.push(await runSoak(target, scale.soak, scale.soak.connections, log, 'soak'));
    }
  }
  if (options.only.has('stretch')) {
    const asked = scale.stretch.connections;
    const connections = Math.min(asked, fdUsable);
    if (connections < asked) {
      results.notes.push(
        `Stretch: ${asked.toLocaleString('en-US')} connections on one node were asked for, but one process may open only ${fdUsable.toLocaleString('en-US')} sockets here (see the open-file note): so it opened ${connections.toLocaleString('en-US')}.`,
      );
    }
    results.stretch = await runSoak('volley', scale.stretch, connections, log, 'stretch', asked);
  }
  return results;
}

async function runSystems(
  options: BenchOptions,
  redis: BenchRedis,
  profileDir: string,
  results: ScaleResults,
  log: (line: string) => void,
): Promise<void> {
  const { scale } = options;
  const fanOut = options.only.has('scale-fanout');
  const latency = options.only.has('scale-latency');
  if (fanOut) results.fanOut = emptyRuns();
  if (latency) results.latency = emptyRuns();
  for (let rep = 0; rep < scale.reps; rep++) {
    const shift = rep % SCALE_SYSTEMS.length;
    const order = [...SCALE_SYSTEMS.slice(shift), ...SCALE_SYSTEMS.slice(0, shift)];
    for (const system of order) {
      const where = `[scale ${rep + 1}/${scale.reps}] ${system.padEnd(15)}`;
      const connect = await loadClient(SYSTEMS[system].target);
      let nodes: ServerHandle[];
      try {
        nodes = await startSystem(system, {
          redisUrl: redis.url,
          keyPrefix: `bench:${process.pid}:${rep}:${system}:`,
          heartbeatMs: FAN_OUT_HEARTBEAT_MS,
        });
      } catch (error) {
        const text = `servers did not start: ${message(error)}`;
        log(`${where} ${text}`);
        results.fanOut?.[system].errors.push(text);
        results.latency?.[system].errors.push(text);
        continue;
      }
      try {
        if (fanOut) {
          const start = nowMs();
          try {
            const r = await measureScaleFanOut(connect, nodes, scale.fanOut, redis);
            results.fanOut![system].runs.push(r);
            const cpu = r.nodeCpuUsPerDelivery.map((us) => us.toFixed(2)).join(' / ');
            log(
              `${where} fan-out ${Math.round(r.eventsPerSecond)} events/s, ${Math.round(r.perNodeEventsPerSecond)} per node, node CPU ${cpu} µs/delivery (${((nowMs() - start) / 1000).toFixed(1)} s)`,
            );
          } catch (error) {
            results.fanOut![system].errors.push(message(error));
            log(`${where} fan-out FAILED: ${message(error)}`);
          }
          if (options.profile === SYSTEMS[system].target && rep === scale.reps - 1) {
            try {
              const r = await measureScaleFanOut(connect, nodes, {
                ...scale.fanOut,
                profilePrefix: join(profileDir, `scale-${system}-fan-out`),
              });
              results.profiles.push(...r.profiles);
              log(`${where} profiled an extra, unrecorded fan-out: ${r.profiles.join(', ')}`);
            } catch (error) {
              log(`${where} profiling FAILED: ${message(error)}`);
            }
          }
        }
        if (latency) {
          try {
            const r = await measureCrossNodeLatency(connect, nodes, scale.latency);
            results.latency![system].runs.push(r);
            log(
              `${where} publish-to-deliver p50 ${r.p50Ms.toFixed(2)} ms, p99 ${r.p99Ms.toFixed(2)} ms (${r.samples} samples)`,
            );
          } catch (error) {
            results.latency![system].errors.push(message(error));
            log(`${where} latency FAILED: ${message(error)}`);
          }
        }
      } finally {
        await stopSystem(nodes);
      }
    }
  }
}

async function runSoak(
  target: 'volley' | 'raw-ws',
  spec: { holdMs: number; heartbeatMs: number; clientHeartbeatMs?: number },
  connections: number,
  log: (line: string) => void,
  name: string,
  asked = connections,
): Promise<SoakRun> {
  const where = `[${name}] ${target.padEnd(7)}`;
  const config: ScaleServerConfig = { heartbeatMs: spec.heartbeatMs };
  let server: ServerHandle;
  try {
    server = await ServerHandle.start(target, { [SCALE_CONFIG_ENV]: JSON.stringify(config) });
  } catch (error) {
    return { target, asked, error: `server did not start: ${message(error)}` };
  }
  const counters = newCounters();
  const clientMs = spec.clientHeartbeatMs ?? spec.heartbeatMs;
  const connect =
    target === 'volley' ? volleySoakClient(counters, clientMs) : rawSoakClient(counters, clientMs);
  log(
    `${where} opening ${connections.toLocaleString('en-US')} connections, heartbeats every ${spec.heartbeatMs / 1000} s (server) and ${clientMs / 1000} s (clients), holding ${spec.holdMs / 1000} s…`,
  );
  try {
    const result = await measureSoak(connect, counters, server, {
      connections,
      holdMs: spec.holdMs,
      localAddresses: LOOPBACK_SOURCES,
      progress: (line) => log(`${where} ${line}`),
    });
    log(
      `${where} held ${result.heldAtEnd} of ${result.connections}, RSS/conn ${Math.round(result.rssBytesPerConnectionStart)} → ${Math.round(result.rssBytesPerConnectionEnd)} B, ${result.serverCpuUsPerHeartbeat.toFixed(2)} µs CPU per heartbeat`,
    );
    return { target, asked, result };
  } catch (error) {
    log(`${where} FAILED: ${message(error)}`);
    return { target, asked, error: message(error) };
  } finally {
    await server.close();
  }
}
