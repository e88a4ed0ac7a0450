// `pnpm bench`: runs the socket workloads against every target, measures the client
// bundles and type-check time, and writes results/latest.{md,json} and results/ratios.svg.

import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BinaryRow, measureBinaryPayloads } from './extras/binary-payload.js';
import { type BundleResult, measureBundles } from './extras/bundle-size.js';
import { summarizeProfile } from './extras/profile-summary.js';
import { measureServerCalls, serverCallsTable } from './extras/server-calls.js';
import { measureTypecheck, type TypecheckResult } from './extras/typecheck-time.js';
import { ensureFdLimit } from './fd-limit.js';
import { parseOptions, USAGE } from './options.js';
import { formatCount } from './report/format.js';
import { checkGoals } from './report/goals.js';
import { toMarkdown } from './report/markdown.js';
import type { BenchResults } from './report/results.js';
import { metricSpecs, summarize } from './report/summarize.js';
import { toSvg } from './report/svg.js';
import { runWorkloads } from './runner.js';
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

  if (options.only.has('memory')) {
    const fd = await ensureFdLimit(options.memory.connections);
    if (fd.raisedFrom !== undefined) {
      log(`Raised the open-file limit from ${fd.raisedFrom} to ${fd.limit} (ulimit -n).`);
    }
    if (fd.refused !== undefined) {
      log(`WARNING: ${fd.refused}`);
      notes.push(fd.refused);
      options.memory.connections = fd.usable;
    }
  }
  await mkdir(join(RESULTS_DIR, 'profiles'), { recursive: true });
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
        { reps: options.reps, warmupMs: options.throughput.warmupMs, durationMs: options.throughput.durationMs },
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
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
