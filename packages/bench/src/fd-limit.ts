// Thousands of sockets need thousands of file descriptors, in the load generator and in
// each server process. Node cannot raise its own limit, so the bench re-runs itself
// through `sh -c 'ulimit -n …'`; the server processes inherit the raised limit.
import { execFileSync, spawn } from 'node:child_process';

/** Descriptors the process needs beside the sockets of the workload. */
const HEADROOM = 256;

/** Set in the re-run, so it does not try again. */
const RAISED_FLAG = 'VOLLEY_BENCH_FD_RAISED';

/** The soft limit on open files, as a child shell sees it (it inherits ours). */
function softLimit(): number {
  const text = execFileSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).trim();
  return text === 'unlimited' ? Number.POSITIVE_INFINITY : Number(text);
}

/** The hard limit on open files, as a child shell sees it. */
function hardLimit(): string {
  return execFileSync('sh', ['-c', 'ulimit -Hn'], { encoding: 'utf8' }).trim();
}

export interface FdLimit {
  /** The limit this process runs with. */
  limit: number;
  /** How many sockets the workload may open within it. */
  usable: number;
  /** Set when this process is the re-run with a raised limit: the limit before. */
  raisedFrom?: number;
  /** Set when the OS refused the limit the workload needed. */
  refused?: string;
}

/**
 * Makes sure `sockets` fit. When they do not, re-runs this process with a raised limit
 * and exits with its code (never returns). When the OS refuses, returns what fits and
 * says so in `refused`.
 */
export async function ensureFdLimit(sockets: number): Promise<FdLimit> {
  const needed = sockets + HEADROOM;
  const limit = softLimit();
  const before = process.env[RAISED_FLAG];
  if (limit >= needed) {
    return before === undefined
      ? { limit, usable: sockets }
      : { limit, usable: sockets, raisedFrom: Number(before) };
  }
  if (before === undefined) {
    // Ask for what is needed; failing that, for the hard limit; then run regardless.
    const script = `ulimit -n ${needed} 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$0" "$@"`;
    const child = spawn(
      'sh',
      ['-c', script, process.execPath, ...process.execArgv, ...process.argv.slice(1)],
      { stdio: 'inherit', env: { ...process.env, [RAISED_FLAG]: String(limit) } },
    );
    const code = await new Promise<number>((resolve) =>
      child.on('exit', (exitCode, signal) => resolve(exitCode ?? (signal ? 1 : 0))),
    );
    process.exit(code);
  }
  const usable = Math.max(100, limit - HEADROOM);
  return {
    limit,
    usable,
    refused: `The OS refused to raise the open-file limit to ${needed} (ulimit -n is ${limit}; the hard limit is ${hardLimit()}): each process may open ${usable} sockets, so workloads that asked for ${sockets} connections were measured with at most ${usable}. Raise it (ulimit -n ${needed}) and re-run for the full figure.`,
  };
}
