// The benchmarks' --kernel flag: `npm run bench:attention -- --kernel path/to/kernel.wgsl` (or --kernel=path, and
// likewise bench:matmul) reads the file, checks it with checkKernel, prints the check (a table, or JSON), and
// refuses to go on with a kernel that failed: the failure is printed and the process exits with code 1.
import { readFileSync } from 'node:fs';
import { checkKernel, type KernelFamily, type KernelReport } from '../engine/index';
import { formatTable } from './harness';

/** The --kernel path, written as `--kernel=path` or `--kernel path`; null without the flag. */
export function kernelArg(argv: readonly string[]): string | null {
  for (let i = 0; i < argv.length; i++) {
    if (argv[i].startsWith('--kernel=')) return argv[i].slice('--kernel='.length);
    if (argv[i] === '--kernel') {
      const path = argv[i + 1];
      if (!path || path.startsWith('--')) throw new Error('--kernel needs a path: --kernel path/to/kernel.wgsl');
      return path;
    }
  }
  return null;
}

/** The check as a table: one row per shape, then the verdict. */
export function formatCheck(r: KernelReport): string {
  const rows = r.cases.map((c) => ({
    shape: c.label,
    grid: c.grid.join('×'),
    result: c.ok ? 'ok' : (c.problem ?? ''),
    'max abs err': c.maxAbsErr.toExponential(2),
    'max rel err': c.maxRelErr.toExponential(2),
  }));
  const lines = [`Check of your ${r.family} kernel against the CPU oracle on ${r.adapter}:`];
  if (r.kernel) lines.push(`entry point ${r.kernel.entryPoint}, @workgroup_size(${r.kernel.workgroupSize.join(', ')}), grid: ${r.kernel.grid}`);
  if (rows.length) lines.push('', formatTable(['shape', 'grid', 'result', 'max abs err', 'max rel err'], rows));
  for (const e of r.compileErrors.slice(1)) lines.push(`WGSL error at ${e.line}:${e.col}: ${e.message}`);
  lines.push('', `${r.ok ? 'PASSED' : 'FAILED'}: ${r.message}`);
  return lines.join('\n');
}

/**
 * Reads and checks the kernel at `path`. On a failure it prints the report (JSON on stdout with --json, the table
 * otherwise) and exits with code 1; on success it logs the table and returns the report.
 */
export async function checkKernelFile(family: KernelFamily, path: string, json: boolean, log: (msg: string) => void): Promise<KernelReport> {
  let source: string;
  try {
    source = readFileSync(path, 'utf8');
  } catch (e) {
    throw new Error(`--kernel: cannot read ${path} (${(e as Error).message})`);
  }
  const report = await checkKernel({ family, source });
  if (report.ok) {
    log(formatCheck(report));
    return report;
  }
  if (json) process.stdout.write(`${JSON.stringify({ kernel: path, check: { ...report, source: undefined } }, null, 2)}\n`);
  else console.log(formatCheck(report));
  process.stderr.write(`${path}: the kernel failed its check, so it is not timed\n`);
  process.exit(1);
}
