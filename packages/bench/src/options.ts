// Command-line options and the two presets: the full run and --quick.
import { parseArgs } from 'node:util';
import { TARGET_NAMES, type TargetName } from './targets/target.js';

/** Every measurement, in the order they run. Select some with `--only`. */
export const MEASUREMENTS = [
  'memory',
  'latency',
  'throughput-1',
  'throughput-64',
  'fan-out',
  'binary',
  'bundle',
  'typecheck',
  'server-calls',
] as const;

/**
 * The scale measurements (docs: README "Scaling"): they start their own redis-server and
 * take minutes, so a plain `pnpm bench` leaves them out; name them with `--only`.
 */
export const SCALE_MEASUREMENTS = ['scale-fanout', 'scale-latency', 'soak', 'stretch'] as const;

export type MeasurementName = (typeof MEASUREMENTS)[number] | (typeof SCALE_MEASUREMENTS)[number];

/** The scale measurements' parameters. */
export interface ScaleOptions {
  /** Repetitions of the fan-out and latency workloads. */
  reps: number;
  fanOut: { subscribers: number; events: number; warmupEvents: number; stallMs: number };
  latency: {
    subscribers: number;
    events: number;
    intervalMs: number;
    warmupEvents: number;
    stallMs: number;
  };
  soak: { connections: number; holdMs: number; heartbeatMs: number };
  /** The stretch's heartbeats are Volley's defaults: server 30 s, client 15 s. */
  stretch: { connections: number; holdMs: number; heartbeatMs: number; clientHeartbeatMs: number };
}

/** The soak's heartbeat, server and client: 5 s, so a few minutes see dozens per connection. */
export const SOAK_HEARTBEAT_MS = 5_000;

/** Volley's default heartbeats (server `DEFAULT_HEARTBEAT_INTERVAL_MS`, client 15 s), for the stretch. */
const DEFAULT_HEARTBEATS = { heartbeatMs: 30_000, clientHeartbeatMs: 15_000 };

const SCALE_FULL: ScaleOptions = {
  reps: 3,
  fanOut: { subscribers: 200, events: 2_000, warmupEvents: 5, stallMs: 30_000 },
  latency: { subscribers: 20, events: 1_000, intervalMs: 2, warmupEvents: 5, stallMs: 30_000 },
  soak: { connections: 10_000, holdMs: 180_000, heartbeatMs: SOAK_HEARTBEAT_MS },
  stretch: { connections: 50_000, holdMs: 60_000, ...DEFAULT_HEARTBEATS },
};

const SCALE_QUICK: ScaleOptions = {
  reps: 1,
  fanOut: { subscribers: 100, events: 300, warmupEvents: 5, stallMs: 30_000 },
  latency: { subscribers: 10, events: 300, intervalMs: 2, warmupEvents: 5, stallMs: 30_000 },
  soak: { connections: 2_000, holdMs: 20_000, heartbeatMs: SOAK_HEARTBEAT_MS },
  stretch: { connections: 50_000, holdMs: 15_000, ...DEFAULT_HEARTBEATS },
};

export interface BenchOptions {
  quick: boolean;
  reps: number;
  targets: TargetName[];
  only: Set<MeasurementName>;
  /** Target whose server is CPU-profiled in extra 1 × 256 and fan-out runs. */
  profile: TargetName | undefined;
  latency: { warmupCalls: number; calls: number; blocks: number; maxMs: number };
  throughput: { warmupMs: number; durationMs: number };
  fanOut: { subscribers: number; events: number; warmupEvents: number; stallMs: number };
  memory: { connections: number };
  typecheck: { procedures: number; reps: number };
  /** Server-to-client against client-to-server calls: calls per direction, in flight, repetitions. */
  serverCalls: { calls: number; inFlight: number; reps: number };
  scale: ScaleOptions;
}

const FULL = {
  reps: 3,
  latency: { warmupCalls: 5_000, calls: 10_000, blocks: 10, maxMs: 20_000 },
  throughput: { warmupMs: 1_000, durationMs: 3_000 },
  fanOut: { subscribers: 500, events: 2_000, warmupEvents: 20, stallMs: 15_000 },
  memory: { connections: 5_000 },
  typecheck: { procedures: 500, reps: 3 },
  serverCalls: { calls: 50_000, inFlight: 256, reps: 5 },
};

