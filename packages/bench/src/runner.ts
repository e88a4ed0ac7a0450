// Runs the socket workloads: each repetition starts every target's server in its own
// process, then runs each workload on every target in turn, rotating the order from one
// repetition to the next so that drift on a busy machine spreads over all of them.
// Latency, the most sensitive to drift, interleaves the targets within the workload too.
import { join } from 'node:path';
import type { BenchOptions, MeasurementName } from './options.js';
import type { MetricKey } from './report/results.js';
import { ServerHandle } from './server-handle.js';
import { nowMs } from './stats.js';
import { loadClient } from './targets/registry.js';
import type { ConnectClient, TargetName } from './targets/target.js';
import { measureFanOut } from './workloads/fan-out.js';
import { measureIdleMemory } from './workloads/idle-memory.js';
import { type LatencyTarget, measureLatency } from './workloads/latency.js';
import { measureThroughput } from './workloads/throughput.js';

/** Every figure of every repetition, and what went wrong, per metric and target. */
export type Samples = Map<MetricKey, Map<TargetName, TargetSamples>>;

/** One target's figures for one metric, a figure per repetition that produced one. */
export interface TargetSamples {
  runs: number[];
  errors: string[];
}

/** The socket workloads, in the order they run: memory first, while each server is fresh. */
export const SOCKET_WORKLOADS = [
  'memory',
  'latency',
  'throughput-1',
  'throughput-64',
  'fan-out',
] as const satisfies readonly MeasurementName[];

type Workload = (typeof SOCKET_WORKLOADS)[number];

/** Which metrics a workload yields; all of them fail together when it fails. */
const METRICS_OF: Record<Workload, MetricKey[]> = {
  memory: ['idleRssBytesPerConnection', 'idleHeapBytesPerConnection'],
  latency: ['latencyP50Us', 'latencyP99Us'],
  'throughput-1': ['callsPerSecond1x256', 'serverCpuUsPerCall', 'clientCpuUsPerCall'],
  'throughput-64': ['callsPerSecond64x16'],
  'fan-out': ['fanOutEventsPerSecond', 'fanOutServerCpuUsPerEvent'],
};

/** The workloads `--profile` profiles, and the name of each profile. */
const PROFILED: Partial<Record<Workload, string>> = {
  'throughput-1': 'pipelined',
  'fan-out': 'fan-out',
};

export type Log = (line: string) => void;

/** Runs one target's share of a workload; latency, all targets at once, is runLatency. */
async function runWorkload(
  workload: Exclude<Workload, 'latency'>,
  connect: ConnectClient,
  server: ServerHandle,
  options: BenchOptions,
  profilePath?: string,
): Promise<Partial<Record<MetricKey, number>>> {
  switch (workload) {
    case 'memory': {
      const r = await measureIdleMemory(connect, server, options.memory);
      return {
        idleRssBytesPerConnection: r.rssBytesPerConnection,
        idleHeapBytesPerConnection: r.heapBytesPerConnection,
      };
    }
    case 'throughput-1': {
      const r = await measureThroughput(connect, server, {
        connections: 1,
        inFlight: 256,
        ...options.throughput,
        profilePath,
      });
      return {
        callsPerSecond1x256: r.callsPerSecond,
        serverCpuUsPerCall: r.serverCpuUsPerCall,
        clientCpuUsPerCall: r.clientCpuUsPerCall,
      };
    }
    case 'throughput-64': {
      const r = await measureThroughput(connect, server, {
        connections: 64,
        inFlight: 16,
        ...options.throughput,
      });
      return { callsPerSecond64x16: r.callsPerSecond };
    }
    case 'fan-out': {
      const r = await measureFanOut(connect, server, { ...options.fanOut, profilePath });
      return {
        fanOutEventsPerSecond: r.eventsPerSecond,
        fanOutServerCpuUsPerEvent: r.serverCpuUsPerEvent,
      };
    }
  }
}

/** One repetition of the latency workload: every target in `order`, interleaved. */
async function runLatency(
  order: TargetName[],
  servers: ReadonlyMap<TargetName, ServerHandle>,
  options: BenchOptions,
): Promise<Map<TargetName, Partial<Record<MetricKey, number>>>> {
  const targets = new Map<TargetName, LatencyTarget>();
  for (const target of order) {
    targets.set(target, { connect: await loadClient(target), url: servers.get(target)!.url });
  }
  const results = await measureLatency(targets, options.latency);
  const figures = new Map<TargetName, Partial<Record<MetricKey, number>>>();
  for (const [target, r] of results) {
    figures.set(target, { latencyP50Us: r.p50Us, latencyP99Us: r.p99Us });
  }
  return figures;
}

