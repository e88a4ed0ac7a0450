// The run as Markdown: the workload table with ratios to raw ws, the bundle and
// type-check tables, Volley's targets, and notes.
import { formatCount, formatKb, formatRatio, formatValue } from './format.js';
import type { BenchResults } from './results.js';

function table(head: string[], align: Array<'l' | 'r'>, rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  const rule = `|${align.map((a) => (a === 'r' ? '---:' : '---')).join('|')}|`;
  return [line(head), rule, ...rows.map(line)].join('\n');
}

function workloadTable(results: BenchResults): string {
  const metrics = results.metrics.filter((metric) =>
    Object.values(metric.byTarget).some((figure) => figure?.median !== null),
  );
  const rows = results.targets.map(({ name, label }) => [
    label,
    ...metrics.map((metric) => {
      const figure = metric.byTarget[name];
      if (figure === undefined) return '—';
      const value = formatValue(figure.median, metric.unit);
      return name === results.baseline || figure.median === null
        ? value
        : `${value} (${formatRatio(figure.ratio)})`;
    }),
  ]);
  return table(
    ['target', ...metrics.map((metric) => metric.label)],
    ['l', ...metrics.map(() => 'r' as const)],
    rows,
  );
}

function bundleTable(results: BenchResults): string {
  const bundle = results.bundle ?? [];
  return table(
    ['client', 'minified', 'min+gzip', 'zod in bundle', 'packages bundled'],
    ['l', 'r', 'r', 'l', 'l'],
    bundle.map((b) => [
      b.label,
      formatKb(b.minifiedBytes),
      `${formatKb(b.gzipBytes)} (${formatCount(b.gzipBytes)} B)`,
      b.zodIncluded ? 'yes' : 'no',
      b.packages.join(', '),
    ]),
  );
}

function typecheckTable(results: BenchResults): string {
  const runs = results.typecheck ?? [];
  const trpc = runs.find((run) => run.name === 'trpc');
  const ratio = (value: number, of: number | undefined) =>
    of === undefined ? 'n/a' : formatRatio(value / of);
  return table(
    [
      'router',
      'tsc --noEmit wall (median)',
      'ratio to tRPC',
      'tsc check time',
      'instantiations',
      'ratio to tRPC',
      'wall runs (ms)',
    ],
    ['l', 'r', 'r', 'r', 'r', 'r', 'l'],
    runs.map((run) => [
      run.name === 'volley' ? 'Volley' : 'tRPC 11',
      formatValue(run.medianMs, 'ms'),
      ratio(run.medianMs, trpc?.medianMs),
      formatValue(run.checkMs, 'ms'),
      formatCount(run.instantiations),
      ratio(run.instantiations, trpc?.instantiations),
      run.runsMs.map((ms) => formatCount(ms)).join(', '),
    ]),
  );
}

export function toMarkdown(results: BenchResults): string {
  const { machine } = results;
  const parts = [
    `## Volley benchmark${results.quick ? ' (quick)' : ''}`,
    `\`${results.command}\` on ${results.generatedAt.slice(0, 10)} · Node ${machine.node} · ${machine.platform} · ${machine.cores} × ${machine.cpu} · ${results.reps} repetition${results.reps === 1 ? '' : 's'} with the targets interleaved, medians shown · server and load generator in separate processes on 127.0.0.1 · greet({ name }) → "Hello, " + name`,
    workloadTable(results),
    `(×N) is the ratio to raw ws in this run. Lower is better for latency, CPU and memory; higher for calls/s and events/s. Differences under about 25% within one run are noise; compare ratios, not absolute figures, across runs.`,
  ];
  if (results.binary != null) {
    const byLabel = new Map(results.binary.map((row) => [row.label, row]));
    const jsonBase64 = byLabel.get('Volley JSON, 64 KiB as base64');
    const spread = (runs: number[]) =>
      runs.length > 1
        ? `${Math.round(Math.min(...runs)).toLocaleString('en-US')}–${Math.round(Math.max(...runs)).toLocaleString('en-US')}`
        : '—';
    parts.push(
      '### Binary payloads: 64 KiB echoed (sent and returned), MessagePack codec against JSON with base64; 1 connection × 16 in flight',
      table(
        [
          'how',
          'calls/s',
          'runs (min–max)',
          'bytes on the wire per call',
          'vs raw ws',
          'vs Volley JSON base64',
        ],
        ['l', 'r', 'r', 'r', 'r', 'r'],
        results.binary.map((row) => {
          const base = row.baseline === undefined ? undefined : byLabel.get(row.baseline);
          return [
            row.label,
            Math.round(row.callsPerSecond).toLocaleString('en-US'),
            spread(row.runs),
            Math.round(row.wireBytesPerCall).toLocaleString('en-US'),
            base === undefined ? '—' : `×${(row.callsPerSecond / base.callsPerSecond).toFixed(2)}`,
            row.label.includes('64 KiB') &&
            row.label.startsWith('Volley') &&
            jsonBase64 !== undefined
              ? `×${(row.callsPerSecond / jsonBase64.callsPerSecond).toFixed(2)}`
              : '—',
          ];
        }),
      ),
    );
  }
  if (results.bundle !== null) {
    parts.push(
      '### Client bundle (esbuild, platform browser, minified, then gzip)',
      bundleTable(results),
    );
  }
  if (results.typecheck !== null) {
    const procedures = results.typecheck[0]?.procedures ?? 0;
    parts.push(
      `### Type-check time: a ${procedures}-procedure router and a client calling every procedure`,
      typecheckTable(results),
    );
  }
  if (results.goals.length > 0) {
    parts.push(
      "### Volley against the issue's targets",
      table(
        ['goal', 'measured', 'met'],
        ['l', 'r', 'l'],
        results.goals.map((g) => [g.goal, g.measured, g.met === null ? '—' : g.met ? 'yes' : 'no']),
      ),
    );
  }
  if (results.notes.length > 0) {
    parts.push('### Notes', results.notes.map((note) => `- ${note}`).join('\n'));
  }
  return `${parts.join('\n\n')}\n`;
}