const QUICK: typeof FULL = {
  reps: 2,
  latency: { warmupCalls: 2_000, calls: 2_000, blocks: 10, maxMs: 3_000 },
  throughput: { warmupMs: 300, durationMs: 1_000 },
  fanOut: { subscribers: 150, events: 200, warmupEvents: 5, stallMs: 15_000 },
  memory: { connections: 2_000 },
  typecheck: { procedures: 500, reps: 1 },
  serverCalls: { calls: 10_000, inFlight: 256, reps: 3 },
};

export const USAGE = `Usage: pnpm bench [--quick] [--reps N] [--targets a,b] [--only m,n] [--profile target]

  --quick          fewer repetitions and smaller N; every measurement still runs (< 3 min)
  --reps N         repetitions of each workload (default 3, --quick 2); medians are reported
  --targets list   among ${TARGET_NAMES.join(', ')} (raw-ws is always added: it is the baseline)
  --only list      among ${MEASUREMENTS.join(', ')}
  --connections N  idle connections for the memory workload (default 5000, --quick 2000)

  Scale measurements, left out unless named in --only (they start their own redis-server):
    ${SCALE_MEASUREMENTS.join(', ')}
  --scale-reps N            repetitions of scale-fanout and scale-latency (default 3, --quick 1)
  --soak-connections N      connections the soak holds (default 10000, --quick 2000)
  --soak-seconds N          how long the soak holds them (default 180, --quick 20)
  --stretch-connections N   connections the stretch tries on one node (default 50000)
  --stretch-seconds N       how long the stretch holds them (default 60, --quick 15)
  --profile name   CPU-profile that target's server in an extra, unrecorded 1 x 256 run and
                   fan-out run (results/profiles/*.cpuprofile, summarized on stderr)
`;

function list<T extends string>(value: string | undefined, allowed: readonly T[], what: string) {
  if (value === undefined) return [...allowed];
  const items = value.split(',').map((item) => item.trim());
  for (const item of items) {
    if (!allowed.includes(item as T)) throw new Error(`Unknown ${what} "${item}"\n\n${USAGE}`);
  }
  return items as T[];
}

function positive(value: string | undefined, what: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`--${what} needs a positive integer`);
  return n;
}

export function parseOptions(argv: string[]): BenchOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      reps: { type: 'string' },
      targets: { type: 'string' },
      only: { type: 'string' },
      connections: { type: 'string' },
      profile: { type: 'string' },
      'scale-reps': { type: 'string' },
      'soak-connections': { type: 'string' },
      'soak-seconds': { type: 'string' },
      'stretch-connections': { type: 'string' },
      'stretch-seconds': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return 'help';
  const preset = values.quick ? QUICK : FULL;
  const chosen = list(values.targets, TARGET_NAMES, 'target');
  const profile =
    values.profile === undefined ? undefined : list(values.profile, TARGET_NAMES, 'target')[0];
  return {
    quick: values.quick,
    reps: positive(values.reps, 'reps') ?? preset.reps,
    // The baseline first and always: every ratio needs it from the same run.
    targets: TARGET_NAMES.filter((name) => name === 'raw-ws' || chosen.includes(name)),
    only: new Set(
      values.only === undefined
        ? MEASUREMENTS
        : list(values.only, [...MEASUREMENTS, ...SCALE_MEASUREMENTS], 'measurement'),
    ),
    profile,
    latency: preset.latency,
    throughput: preset.throughput,
    fanOut: preset.fanOut,
    memory: {
      connections: positive(values.connections, 'connections') ?? preset.memory.connections,
    },
    typecheck: preset.typecheck,
    serverCalls: preset.serverCalls,
    scale: scaleOptions(values.quick ? SCALE_QUICK : SCALE_FULL, values),
  };
}

function scaleOptions(preset: ScaleOptions, values: Record<string, unknown>): ScaleOptions {
  const flag = (name: string) => positive(values[name] as string | undefined, name);
  const seconds = (name: string, fallback: number) => {
    const n = flag(name);
    return n === undefined ? fallback : n * 1000;
  };
  return {
    ...preset,
    reps: flag('scale-reps') ?? preset.reps,
    soak: {
      ...preset.soak,
      connections: flag('soak-connections') ?? preset.soak.connections,
      holdMs: seconds('soak-seconds', preset.soak.holdMs),
    },
    stretch: {
      ...preset.stretch,
      connections: flag('stretch-connections') ?? preset.stretch.connections,
      holdMs: seconds('stretch-seconds', preset.stretch.holdMs),
    },
  };
}
