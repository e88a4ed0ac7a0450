// The scale measurements as Markdown: fan-out across nodes with the two targets,
// cross-node latency, the soak and the stretch. Medians of the repetitions, with min–max.
import { formatCount, formatRatio, formatValue } from '../report/format.js';
import { median } from '../stats.js';
import type { ScaleResults, SoakRun, SystemRuns } from './scale-runner.js';
import { SCALE_SYSTEMS, type ScaleSystem, SYSTEMS } from './topology.js';

/** The targets for fan-out through Redis. */
export const SCALE_TARGETS = {
  /** Per-node fan-out through Redis over the single in-memory node's. */
  perNodeVsMemory: 0.8,
  /** Volley's fan-out over socket.io's, both on 2 nodes through Redis. */
  vsSocketIo: 2,
} as const;

/** The median and spread of one figure over a system's runs; `null` with no runs. */
function figure<T>(runs: SystemRuns<T> | undefined, pick: (run: T) => number) {
  const values = (runs?.runs ?? []).map(pick);
  if (values.length === 0) return null;
  return { median: median(values), min: Math.min(...values), max: Math.max(...values) };
}

const spread = (f: { median: number; min: number; max: number } | null, unit = '') =>
  f === null
    ? 'n/a'
    : `${formatValue(f.median, unit)} (${formatValue(f.min, unit)}–${formatValue(f.max, unit)})`;

const verdict = (value: number | null, target: number) =>
  value === null
    ? 'not measured'
    : value >= target
      ? 'met'
      : `missed by ${formatRatio(target - value)}`;

/** Headline ratios, for the report and the JSON. */
export function scaleRatios(results: ScaleResults) {
  const fan = results.fanOut;
  const perNode = (s: ScaleSystem) =>
    figure(fan?.[s], (r) => r.perNodeEventsPerSecond)?.median ?? null;
  const total = (s: ScaleSystem) => figure(fan?.[s], (r) => r.eventsPerSecond)?.median ?? null;
  const worstNodeCpu = (s: ScaleSystem) =>
    figure(fan?.[s], (r) => Math.max(...r.nodeCpuUsPerDelivery))?.median ?? null;
  const ratio = (a: number | null, b: number | null) => (a === null || b === null ? null : a / b);
  return {
    /** Per-node events/s, Redis 2 nodes over memory 1 node, on this machine's shared cores. */
    perNodeVsMemory: ratio(perNode('volley-redis'), perNode('volley-memory')),
    /** The same from CPU per delivery: what a node with a core of its own would do. */
    perNodeCpuVsMemory: ratio(worstNodeCpu('volley-memory'), worstNodeCpu('volley-redis')),
    vsSocketIo: ratio(total('volley-redis'), total('socket-io-redis')),
    vsSocketIoCpu: ratio(worstNodeCpu('socket-io-redis'), worstNodeCpu('volley-redis')),
  };
}

function fanOutSection(results: ScaleResults, reps: number): string[] {
  const fan = results.fanOut;
  if (fan === undefined) return [];
  const raw = figure(fan['raw-ws'], (r) => r.eventsPerSecond)?.median ?? null;
  const memory = figure(fan['volley-memory'], (r) => r.perNodeEventsPerSecond)?.median ?? null;
  const lines = [
    `### Fan-out across nodes (median of ${reps}; min–max)`,
    '',
    '| system | events/s, all nodes | per node | per node ÷ Volley 1 node | ÷ raw ws | node CPU µs/delivery (node 1 publishes) | Redis CPU µs/event | load generator CPU µs/delivery (share of a core) |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const system of SCALE_SYSTEMS) {
    const runs = fan[system];
    const total = figure(runs, (r) => r.eventsPerSecond);
    const perNode = figure(runs, (r) => r.perNodeEventsPerSecond);
    const nodes = SYSTEMS[system].nodes;
    const cpu = Array.from({ length: nodes }, (_, i) =>
      formatValue(figure(runs, (r) => r.nodeCpuUsPerDelivery[i]!)?.median ?? null, 'µs'),
    ).join(' / ');
    const redis = figure(runs, (r) => r.redisCpuUsPerEvent ?? Number.NaN);
    const failed =
      runs.errors.length > 0 ? ` (${runs.errors.length} failed: ${runs.errors[0]})` : '';
    lines.push(
      `| ${SYSTEMS[system].label}${failed} | ${spread(total)} | ${formatValue(perNode?.median ?? null, '')} | ${formatRatio(perNode === null || memory === null ? null : perNode.median / memory)} | ${formatRatio(total === null || raw === null ? null : total.median / raw)} | ${cpu} | ${SYSTEMS[system].redis ? formatValue(redis?.median ?? null, 'µs') : '–'} | ${formatValue(figure(runs, (r) => r.clientCpuUsPerDelivery)?.median ?? null, 'µs')} (${formatValue(figure(runs, (r) => r.clientCpuShare)?.median ?? null, '')}) |`,
    );
  }
  const r = scaleRatios(results);
  lines.push(
    '',
    `- **Per-node fan-out through Redis ÷ one node in memory: ${formatRatio(r.perNodeVsMemory)}** (target ≥ ${SCALE_TARGETS.perNodeVsMemory}×: ${verdict(r.perNodeVsMemory, SCALE_TARGETS.perNodeVsMemory)}). Wall clock on this machine, where both nodes, Redis and the load generator share the cores.`,
    `- Per node from CPU per delivery (the busier node's, against the memory node's): ${formatRatio(r.perNodeCpuVsMemory)}: what each node would deliver with a core of its own.`,
    `- **Volley ÷ socket.io, both 2 nodes through Redis: ${formatRatio(r.vsSocketIo)}** (target ≥ ${SCALE_TARGETS.vsSocketIo}×: ${verdict(r.vsSocketIo, SCALE_TARGETS.vsSocketIo)}); by node CPU per delivery: ${formatRatio(r.vsSocketIoCpu)}.`,
    '',
  );
  return lines;
}

