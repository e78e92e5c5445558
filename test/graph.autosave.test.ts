// Nothing is lost to a newer graph: replacing the whole graph is one undo step, the autosave keeps a history of
// the graphs replaced, and two tabs on the same autosave never overwrite each other silently (revisions,
// compare-and-swap, BroadcastChannel), whichever version the user keeps.
import { describe, expect, test, vi } from 'vitest';
import fc from 'fast-check';
import {
  Graph, graphSwap, Autosave, MemoryStorage, MemoryDrafts, readAutosave, readHistory, addToHistory, restoreAutosave,
  recoverDrafts, loadExample, serializeGraph, HISTORY_LIMIT, AUTOSAVE_KEY, type GraphEvent, type LoadedGraph, type StoredGraph,
  type StorageAdapter,
} from '../playground/graph/index';
import { keepAside } from '../playground/graph/autosave';

const xor = (): LoadedGraph => loadExample('xor-mlp');
const gpt = (): LoadedGraph => loadExample('char-gpt-names');
const meta = (g: LoadedGraph) => ({ name: g.name, train: g.train });

/** A graph store showing `g`, with its name and settings tracked the way the app tracks them. */
function tabShowing(g: LoadedGraph): { graph: Graph; doc: { name: string; train?: LoadedGraph['train'] } } {
  const graph = new Graph(g.state);
  const doc = meta(g);
  graph.subscribe((e) => {
    const swap = graphSwap(e);
    if (swap) Object.assign(doc, swap.incoming);
  });
  return { graph, doc };
}

let channels = 0;
/** A BroadcastChannel name no other test shares, so tests can't hear each other. */
const channel = (): string => `autosave-test-${process.pid}-${++channels}`;

describe('replacing the whole graph', () => {
  test('is one undo step that brings back the exact graph, name and settings, and redo swaps again', () => {
    const before = xor();
    const after = gpt();
    const graph = new Graph(before.state);
    graph.addNode('relu', { x: 5, y: 5 });
    const edited = graph.state;
    const events: GraphEvent[] = [];
    graph.subscribe((e) => events.push(e));

    graph.replace('Open example Char GPT', after.state, { before: meta(before), after: meta(after) });
    expect(graph.state).toBe(after.state);
    expect(graph.undoLabel).toBe('Open example Char GPT');
    expect(graphSwap(events[0])).toEqual({ outgoing: { state: edited, ...meta(before) }, incoming: meta(after) });

    expect(graph.undo()).toBe(true);
    expect(graph.state).toBe(edited);
    expect(graphSwap(events[1])).toEqual({ outgoing: { state: after.state, ...meta(after) }, incoming: meta(before) });
    graph.undo(); // the relu, from before the swap, is still on the stack
    expect(graph.state).toEqual(before.state);

    graph.redo();
    graph.redo();
    expect(graph.state).toBe(after.state);
    expect(graphSwap(events[events.length - 1])?.incoming).toEqual(meta(after));
  });

  test('ordinary edits are not swaps', () => {
    const graph = new Graph();
    const events: GraphEvent[] = [];
    graph.subscribe((e) => events.push(e));
    graph.addNode('xor');
    graph.undo();
    expect(events.map(graphSwap)).toEqual([null, null]);
  });
});

