// `pnpm bench`: runs the socket workloads against every target, measures the client
// bundles and type-check time, and writes results/latest.{md,json} and results/ratios.svg.

import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BinaryRow, measureBinaryPayloads } from './extras/binary-payload.js';
import { type BundleResult, measureBundles } from './extras/bundle-size.js';
import { summarizeProfile } from './extras/profile-summary.js';
import { measureServerCalls, serverCallsTable } from './extras/server-calls.js';
import { measureTypecheck, type TypecheckResult } from './extras/typecheck-time.js';
import { ensureFdLimit } from './fd-limit.js';
import {
  type BenchOptions,
  MEASUREMENTS,
  parseOptions,
  SCALE_MEASUREMENTS,
  USAGE,
} from './options.js';
import { formatCount } from './report/format.js';
import { checkGoals } from './report/goals.js';
import { toMarkdown } from './report/markdown.js';
import type { BenchResults } from './report/results.js';
import { metricSpecs, summarize } from './report/summarize.js';
import { toSvg } from './report/svg.js';
import { runWorkloads } from './runner.js';
import { scaleMarkdown, scaleRatios } from './scale/scale-report.js';
import { runScale } from './scale/scale-runner.js';
import { nowMs } from './stats.js';
import { BASELINE, TARGET_LABELS } from './targets/target.js';

const RESULTS_DIR = fileURLToPath(new URL('../results', import.meta.url));
const log = (line: string) => console.error(line);

/**
 * The bench measures the built packages, as users get them. Run from the repository
 * root, tsx would follow the root tsconfig's `paths` to the sources instead.
 */
function checkBuiltPackages(): void {
  for (const name of ['@volley/core', '@volley/server', '@volley/client']) {
    const resolved = import.meta.resolve(name);
    if (!resolved.includes('/dist/')) {
      throw new Error(
        `${name} resolves to ${resolved}, not to its build. Run the bench with \`pnpm bench\` (which builds first and runs from packages/bench).`,
      );
    }
  }
}

async function main(): Promise<number> {
  const parsed = parseOptions(process.argv.slice(2));
  if (parsed === 'help') {
    console.log(USAGE);
    return 0;
  }
  const options = parsed;
  checkBuiltPackages();
  const started = nowMs();
  const notes: string[] = [];

  // The workloads that hold many sockets, and how many each wants.
  const sockets = [
    options.only.has('memory') ? options.memory.connections : 0,
    options.only.has('soak') ? options.scale.soak.connections : 0,
    options.only.has('stretch') ? options.scale.stretch.connections : 0,
  ];
  let fdUsable = Number.POSITIVE_INFINITY;
  if (Math.max(...sockets) > 0) {
    const fd = await ensureFdLimit(Math.max(...sockets));
    if (fd.raisedFrom !== undefined) {
      log(`Raised the open-file limit from ${fd.raisedFrom} to ${fd.limit} (ulimit -n).`);
    }
    if (fd.refused !== undefined) {
      log(`WARNING: ${fd.refused}`);
      notes.push(fd.refused);
      fdUsable = fd.usable;
      options.memory.connections = Math.min(options.memory.connections, fd.usable);
      options.scale.soak.connections = Math.min(options.scale.soak.connections, fd.usable);
    }
  }
  await mkdir(join(RESULTS_DIR, 'profiles'), { recursive: true });
  if (MEASUREMENTS.some((m) => options.only.has(m))) await runRegular(options, notes, started);
  if (SCALE_MEASUREMENTS.some((m) => options.only.has(m))) {
    await runScaleReport(options, fdUsable, notes, started);
  }
  return 0;
}

/** The scale measurements: results/scale-latest.{md,json}, and the Markdown on stdout. */
async function runScaleReport(
  options: BenchOptions,
  fdUsable: number,
  fdNotes: string[],
  started: number,
): Promise<void> {
  const loadBefore = loadavg();
  log(
    `Volley scale bench${options.quick ? ' --quick' : ''}: ${[...options.only].filter((m) => (SCALE_MEASUREMENTS as readonly string[]).includes(m)).join(', ')}`,
  );
  const scale = await runScale(options, join(RESULTS_DIR, 'profiles'), fdUsable, log);
  scale.notes.unshift(...fdNotes);
  const loadAfter = loadavg();
  const cpu = cpus();
  const command = `pnpm bench ${process.argv.slice(2).join(' ')}`.trim();
  const load = (l: number[]) => l.map((n) => n.toFixed(1)).join(' ');
  const markdown = [
    '## Scaling',
    '',
    `\`${command}\`, ${new Date().toISOString()}: Node ${process.version}, ${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB, load average ${load(loadBefore)} before and ${load(loadAfter)} after (1, 5, 15 min): a machine shared with other work, so absolute figures are noisy and the ratios within the run are what counts.`,
    '',
    ...scaleMarkdown(scale, options.scale.reps),
  ].join('\n');
  await writeFile(join(RESULTS_DIR, 'scale-latest.md'), `${markdown}\n`);
  const json = {
    generatedAt: new Date().toISOString(),
    command,
    machine: {
      node: process.version,
      cores: cpu.length,
      cpu: cpu[0]?.model.trim(),
      loadBefore,
      loadAfter,
    },
    parameters: options.scale,
    ratios: scaleRatios(scale),
    ...scale,
    durationSeconds: Math.round((nowMs() - started) / 1000),
  };
  await writeFile(join(RESULTS_DIR, 'scale-latest.json'), `${JSON.stringify(json, null, 2)}\n`);
  for (const profile of scale.profiles) log(`\n${await summarizeProfile(profile)}`);
  console.log(markdown);
  log(`Wrote ${RESULTS_DIR}/scale-latest.md and scale-latest.json.`);
}

