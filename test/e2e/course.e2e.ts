// The course, end to end, in one headless chromium (WebGPU on SwiftShader):
//   1. the home lists the 13 week groups, with links exactly for the built weeks, and no console errors;
//   2. every lesson in the registry (so a new lesson is covered without touching this file): it opens with no
//      console errors (screenshot test-output/course-<id>.png); every [data-stat] on the page shows what the
//      lesson's engine code computed (stat() records each value; see playground/course/stat.ts); every widget
//      responds to an input; every exercise refuses its demo wrong answers and accepts its right one (the
//      solution, for a code cell); every "Open in the playground" link carries a graph the editor can open;
//   3. on the first lesson with a code cell: its progress (solved exercises, code, widget settings) survives a reload; an endless loop times out while the
//      page stays usable; the editor lets keyboard focus out; a share link carries the code (which doesn't run by
//      itself, and only replaces the learner's work when they accept); "Reset lesson" clears it with an undo; the
//      home shows each lesson's progress.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Page } from 'puppeteer';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { openPlayground, outDir, type Playground } from './harness';
import { LESSONS } from '../../playground/course/lessons/index';
import { WEEKS } from '../../playground/course/weeks';
import type { ExerciseDemo } from '../../playground/course/test-hooks';
import { claimFails } from '../../playground/course/claims';
import { decodeGraphHash } from '../../playground/graph/share';

let pg: Playground;
let page: Page;
const lessonIds = Object.keys(LESSONS);
/** What the exercises of each lesson were, from the page's test hook. */
const demosOf = new Map<string, ExerciseDemo[]>();
/** Each lesson's widget settings as its test left them (saved, so a reload must restore them). */
const widgetsOf = new Map<string, Record<string, unknown>>();

beforeAll(async () => {
  pg = await openPlayground();
  page = pg.page;
});

afterAll(async () => {
  await pg?.close();
});

const context = (): string => `\nBrowser log:\n${pg.log.slice(-30).join('\n') || '(empty)'}`;

/** Errors logged since `from` (an index into the log). Warnings are allowed; Lit's dev-mode note is one. */
const errorsSince = (from: number): string[] => pg.log.slice(from).filter((l) => l.startsWith('console.error') || l.startsWith('page error'));

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}.${context()}`);
}

/** Opens learn.html fresh (a full load: the query differs for each visit, the hash picks the page). */
let visits = 0;
async function open(hash: string): Promise<void> {
  await page.goto(`${pg.url}learn.html?test-hooks&visit=${++visits}${hash}`, { waitUntil: 'load' });
}

async function openLesson(id: string): Promise<void> {
  await open(`#${id}`);
  await page.waitForSelector('lesson-page[phase="ready"], lesson-page[phase="error"]', { timeout: 60_000 });
  const error = await page.$eval('lesson-page', (e) => (e.getAttribute('phase') === 'error' ? e.textContent?.trim() ?? '' : ''));
  if (error) throw new Error(`Lesson ${id} failed to open: ${error}${context()}`);
  // Numbers that need data or the GPU arrive after the first render.
  await until(`the stats of ${id} to settle`, () => page.evaluate(() => window.__courseTest?.stats().pending === 0));
}

async function fullScreenshot(name: string): Promise<void> {
  mkdirSync(outDir, { recursive: true });
  await page.screenshot({ path: join(outDir, name), fullPage: true });
}

const ex = (id: string, inner = ''): string => `[data-exercise="${id}"]${inner ? ` ${inner}` : ''}`;

async function checksOf(id: string): Promise<number> {
  return page.$eval(ex(id), (e) => Number(e.getAttribute('checks') ?? 0));
}

/** Clicks the exercise's Check (or presses Enter in its field) and waits for that check to finish; returns its status. */
async function check(id: string, how: () => Promise<void>): Promise<{ status: string; message: string }> {
  const before = await checksOf(id);
  await how();
  await until(`check ${before + 1} of exercise ${id}`, async () => (await checksOf(id)) > before, 60_000);
  return page.$eval(ex(id), (e) => ({ status: e.getAttribute('status') ?? '', message: e.querySelector('[data-result]')?.textContent?.trim() ?? '' }));
}

const clickCheck = (id: string) => () => page.click(ex(id, '[data-action="check"]'));

async function setCode(id: string, code: string): Promise<void> {
  await page.$eval(ex(id), (e, c) => ((e as HTMLElement & { code: string }).code = c), code);
}

