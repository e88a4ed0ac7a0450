// The shape of a run's results, as written to results/latest.json and read by the
// Markdown and SVG writers.
import type { BinaryRow } from '../extras/binary-payload.js';
import type { BundleResult } from '../extras/bundle-size.js';
import type { TypecheckResult } from '../extras/typecheck-time.js';
import type { MeasurementName } from '../options.js';
import type { TargetName } from '../targets/target.js';

/** The per-target figures the workloads produce. */
export const METRIC_KEYS = [
  'latencyP50Us',
  'latencyP99Us',
  'callsPerSecond1x256',
  'callsPerSecond64x16',
  'serverCpuUsPerCall',
  'clientCpuUsPerCall',
  'fanOutEventsPerSecond',
  'fanOutServerCpuUsPerEvent',
  'idleRssBytesPerConnection',
  'idleHeapBytesPerConnection',
] as const;

export type MetricKey = (typeof METRIC_KEYS)[number];

export interface MetricSpec {
  key: MetricKey;
  /** Column heading, with the run's sizes in it. */
  label: string;
  /** Short name for the chart. */
  short: string;
  unit: 'µs' | 'calls/s' | 'events/s' | 'B';
  better: 'higher' | 'lower';
  measurement: MeasurementName;
}

export interface TargetFigure {
  /** Median over the repetitions that produced a figure. */
  median: number | null;
  runs: number[];
  /** `median / baseline median`, both from this run. */
  ratio: number | null;
  /** Why some repetitions produced no figure. */
  errors?: string[];
}

export interface MetricResult extends MetricSpec {
  byTarget: Partial<Record<TargetName, TargetFigure>>;
}

export interface Goal {
  goal: string;
  measured: string;
  met: boolean | null;
}

export interface BenchResults {
  generatedAt: string;
  command: string;
  machine: { node: string; platform: string; cpu: string; cores: number; memoryGiB: number };
  quick: boolean;
  reps: number;
  parameters: Record<string, unknown>;
  baseline: TargetName;
  targets: Array<{ name: TargetName; label: string }>;
  metrics: MetricResult[];
  bundle: BundleResult[] | null;
  /** The binary payload rows (extras/binary-payload.ts), when measured. */
  binary?: BinaryRow[] | null;
  typecheck: TypecheckResult[] | null;
  goals: Goal[];
  notes: string[];
  durationSeconds: number;
}
