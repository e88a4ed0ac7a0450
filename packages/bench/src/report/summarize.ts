// From the repetitions' figures to medians and ratios to the baseline.
import type { BenchOptions } from '../options.js';
import type { Samples } from '../runner.js';
import { median } from '../stats.js';
import { BASELINE } from '../targets/target.js';
import { formatCount } from './format.js';
import type { MetricResult, MetricSpec, TargetFigure } from './results.js';

/** The metrics, labelled with this run's sizes. */
export function metricSpecs(options: BenchOptions): MetricSpec[] {
  const { subscribers, events } = options.fanOut;
  const connections = formatCount(options.memory.connections);
  return [
    {
      key: 'latencyP50Us',
      label: 'p50 latency',
      short: 'p50 latency',
      unit: 'µs',
      better: 'lower',
      measurement: 'latency',
    },
    {
      key: 'latencyP99Us',
      label: 'p99 latency',
      short: 'p99 latency',
      unit: 'µs',
      better: 'lower',
      measurement: 'latency',
    },
    {
      key: 'callsPerSecond1x256',
      label: 'calls/s, 1 conn × 256 in flight',
      short: 'calls/s, 1 conn × 256',
      unit: 'calls/s',
      better: 'higher',
      measurement: 'throughput-1',
    },
    {
      key: 'callsPerSecond64x16',
      label: 'calls/s, 64 conns × 16',
      short: 'calls/s, 64 conns × 16',
      unit: 'calls/s',
      better: 'higher',
      measurement: 'throughput-64',
    },
    {
      key: 'serverCpuUsPerCall',
      label: 'server CPU µs/call (pipelined)',
      short: 'server CPU per call',
      unit: 'µs',
      better: 'lower',
      measurement: 'throughput-1',
    },
    {
      key: 'clientCpuUsPerCall',
      label: 'client CPU µs/call (pipelined)',
      short: 'client CPU per call',
      unit: 'µs',
      better: 'lower',
      measurement: 'throughput-1',
    },
    {
      key: 'fanOutEventsPerSecond',
      label: `fan-out events/s (${formatCount(subscribers)} subs × ${formatCount(events)})`,
      short: 'fan-out events/s',
      unit: 'events/s',
      better: 'higher',
      measurement: 'fan-out',
    },
    {
      key: 'fanOutServerCpuUsPerEvent',
      label: 'fan-out server CPU µs/event',
      short: 'fan-out server CPU per event',
      unit: 'µs',
      better: 'lower',
      measurement: 'fan-out',
    },
    {
      key: 'idleRssBytesPerConnection',
      label: `idle RSS bytes/conn (${connections} conns)`,
      short: 'idle RSS per connection',
      unit: 'B',
      better: 'lower',
      measurement: 'memory',
    },
    {
      key: 'idleHeapBytesPerConnection',
      label: `idle heap bytes/conn (${connections} conns)`,
      short: 'idle heap per connection',
      unit: 'B',
      better: 'lower',
      measurement: 'memory',
    },
  ];
}

export function summarize(specs: MetricSpec[], samples: Samples): MetricResult[] {
  return specs
    .filter((spec) => samples.has(spec.key))
    .map((spec) => {
      const byTargetSamples = samples.get(spec.key)!;
      const baseline = median(byTargetSamples.get(BASELINE)?.runs ?? []);
      const byTarget: MetricResult['byTarget'] = {};
      for (const [target, { runs, errors }] of byTargetSamples) {
        const value = runs.length === 0 ? null : median(runs);
        const ratio =
          value === null || !Number.isFinite(baseline) || baseline === 0 ? null : value / baseline;
        const figure: TargetFigure = { median: value, runs, ratio };
        if (errors.length > 0) figure.errors = errors;
        byTarget[target] = figure;
      }
      return { ...spec, byTarget };
    });
}