async function answer(d: ExerciseDemo, value: unknown): Promise<{ status: string; message: string }> {
  switch (d.kind) {
    case 'number': {
      // With the keyboard: type into the field and press Enter.
      const input = ex(d.id, 'input');
      await page.click(input, { count: 3 });
      await page.keyboard.press('Backspace');
      await page.type(input, String(value));
      return check(d.id, () => page.keyboard.press('Enter'));
    }
    case 'choice':
      await page.click(ex(d.id, `input[type="radio"][value="${Number(value)}"]`));
      return check(d.id, clickCheck(d.id));
    case 'target':
      await page.$eval(ex(d.id, '.widget-frame > *'), async (w, v) => {
        (w as HTMLElement & { value: unknown }).value = v;
        await (w as HTMLElement & { updateComplete?: Promise<unknown> }).updateComplete;
      }, value);
      return check(d.id, clickCheck(d.id));
    case 'code':
      await setCode(d.id, String(value));
      return check(d.id, clickCheck(d.id));
  }
}

/**
 * Changes one control inside a widget (a range, number, select, radio, checkbox or, failing those, a button, in
 * that order of preference, looking through shadow roots) by dispatching input/change on it, and returns the
 * widget's rendered text before and after, once it changed (or after 5 s).
 */
async function poke(selector: string): Promise<{ control: string; before: string; after: string }> {
  const handle = await page.$(selector);
  if (!handle) throw new Error(`no widget at ${selector}`);
  const { control, before } = await handle.evaluate((w) => {
    // Every element inside, through shadow roots (the widget's own first).
    const all = (root: Element | ShadowRoot): Element[] => {
      const out: Element[] = [];
      if (root instanceof Element && root.shadowRoot) out.push(...all(root.shadowRoot));
      for (const el of root.querySelectorAll('*')) {
        out.push(el);
        if (el.shadowRoot) out.push(...all(el.shadowRoot));
      }
      return out;
    };
    const text = (root: Element): string =>
      all(root)
        .map((el) => {
          const own = [...el.childNodes].filter((n) => n.nodeType === Node.TEXT_NODE).map((n) => n.textContent ?? '').join('');
          const input = el instanceof HTMLInputElement || el instanceof HTMLSelectElement ? `=${el.value}${(el as HTMLInputElement).checked ? '✓' : ''}` : '';
          return `${own.trim()}${input}${el.getAttribute('aria-label') ?? ''}`;
        })
        .filter(Boolean)
        .join('|');
    (window as unknown as { __pokeText: (r: Element) => string }).__pokeText = text;
    const els = all(w);
    const enabled = (e: Element) => !(e as HTMLInputElement).disabled;
    const pick =
      els.find((e) => e instanceof HTMLInputElement && e.type === 'range' && enabled(e)) ??
      els.find((e) => e instanceof HTMLInputElement && e.type === 'number' && enabled(e)) ??
      els.find((e) => e instanceof HTMLSelectElement && e.options.length > 1 && enabled(e)) ??
      els.find((e) => e instanceof HTMLInputElement && e.type === 'radio' && !e.checked && enabled(e)) ??
      els.find((e) => e instanceof HTMLInputElement && e.type === 'checkbox' && enabled(e)) ??
      els.find((e) => e instanceof HTMLButtonElement && enabled(e));
    const before = text(w);
    if (!pick) return { control: '', before };
    const fire = (e: Element) => {
      e.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
      e.dispatchEvent(new Event('change', { bubbles: true, composed: true }));
    };
    if (pick instanceof HTMLInputElement && pick.type === 'range') {
      const min = Number(pick.min || 0);
      const max = Number(pick.max || 100);
      const now = Number(pick.value);
      // A third of the way from wherever it is: always a different, valid value.
      pick.value = String(now - min > (max - min) / 2 ? min + (max - min) / 3 : max - (max - min) / 3);
      fire(pick);
    } else if (pick instanceof HTMLInputElement && pick.type === 'number') {
      pick.value = String(Number(pick.value || 0) + Number(pick.step && pick.step !== 'any' ? pick.step : 1));
      fire(pick);
    } else if (pick instanceof HTMLSelectElement) {
      pick.selectedIndex = (pick.selectedIndex + 1) % pick.options.length;
      fire(pick);
    } else if (pick instanceof HTMLInputElement) {
      pick.click(); // radio or checkbox: click fires input and change itself
    } else {
      (pick as HTMLButtonElement).click();
    }
    return { control: `${pick.tagName.toLowerCase()}${pick instanceof HTMLInputElement ? `[type=${pick.type}]` : ''}`, before };
  });
  if (!control) return { control, before, after: before };
  let after = before;
  await until(
    `${selector} to change after an input on its ${control}`,
    async () => {
      after = await handle.evaluate((w) => (window as unknown as { __pokeText: (r: Element) => string }).__pokeText(w));
      return after !== before;
    },
    5_000,
  ).catch(() => undefined);
  return { control, before, after };
}

