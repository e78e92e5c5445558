// Gathers one run.sh run into gpu-results.json and prints the closing table (bench/gpu/summary-core.ts).
//
//   node app/summary.mjs <work dir> <results dir>
// reads <work dir>/probe.json, <work dir>/steps.tsv (name, exit status, seconds, limit per line, tab-separated)
// and <work dir>/MANIFEST.json, and <results dir>/{tune,matmul,attention}.json, each only if it exists; writes
// <results dir>/gpu-results.json. A file that exists but does not parse is reported, not skipped silently.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatSummary, summarize, type Step } from './summary-core';

const [work, results] = process.argv.slice(2);
if (!work || !results) {
  process.stderr.write('usage: summary.mjs <work dir> <results dir>\n');
  process.exit(2);
}

const problems: string[] = [];
function readJson<T>(path: string): T | null {
  if (!existsSync(path)) return null;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch (e) {
    problems.push(`${path} does not parse: ${(e as Error).message}`);
    return null;
  }
}

function readSteps(path: string): Step[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8').split('\n').filter((l) => l.trim()).map((line, i) => {
    const [name, rc, seconds, limit] = line.split('\t');
    const step = { name, rc: Number(rc), seconds: Number(seconds), limit: Number(limit) };
    if (!name || ![step.rc, step.seconds, step.limit].every(Number.isFinite)) throw new Error(`${path} line ${i + 1}: expected name, rc, seconds, limit: '${line}'`);
    return step;
  });
}

const summary = summarize({
  probe: readJson(join(work, 'probe.json')),
  manifest: readJson(join(work, 'MANIFEST.json')),
  steps: readSteps(join(work, 'steps.tsv')),
  tune: readJson(join(results, 'tune.json')),
  matmul: readJson(join(results, 'matmul.json')),
  attention: readJson(join(results, 'attention.json')),
});
for (const p of problems) summary.notRun.push({ step: 'summary', impl: 'all', what: 'a results file', why: p });
writeFileSync(join(results, 'gpu-results.json'), `${JSON.stringify(summary, null, 2)}\n`);
process.stdout.write(`${formatSummary(summary)}\n\nwrote ${join(results, 'gpu-results.json')}\n`);
