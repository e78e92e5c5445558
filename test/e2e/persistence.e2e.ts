// Keeping work, end to end, in headless chromium: what a learner has built survives every way of saving,
// sharing, replacing, reloading and closing it, and two tabs on the same autosave ask before overwriting.
//   1. Save → Open brings back the graph and its trained weights (saved again, they are the same bytes);
//   2. Export PyTorch downloads the training project as one zip (model.py, train.py, weights, data, graph.json,
//      README), the scripts valid Python, the module with one submodule per layer, and the page's weights in it;
//   3. New, Examples and Open… are undoable, and the graphs they replace are restored from History… after a reload;
//   4. the last edit survives closing the tab within the autosave's debounce (a), and a reload after Share and an
//      edit shows the edit, not the link's graph (b);
//   5. a share link opens in a fresh browser (no autosave) and stays there across a reload;
//   6. two tabs: a save in one makes the other ask (keep this tab's version / load the other tab's), and
//      neither choice loses either version.
// All run in one browser, on one playground page plus the extra tabs and context that 4 to 6 need.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { CDPSession, ElementHandle, Page } from 'puppeteer';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { strFromU8, unzipSync } from 'fflate';
import { readSafetensors } from '../../engine/index';
import { openPlayground, outDir, type Playground } from './harness';
import { pageHelpers } from './page-helpers';

let pg: Playground;
let page: Page;
let cdp: CDPSession | undefined;
const { openOnWebGPU, context, el, text, phase, until } = pageHelpers(() => pg);
const XOR_IDS = ['crossentropy_1', 'linear_1', 'linear_2', 'tanh_1', 'xor_1'];

async function nodeIds(p: Page = page): Promise<string[]> {
  return (await p.$$eval('>>> graph-node', (els) => els.map((e) => e.getAttribute('data-node-id') ?? ''))).sort();
}

/** Adds a node from the palette with the keyboard (Enter on a palette item puts it in the middle of the canvas). */
async function addNode(type: string, p: Page = page): Promise<void> {
  const item = await p.waitForSelector(`>>> node-palette >>> [data-node-type="${type}"]`, { timeout: 15_000 });
  if (!item) throw new Error(`The palette has no ${type}.${context()}`);
  await item.focus();
  await p.keyboard.press('Enter');
}

/** The node ids in the autosave as stored in the page's IndexedDB (the same database every tab of the origin sees). */
async function storedIds(p: Page = page): Promise<string[]> {
  return p.evaluate(
    () =>
      new Promise<string[]>((resolve, reject) => {
        const open = indexedDB.open('gpu-learn');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          if (!db.objectStoreNames.contains('autosave')) return resolve([]);
          const get = db.transaction('autosave').objectStore('autosave').get('graph:last');
          get.onsuccess = () => {
            db.close();
            if (typeof get.result !== 'string') return resolve([]);
            const record = JSON.parse(get.result) as { graph?: string; nodes?: Array<{ id: string }> };
            const doc = (typeof record.graph === 'string' ? JSON.parse(record.graph) : record) as { nodes: Array<{ id: string }> };
            resolve(doc.nodes.map((n) => n.id).sort());
          };
        };
      }),
  );
}

async function undoTitle(): Promise<string> {
  return toolbarTitle('undo');
}

/** The title of a toolbar button, or '(disabled)'. */
async function toolbarTitle(action: 'undo' | 'redo'): Promise<string> {
  return (await el(`editor-toolbar >>> [data-action="${action}"]`)).evaluate((b) => ((b as HTMLButtonElement).disabled ? '(disabled)' : (b as HTMLButtonElement).title));
}

/**
 * Clicks Undo or Redo, once it offers `offers`, until `done()`. On a loaded machine a click can land while the
 * toolbar re-renders (after the History menu closes, or a frame before Redo is enabled) and be lost: the button
 * then still offers the same step, and only then is it clicked again, so no step is ever taken twice.
 */
