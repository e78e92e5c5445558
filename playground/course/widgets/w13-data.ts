// The corpora of weeks 1 to 3 (SpamAssassin mail, State of the Union sentences), loaded once per page from the
// static files `npm run course-data` writes under playground/public/course/ and checked by the engine's parsers.
// In the browser they are fetched from the site (Vite serves playground/public/ at its base URL); in Node, where the
// lesson modules are imported by the unit tests, the same committed files are read from disk, so the numbers a test
// checks come from exactly the bytes the page loads.
import { courseData, type SotuData, type SpamData } from '../../../engine/course';

type CourseFile = 'spam.json' | 'sotu.json';

async function readCourseFile(name: CourseFile): Promise<unknown> {
  if (typeof process !== 'undefined' && process.versions?.node) {
    // Node (unit tests). Variable specifiers keep bundlers from pulling node: modules into the page.
    const fsName = 'node:fs/promises';
    const urlName = 'node:url';
    const { readFile } = (await import(/* @vite-ignore */ fsName)) as typeof import('node:fs/promises');
    const { fileURLToPath } = (await import(/* @vite-ignore */ urlName)) as typeof import('node:url');
    // The folder is a variable so that Vite does not take `new URL(literal, import.meta.url)` for an asset import.
    const folder = '../../public/course/';
    const path = fileURLToPath(new URL(folder + name, import.meta.url));
    return JSON.parse(await readFile(path, 'utf8'));
  }
  // globalThis.location: the page's address, or the worker's (w13-lm-worker.ts loads SOTU itself).
  const url = new URL(`${import.meta.env.BASE_URL}course/${name}`, globalThis.location.href);
  let res: Response;
  try {
    res = await fetch(url);
  } catch (e) {
    throw new Error(`Could not download ${url.pathname}: ${(e as Error).message}`);
  }
  if (!res.ok) throw new Error(`Could not download ${url.pathname}: the server answered ${res.status} ${res.statusText}`);
  try {
    return await res.json();
  } catch {
    throw new Error(`${url.pathname} is not valid JSON; regenerate it with \`npm run course-data\``);
  }
}

let spam: Promise<SpamData> | null = null;
let sotu: Promise<SotuData> | null = null;

/** 1,500 SpamAssassin mails as token lists, 1,125 for training and 375 held out (see scripts/course-data.ts). */
export function loadSpam(): Promise<SpamData> {
  spam ??= readCourseFile('spam.json').then(courseData.parseSpamFile);
  // A failed download may succeed later (a flaky network): forget it so the next call tries again.
  spam.catch(() => (spam = null));
  return spam;
}

/** State of the Union sentences as token lists, split into training and held-out addresses. */
export function loadSotu(): Promise<SotuData> {
  sotu ??= readCourseFile('sotu.json').then(courseData.parseSotuFile);
  sotu.catch(() => (sotu = null));
  return sotu;
}