function describe(figures: Partial<Record<MetricKey, number>>): string {
  return Object.entries(figures)
    .map(([key, value]) => `${key} ${value.toFixed(value < 10 ? 2 : value < 100 ? 1 : 0)}`)
    .join(', ');
}

/**
 * Runs the selected socket workloads `options.reps` times. With `options.profile`, one
 * more, unrecorded 1 × 256 run and fan-out run profile that target's server into
 * `profileDir`.
 */
export async function runWorkloads(
  options: BenchOptions,
  profileDir: string,
  log: Log,
): Promise<{ samples: Samples; profiles: string[] }> {
  const samples: Samples = new Map();
  const record = (metric: MetricKey, target: TargetName) => {
    const byTarget = samples.get(metric) ?? new Map<TargetName, TargetSamples>();
    samples.set(metric, byTarget);
    const entry: TargetSamples = byTarget.get(target) ?? { runs: [], errors: [] };
    byTarget.set(target, entry);
    return entry;
  };
  const workloads = SOCKET_WORKLOADS.filter((w) => options.only.has(w));
  const profiles: string[] = [];
  if (workloads.length === 0) return { samples, profiles };

  for (let rep = 0; rep < options.reps; rep++) {
    const shift = rep % options.targets.length;
    const rotated = [...options.targets.slice(shift), ...options.targets.slice(0, shift)];
    const servers = new Map<TargetName, ServerHandle>();
    const starts = await Promise.allSettled(rotated.map((target) => ServerHandle.start(target)));
    starts.forEach((start, index) => {
      const target = rotated[index]!;
      if (start.status === 'fulfilled') servers.set(target, start.value);
      else {
        const message = `server did not start: ${start.reason}`;
        log(`[rep ${rep + 1}/${options.reps}] ${target}: ${message}`);
        for (const workload of workloads) {
          for (const metric of METRICS_OF[workload]) record(metric, target).errors.push(message);
        }
      }
    });
    const order = rotated.filter((target) => servers.has(target));
    try {
      for (const workload of workloads) {
        if (workload === 'latency') {
          const where = `[rep ${rep + 1}/${options.reps}] ${workload.padEnd(13)}`;
          const start = nowMs();
          try {
            const figures = await runLatency(order, servers, options);
            const took = ((nowMs() - start) / 1000).toFixed(1);
            for (const [target, values] of figures) {
              for (const [metric, value] of Object.entries(values)) {
                record(metric as MetricKey, target).runs.push(value);
              }
              log(`${where} ${target.padEnd(9)} ${describe(values)} (all targets: ${took} s)`);
            }
          } catch (error) {
            const message = error instanceof Error ? error.message : String(error);
            for (const target of order) {
              for (const metric of METRICS_OF.latency) record(metric, target).errors.push(message);
            }
            log(`${where} FAILED: ${message}`);
          }
          continue;
        }
        for (const target of order) {
          const connect = await loadClient(target);
          const server = servers.get(target)!;
          const where = `[rep ${rep + 1}/${options.reps}] ${workload.padEnd(13)} ${target.padEnd(9)}`;
          const start = nowMs();
          try {
            const figures = await runWorkload(workload, connect, server, options);
            for (const [metric, value] of Object.entries(figures)) {
              record(metric as MetricKey, target).runs.push(value);
            }
            log(`${where} ${describe(figures)} (${((nowMs() - start) / 1000).toFixed(1)} s)`);
          } catch (error) {
            const message = error instanceof Error ? error.message : String(error);
            for (const metric of METRICS_OF[workload]) record(metric, target).errors.push(message);
            log(`${where} FAILED: ${message}`);
          }
          const last = rep === options.reps - 1;
          if (last && options.profile === target && PROFILED[workload] !== undefined) {
            const path = join(profileDir, `${target}-${PROFILED[workload]}.cpuprofile`);
            try {
              await runWorkload(workload, connect, server, options, path);
              profiles.push(path);
              log(`${where} profiled an extra, unrecorded run: ${path}`);
            } catch (error) {
              log(`${where} profiling FAILED: ${error instanceof Error ? error.message : error}`);
            }
          }
        }
      }
    } finally {
      await Promise.all([...servers.values()].map((server) => server.close()));
    }
  }
  return { samples, profiles };
}