async function press(action: 'undo' | 'redo', offers: RegExp, what: string, done: () => Promise<boolean>): Promise<void> {
  await until(what, async () => {
    if (await done()) return true;
    if (!offers.test(await toolbarTitle(action))) return false; // not offered yet, or taken and still settling
    await (await el(`editor-toolbar >>> [data-action="${action}"]`)).click();
    const settle = Date.now() + 5_000;
    while (Date.now() < settle) {
      if (await done()) return true;
      await new Promise((r) => setTimeout(r, 100));
    }
    return false;
  }, 30_000);
}

/** Downloads go to a fresh folder; returns it, and waitFiles() then waits for files ending in `endings`. */
async function downloadsTo(name: string): Promise<string> {
  const dir = join(outDir, 'persistence-downloads', name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  // The session stays open: closing it would reset the download behaviour.
  cdp ??= await page.createCDPSession();
  await cdp.send('Browser.setDownloadBehavior', { behavior: 'allow', downloadPath: dir });
  return dir;
}

async function waitFiles(dir: string, endings: string[]): Promise<string[]> {
  let found: string[] = [];
  await until(`downloads ending in ${endings.join(', ')} in ${dir}`, async () => {
    const files = readdirSync(dir);
    found = endings.map((end) => files.find((f) => f.endsWith(end)) ?? '');
    return found.every(Boolean);
  }, 15_000);
  return found.map((f) => join(dir, f));
}

/**
 * Each test from 4 on starts from the saved XOR graph, opened with Open… and autosaved, in this tab in front, so
 * that it shows its own item whatever an earlier test left behind.
 */
async function startFrom(file: string): Promise<void> {
  await page.bringToFront();
  const input = (await el('editor-toolbar >>> input[type="file"]')) as ElementHandle<HTMLInputElement>;
  await input.uploadFile(file);
  await until('the opened file', async () => (await nodeIds()).join() === XOR_IDS.join());
  await until('its autosave', async () => (await storedIds()).join() === XOR_IDS.join(), 10_000);
}

/** Clicks Share link and waits for the new link in the address bar (one left there before doesn't count). */
async function share(): Promise<void> {
  const before = page.url();
  await (await el('editor-toolbar >>> [data-action="share"]')).click();
  await until('the share link', async () => page.url() !== before && new URL(page.url()).hash.startsWith('#graph='));
}

type Entry = { name: string; nodes: number };

/**
 * Opens History… in tab `p` and returns its entries once `ready` holds for them. The list is read from storage as
 * the menu opens, and a graph replaced a moment ago may still be on its way there, so the menu is reopened until then.
 */
async function openHistory(ready: (entries: Entry[]) => boolean, p: Page = page): Promise<Entry[]> {
  let entries: Entry[] = [];
  const button = async () => (await p.waitForSelector('>>> editor-toolbar >>> [data-action="history"]'))!;
  await until('the History menu to list the graph', async () => {
    if (await p.$('>>> [data-history-menu]')) await (await button()).click(); // close it, to reopen and reread
    await (await button()).click();
    await p.waitForSelector('>>> [data-history-menu]', { timeout: 5_000 });
    entries = await p.$$eval('>>> [data-history-entry]', (els) =>
      els.map((e) => ({ name: e.querySelector('span')?.textContent ?? '', nodes: Number(/(\d+) nodes/.exec(e.textContent ?? '')?.[1]) })),
    );
    return ready(entries);
  }, 10_000);
  return entries;
}

beforeAll(async () => {
  pg = await openPlayground({ width: 1280, height: 800 });
  page = pg.page;
  await openOnWebGPU();
}, 90_000);

afterAll(async () => {
  await pg?.close();
});

describe('keeping work', () => {
  let savedJson = '';
  let savedWeights = '';

  test('1. Save → Open brings back the graph and its trained weights', async () => {
    await until('the first-visit example', async () => (await nodeIds()).join() === XOR_IDS.join(), 30_000);
    await until('the graph to be compiled ahead', async () => (await phase()) === 'ready', 60_000);
    await (await el('train-controls >>> [data-action="step"]')).click(); // trained weights differ from any fresh init
    await until('one step', async () => Number(await text('[data-stat="step"]')) >= 1);
    const first = await downloadsTo('save-1');
    await (await el('editor-toolbar >>> [data-action="save"]')).click();
    [savedJson, savedWeights] = await waitFiles(first, ['.json', '.safetensors']);

    await (await el('editor-toolbar >>> [data-action="new"]')).click();
    await until('an empty canvas', async () => (await nodeIds()).length === 0);
    const input = (await el('editor-toolbar >>> input[type="file"]')) as ElementHandle<HTMLInputElement>;
    await input.uploadFile(savedJson, savedWeights);
    await until('the weights loaded', async () => (await page.$('>>> [data-toast]').then((t) => t?.evaluate((e) => e.textContent ?? ''))) === `Loaded the weights from ${savedWeights.split('/').pop()}.`, 60_000);
    expect(await nodeIds()).toEqual(XOR_IDS);

    const second = await downloadsTo('save-2');
    await (await el('editor-toolbar >>> [data-action="save"]')).click();
    const [json2, weights2] = await waitFiles(second, ['.json', '.safetensors']);
    expect(readFileSync(json2, 'utf8')).toBe(readFileSync(savedJson, 'utf8'));
    expect(Buffer.compare(readFileSync(weights2), readFileSync(savedWeights)), 'the weights opened are the ones saved').toBe(0);
  }, 120_000);

  test('2. Export PyTorch downloads the training project as one zip, with the weights the page has', async () => {
    const dir = await downloadsTo('export');
    await (await el('editor-toolbar >>> [data-action="export"]')).click();
    const [zip] = await waitFiles(dir, ['.zip']);
    const files = unzipSync(readFileSync(zip));
    const project = ['README.md', 'data.safetensors', 'graph.json', 'model.py', 'train.py', 'weights.safetensors'];
    expect(Object.keys(files).sort()).toEqual(project.map((f) => `xorMlp/${f}`));
    // Python's own parser: both scripts must be valid Python, and model.py's __init__ one submodule per layer.
    const layers = execFileSync('python3', ['-c', [
      'import ast, json, sys',
      'model, train = json.load(sys.stdin)',
      'ast.parse(train)',
      'tree = ast.parse(model)',
      'cls = next(n for n in tree.body if isinstance(n, ast.ClassDef))',
      'init = next(f for f in cls.body if isinstance(f, ast.FunctionDef) and f.name == "__init__")',
      'print(json.dumps(sorted(t.attr for s in init.body if isinstance(s, ast.Assign) for t in s.targets if isinstance(t, ast.Attribute))))',
    ].join('\n')], { encoding: 'utf8', input: JSON.stringify([strFromU8(files['xorMlp/model.py']), strFromU8(files['xorMlp/train.py'])]) });
    expect(JSON.parse(layers)).toEqual(expect.arrayContaining(['linear_1', 'linear_2']));
    const code = strFromU8(files['xorMlp/model.py']);
    expect(code).toMatch(/class XorMlp\(nn\.Module\)/);
    expect(code).toMatch(/self\.linear_1 = nn\.Linear\(2, 8/);
    expect(code).toMatch(/self\.linear_2 = nn\.Linear\(8, 2/);
    expect(strFromU8(files['xorMlp/train.py'])).toMatch(/^from model import XorMlp$/m);
    // The project starts from the weights the page holds: those test 1 saved and opened.
    const exported = readSafetensors(files['xorMlp/weights.safetensors']);
    const saved = readSafetensors(readFileSync(savedWeights));
    expect([...exported.tensors.keys()]).toEqual([...saved.tensors.keys()]);
    for (const [name, t] of saved.tensors) expect(exported.tensors.get(name)!.data, name).toEqual(t.data);
  }, 60_000);

  test('3. New, Examples and Open… are undoable, and what they replaced is restored from History… after a reload', async () => {
    await addNode('relu');
    await until('the edit', async () => (await nodeIds()).includes('relu_1'));
    const edited = await nodeIds();

    await (await el('editor-toolbar >>> [data-action="new"]')).click();
    await until('an empty canvas', async () => (await nodeIds()).length === 0);
    expect(await undoTitle(), 'New must be undoable').toMatch(/^Undo New graph/);
    await (await el('editor-toolbar >>> [data-action="undo"]')).click();
    await until('the graph back after undoing New', async () => (await nodeIds()).join() === edited.join());

    await (await el('editor-toolbar >>> [data-action="gallery"]')).click();
    await (await el('[data-example="xor-mlp"]')).click();
    await until('the example', async () => (await nodeIds()).join() === XOR_IDS.join());
    expect(await undoTitle()).toMatch(/^Undo Open example XOR MLP/);
    await (await el('editor-toolbar >>> [data-action="undo"]')).click();
    await until('the graph back after undoing the example', async () => (await nodeIds()).join() === edited.join());

    const input = (await el('editor-toolbar >>> input[type="file"]')) as ElementHandle<HTMLInputElement>;
    await input.uploadFile(savedJson);
    await until('the opened file', async () => (await nodeIds()).join() === XOR_IDS.join());
    expect(await undoTitle()).toMatch(/^Undo Open /);

    // The edited graph was replaced three times; the history keeps it once. After a reload it is still there.
    await until('the autosave of the opened file', async () => (await storedIds()).join() === XOR_IDS.join(), 10_000);
    await page.reload({ waitUntil: 'load' });
    await until('the reloaded graph', async () => (await nodeIds()).join() === XOR_IDS.join(), 30_000);
    const entries = await openHistory((list) => list.some((e) => e.nodes === edited.length));
    expect(entries.filter((e) => e.nodes === edited.length), JSON.stringify(entries)).toHaveLength(1);
    const index = entries.findIndex((e) => e.nodes === edited.length);
    await (await el(`editor-toolbar >>> [data-history-entry="${index}"]`)).click();
    await until('the restored graph', async () => (await nodeIds()).join() === edited.join());
    expect(await page.$('>>> [data-history-menu]'), 'the menu closes').toBeNull();
    // Restoring is undoable too.
    expect(await undoTitle()).toMatch(/^Undo Restore XOR MLP/);
    await press('undo', /^Undo Restore XOR MLP/, 'the graph before the restore', async () => (await nodeIds()).join() === XOR_IDS.join());
    await press('redo', /^Redo Restore XOR MLP/, 'the restored graph again', async () => (await nodeIds()).join() === edited.join());
  }, 90_000);

  test('4a. the last edit survives closing the tab within the autosave\'s debounce', async () => {
    await startFrom(savedJson);
    // A second tab makes the edit and is closed straight away, well within the autosave's 300 ms debounce.
    const tab = await pg.browser.newPage();
    try {
      await tab.goto(pg.url, { waitUntil: 'load' });
      await until('the autosaved graph in the new tab', async () => (await nodeIds(tab)).join() === XOR_IDS.join(), 30_000);
      await addNode('sigmoid', tab);
      await until('the edit in the new tab', async () => (await nodeIds(tab)).includes('sigmoid_1'));
    } finally {
      await tab.close();
    }
    await until('the closed tab\'s last edit in the autosave', async () => (await storedIds()).includes('sigmoid_1'), 5_000);
    // This tab is asked whether to take that version (test 6 covers the choice); it does, so it is current again.
    await page.bringToFront();
    await (await el('[data-conflict] [data-action="load-theirs"]')).click();
    await until('the other tab\'s graph', async () => (await nodeIds()).includes('sigmoid_1'));
  }, 60_000);

  test('4b. a reload after Share and an edit shows the edit, not the shared graph', async () => {
    await startFrom(savedJson);
    await share();
    await addNode('gelu');
    await until('the edit after sharing', async () => (await storedIds()).includes('gelu_1'), 10_000);
    expect(new URL(page.url()).hash, 'an edit drops the share link from the address bar').toBe('');
    await page.reload({ waitUntil: 'load' });
    await until('the graph after the reload', async () => (await nodeIds()).length > 0, 30_000);
    expect(await nodeIds(), 'the reload shows the edit, not the shared graph').toEqual([...XOR_IDS, 'gelu_1'].sort());
  }, 60_000);

  test('5. a share link opens in a fresh browser, and stays after a reload there', async () => {
    await startFrom(savedJson);
    await addNode('relu'); // a graph that differs from the example a first visit shows
    await until('the edit', async () => (await nodeIds()).includes('relu_1'));
    await share();
    const link = page.url();
    const ids = await nodeIds();
    const fresh = await pg.browser.createBrowserContext();
    try {
      const other = await fresh.newPage();
      await other.goto(link, { waitUntil: 'load' });
      await until('the shared graph in the fresh browser', async () => (await nodeIds(other)).join() === ids.join(), 30_000);
      expect(new URL(other.url()).hash, 'the link is dropped once imported').toBe('');
      await until('the shared graph saved there', async () => (await storedIds(other)).join() === ids.join(), 10_000);
      await other.reload({ waitUntil: 'load' });
      await until('the shared graph after a reload', async () => (await nodeIds(other)).length > 0, 30_000);
      expect(await nodeIds(other)).toEqual(ids);
    } finally {
      await fresh.close();
    }
  }, 60_000);

  test('6. two tabs on one autosave ask before overwriting, and lose neither version', async () => {
    await startFrom(savedJson);
    const mine = XOR_IDS;
    const tab = await pg.browser.newPage();
    try {
      await tab.goto(pg.url, { waitUntil: 'load' });
      await until('the autosaved graph in the second tab', async () => (await nodeIds(tab)).join() === mine.join(), 30_000);
      // The second tab saves an edit: this one is asked at once, and its own edits then write nothing over it.
      await addNode('dropout', tab);
      const theirs = [...mine, 'dropout_1'].sort();
      await until('the second tab\'s save', async () => (await storedIds()).join() === theirs.join(), 10_000);
      await el('[data-conflict]');
      expect(await text('[data-conflict] p')).toMatch(/Another tab saved a different version/);
      await addNode('softmax');
      await until('the edit in this tab', async () => (await nodeIds()).includes('softmax_1'));
      await new Promise((r) => setTimeout(r, 400)); // past the autosave's debounce
      expect(await storedIds()).toEqual(theirs);

      // Keep this tab's version: it is saved, and the second tab is asked in turn. (A click needs the tab in front:
      // a tab behind draws no frames.)
      await page.bringToFront();
      await (await el('[data-conflict] [data-action="keep-mine"]')).click();
      const ours = [...mine, 'softmax_1'].sort();
      await until('this tab\'s version saved', async () => (await storedIds()).join() === ours.join(), 10_000);
      expect(await page.$('>>> [data-conflict]')).toBeNull();
      const banner = await tab.waitForSelector('>>> [data-conflict]', { timeout: 10_000 });
      expect(banner, 'the second tab is asked').not.toBeNull();

      // The second tab loads this one's version; its own is in History…, and Undo brings it back.
      await tab.bringToFront();
      await (await tab.waitForSelector('>>> [data-conflict] [data-action="load-theirs"]'))!.click();
      await until('the second tab showing this one\'s version', async () => (await nodeIds(tab)).join() === ours.join());
      const kept = await openHistory((list) => list.some((e) => e.nodes === theirs.length), tab);
      expect(kept.map((e) => e.nodes), 'the second tab\'s version is kept in the history').toContain(theirs.length);
      await tab.keyboard.press('Escape');
      await (await tab.waitForSelector('>>> editor-toolbar >>> [data-action="undo"]'))!.click();
      await until('the second tab\'s own version back', async () => (await nodeIds(tab)).join() === theirs.join());
    } finally {
      await tab.close();
    }
  }, 90_000);
});