describe('the history of earlier graphs', () => {
  test('New, an example and a restore each keep the graph they replace, newest first, and empty graphs are skipped', async () => {
    const storage = new MemoryStorage();
    let clock = 1000;
    const start = xor();
    const { graph, doc } = tabShowing(start);
    const saver = new Autosave(graph, storage, { debounceMs: 1, meta: () => doc, channel: null, now: () => clock++ });
    graph.addNode('relu');
    const editedXor = graph.state;
    graph.replace('New graph', { nodes: [], edges: [] }, { before: { ...doc }, after: { name: '', train: doc.train } });
    graph.replace('Open example', gpt().state, { before: { ...doc }, after: meta(gpt()) }); // replaces an empty graph
    await saver.flush();

    let history = await readHistory(storage);
    expect(history.map((e) => [e.name, e.nodes, e.savedAt])).toEqual([[start.name, editedXor.nodes.length, 1000]]);
    const restored = JSON.parse(history[0].text) as { nodes: unknown[] };
    expect(restored.nodes).toHaveLength(editedXor.nodes.length);

    // Restoring is a swap too: the graph it replaces (the GPT) is kept, and Undo goes back to it.
    graph.replace('Restore', editedXor, { before: { ...doc }, after: { name: start.name, train: start.train } });
    await saver.flush();
    history = await readHistory(storage);
    expect(history.map((e) => e.name)).toEqual([gpt().name, start.name]);
    expect(graph.state).toBe(editedXor);
    graph.undo();
    expect(graph.state).toEqual(gpt().state);
    await saver.stop();
  });

  test('keeps the last HISTORY_LIMIT distinct graphs, newest first, whatever is added in whatever order', async () => {
    // A small set of graphs, so that sequences repeat some: a repeat moves to the front instead of appearing twice.
    const texts = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l'].map((n) => serializeGraph(xor().state, { name: n }));
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 0, max: texts.length - 1 }), { maxLength: 40 }), async (picks) => {
        const storage = new MemoryStorage();
        for (const [i, p] of picks.entries()) await addToHistory(storage, { savedAt: i, name: String(p), nodes: 5, text: texts[p] });
        // The model: each graph once, at the position of its latest addition, newest first.
        const expected = [...new Set([...picks].reverse())].slice(0, HISTORY_LIMIT);
        const got = await readHistory(storage);
        expect(got.map((e) => e.name)).toEqual(expected.map(String));
        expect(got.map((e) => e.text)).toEqual(expected.map((p) => texts[p]));
      }),
      { seed: 14, numRuns: 200 },
    );
  });

  test('a damaged history list loses only its damaged entries', async () => {
    const storage = new MemoryStorage();
    const good = { savedAt: 5, name: 'ok', nodes: 2, graph: serializeGraph(xor().state) };
    await storage.set(`${AUTOSAVE_KEY}:history`, JSON.stringify([{ savedAt: 'x' }, good, 7, null]));
    expect((await readHistory(storage)).map((e) => e.name)).toEqual(['ok']);
    await storage.set(`${AUTOSAVE_KEY}:history`, 'not json');
    expect(await readHistory(storage)).toEqual([]);
  });
});