describe('the course', () => {
  test('the home lists the 13 week groups, with links only for the built weeks', async () => {
    const from = pg.log.length;
    await open('');
    await page.waitForSelector('course-home[phase="ready"]', { timeout: 30_000 });
    await fullScreenshot('course-home.png');
    const cards = await page.$$eval('.week-card', (els) =>
      els.map((e) => ({
        week: e.getAttribute('data-week'),
        href: e.querySelector('h2 a')?.getAttribute('href') ?? null,
        status: e.querySelector('[data-progress]')?.getAttribute('data-progress'),
        text: e.textContent ?? '',
      })),
    );
    expect(cards.map((c) => c.week)).toEqual(WEEKS.map((w) => w.week));
    expect(cards).toHaveLength(13);
    for (const [i, w] of WEEKS.entries()) {
      if (w.lesson) {
        expect(cards[i].href, `week ${w.week}`).toBe(`./learn.html#${w.lesson}`);
        expect(cards[i].status).toBe('not started');
      } else {
        expect(cards[i].href, `week ${w.week} is not built, so it has no link`).toBeNull();
        expect(cards[i].text).toContain('Coming');
      }
    }
    expect(lessonIds.length, 'lessons registered').toBeGreaterThan(0);
    expect(errorsSince(from), 'console errors on the home').toEqual([]);
  });

  for (const id of lessonIds) {
    test(`lesson ${id}: opens cleanly, states engine numbers, its widgets respond and its exercises are checked`, async () => {
      const from = pg.log.length;
      const t0 = Date.now();
      await openLesson(id);
      const opened = Date.now() - t0;
      await fullScreenshot(`course-${id}.png`);

      const demos = await page.evaluate(() => window.__courseTest!.exercises);
      demosOf.set(id, demos);

      // Every widget (in the prose and in target exercises) reacts to an input.
      const widgets = await page.$$eval('figure.widget[data-widget-key], .widget-frame[data-widget]', (els) =>
        els.map((e) => (e.matches('figure') ? `figure[data-widget-key="${e.getAttribute('data-widget-key')}"] > :first-child` : `[data-exercise="${e.closest('[data-exercise]')?.getAttribute('data-exercise')}"] .widget-frame > *`)),
      );
      for (const w of widgets) {
        const r = await poke(w);
        expect(r.control, `${id}: ${w} has a control to change`).not.toBe('');
        expect(r.after, `${id}: ${w} changed its text after an input on its ${r.control}`).not.toBe(r.before);
      }

      if (id === 'week-1-2') {
        // Keyboard only: the Gaussian plot takes focus, the arrows move its cursor, Enter adds a point there.
        const removeText = () => page.$eval('>>> w12-gaussian-nb >>> button:last-of-type', (b) => b.textContent ?? '');
        const before = await removeText();
        await page.$eval('>>> w12-gaussian-nb >>> canvas', (c) => (c as HTMLCanvasElement).focus());
        await page.keyboard.press('ArrowRight');
        await page.keyboard.press('Enter');
        await until('Enter on the Gaussian plot to add a point', async () => (await removeText()) !== before);
        expect(await removeText()).toMatch(/\(\d+\)/);
      }

      const t1 = Date.now();
      // Every exercise: each wrong answer refused, the right one accepted.
      for (const d of demos) {
        for (const [i, wrong] of d.wrong.entries()) {
          const r = await answer(d, wrong);
          expect(r.status, `${id}/${d.id}: wrong answer ${i + 1} must be refused (${r.message})`).toBe('wrong');
        }
        const r = await answer(d, d.right);
        expect(r.status, `${id}/${d.id}: the right answer must be accepted (${r.message})`).toBe('ok');
      }
      const t2 = Date.now();
      console.log(`[course e2e] ${id}: opened in ${opened} ms; ${widgets.length} widgets in ${t1 - t0 - opened} ms; ${demos.length} exercises in ${t2 - t1} ms`);
      // Numbers: each [data-stat] shows what stat() recorded from the engine, and nothing recorded is missing. Checked
      // last, when every exercise's explanation (which may state numbers too) has been revealed.
      const { stats, shown } = await page.evaluate(() => ({
        stats: window.__courseTest!.stats(),
        shown: (function find(root: Document | ShadowRoot): Element[] {
          // through shadow roots too: a widget may state a number with stat()
          return [...root.querySelectorAll('*')].flatMap((e) => [...(e.hasAttribute('data-stat') ? [e] : []), ...(e.shadowRoot ? find(e.shadowRoot) : [])]);
        })(document).map((e) => ({ name: e.getAttribute('data-stat') ?? '', text: e.textContent?.trim() ?? '' })),
      }));
      expect(stats.problems, `stat problems in ${id}`).toEqual([]);
      for (const s of shown) {
        const want = stats.values[s.name];
        expect(want, `[data-stat="${s.name}"] in ${id} was not rendered by stat()`).toBeDefined();
        expect(s.text, `[data-stat="${s.name}"] in ${id}`).toBe(want.text);
        expect(Number.isFinite(want.value), `stat ${s.name} is a finite number`).toBe(true);
      }
      for (const name of Object.keys(stats.values)) {
        expect(shown.some((s) => s.name === name), `stat "${name}" of ${id} is on the page`).toBe(true);
      }
      // Perplexity is e to the cross-entropy: an identity to 1e-9, which a claim's comparisons cannot state.
      if (id === 'week-3') {
        const [ce, ppl] = ['w3-bi-kn-exp-xent', 'w3-bi-kn-ppl-exact'].map((name) => {
          expect(stats.values[name], `${id} states ${name}`).toBeDefined();
          return stats.values[name].value;
        });
        expect(Math.abs(ce - ppl) / ppl).toBeLessThan(1e-9);
      }
      // The claims each lesson declares (Lesson.claims; issue 16's "Done means"), on the values stated on this page.
      const claims = await page.evaluate(() => window.__courseTest!.claims);
      const shownValues = Object.fromEntries(shown.map((s) => [s.name, stats.values[s.name]]));
      for (const c of claims) expect(claimFails(c, shownValues), `${id}: ${c.says}`).toBeNull();

      // "Open in the playground": each link carries a graph the editor can open (decoded as the editor decodes it).
      const links = await page.$$eval('a.open-playground', (els) => els.map((a) => a.getAttribute('href') ?? ''));
      for (const href of links) {
        expect(href).toMatch(/^\.\/index\.html#graph=/);
        const graph = await decodeGraphHash(href.slice(href.indexOf('#')));
        expect(graph.ok, `${id}: playground link ${href.slice(0, 60)}… ${graph.ok ? '' : graph.error}`).toBe(true);
      }
      expect(await page.$$eval('course-playground-link', (els) => els.length), `${id}: every playground link resolved`).toBe(links.length);

      const solved = await page.$eval('[data-progress]', (e) => e.textContent?.trim());
      expect(solved).toBe(`${demos.length} of ${demos.length} exercises solved`);
      await page.waitForSelector('lesson-page[saved="saved"]');
      widgetsOf.set(id, await page.evaluate(() => window.__courseTest!.state()!.widgets));
      expect(errorsSince(from), `console errors on ${id}`).toEqual([]);
    });
  }

  /** The first lesson with a code cell, for the remaining tests. */
  const withCode = (): { id: string; cell: ExerciseDemo } => {
    for (const id of lessonIds) {
      const cell = demosOf.get(id)?.find((d) => d.kind === 'code');
      if (cell) return { id, cell };
    }
    throw new Error('No registered lesson has a code cell (or the lesson tests did not run)');
  };

  test('progress survives a reload; an endless loop times out and the page stays usable; share, reset and undo', async () => {
    const { id, cell } = withCode();
    const total = demosOf.get(id)!.length;
    const from = pg.log.length;
    await openLesson(id);
    const solved = () => page.$eval('[data-progress]', (e) => e.textContent?.trim());
    const code = () => page.$eval(ex(cell.id), (e) => (e as HTMLElement & { code: string }).code);

    // A fresh load of the lesson shows what its test above left: everything solved, the solution in the editor,
    // and each widget's setting given back to it through its `value`.
    expect(await solved()).toBe(`${total} of ${total} exercises solved`);
    expect(await code()).toBe(cell.right);
    const settings = widgetsOf.get(id) ?? {};
    for (const [key, value] of Object.entries(settings)) {
      const now = await page.$eval(`figure[data-widget-key="${key}"] > :first-child`, (w) => (w as HTMLElement & { value?: unknown }).value);
      expect(now, `widget ${key} restored after a reload`).toEqual(value);
    }

    // An endless loop: Run stops it after the cell's time limit and says so, while the page keeps answering.
    const name = await page.$eval(ex(cell.id, 'h3 code'), (e) => e.textContent ?? '');
    await setCode(cell.id, `function ${name}() {\n  while (true) {}\n}`);
    await page.click(ex(cell.id, '[data-action="run"]'));
    const frames = await page.evaluate(
      () => new Promise<number>((resolve) => {
        // Counts animation frames while the worker spins: the main thread is free, so they keep coming.
        let n = 0;
        const tick = () => (++n >= 20 ? resolve(n) : requestAnimationFrame(tick));
        requestAnimationFrame(tick);
      }),
    );
    expect(frames).toBe(20);
    await until('the endless loop to time out', () => page.$eval(ex(cell.id), (e) => e.getAttribute('status') === 'error'), 30_000);
    expect(await page.$eval(ex(cell.id, '[data-output]'), (e) => e.textContent ?? '')).toMatch(/Timed out: your function was still running after [\d.]+ s/);
    // Usable: the same cell then checks the solution on a fresh worker, and passes.
    const again = await answer(cell, cell.right);
    expect(again.status, again.message).toBe('ok');

    // Keyboard: Escape then Tab leaves the editor for the next control (Run).
    await page.click(ex(cell.id, '.cm-content'));
    await page.keyboard.press('Escape');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-action'))).toBe('run');

    // Share: a link carrying the code. Reset clears the lesson, Undo brings it back; reset again for what follows.
    await page.click('[data-action="share"]');
    const link = await (await page.waitForSelector('.share-url input'))!.evaluate((e) => (e as HTMLInputElement).value);
    expect(link).toMatch(new RegExp(`/learn\\.html#${id}\\?s=1\\.[A-Za-z0-9_-]+$`));
    await page.click('[data-action="reset"]');
    expect(await solved()).toBe(`0 of ${total} exercises solved`);
    expect(await code()).not.toBe(cell.right);
    await page.click('[data-notice] [data-action="undo"]');
    expect(await solved()).toBe(`${total} of ${total} exercises solved`);
    expect(await code()).toBe(cell.right);
    await page.click('[data-action="reset"]');
    await page.waitForSelector('lesson-page[saved="saved"]');

    // The link, opened: the learner is asked first, and the code arrives without running and without results.
    await page.goto(link.replace('learn.html#', `learn.html?test-hooks&visit=${++visits}#`), { waitUntil: 'load' });
    await page.waitForSelector('lesson-page[phase="ready"]', { timeout: 60_000 });
    await page.waitForSelector('[data-notice] [data-action="open-shared"]');
    expect(await code(), 'the shared code waits for the learner to accept it').not.toBe(cell.right);
    await page.click('[data-action="open-shared"]');
    await until('the shared code in the editor', async () => (await code()) === cell.right);
    expect(await page.$eval(ex(cell.id), (e) => e.getAttribute('status')), 'shared code has not run').toBe('idle');
    expect(await solved()).toBe(`0 of ${total} exercises solved`);
    await page.waitForSelector('lesson-page[saved="saved"]');
    expect(errorsSince(from)).toEqual([]);

    // The home reads the saved progress: this lesson in progress (shared code, nothing solved), the others done.
    await open('');
    await page.waitForSelector('course-home[phase="ready"]');
    const status = await page.$$eval('.week-card', (els) =>
      Object.fromEntries(els.map((e) => [e.querySelector('h2 a')?.getAttribute('href')?.split('#')[1] ?? '', e.querySelector('[data-progress]')?.getAttribute('data-progress')])),
    );
    expect(status[id]).toBe('in progress');
    for (const other of lessonIds.filter((l) => l !== id && WEEKS.some((w) => w.lesson === l) && demosOf.get(l)?.length)) expect(status[other], other).toBe('done');
  });
});
