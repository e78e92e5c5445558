// `npx vite-node scripts/held-out-digits.ts [--check]`: writes playground/course/lessons/week-19-20/held-out-digits.json,
// the first digits of the held-out split that the ViT and CLIP recipes use (loadMnist seed 0, 20% held out), for the
// week 19-20 page's widgets, which cannot afford to load and shuffle the mnist package's 21 MB. --check only
// compares, and exits 1 if the committed file differs from what would be written.
import { readFileSync, writeFileSync } from 'node:fs';
import { loadMnist } from '../engine/course';
import { TEST_FRACTION, digitsFile } from '../playground/course/lessons/week-19-20/vision';

const path = 'playground/course/lessons/week-19-20/held-out-digits.json';
const seed = 0; // the recipes' default seed, with which the shipped checkpoints were trained (their run.json says so)
const { test } = await loadMnist({ seed, testFraction: TEST_FRACTION });
const text = JSON.stringify(digitsFile(test, seed)) + '\n';
if (process.argv.includes('--check')) {
  let old = '';
  try {
    old = readFileSync(path, 'utf8');
  } catch {
    // missing: stale
  }
  console.log(old === text ? `up to date: ${path}` : `STALE: ${path}`);
  if (old !== text) process.exit(1);
} else {
  writeFileSync(path, text);
  console.log(`wrote ${path} (${(text.length / 1024).toFixed(0)} KiB)`);
}
