// Type-check time of the same 500-procedure router (and a client calling every
// procedure) in Volley and in tRPC: `tsc --noEmit` wall time, runs interleaved. tsc's own
// check time and its counts of types and instantiations come along: the counts do not
// depend on how busy the machine is.
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { median, nowMs } from '../stats.js';
import { generateProject } from './generate-routers.js';

const run = promisify(execFile);
const TSC = createRequire(import.meta.url).resolve('typescript/bin/tsc');
/** Gitignored; inside the bench package so the generated code resolves its dependencies. */
export const GENERATED_DIR = fileURLToPath(new URL('../../.generated/typecheck', import.meta.url));

export interface TypecheckResult {
  name: 'volley' | 'trpc';
  procedures: number;
  /** Wall time of the whole `tsc` process, median of the runs. */
  medianMs: number;
  runsMs: number[];
  /** tsc's "Check time" (the type checker alone), median of the runs. */
  checkMs: number;
  /** tsc's counts, the same in every run. */
  types: number;
  instantiations: number;
}

interface TscRun {
  wallMs: number;
  checkMs: number;
  types: number;
  instantiations: number;
}

/** A figure from `--extendedDiagnostics`, such as `Check time: 3.92s` or `Types: 58108`. */
function diagnostic(output: string, name: string): number {
  const match = output.match(new RegExp(`^${name}:\\s+([\\d.]+)(s?)$`, 'm'));
  if (match === null) return Number.NaN;
  return match[2] === 's' ? Number(match[1]) * 1000 : Number(match[1]);
}

async function runTsc(project: string): Promise<TscRun> {
  const start = nowMs();
  let stdout: string;
  try {
    ({ stdout } = await run(
      process.execPath,
      [TSC, '--noEmit', '--extendedDiagnostics', '-p', project],
      { maxBuffer: 16 << 20 },
    ));
  } catch (error) {
    const { stdout: output = '' } = error as { stdout?: string };
    throw new Error(`tsc failed on the generated ${project}:\n${output.slice(0, 2_000)}`);
  }
  return {
    wallMs: nowMs() - start,
    checkMs: diagnostic(stdout, 'Check time'),
    types: diagnostic(stdout, 'Types'),
    instantiations: diagnostic(stdout, 'Instantiations'),
  };
}

export async function measureTypecheck(
  procedures: number,
  reps: number,
): Promise<TypecheckResult[]> {
  const projects = {
    volley: await generateProject(GENERATED_DIR, 'volley', procedures),
    trpc: await generateProject(GENERATED_DIR, 'trpc', procedures),
  };
  const runs: Record<'volley' | 'trpc', TscRun[]> = { volley: [], trpc: [] };
  for (let rep = 0; rep < reps; rep++) {
    const order = rep % 2 === 0 ? (['volley', 'trpc'] as const) : (['trpc', 'volley'] as const);
    for (const name of order) runs[name].push(await runTsc(projects[name]));
  }
  return (['volley', 'trpc'] as const).map((name) => ({
    name,
    procedures,
    medianMs: median(runs[name].map((r) => r.wallMs)),
    runsMs: runs[name].map((r) => r.wallMs),
    checkMs: median(runs[name].map((r) => r.checkMs)),
    types: runs[name][0]?.types ?? Number.NaN,
    instantiations: runs[name][0]?.instantiations ?? Number.NaN,
  }));
}