/** The socket workloads, bundle and type-check time: results/latest.{md,json}, ratios.svg. */
async function runRegular(options: BenchOptions, notes: string[], started: number): Promise<void> {
  log(
    `Volley bench${options.quick ? ' --quick' : ''}: ${options.reps} repetition(s), targets ${options.targets.join(', ')}`,
  );

  const { samples, profiles } = await runWorkloads(options, join(RESULTS_DIR, 'profiles'), log);
  if (options.only.has('memory') && options.memory.connections < 5_000) {
    notes.push(
      `Idle memory was measured with ${formatCount(options.memory.connections)} connections: RSS per connection then includes one-off growth of the V8 heap and reads high. The heap figure is steadier; use the full run (5,000) for RSS ratios.`,
    );
  }
  const metrics = summarize(metricSpecs(options), samples);
  for (const metric of metrics) {
    for (const [target, figure] of Object.entries(metric.byTarget)) {
      if (figure.errors !== undefined) {
        notes.push(
          `${TARGET_LABELS[target as keyof typeof TARGET_LABELS]}, ${metric.short}: ${figure.errors.length} of ${options.reps} repetitions failed (${figure.errors[0]}).`,
        );
      }
    }
  }

  let binary: BinaryRow[] | null = null;
  if (options.only.has('binary')) {
    log('Binary payloads: 64 KiB over MessagePack and over JSON with base64, and small calls…');
    try {
      binary = await measureBinaryPayloads(
        {
          reps: options.reps,
          warmupMs: options.throughput.warmupMs,
          durationMs: options.throughput.durationMs,
        },
        log,
      );
    } catch (error) {
      notes.push(`Binary payloads not measured: ${error instanceof Error ? error.message : error}`);
    }
  }
  let bundle: BundleResult[] | null = null;
  if (options.only.has('bundle')) {
    log('Bundling the clients for the browser…');
    bundle = await measureBundles();
  }
  let typecheck: TypecheckResult[] | null = null;
  if (options.only.has('typecheck')) {
    log(
      `Type-checking a ${options.typecheck.procedures}-procedure router in Volley and tRPC, ${options.typecheck.reps} time(s) each…`,
    );
    try {
      typecheck = await measureTypecheck(options.typecheck.procedures, options.typecheck.reps);
    } catch (error) {
      notes.push(`Type-check time not measured: ${error instanceof Error ? error.message : error}`);
    }
  }

  let serverCalls: string | null = null;
  if (options.only.has('server-calls')) {
    const { calls, inFlight, reps } = options.serverCalls;
    log(`Server-to-client against client-to-server calls: ${calls} each way, ${reps} time(s)…`);
    serverCalls = serverCallsTable(await measureServerCalls(calls, inFlight, reps));
  }

  const cpu = cpus();
  const results: BenchResults = {
    generatedAt: new Date().toISOString(),
    command: `pnpm bench ${process.argv.slice(2).join(' ')}`.trim(),
    machine: {
      node: process.version,
      platform: `${process.platform} ${process.arch}`,
      cpu: cpu[0]?.model.trim() ?? 'unknown CPU',
      cores: cpu.length,
      memoryGiB: Math.round(totalmem() / 2 ** 30),
    },
    quick: options.quick,
    reps: options.reps,
    parameters: {
      latency: options.latency,
      throughput: options.throughput,
      fanOut: options.fanOut,
      memory: options.memory,
      typecheck: options.typecheck,
    },
    baseline: BASELINE,
    targets: options.targets.map((name) => ({ name, label: TARGET_LABELS[name] })),
    metrics,
    bundle,
    binary,
    typecheck,
    goals: options.targets.includes('volley') ? checkGoals(metrics, bundle, typecheck) : [],
    notes,
    durationSeconds: Math.round((nowMs() - started) / 1000),
  };

  const markdown =
    serverCalls === null
      ? toMarkdown(results)
      : `${toMarkdown(results)}\n### Server-to-client calls (Volley only)\n\n${serverCalls}\n`;
  await writeFile(join(RESULTS_DIR, 'latest.md'), markdown);
  await writeFile(join(RESULTS_DIR, 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
  await writeFile(join(RESULTS_DIR, 'ratios.svg'), toSvg(results));
  for (const profile of profiles) log(`\n${await summarizeProfile(profile)}`);
  console.log(markdown);
  log(
    `Wrote ${RESULTS_DIR}/latest.md, latest.json and ratios.svg in ${results.durationSeconds} s.`,
  );
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
