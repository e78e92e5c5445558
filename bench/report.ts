// The results file a benchmark writes with --report=<path>: everything one run produced, for bench/gpu/run.sh to
// gather into one JSON. Unlike --json (the measurements alone, on stdout), it also says on which adapter the run
// was, against which peak, with which versions, and what did not run and why.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Peak } from './peak';

/** Something that was asked for but did not run: a peer that could not start, or one size or pass that failed. */
export interface NotRun {
  impl: string;
  what: string; // 'all' for a peer that never started, else the size or config
  why: string;
}

export interface BenchReport<M> {
  bench: string; // 'matmul' | 'attention'
  adapter: string;
  peak: Peak | null;
  argv: string[];
  versions: Record<string, string>;
  startedAt: string; // ISO time
  seconds: number; // wall time of the whole run
  results: M[];
  notRun: NotRun[];
}

/** Writes the report as pretty JSON, making the folder if needed. */
export function writeReport<M>(path: string, report: BenchReport<M>): void {
  writeJson(path, report);
}

/**
 * Writes `value` as pretty JSON to `path`, making the folder if needed: into a file beside it, then renamed over
 * it, so a run killed mid-write (run.sh's step limits) leaves the previous whole file, never a truncated one.
 */
export function writeJson(path: string, value: unknown): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(value, null, 2)}\n`);
  renameSync(tmp, path);
}
