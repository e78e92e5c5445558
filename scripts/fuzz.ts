// `npm run fuzz -- [--runs N] [--seed S]`: the fuzz properties of test/fuzz.test.ts (parseGraph, decodeGraphHash,
// readSafetensors) for longer than CI runs them: N cases each (default 20,000) from a fresh seed, printed first so
// that a failure can be replayed with --seed. The properties live in that one test file, so CI and this longer run
// can never drift apart; this script only raises its run count and lifts vitest's per-test timeout.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** A whole number of at least `min` from the command line, or a message and exit code 2. */
function count(name: string, fallback: number, min: number): number {
  const text = arg(name);
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < min) {
    console.error(`--${name} must be a whole number of at least ${min}, got "${text}"`);
    console.error('usage: npm run fuzz -- [--runs N] [--seed S]');
    process.exit(2);
  }
  return n;
}

const runs = count('runs', 20_000, 1);
// fast-check seeds are 32-bit integers.
const seed = count('seed', Math.floor(Math.random() * 2 ** 31), -(2 ** 31));
console.log(`fuzzing with ${runs} cases per property, seed ${seed} (replay with --seed ${seed})`);

const root = fileURLToPath(new URL('..', import.meta.url));
const r = spawnSync('node_modules/.bin/vitest', ['run', 'test/fuzz.test.ts', '--testTimeout', '0'], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, FUZZ_RUNS: String(runs), FUZZ_SEED: String(seed) },
});
if (r.error) throw r.error;
process.exit(r.status ?? 1);