describe('revisions', () => {
  test('each write bumps the revision; a save from before revisions reads as revision 0 and is upgraded', async () => {
    const storage = new MemoryStorage();
    const g = xor();
    await storage.set(AUTOSAVE_KEY, serializeGraph(g.state, meta(g))); // the old format: a bare graph file
    const old = await readAutosave(storage);
    expect(old?.rev).toBe(0);
    expect(old?.result.ok && old.result.graph.state).toEqual(g.state);

    const { graph, doc } = tabShowing(g);
    const saver = new Autosave(graph, storage, { rev: 0, meta: () => doc, channel: null, tab: 'tab-a' });
    await saver.flush();
    expect((await readAutosave(storage))?.rev).toBe(0); // the same graph: nothing new to write
    graph.addNode('relu');
    await saver.flush();
    const now = await readAutosave(storage);
    expect([now?.rev, now?.tab]).toEqual([1, 'tab-a']);
    expect(now?.result.ok && now.result.graph.state).toEqual(graph.state);
    graph.addNode('relu');
    await saver.flush();
    expect((await readAutosave(storage))?.rev).toBe(2);
    expect((await restoreAutosave(storage))?.ok).toBe(true);
    await saver.stop();
  });

  test('a graph from elsewhere (a link, an example) keeps the autosave it replaces in the history', async () => {
    const storage = new MemoryStorage();
    const mine = xor();
    await storage.set(AUTOSAVE_KEY, serializeGraph(mine.state, meta(mine)));
    const { graph, doc } = tabShowing(gpt());
    const saver = new Autosave(graph, storage, { meta: () => doc, channel: null, now: () => 42 });
    await saver.flush();
    const stored = await readAutosave(storage);
    expect(stored?.result.ok && stored.result.graph.name).toBe(gpt().name);
    expect(stored?.rev).toBe(1);
    expect((await readHistory(storage)).map((e) => e.name)).toEqual([mine.name]);
    await saver.stop();
  });

  test('a stale tab finds the newer revision when it writes, even without messages, and writes nothing', async () => {
    const storage = new MemoryStorage();
    const g = xor();
    const a = tabShowing(g);
    const b = tabShowing(g);
    const conflicts: StoredGraph[] = [];
    const saverA = new Autosave(a.graph, storage, { rev: 0, meta: () => a.doc, channel: null, tab: 'a', onConflict: (t) => conflicts.push(t) });
    const saverB = new Autosave(b.graph, storage, { rev: 0, meta: () => b.doc, channel: null, tab: 'b' });
    b.graph.addNode('relu', { x: 1, y: 1 });
    await saverB.flush();
    a.graph.addNode('tanh', { x: 2, y: 2 });
    await saverA.flush();
    expect(conflicts.map((c) => [c.rev, c.tab])).toEqual([[1, 'b']]);
    expect(saverA.conflict?.rev).toBe(1);
    const stored = await readAutosave(storage);
    expect(stored?.tab).toBe('b');
    expect(stored?.result.ok && stored.result.graph.state).toEqual(b.graph.state);
    // Further edits in the stale tab still write nothing until its user chooses.
    a.graph.addNode('relu', { x: 3, y: 3 });
    await saverA.flush();
    expect((await readAutosave(storage))?.tab).toBe('b');
    await saverA.stop();
    await saverB.stop();
  });

  test('two tabs: the other tab is told at once; keeping mine keeps theirs in the history, and loading theirs keeps mine', async () => {
    const storage = new MemoryStorage();
    const name = channel();
    const g = xor();
    const a = tabShowing(g);
    const b = tabShowing(g);
    const seen = { a: [] as StoredGraph[], b: [] as StoredGraph[] };
    const saverA = new Autosave(a.graph, storage, { rev: 0, meta: () => a.doc, channel: name, tab: 'a', onConflict: (t) => seen.a.push(t) });
    const saverB = new Autosave(b.graph, storage, { rev: 0, meta: () => b.doc, channel: name, tab: 'b', onConflict: (t) => seen.b.push(t) });

    a.graph.addNode('tanh', { x: 2, y: 2 }); // an edit in A not yet saved
    b.graph.addNode('relu', { x: 1, y: 1 });
    await saverB.flush();
    await vi.waitFor(() => expect(seen.a).toHaveLength(1)); // over the BroadcastChannel, before A writes anything
    expect(seen.a[0].result.ok && seen.a[0].result.graph.state).toEqual(b.graph.state);
    await saverA.flush({ leaving: true }); // A is hidden while it waits: its graph goes into the history
    expect((await readHistory(storage)).map((e) => e.nodes)).toEqual([a.graph.state.nodes.length]);

    // A keeps its version: B's goes into the history, A's is saved, and B is asked in turn.
    await saverA.keepMine();
    expect(saverA.conflict).toBeNull();
    const stored = await readAutosave(storage);
    expect([stored?.tab, stored?.rev]).toEqual(['a', 2]);
    expect(stored?.result.ok && stored.result.graph.state).toEqual(a.graph.state);
    const history = await readHistory(storage);
    expect(history.map((e) => JSON.parse(e.text) as unknown)).toContainEqual(JSON.parse(serializeGraph(b.graph.state, b.doc)));
    await vi.waitFor(() => expect(seen.b).toHaveLength(1));

    // B loads A's version as an undoable swap: B's own graph goes into the history and Undo brings it back.
    const bGraph = b.graph.state;
    const theirs = saverB.takeTheirs();
    b.graph.replace("Load the other tab's version", theirs.state, { before: { ...b.doc }, after: meta(theirs) });
    await saverB.flush();
    expect(b.graph.state).toEqual(a.graph.state);
    expect((await readHistory(storage)).some((e) => e.text === serializeGraph(bGraph, b.doc))).toBe(true);
    // B now holds what is stored: nothing is rewritten, so A is not asked again.
    expect((await readAutosave(storage))?.rev).toBe(2);
    await new Promise((r) => setTimeout(r, 20));
    expect(seen.a).toHaveLength(1);
    b.graph.undo();
    expect(b.graph.state).toBe(bGraph);

    await saverA.stop();
    await saverB.stop();
  });

  test('a newer save holding the same graph only moves the tab up to its revision', async () => {
    const storage = new MemoryStorage();
    const g = xor();
    const a = tabShowing(g);
    const b = tabShowing(g);
    const conflicts: StoredGraph[] = [];
    const saverA = new Autosave(a.graph, storage, { rev: 0, meta: () => a.doc, channel: null, tab: 'a', onConflict: (t) => conflicts.push(t) });
    const saverB = new Autosave(b.graph, storage, { rev: 0, meta: () => b.doc, channel: null, tab: 'b' });
    b.graph.addNode('relu', { x: 1, y: 1 });
    a.graph.addNode('relu', { x: 1, y: 1 });
    await saverB.flush();
    await saverA.check();
    expect(conflicts).toEqual([]);
    a.graph.addNode('tanh');
    await saverA.flush();
    expect((await readAutosave(storage))?.rev).toBe(2);
    await saverA.stop();
    await saverB.stop();
  });

  test('loading the other version is refused with a message when that version cannot be read', async () => {
    const storage = new MemoryStorage();
    const g = xor();
    const a = tabShowing(g);
    const saver = new Autosave(a.graph, storage, { rev: 0, meta: () => a.doc, channel: null });
    await storage.set(AUTOSAVE_KEY, JSON.stringify({ format: 'gpu-learn.autosave', rev: 3, tab: 'b', savedAt: 1, graph: '{"broken":' }));
    await saver.check();
    expect(saver.conflict?.rev).toBe(3);
    expect(() => saver.takeTheirs()).toThrow(/other tab's graph cannot be read: The file is not valid JSON/);
    expect(saver.conflict?.rev).toBe(3); // still waiting for a choice
    await saver.keepMine();
    expect((await readAutosave(storage))?.rev).toBe(4);
    expect(() => saver.takeTheirs()).toThrow(/no other version/);
    await saver.stop();
  });
});

describe('drafts left by a closing page', () => {
  /** Storage as seen by a page that is closing: reads work, but a write it starts never lands. */
  function closing(storage: MemoryStorage): StorageAdapter {
    return { get: (k) => storage.get(k), set: () => new Promise(() => {}), delete: () => new Promise(() => {}), update: () => new Promise(() => {}) };
  }

  test('the last edit, made within the debounce, is left as a draft that the next start folds into the autosave', async () => {
    const storage = new MemoryStorage();
    const drafts = new MemoryDrafts();
    const g = xor();
    const first = new Autosave(new Graph(g.state), storage, { meta: () => meta(g), channel: null, drafts });
    await first.flush();
    await first.stop();
    const rev = (await readAutosave(storage))!.rev;

    const tab = tabShowing(g);
    const saver = new Autosave(tab.graph, closing(storage), { rev, meta: () => tab.doc, channel: null, drafts, debounceMs: 10_000 });
    void saver.flush({ leaving: true }); // nothing new yet: no draft
    expect(drafts.data.size).toBe(0);
    tab.graph.addNode('relu', { x: 1, y: 1 });
    void saver.flush({ leaving: true }); // pagehide: the write starts but the page is gone before it lands
    expect(drafts.data.size, 'the draft is written at once, not after the queue').toBe(1);

    expect(await recoverDrafts(storage, drafts)).toBe(rev + 1);
    const stored = await readAutosave(storage);
    expect(stored?.result.ok && stored.result.graph.state).toEqual(tab.graph.state);
    expect(drafts.data.size).toBe(0);
    expect(await recoverDrafts(storage, drafts)).toBeNull();
  });

  test('once the write lands, the draft is removed', async () => {
    const storage = new MemoryStorage();
    const drafts = new MemoryDrafts();
    const tab = tabShowing(xor());
    const saver = new Autosave(tab.graph, storage, { meta: () => tab.doc, channel: null, drafts });
    tab.graph.addNode('relu');
    const flushing = saver.flush({ leaving: true });
    expect(drafts.data.size).toBe(1);
    await flushing;
    expect(drafts.data.size).toBe(0);
    await saver.stop();
  });

  test('a draft over a revision that has moved on goes into the history, and an open tab that folds it in is asked', async () => {
    const storage = new MemoryStorage();
    const drafts = new MemoryDrafts();
    const g = xor();
    const a = tabShowing(g);
    const b = tabShowing(g);
    const asked: StoredGraph[] = [];
    const saverA = new Autosave(a.graph, closing(storage), { rev: 0, meta: () => a.doc, channel: null, drafts, tab: 'a' });
    const saverB = new Autosave(b.graph, storage, { rev: 0, meta: () => b.doc, channel: null, drafts, tab: 'b', onConflict: (t) => asked.push(t) });

    // A closes with an edit; B, still open, folds it in (the app calls check() on the 'storage' event) and is asked.
    a.graph.addNode('relu', { x: 1, y: 1 });
    void saverA.flush({ leaving: true });
    await saverB.check();
    expect(asked.map((t) => t.tab)).toEqual(['a']);
    expect(asked[0].result.ok && asked[0].result.graph.state).toEqual(a.graph.state);

    // Another closing tab's draft from revision 0 finds revision 1 stored: it is kept in the history instead.
    const c = tabShowing(g);
    const saverC = new Autosave(c.graph, closing(storage), { rev: 0, meta: () => c.doc, channel: null, drafts, tab: 'c', now: () => 77 });
    c.graph.addNode('tanh', { x: 2, y: 2 });
    void saverC.flush({ leaving: true });
    expect(await recoverDrafts(storage, drafts)).toBeNull();
    expect((await readAutosave(storage))?.tab).toBe('a');
    const history = await readHistory(storage);
    expect(history.map((e) => [e.savedAt, e.text])).toEqual([[77, serializeGraph(c.graph.state, c.doc)]]);
    expect(drafts.data.size).toBe(0);
    await saverB.stop();
  });

  test('anything in the drafts that is not a draft is dropped, not trusted', async () => {
    const storage = new MemoryStorage();
    const drafts = new MemoryDrafts();
    drafts.setItem(`${AUTOSAVE_KEY}:draft:x`, '{"format":"something else"}');
    drafts.setItem(`${AUTOSAVE_KEY}:draft:y`, 'not json');
    drafts.setItem('unrelated', 'kept');
    expect(await recoverDrafts(storage, drafts)).toBeNull();
    expect([...drafts.data.keys()]).toEqual(['unrelated']);
    expect(await readAutosave(storage)).toBeNull();
  });
});

describe('an autosave this version cannot read', () => {
  test('is kept aside, byte for byte, before anything is saved over it', async () => {
    const storage = new MemoryStorage();
    const future = JSON.stringify({ format: 'gpu-learn.graph', version: 99, nodes: [] });
    await storage.set(AUTOSAVE_KEY, future);
    expect((await readAutosave(storage))!.result.ok).toBe(false);
    const aside = await keepAside(storage, AUTOSAVE_KEY, Date.UTC(2026, 11, 4, 12));
    expect(aside).toBe(`${AUTOSAVE_KEY}:unreadable:2026-12-04T12:00:00.000Z`);
    expect(await storage.get(aside!)).toBe(future);
    expect(await keepAside(new MemoryStorage())).toBeNull(); // nothing stored, nothing kept
  });
});
