// Keeping and sharing graphs: the versioned JSON schema (malformed, hostile and future files give a message and
// change nothing), the URL-hash encoding, and the autosave adapter.
import { describe, expect, test } from 'vitest';
import {
  Graph, parseGraph, serializeGraph, toDocument, encodeGraphHash, decodeGraphHash, Autosave, MemoryStorage,
  restoreAutosave, EXAMPLES, loadExample, CURRENT_VERSION, type Migration,
} from '../playground/graph/index';

const xorDoc = (): Record<string, unknown> => JSON.parse(JSON.stringify(EXAMPLES[0].graph)) as Record<string, unknown>;

describe('JSON schema v1', () => {
  test('every example parses, validates and round-trips through JSON unchanged', () => {
    for (const ex of EXAMPLES) {
      const g = loadExample(ex.id);
      expect(new Graph(g.state).validation.ok, ex.id).toBe(true);
      const again = parseGraph(serializeGraph(g.state, { name: g.name, train: g.train }));
      expect(again.ok && again.graph.state).toEqual(g.state);
      expect(again.ok && again.graph.train).toEqual(g.train);
    }
  });

  test('a parameter out of range loads (it is the user\'s graph) and validation reports it', () => {
    const doc = xorDoc();
    (doc.nodes as Array<{ params: Record<string, unknown> }>)[1].params.outFeatures = 100000;
    const r = parseGraph(doc);
    expect(r.ok).toBe(true);
    if (r.ok) expect(new Graph(r.graph.state).validation.issuesFor('linear_1')[0].code).toBe('param-out-of-range');
  });

  const cases: Array<[string, (d: Record<string, unknown>) => unknown, RegExp]> = [
    ['not JSON', () => '{"format": ', /not valid JSON/],
    ['an array', () => [], /expected a JSON object/],
    ['another format', (d) => ({ ...d, format: 'something-else' }), /not a playground graph/],
    ['no version', (d) => ({ ...d, version: undefined }), /no valid "version"/],
    ['future version', (d) => ({ ...d, version: 7 }), /saved by a newer version.*version 7.*reads up to 1/],
    ['unknown node type', (d) => ({ ...d, nodes: [{ id: 'a', type: 'eval', params: {} }] }), /nodes\.0\.type: must be one of/],
    ['bad id', (d) => ({ ...d, nodes: [{ id: 'x; rm -rf /', type: 'relu' }] }), /nodes\.0\.id/],
    ['reserved id', (d) => ({ ...d, nodes: [{ id: 'forward', type: 'relu' }] }), /reserved/],
    ['duplicate id', (d) => ({ ...d, nodes: [{ id: 'a', type: 'relu' }, { id: 'a', type: 'tanh' }], edges: [] }), /used twice/],
    ['unknown parameter', (d) => ({ ...d, nodes: [{ id: 'a', type: 'relu', params: { units: 3 } }], edges: [] }), /unknown parameter "units"/],
    ['__proto__ parameter', () => '{"format":"gpu-learn.graph","version":1,"nodes":[{"id":"a","type":"relu","params":{"__proto__":{"polluted":1}}}],"edges":[]}', /forbidden key "__proto__"/],
    ['constructor key', (d) => ({ ...d, nodes: [{ id: 'a', type: 'relu', params: { constructor: 1 } }], edges: [] }), /forbidden key/],
    ['wrong parameter kind', (d) => ({ ...d, nodes: [{ id: 'a', type: 'linear', params: { outFeatures: '8' } }], edges: [] }), /must be a int/],
    ['a function-looking string is just text and refused by kind', (d) => ({ ...d, nodes: [{ id: 'a', type: 'linear', params: { bias: '() => process.exit(1)' } }], edges: [] }), /must be a bool/],
    ['infinite number', () => '{"format":"gpu-learn.graph","version":1,"nodes":[{"id":"a","type":"linear","params":{"outFeatures":1e999}}],"edges":[]}', /nodes\.0\.params\.outFeatures/],
    ['edge to nowhere', (d) => ({ ...d, edges: [{ from: 'ghost.y', to: 'linear_1.x' }] }), /does not exist \("ghost"\)/],
    ['edge to a missing port', (d) => ({ ...d, edges: [{ from: 'xor_1.x', to: 'linear_1.z' }] }), /no input "z"/],
    ['two wires into one input', (d) => ({ ...d, edges: [{ from: 'xor_1.x', to: 'linear_1.x' }, { from: 'tanh_1.y', to: 'linear_1.x' }] }), /more than one wire/],
    ['malformed edge', (d) => ({ ...d, edges: [{ from: 'xor_1', to: 'linear_1.x' }] }), /edges\.0\.from: must look like "node.port"/],
    ['too many nodes', (d) => ({ ...d, nodes: Array.from({ length: 501 }, (_, i) => ({ id: `n${i}`, type: 'relu' })), edges: [] }), /at most 500 nodes/],
    ['huge file', () => ' '.repeat(2_000_001), /too large/],
  ];
  test.each(cases)('refuses %s with a clear message', (_what, make, message) => {
    const before = Object.keys(Object.prototype);
    const r = parseGraph(make(xorDoc()));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(message);
    expect(Object.keys(Object.prototype)).toEqual(before);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  test('a failed load changes nothing in the store', () => {
    const g = new Graph(loadExample('xor-mlp').state);
    const before = g.state;
    const r = parseGraph({ format: 'gpu-learn.graph', version: 99 });
    if (r.ok) g.load(r.graph.state);
    expect(g.state).toBe(before);
  });

  test('the migration hook upgrades older versions step by step before validation', () => {
    expect(CURRENT_VERSION).toBe(1);
    // A pretend version 0 that stored edges as [from, to] pairs: the hook turns it into version 1.
    const v0 = { ...xorDoc(), version: 0, edges: (xorDoc().edges as Array<{ from: string; to: string }>).map((e) => [e.from, e.to]) };
    const migrations: Record<number, Migration> = {
      0: (d) => ({ ...d, edges: (d.edges as string[][]).map(([from, to]) => ({ from, to })) }),
    };
    const without = parseGraph(v0);
    expect(without.ok).toBe(false);
    if (!without.ok) expect(without.error).toMatch(/no way to upgrade a version 0 graph/);
    const up = parseGraph(v0, { migrations });
    expect(up.ok && up.graph.state).toEqual(loadExample('xor-mlp').state);
    const throwing = parseGraph(v0, { migrations: { 0: () => { throw new Error('boom'); } } });
    expect(!throwing.ok && throwing.error).toMatch(/Upgrading the graph from version 0 failed: boom/);
  });

  test('omitting defaults keeps the meaning', () => {
    const g = loadExample('char-gpt-names');
    const doc = toDocument(g.state, { omitDefaults: true });
    const r = parseGraph(doc);
    expect(r.ok).toBe(true);
    if (r.ok) expect([...new Graph(r.graph.state).validation.types]).toEqual([...new Graph(g.state).validation.types]);
  });
});

describe('URL hash', () => {
  test('round trip, compressed and plain, and compact', async () => {
    for (const ex of EXAMPLES) {
      const g = loadExample(ex.id);
      for (const compress of [true, false]) {
        const hash = await encodeGraphHash(g.state, { name: g.name, train: g.train, compress });
        expect(hash.startsWith(compress ? '#graph=1.' : '#graph=0.')).toBe(true);
        expect(hash).toMatch(/^#graph=[01]\.[A-Za-z0-9_-]+$/);
        const r = await decodeGraphHash(hash);
        expect(r.ok && r.graph.state.edges).toEqual(g.state.edges);
        expect(r.ok && [...new Graph(r.graph.state).validation.types]).toEqual([...new Graph(g.state).validation.types]);
      }
    }
    const xorHash = await encodeGraphHash(loadExample('xor-mlp').state);
    expect(xorHash.length).toBeLessThan(400);
  });

  test('damaged, hostile and foreign hashes give a message', async () => {
    const good = await encodeGraphHash(loadExample('xor-mlp').state);
    const bad: Array<[string, RegExp]> = [
      ['#something', /holds no graph/],
      ['#graph=1.!!!', /not valid base64url/],
      ['#graph=1.AAAAAAAA', /damaged or too large/],
      ['#graph=9.' + good.slice(9), /unknown encoding/],
      [good.slice(0, good.length - 10), /damaged|malformed|JSON/],
      ['#graph=0.' + Buffer.from('{"format":"gpu-learn.graph","version":2}').toString('base64url'), /newer version/],
      ['#graph=0.' + Buffer.from([0xff, 0xfe]).toString('base64url'), /not valid text/],
    ];
    for (const [hash, message] of bad) {
      const r = await decodeGraphHash(hash);
      expect(r.ok, hash).toBe(false);
      if (!r.ok) expect(r.error).toMatch(message);
    }
  });

  test('a zip bomb is refused without inflating it all', async () => {
    // 100 MB of spaces deflates to ~100 kB; the decoder stops at its limit.
    const bomb = new Uint8Array(100_000_000).fill(0x20);
    const stream = new Blob([bomb]).stream().pipeThrough(new CompressionStream('deflate-raw'));
    const packed = new Uint8Array(await new Response(stream).arrayBuffer());
    const r = await decodeGraphHash('#graph=1.' + Buffer.from(packed).toString('base64url'));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(/too large/);
  });
});

describe('autosave', () => {
  test('saves after edits and a reload restores the last graph', async () => {
    const storage = new MemoryStorage();
    const g = new Graph();
    const saver = new Autosave(g, storage, { debounceMs: 5, meta: () => ({ name: 'mine' }) });
    expect(await restoreAutosave(storage)).toBeNull();
    g.addNode('xor');
    g.addNode('linear');
    g.connect({ node: 'xor_1', port: 'x' }, { node: 'linear_1', port: 'x' });
    g.setParam('linear_1', 'outFeatures', 3);
    await new Promise((r) => setTimeout(r, 30));
    await saver.stop();
    expect(storage.data.size).toBe(1);
    // "Reload": a new store from what was saved.
    const restored = await restoreAutosave(storage);
    expect(restored?.ok).toBe(true);
    if (restored?.ok) {
      expect(restored.graph.state).toEqual(g.state);
      expect(restored.graph.name).toBe('mine');
    }
    // Stopped: later edits are not saved.
    g.removeNode('linear_1');
    await new Promise((r) => setTimeout(r, 20));
    const still = await restoreAutosave(storage);
    expect(still?.ok && still.graph.state.nodes).toHaveLength(2);
  });

  test('a corrupt save is reported, not loaded', async () => {
    const storage = new MemoryStorage();
    await storage.set('graph:last', '{"format":"gpu-learn.graph","version":1,"nodes":[{"id":"a","type":"nope"}],"edges":[]}');
    const r = await restoreAutosave(storage);
    expect(r?.ok).toBe(false);
  });

  test('storage failures go to onError and never throw into the editor', async () => {
    const errors: unknown[] = [];
    const failing = { get: async () => undefined, set: async () => { throw new Error('quota'); }, delete: async () => {} };
    const g = new Graph();
    const saver = new Autosave(g, failing, { debounceMs: 1, onError: (e) => errors.push(e) });
    g.addNode('xor');
    await saver.flush();
    await saver.stop();
    expect(String(errors[0])).toMatch(/quota/);
  });
});
