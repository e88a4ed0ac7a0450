// Volley's performance targets from the benchmark issue, checked against this run.
// Informational only: nothing fails when one is missed.
import { BUNDLE_LIMIT_BYTES, type BundleResult } from '../extras/bundle-size.js';
import type { TypecheckResult } from '../extras/typecheck-time.js';
import type { TargetName } from '../targets/target.js';
import { formatCount, formatRatio } from './format.js';
import type { Goal, MetricKey, MetricResult } from './results.js';

interface RatioGoal {
  metric: MetricKey;
  /** Compared with this target's median; the baseline (raw ws) unless said. */
  against?: TargetName;
  atLeast?: number;
  atMost?: number;
  text: string;
}

const RATIO_GOALS: RatioGoal[] = [
  { metric: 'callsPerSecond1x256', atLeast: 0.9, text: 'throughput 1 × 256 ≥ 0.9× raw ws' },
  { metric: 'callsPerSecond64x16', atLeast: 0.9, text: 'throughput 64 × 16 ≥ 0.9× raw ws' },
  { metric: 'serverCpuUsPerCall', atMost: 1.2, text: 'server CPU per call ≤ 1.2× raw ws' },
  { metric: 'latencyP50Us', atMost: 1.15, text: 'p50 latency ≤ 1.15× raw ws' },
  {
    metric: 'fanOutEventsPerSecond',
    against: 'socket-io',
    atLeast: 1,
    text: 'fan-out ≥ 1.0× socket.io',
  },
  {
    metric: 'idleRssBytesPerConnection',
    atMost: 1.2,
    text: 'idle RSS per connection ≤ 1.2× raw ws',
  },
];

const TYPECHECK_LIMIT = 0.5;

function check(value: number, goal: { atLeast?: number; atMost?: number }): boolean {
  return (
    (goal.atLeast === undefined || value >= goal.atLeast) &&
    (goal.atMost === undefined || value <= goal.atMost)
  );
}

export function checkGoals(
  metrics: MetricResult[],
  bundle: BundleResult[] | null,
  typecheck: TypecheckResult[] | null,
): Goal[] {
  const goals: Goal[] = [];
  for (const goal of RATIO_GOALS) {
    const metric = metrics.find((m) => m.key === goal.metric);
    const volley = metric?.byTarget.volley;
    const against = goal.against === undefined ? undefined : metric?.byTarget[goal.against];
    const ratio =
      goal.against === undefined
        ? (volley?.ratio ?? null)
        : (volley?.median ?? Number.NaN) / (against?.median ?? Number.NaN);
    const known = ratio !== null && Number.isFinite(ratio);
    goals.push({
      goal: goal.text,
      measured: known ? formatRatio(ratio) : 'not measured',
      met: known ? check(ratio, goal) : null,
    });
  }
  const volleyBundle = bundle?.find((b) => b.name === 'volley');
  // In bytes: 3,990 B and 4,040 B would both read "4.0 kB".
  goals.push({
    goal: 'client bundle ≤ 4 kB min+gzip, without zod',
    measured:
      volleyBundle === undefined
        ? 'not measured'
        : `${formatCount(volleyBundle.gzipBytes)} B${volleyBundle.zodIncluded ? ', zod included' : ''}`,
    met:
      volleyBundle === undefined
        ? null
        : volleyBundle.gzipBytes <= BUNDLE_LIMIT_BYTES && !volleyBundle.zodIncluded,
  });
  const volleyTsc = typecheck?.find((t) => t.name === 'volley');
  const trpcTsc = typecheck?.find((t) => t.name === 'trpc');
  const tscRatio =
    volleyTsc === undefined || trpcTsc === undefined ? null : volleyTsc.medianMs / trpcTsc.medianMs;
  goals.push({
    goal: 'type-check time ≤ 0.5× tRPC',
    measured: tscRatio === null ? 'not measured' : formatRatio(tscRatio),
    met: tscRatio === null ? null : tscRatio <= TYPECHECK_LIMIT,
  });
  return goals;
}
