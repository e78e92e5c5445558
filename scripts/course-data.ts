// `npm run course-data`: writes the course pages' corpora as static files under playground/public/course/, which
// Vite serves at /course/ (its root is playground/). The npm packages behind them are Node-only and large, so the
// pages get small seeded samples instead (engine/lessons/course-data.ts draws them; SPAM_SAMPLE and SOTU_SAMPLE say
// how):
//   spam.json  1,500 SpamAssassin mails (1,125 train, 375 held out), bodies cut to their first 100 tokens: 720 KiB
//   sotu.json  sentences of 16 State of the Union addresses from 1946-2021, 12 for training and 4 held out: 447 KiB
// The files are committed (they are the pages' data); test/course.week1-2.test.ts and test/course.week3.test.ts
// check that they are byte for byte what this script writes, so a change to the sampling cannot drift from them.
//
//   npm run course-data            write the files
//   npm run course-data -- --check only compare; exit 1 if a file differs from what would be written
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { courseData } from '../engine/course';

const outDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'playground', 'public', 'course');
const check = process.argv.includes('--check');

const files = await courseData.buildCourseData();
let stale = 0;
mkdirSync(outDir, { recursive: true });
for (const [name, file] of Object.entries(files)) {
  const path = join(outDir, name);
  const text = courseData.courseDataText(file);
  const kb = (Buffer.byteLength(text) / 1024).toFixed(0);
  if (check) {
    let old = '';
    try {
      old = readFileSync(path, 'utf8');
    } catch {
      // a missing file is stale
    }
    const same = old === text;
    if (!same) stale++;
    console.log(`${same ? 'up to date' : 'STALE     '} ${path} (${kb} KiB)`);
  } else {
    writeFileSync(path, text);
    console.log(`wrote ${path} (${kb} KiB): ${file.about}`);
  }
}
if (stale > 0) {
  console.error(`${stale} file(s) differ from what the script writes; run \`npm run course-data\``);
  process.exit(1);
}