function latencySection(results: ScaleResults, reps: number): string[] {
  const latency = results.latency;
  if (latency === undefined) return [];
  const lines = [
    `### Publish-to-deliver latency (median of ${reps}; min–max)`,
    '',
    '| system | path | p50 | p99 | max |',
    '| --- | --- | ---: | ---: | ---: |',
  ];
  for (const system of SCALE_SYSTEMS) {
    const runs = latency[system];
    const path = SYSTEMS[system].nodes > 1 ? 'node 1 → Redis → node 2' : 'same node';
    const failed =
      runs.errors.length > 0 ? ` (${runs.errors.length} failed: ${runs.errors[0]})` : '';
    lines.push(
      `| ${SYSTEMS[system].label}${failed} | ${path} | ${spread(
        figure(runs, (r) => r.p50Ms),
        'ms',
      )} | ${spread(
        figure(runs, (r) => r.p99Ms),
        'ms',
      )} | ${spread(
        figure(runs, (r) => r.maxMs),
        'ms',
      )} |`,
    );
  }
  lines.push('');
  return lines;
}

function soakRow(run: SoakRun): string {
  const label = run.target === 'volley' ? 'Volley' : 'raw ws';
  if (run.result === undefined)
    return `| ${label} | ${formatCount(run.asked)} | FAILED: ${run.error} | | | | | | | | |`;
  const r = run.result;
  const kb = (b: number) => formatValue(b, 'B');
  return `| ${label} | ${formatCount(r.connections)} | ${r.heldAtEnd === null ? 'n/a' : formatCount(r.heldAtEnd)} / ${formatCount(r.drops)} | ${Math.round(r.holdMs / 1000)} s | ${kb(r.rssBytesPerConnectionStart)} → ${kb(r.rssBytesPerConnectionEnd)} | ${kb(r.heapBytesPerConnectionStart)} → ${kb(r.heapBytesPerConnectionEnd)} | ${kb(r.externalBytesPerConnectionStart)} → ${kb(r.externalBytesPerConnectionEnd)} | ${formatCount(r.serverPings)} + ${formatCount(r.clientPings)} | ${formatValue(r.serverCpuUs / 1000, 'ms')} | ${formatValue(r.serverCpuUsPerHeartbeat, 'µs')} | ${formatValue(r.loadGeneratorMaxLagMs, 'ms')} |`;
}

const SOAK_HEADER = [
  '| server | connections | held at end / dropped | hold | RSS per connection, start → end | heap per connection, start → end | external per connection, start → end | heartbeats (server pings + client pings) | server CPU over the hold | server CPU per heartbeat | longest stall of the load generator |',
  '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
];

/** The scale section of the report. */
export function scaleMarkdown(results: ScaleResults, reps: number): string[] {
  const lines = [...fanOutSection(results, reps), ...latencySection(results, reps)];
  if (results.soak !== undefined) {
    lines.push('### Connection soak', '', ...SOAK_HEADER, ...results.soak.map(soakRow), '');
  }
  if (results.stretch !== undefined) {
    lines.push('### Stretch: one node', '', ...SOAK_HEADER, soakRow(results.stretch), '');
  }
  if (results.notes.length > 0) lines.push('Notes:', '', ...results.notes.map((n) => `- ${n}`), '');
  return lines;
}
