// Fuzzing the three readers that take input from outside: graph files (parseGraph), share links (decodeGraphHash)
// and weight files (readSafetensors). Each gets thousands of inputs: valid ones built at random, the same with
// mutations (truncations, bit flips, huge lengths and counts, deep nesting, prototype keys, non-UTF-8 bytes,
// NaN/Infinity/negative/fractional numbers, values of the wrong type), and wholly random ones. Every input must
// either load or be refused with the reader's documented error and a message, and no call may hang, throw
// anything else, touch Object.prototype, or (for safetensors) allocate more than the file's own size justifies.
//
// Runs are seeded, so CI sees the same inputs each time. `npm run fuzz -- --runs 100000` runs these properties for
// longer with a fresh seed (scripts/fuzz.ts sets FUZZ_RUNS and FUZZ_SEED).
import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { readSafetensors, writeSafetensors, SafetensorsError, type ReadLimits } from '../engine/io/safetensors';
import { concatBytes } from '../engine/io/bytes';
import {
  parseGraph, serializeGraph, decodeGraphHash, validate, EXAMPLES, NODE_TYPE_NAMES, nodeType,
  type LoadResult,
} from '../playground/graph/index';
import { MAX_HASH_CHARS } from '../playground/graph/share';

const RUNS = Number(process.env.FUZZ_RUNS) || 0;
const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : 14;
/** fast-check settings: seeded, with `runs` cases unless the long run asks for more. */
function settings(runs: number): fc.Parameters<unknown> {
  return { numRuns: RUNS || runs, seed: SEED };
}

// A hang guard, not a speed check: each call takes well under 10 ms on these inputs, so one that takes seconds has
// hit something super-linear (a catastrophic regex, exponential validation). Async calls are interrupted at this
// bound by fast-check; a synchronous one can't be interrupted, so it is measured and failed when it returns.
const HANG_MS = 2000;
function bounded<T>(what: string, call: () => T): T {
  const t0 = performance.now();
  const out = call();
  const ms = performance.now() - t0;
  if (ms > HANG_MS) throw new Error(`${what} took ${Math.round(ms)} ms on one input: it does super-linear work`);
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Prototype pollution: the built-in prototypes must look exactly as they did before any input was read.
const PROTOTYPES = [Object.prototype, Array.prototype, Function.prototype, String.prototype];
const snapshot = (): Array<Map<string | symbol, unknown>> =>
  PROTOTYPES.map((p) => new Map(Reflect.ownKeys(p).map((k) => {
    const d = Object.getOwnPropertyDescriptor(p, k)!;
    return [k, d.value ?? d.get];
  })));
const PRISTINE = snapshot();
function expectNoPollution(): void {
  const now = snapshot();
  now.forEach((props, i) => {
    const before = PRISTINE[i];
    for (const [k, v] of props) if (before.get(k) !== v) throw new Error(`a prototype was polluted: ${String(k)}`);
    if (props.size !== before.size) throw new Error('a prototype lost or gained a property');
  });
}

// ---------------------------------------------------------------------------------------------------------------
// JSON trees and their mutations, shared by graph files, share links and safetensors headers.

/** JSON text spliced in verbatim: nesting too deep for JSON.stringify, literals JSON.parse reads oddly, bad JSON. */
class Raw {
  constructor(readonly text: string) {}
}
/** JSON.stringify, except that Raw values are written as their text. */
function toText(value: unknown, indent?: number): string {
  const raws: string[] = [];
  const json = JSON.stringify(value, (_k, x: unknown) => (x instanceof Raw ? `\u0000raw${raws.push(x.text) - 1}\u0000` : x), indent);
  return (json ?? 'undefined').replace(/"\\u0000raw(\d+)\\u0000"/g, (_m, i: string) => raws[Number(i)]);
}

const deepText = (depth: number, kind: 'array' | 'object'): string =>
  kind === 'array' ? '['.repeat(depth) + '1' + ']'.repeat(depth) : '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);

/** Numbers that trip range, integer and finiteness checks. In a parsed value they stay as they are. */
const nastyNumber = fc.oneof(
  fc.constantFrom(NaN, Infinity, -Infinity, -0, -1, 0.5, 1e308, -1e308, 2 ** 31, 2 ** 32, 2 ** 53, 2 ** 53 + 2, 2 ** 64, 5e-324, 1e10),
  fc.integer(),
  fc.double(),
);
const nastyString = fc.oneof(
  fc.constantFrom('', '__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', '\ud800', 'a\u0000b', 'F32', 'BOOL', 'linear', 'x.y'),
  fc.string({ unit: 'binary', maxLength: 40 }),
  // Long enough to show up in an error message that quotes it whole, or to expose a super-linear regex.
  fc.tuple(fc.integer({ min: 1000, max: 20_000 }), fc.constantFrom('a', 'linear_1.', '_', '\u00e9')).map(([n, unit]) => unit.repeat(n)),
);
/** JSON text for values JSON.stringify can't write: deep nesting, non-finite literals, huge or odd numbers. */
const rawValue = fc.oneof(
  // Mostly modest depths; now and then deeper than any recursive walk (or JSON.stringify) survives.
  fc.record({ depth: fc.oneof(fc.integer({ min: 1, max: 200 }), fc.constant(20_000)), kind: fc.constantFrom('array' as const, 'object' as const) })
    .map(({ depth, kind }) => new Raw(deepText(depth, kind))),
  fc.constantFrom('NaN', 'Infinity', '-Infinity', '1e400', '-1e400', '-0', '1.5e-400', '123456789012345678901234567890', '0x10', '1.', '"\\ud800"', 'undefined').map((t) => new Raw(t)),
);
const nastyValue: fc.Arbitrary<unknown> = fc.oneof(
  nastyNumber,
  nastyString,
  fc.boolean(),
  fc.constant(null),
  fc.constant([]),
  fc.constant({}),
  fc.jsonValue({ maxDepth: 3 }),
  rawValue,
  fc.integer({ min: 0, max: 5000 }).map((n) => new Array<number>(n).fill(1)),
);
const nastyKey = fc.oneof(
  fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', '__metadata__', 'dtype', 'shape', 'data_offsets', 'id', 'type', 'params', 'format', 'version', 'nodes', 'edges', 'outFeatures'),
  fc.string({ maxLength: 12 }),
  fc.integer({ min: 100, max: 20_000 }).map((n) => 'k'.repeat(n)),
);

interface Mutation {
  /** Child choices on the way down: each picks a key (modulo the count) of the container reached so far. */
  path: number[];
  op: 'replace' | 'delete' | 'insert' | 'duplicate';
  key: string;
  value: unknown;
}
const mutation: fc.Arbitrary<Mutation> = fc.record({
  path: fc.array(fc.nat(), { maxLength: 6 }),
  op: fc.constantFrom('replace' as const, 'delete' as const, 'insert' as const, 'duplicate' as const),
  key: nastyKey,
  value: nastyValue,
});

type Container = Record<string, unknown> | unknown[];
const isContainer = (x: unknown): x is Container => typeof x === 'object' && x !== null && !(x instanceof Raw);
/** defineProperty, so that a key named "__proto__" becomes an own key as JSON.parse would make it. */
const put = (o: Container, k: string, v: unknown): void => {
  Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
};

/** A copy of a JSON tree with the mutations applied one after another. */
function mutate(tree: unknown, mutations: readonly Mutation[]): unknown {
  let root = structuredClone(tree);
  for (const mut of mutations) {
    // A fresh copy of the value: generated values may be shared between runs, and a tree must never hold itself.
    const m = { ...mut, value: structuredCloneLoose(mut.value) };
    if (!isContainer(root)) {
      root = m.value;
      continue;
    }
    // Walk down to a container and one of its keys.
    let parent: Container = root;
    let key: string | undefined;
    for (const step of m.path) {
      const keys = Object.keys(parent);
      if (!keys.length) break;
      key = keys[step % keys.length];
      const child: unknown = (parent as Record<string, unknown>)[key];
      if (!isContainer(child)) break;
      parent = child;
      key = undefined;
    }
    const at = key ?? Object.keys(parent)[0];
    if (Array.isArray(parent)) {
      const i = at === undefined ? 0 : Number(at);
      if (m.op === 'replace') parent[i] = m.value;
      else if (m.op === 'delete') parent.splice(i, 1);
      else if (m.op === 'insert') parent.splice(i, 0, m.value);
      else if (at !== undefined) parent.splice(i, 0, structuredCloneLoose(parent[i]));
    } else if (m.op === 'replace' || (m.op === 'delete' && at === undefined)) {
      // (An empty object has nothing to delete, so it gains a key instead.)
      put(parent, at ?? m.key, m.value);
    } else if (m.op === 'delete') {
      delete parent[at!];
    } else if (m.op === 'insert') {
      put(parent, m.key, m.value);
    } else if (at !== undefined) {
      put(parent, m.key, structuredCloneLoose(parent[at]));
    }
  }
  return root;
}
/** structuredClone, except that Raw leaves (which it would turn into plain objects) are shared. */
function structuredCloneLoose(x: unknown): unknown {
  if (x instanceof Raw || !isContainer(x)) return x;
  if (Array.isArray(x)) return x.map(structuredCloneLoose);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(x)) put(out, k, structuredCloneLoose(v));
  return out;
}

/** Edits on text: cut it short, flip a bit of one character, splice in other text, or repeat a stretch. */
const textEdit = fc.record({
  op: fc.constantFrom('truncate' as const, 'flip' as const, 'splice' as const, 'repeat' as const),
  at: fc.nat(),
  bit: fc.integer({ min: 0, max: 15 }),
  text: fc.oneof(fc.string({ unit: 'binary', maxLength: 8 }), fc.constantFrom('"__proto__":{"x":1},', '{', '}', '[', '"', '\\', ',', ':', '\ud800')),
  times: fc.integer({ min: 1, max: 3000 }),
});
type TextEdit = typeof textEdit extends fc.Arbitrary<infer T> ? T : never;
function editText(s: string, edits: readonly TextEdit[]): string {
  for (const e of edits) {
    const i = e.at % (s.length + 1);
    if (e.op === 'truncate') s = s.slice(0, i);
    else if (e.op === 'flip' && i < s.length) s = s.slice(0, i) + String.fromCharCode(s.charCodeAt(i) ^ (1 << e.bit)) + s.slice(i + 1);
    else if (e.op === 'splice') s = s.slice(0, i) + e.text + s.slice(i);
    else if (e.op === 'repeat') s = s.slice(0, i) + s.slice(i, i + 8).repeat(e.times) + s.slice(i);
  }
  return s;
}

/** The same edits on bytes; a "flip" flips one bit, a "splice" inserts bytes that are not valid UTF-8. */
const byteEdit = fc.record({
  op: fc.constantFrom('truncate' as const, 'flip' as const, 'splice' as const, 'repeat' as const),
  at: fc.nat(),
  bit: fc.integer({ min: 0, max: 7 }),
  bytes: fc.oneof(
    fc.constantFrom([0xff], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xe2, 0x82], [0x00], [0xef, 0xbb, 0xbf]),
    fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 8 }),
  ),
  times: fc.integer({ min: 1, max: 3000 }),
});
type ByteEdit = typeof byteEdit extends fc.Arbitrary<infer T> ? T : never;
function editBytes(b: Uint8Array, edits: readonly ByteEdit[]): Uint8Array {
  let out = b;
  for (const e of edits) {
    const i = e.at % (out.length + 1);
    if (e.op === 'truncate') out = out.slice(0, i);
    else if (e.op === 'flip' && i < out.length) {
      out = out.slice();
      out[i] ^= 1 << e.bit;
    } else if (e.op === 'splice') out = concatBytes([out.subarray(0, i), Uint8Array.from(e.bytes), out.subarray(i)]);
    else if (e.op === 'repeat') out = concatBytes([out.subarray(0, i), ...new Array<Uint8Array>(e.times).fill(out.subarray(i, i + 8)), out.subarray(i)]);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Graph files.

/** A valid graph document: a gallery example, or nodes of random types with in-range parameters and random wires. */
const paramValue = (spec: ReturnType<typeof nodeType>['params'][number]): fc.Arbitrary<unknown> => {
  switch (spec.kind) {
    case 'int': return fc.integer({ min: spec.min, max: spec.max });
    case 'float': return fc.double({ min: spec.min, max: spec.max, noNaN: true });
    case 'choice': return fc.constantFrom(...spec.options);
    case 'bool': return fc.boolean();
    case 'text': return fc.constant(spec.example);
  }
};
const randomNode = fc.constantFrom(...NODE_TYPE_NAMES).chain((type) => {
  const specs = nodeType(type).params;
  return fc.record({
    type: fc.constant(type),
    params: fc.record(Object.fromEntries(specs.map((s) => [s.name, paramValue(s)])), { requiredKeys: [] }),
    position: fc.record({ x: fc.integer({ min: -2000, max: 2000 }), y: fc.double({ min: -2000, max: 2000, noNaN: true }) }),
  });
});
const randomGraphDoc = fc
  .record({
    name: fc.string({ maxLength: 30 }),
    nodes: fc.array(randomNode, { maxLength: 8 }),
    wires: fc.array(fc.tuple(fc.nat(), fc.nat(), fc.nat(), fc.nat()), { maxLength: 12 }),
  })
  .map(({ name, nodes, wires }) => {
    const docNodes = nodes.map((n, i) => ({ id: `${n.type}_${i + 1}`, ...n }));
    const edges: Array<{ from: string; to: string }> = [];
    const fed = new Set<string>();
    for (const [a, p, b, q] of wires) {
      if (!docNodes.length) break;
      const src = docNodes[a % docNodes.length];
      const dst = docNodes[b % docNodes.length];
      const outs = nodeType(src.type).outputs;
      const ins = nodeType(dst.type).inputs;
      if (!outs.length || !ins.length) continue;
      const to = `${dst.id}.${ins[q % ins.length].name}`;
      if (fed.has(to)) continue;
      fed.add(to);
      edges.push({ from: `${src.id}.${outs[p % outs.length].name}`, to });
    }
    return { format: 'gpu-learn.graph', version: 1, name, nodes: docNodes, edges, train: { optimizer: 'sgd', lr: 0.1, batchSize: 8, seed: 3 } };
  });
const validGraphDoc: fc.Arbitrary<unknown> = fc.oneof(fc.constantFrom(...EXAMPLES.map((e) => e.graph)), randomGraphDoc);
const mutatedGraphDoc = fc.tuple(validGraphDoc, fc.array(mutation, { minLength: 1, maxLength: 4 })).map(([doc, ms]) => mutate(doc, ms));

/** Graph file text: valid, mutated as a tree, edited as text, random, or too large. */
const graphText: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: validGraphDoc.map((d) => toText(d, 2)), weight: 20 },
  { arbitrary: mutatedGraphDoc.map((d) => toText(d)), weight: 100 },
  { arbitrary: fc.tuple(validGraphDoc, fc.array(textEdit, { minLength: 1, maxLength: 3 })).map(([d, e]) => editText(toText(d), e)), weight: 60 },
  { arbitrary: fc.oneof(fc.string({ unit: 'binary' }), fc.jsonValue().map((v) => JSON.stringify(v))), weight: 20 },
  { arbitrary: fc.constant(`{"format":"gpu-learn.graph","version":1,"name":"${'x'.repeat(2_000_000)}"}`), weight: 1 },
);
/** Already-parsed input (examples are objects, autosaves are parsed first), where NaN, undefined and such survive. */
const graphValue: fc.Arbitrary<unknown> = fc.oneof(
  mutatedGraphDoc.map((d) => replaceRaw(d)),
  // One object shared at every level (a parsed value can do that; JSON text can't): 2^depth paths, depth objects.
  fc.tuple(validGraphDoc, fc.integer({ min: 1, max: 28 }), nastyKey).map(([doc, depth, key]) => {
    const out = structuredClone(doc) as Record<string, unknown>;
    put(out, key, sharedTree(depth));
    return out;
  }),
  fc.anything({ withNullPrototype: true, withBoxedValues: true, withMap: true, withTypedArray: true, withSparseArray: true }),
);
function sharedTree(depth: number): object {
  let tree: object = { x: 1 };
  for (let i = 0; i < depth; i++) tree = { a: tree, b: tree };
  return tree;
}
/** Raw leaves stand for JSON text; in a parsed value they become what JSON.parse makes of them (or a string). */
function replaceRaw(x: unknown): unknown {
  if (x instanceof Raw) {
    try {
      return JSON.parse(x.text) as unknown;
    } catch {
      return x.text;
    }
  }
  if (!isContainer(x)) return x;
  if (Array.isArray(x)) return x.map(replaceRaw);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(x)) put(out, k, replaceRaw(v));
  return out;
}

/** What every answer from parseGraph or decodeGraphHash must look like. */
function checkLoadResult(r: LoadResult): void {
  if (r.ok) {
    // A loaded graph validates without throwing, and saving it and loading that again gives the same file.
    validate(r.graph.state);
    const saved = serializeGraph(r.graph.state, { name: r.graph.name, train: r.graph.train });
    const again = parseGraph(saved);
    if (!again.ok) throw new Error(`a loaded graph does not load again once saved: ${again.error}`);
    expect(serializeGraph(again.graph.state, { name: again.graph.name, train: again.graph.train })).toBe(saved);
  } else {
    expect(r.ok).toBe(false);
    expect(typeof r.error).toBe('string');
    expect(r.error.length, r.error).toBeGreaterThan(0);
    expect(r.error.length, `an error message a person can read, not ${r.error.length} characters`).toBeLessThanOrEqual(600);
  }
}

describe('fuzzing parseGraph', () => {
  test('graph file text: loads or gives a message, never throws, hangs or pollutes', () => {
    fc.assert(
      fc.property(graphText, (text) => {
        checkLoadResult(bounded('parseGraph', () => parseGraph(text)));
        expectNoPollution();
      }),
      settings(1000),
    );
  });

  test('parsed values (NaN, undefined, Maps, null prototypes): loads or gives a message', () => {
    fc.assert(
      fc.property(graphValue, (value) => {
        checkLoadResult(bounded('parseGraph', () => parseGraph(value)));
        expectNoPollution();
      }),
      settings(300),
    );
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Share links.

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const toB64Url = (b: Uint8Array): string => Buffer.from(b).toString('base64url');
async function deflate(bytes: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await new Response(new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new CompressionStream('deflate-raw'))).arrayBuffer());
}

/** A link as the app makes it, from a document's text: plain (kind 0) or deflated (kind 1). */
async function hashFor(text: string, compress: boolean): Promise<string> {
  const bytes = new TextEncoder().encode(text);
  return compress ? `#graph=1.${toB64Url(await deflate(bytes))}` : `#graph=0.${toB64Url(bytes)}`;
}

/** Damage to a link: to its characters, its kind, or the bytes under its base64url (which corrupts deflate data). */
const hashDamage = fc.oneof(
  fc.array(textEdit, { minLength: 1, maxLength: 3 }).map((edits) => (h: string): string => editText(h, edits)),
  fc.tuple(fc.nat(), fc.constantFrom(...B64)).map(([i, c]) => (h: string): string => {
    const at = 9 + (i % Math.max(1, h.length - 9));
    return h.slice(0, at) + c + h.slice(at + 1);
  }),
  fc.constantFrom('', '2', '01', '-1', '1 ', 'graph', '\u0000').map((kind) => (h: string): string => h.replace(/^#graph=[^.]*/, `#graph=${kind}`)),
  fc.array(byteEdit, { minLength: 1, maxLength: 3 }).map((edits) => (h: string): string => {
    const [head, body] = [h.slice(0, 9), h.slice(9)];
    return head + toB64Url(editBytes(Buffer.from(body, 'base64url'), edits));
  }),
  fc.constantFrom('=', '==', '%3D', '+', '/', ' ', '\n').map((junk) => (h: string): string => h + junk),
);

describe('fuzzing decodeGraphHash', () => {
  test('links to any graph text decode exactly as that text parses, damaged links give a message', async () => {
    // A link that inflates to far more than a graph can be, and one longer than the decoder accepts at all.
    const bomb = await hashFor(`{"format":"gpu-learn.graph","version":1,"name":"${' '.repeat(12_000_000)}"}`, true);
    const long = `#graph=0.${'A'.repeat(600_000)}`;
    type Link = { text: string; compress: boolean; damage: ((h: string) => string) | null } | { raw: string };
    const link: fc.Arbitrary<Link> = fc.oneof(
      { arbitrary: fc.tuple(graphText, fc.boolean()).map(([text, compress]): Link => ({ text, compress, damage: null })), weight: 60 },
      { arbitrary: fc.tuple(graphText, fc.boolean(), hashDamage).map(([text, compress, damage]): Link => ({ text, compress, damage })), weight: 80 },
      { arbitrary: fc.tuple(fc.uint8Array({ maxLength: 200 }), fc.constantFrom('0', '1')).map(([b, k]): Link => ({ raw: `#graph=${k}.${toB64Url(b)}` })), weight: 20 },
      { arbitrary: fc.oneof(fc.string({ unit: 'binary' }).map((s) => `#graph=${s}`), fc.string()).map((raw): Link => ({ raw })), weight: 20 },
      { arbitrary: fc.tuple(fc.constantFrom(bomb, long), hashDamage).map(([h, damage]): Link => ({ raw: damage(h) })), weight: 1 },
    );
    await fc.assert(
      fc.asyncProperty(link, async (input) => {
        if ('raw' in input) {
          checkLoadResult(await decodeGraphHash(input.raw));
        } else {
          // A link carries UTF-8, so a lone surrogate in the source text arrives as U+FFFD.
          const source = new TextDecoder().decode(new TextEncoder().encode(input.text));
          const hash = await hashFor(source, input.compress);
          const r = await decodeGraphHash(input.damage ? input.damage(hash) : hash);
          checkLoadResult(r);
          // Undamaged, the link is only a transport: it loads exactly what the file would.
          if (!input.damage && hash.length <= MAX_HASH_CHARS) expect(r).toEqual(parseGraph(source));
        }
        expectNoPollution();
      }),
      { ...settings(700), timeout: HANG_MS },
    );
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Safetensors files.

const DTYPE_BYTES = { F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4 } as const;
type FileDType = keyof typeof DTYPE_BYTES;

interface FileParts {
  header: unknown;
  data: Uint8Array;
}
/** A header (possibly holding Raw text) and data section as file bytes: u64 length, JSON, space padding, data. */
function assemble({ header, data }: FileParts, pad: boolean): Uint8Array {
  let json: Uint8Array = new TextEncoder().encode(toText(header));
  if (pad && json.length % 8) json = concatBytes([json, new Uint8Array(8 - (json.length % 8)).fill(0x20)]);
  const out = concatBytes([new Uint8Array(8), json, data]);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  return out;
}

/** A valid file of every dtype the reader takes, with tensors laid out in a random order and random metadata. */
const validSafetensors: fc.Arbitrary<FileParts> = fc
  .record({
    tensors: fc.uniqueArray(
      fc.record({
        name: fc.oneof(fc.string({ maxLength: 10 }), fc.constantFrom('__proto__', 'constructor', 'linear_1.weight', '')),
        dtype: fc.constantFrom(...(Object.keys(DTYPE_BYTES) as FileDType[])),
        shape: fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 3 }),
        seed: fc.nat(),
      }),
      { selector: (t) => t.name, maxLength: 5 },
    ).map((ts) => ts.filter((t) => t.name !== '__metadata__')),
    order: fc.array(fc.nat(), { minLength: 5, maxLength: 5 }),
    metadata: fc.option(fc.dictionary(fc.oneof(fc.string({ maxLength: 8 }), fc.constant('__proto__')), fc.string({ maxLength: 8 }), { maxKeys: 3 })),
  })
  .map(({ tensors, order, metadata }) => {
    const header: Record<string, unknown> = {};
    if (metadata) put(header, '__metadata__', metadata);
    // Data follows a shuffled order, so offsets do not simply follow the header's key order.
    const laid = tensors.map((t, i) => ({ t, k: order[i] })).sort((a, b) => a.k - b.k).map((x) => x.t);
    const chunks: Uint8Array[] = [];
    let offset = 0;
    for (const t of laid) {
      const n = t.shape.reduce((a, b) => a * b, 1);
      const bytes = new Uint8Array(n * DTYPE_BYTES[t.dtype]);
      const view = new DataView(bytes.buffer);
      let s = t.seed;
      const next = (): number => (s = (Math.imul(s, 1664525) + 1013904223) | 0);
      for (let i = 0; i < n; i++) {
        // Random bits for floats (NaNs included); int64 values within int32, as files written from int32 hold.
        if (t.dtype === 'I64') view.setBigInt64(8 * i, BigInt(next()), true);
        else for (let j = 0; j < DTYPE_BYTES[t.dtype]; j++) bytes[i * DTYPE_BYTES[t.dtype] + j] = next() >>> 24;
      }
      chunks.push(bytes);
      put(header, t.name, { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + bytes.length] });
      offset += bytes.length;
    }
    // Header keys in the order generated, not the data order.
    const ordered: Record<string, unknown> = {};
    if (metadata) put(ordered, '__metadata__', metadata);
    for (const t of tensors) put(ordered, t.name, header[t.name]);
    return { header: ordered, data: concatBytes(chunks) };
  });

/** Header lengths that lie: past the end, zero, or huge. */
const lyingLength = fc.oneof(fc.constantFrom(0n, 1n, 2n ** 64n - 1n, 2n ** 63n, 2n ** 53n + 1n, 10_000_000_000n, 100_000_000n, 99_999_999n), fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }));
const safetensorsBytes: fc.Arbitrary<Uint8Array> = fc.oneof(
  { arbitrary: fc.tuple(validSafetensors, fc.boolean()).map(([f, pad]) => assemble(f, pad)), weight: 2 },
  {
    arbitrary: fc.tuple(validSafetensors, fc.array(mutation, { minLength: 1, maxLength: 4 }), fc.boolean())
      .map(([f, ms, pad]) => assemble({ header: mutate(f.header, ms), data: f.data }, pad)),
    weight: 5,
  },
  {
    arbitrary: fc.tuple(validSafetensors, fc.array(byteEdit, { minLength: 1, maxLength: 3 })).map(([f, edits]) => editBytes(assemble(f, true), edits)),
    weight: 3,
  },
  {
    arbitrary: fc.tuple(validSafetensors, lyingLength).map(([f, len]) => {
      const b = assemble(f, true);
      new DataView(b.buffer).setBigUint64(0, len, true);
      return b;
    }),
    weight: 1,
  },
  { arbitrary: fc.tuple(fc.jsonValue(), fc.uint8Array({ maxLength: 64 })).map(([header, data]) => assemble({ header, data }, false)), weight: 1 },
  { arbitrary: fc.uint8Array({ maxLength: 300 }), weight: 1 },
);

// Allocation accounting: typed arrays and ArrayBuffers the reader creates while one call runs, in bytes. The
// globals are wrapped only for the duration of each call, so nothing else is measured (or slowed).
const TRACKED = ['ArrayBuffer', 'Uint8Array', 'Uint16Array', 'Int32Array', 'Uint32Array', 'Float32Array', 'Float64Array', 'BigInt64Array'] as const;
/** Runs readSafetensors, counting what it allocates; returns the file or the error, and the bytes allocated. */
function readCounting(bytes: Uint8Array, limits?: ReadLimits): { file?: ReturnType<typeof readSafetensors>; error?: unknown; allocated: number } {
  let file: ReturnType<typeof readSafetensors> | undefined;
  let error: unknown;
  let allocated = 0;
  const originals = TRACKED.map((name) => [name, globalThis[name]] as const);
  for (const [name, ctor] of originals) {
    const per = name === 'ArrayBuffer' ? 1 : (ctor as unknown as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT;
    const counting: typeof ctor = new Proxy(ctor, {
      construct(target, args: unknown[], newTarget) {
        const n = args[0];
        if (typeof n === 'number') allocated += n * per;
        else if (n !== null && typeof n === 'object' && 'length' in n) allocated += Number((n as ArrayLike<unknown>).length) * per;
        return Reflect.construct(target, args, newTarget === counting ? target : newTarget) as object;
      },
    });
    Object.assign(globalThis, { [name]: counting });
  }
  try {
    file = readSafetensors(bytes, limits);
  } catch (e) {
    error = e;
  } finally {
    for (const [name, ctor] of originals) Object.assign(globalThis, { [name]: ctor });
  }
  return { file, error, allocated };
}

/** Limits small enough that the generated files reach them, or none (the defaults). */
const readLimits = fc.option(
  fc.record({ maxHeaderBytes: fc.nat(400), maxTensors: fc.nat(4), maxElements: fc.nat(60) }, { requiredKeys: [] }),
  { nil: undefined },
);

/** What every answer from readSafetensors must look like. */
function checkRead(bytes: Uint8Array, limits?: ReadLimits): void {
  const { file, error, allocated } = bounded('readSafetensors', () => readCounting(bytes, limits));
  // Float32 is at most twice as wide as the narrowest stored type (F16, BF16), so nothing justifies more.
  if (allocated > 2 * bytes.length) throw new Error(`readSafetensors allocated ${allocated} bytes for a ${bytes.length}-byte file`);
  if (error !== undefined) {
    if (!(error instanceof SafetensorsError)) throw error;
    expect(error.name).toBe('SafetensorsError');
    expect(error.message.length).toBeGreaterThan(0);
    expect(error.message.length, `an error message a person can read, not ${error.message.length} characters`).toBeLessThanOrEqual(600);
    return;
  }
  // A file that loads is within the limits, holds consistent tensors, and writing and reading it back is a fixed
  // point.
  expect(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true)).toBeLessThanOrEqual(BigInt(limits?.maxHeaderBytes ?? 100_000_000));
  expect(file!.tensors.size).toBeLessThanOrEqual(limits?.maxTensors ?? 100_000);
  for (const t of file!.tensors.values()) {
    expect(t.shape.every((d) => Number.isSafeInteger(d) && d >= 0)).toBe(true);
    expect(t.data.length).toBe(t.shape.reduce((a, b) => a * b, 1));
    expect(t.data.length).toBeLessThanOrEqual(limits?.maxElements ?? 2 ** 30);
  }
  const written = writeSafetensors(file!.tensors, file!.metadata);
  const again = readSafetensors(written);
  expect(writeSafetensors(again.tensors, again.metadata)).toEqual(written);
}

describe('fuzzing readSafetensors', () => {
  test('valid, mutated and random files, with and without limits: a file or a SafetensorsError, within the file\'s size', () => {
    fc.assert(
      fc.property(safetensorsBytes, readLimits, (bytes, limits) => {
        checkRead(bytes, limits);
        expectNoPollution();
      }),
      settings(1500),
    );
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Bugs the fuzzers found, each kept as a plain example.

/** A safetensors file with this header text and `dataBytes` zero bytes of data. */
function fileWithHeader(header: string, dataBytes = 0): Uint8Array {
  return assemble({ header: new Raw(header), data: new Uint8Array(dataBytes) }, false);
}

describe('regressions found by fuzzing', () => {
  test('safetensors: a dtype named like an Object.prototype member is an unknown dtype', () => {
    for (const dtype of ['toString', 'constructor', '__proto__', 'valueOf', 'hasOwnProperty']) {
      const bytes = fileWithHeader(`{"a":{"dtype":"${dtype}","shape":[],"data_offsets":[0,0]}}`);
      expect(() => readSafetensors(bytes), dtype).toThrow(new SafetensorsError(`safetensors: tensor "a" has unknown dtype "${dtype}"`));
    }
  });

  test('safetensors: maxTensors counts tensors (it let one more through when the file had no metadata)', () => {
    const tensors = { a: { shape: [1], data: new Float32Array(1) }, b: { shape: [1], data: new Float32Array(1) } };
    expect(() => readSafetensors(writeSafetensors(tensors), { maxTensors: 1 })).toThrow('safetensors: 2 tensors exceed the limit of 1');
    expect(readSafetensors(writeSafetensors(tensors, { note: 'x' }), { maxTensors: 2 }).tensors.size).toBe(2);
  });

  test('safetensors: a deeply nested shape or data_offsets is refused with a SafetensorsError, not a stack overflow', () => {
    const deep = deepText(20_000, 'array');
    for (const header of [`{"a":{"dtype":"F32","shape":${deep},"data_offsets":[0,0]}}`, `{"a":{"dtype":"F32","shape":[],"data_offsets":${deep}}}`]) {
      expect(() => readSafetensors(fileWithHeader(header))).toThrow(SafetensorsError);
    }
  });
});

describe('safetensors allocates no more than the file justifies', () => {
  test('a 100-byte file claiming gigabytes is refused before anything is allocated', () => {
    const claims = [
      // The header length itself: 2^63 bytes of JSON.
      (() => {
        const b = fileWithHeader('{}', 92);
        new DataView(b.buffer).setBigUint64(0, 2n ** 63n, true);
        return b;
      })(),
      // 10 GB of float32 data in the header, 4 bytes of it in the file.
      fileWithHeader('{"a":{"dtype":"F32","shape":[2500000000],"data_offsets":[0,10000000000]}}', 4),
      // A shape of 2^40 elements whose offsets fit the file: the byte count can't match.
      fileWithHeader('{"a":{"dtype":"F32","shape":[1048576,1048576],"data_offsets":[0,4]}}', 4),
    ];
    for (const bytes of claims) {
      const { error, allocated } = readCounting(bytes);
      expect(error).toBeInstanceOf(SafetensorsError);
      expect(allocated).toBe(0);
    }
  });

  test('the counter sees the reader\'s allocations (so the fuzz bound above measures something)', () => {
    const bytes = writeSafetensors({ w: { shape: [3, 5], data: new Float32Array(15) } });
    const { file, allocated } = readCounting(bytes);
    expect(file?.tensors.get('w')?.data.length).toBe(15);
    expect(allocated).toBe(15 * 4);
  });
});

describe('regressions found by fuzzing: graph files', () => {
  const doc = (): Record<string, unknown> => structuredClone(EXAMPLES[0].graph) as unknown as Record<string, unknown>;

  test('a long string where an object or number belongs gives a short message naming the place', () => {
    const r = parseGraph(JSON.stringify({ ...doc(), nodes: ['a'.repeat(100_000)] }));
    expect(!r.ok && r.error).toMatch(/^The graph file is malformed at nodes\.0: Invalid type: Expected Object but received "a+…\.$/);
    expect(!r.ok && r.error.length).toBeLessThan(300);
  });

  test('a long parameter name gives a short message', () => {
    const d = doc();
    (d.nodes as Array<{ params: Record<string, unknown> }>)[1].params = { ['k'.repeat(100_000)]: 1 };
    const r = parseGraph(JSON.stringify(d));
    expect(!r.ok && r.error).toMatch(/^The graph file is malformed at nodes\.1\.params\.k+…: is not a parameter name\.$/);
    expect(!r.ok && r.error.length).toBeLessThan(300);
  });

  test('a parsed value that shares one object at every level is scanned once per object, not once per path', () => {
    let reads = 0;
    const counted = (o: object): object => new Proxy(o, { ownKeys: (t) => (reads++, Reflect.ownKeys(t)) });
    let tree = counted({ x: 1 });
    for (let i = 0; i < 16; i++) tree = counted({ a: tree, b: tree });
    const r = parseGraph({ ...doc(), extra: tree });
    expect(r.ok).toBe(true);
    // 17 objects, each listed once; scanned path by path, it was 2^17 listings.
    expect(reads).toBe(17);
  });
});

describe('found by review', () => {
  test('safetensors: an empty tensor whose other dims overflow when multiplied is still empty', () => {
    const huge = new Array(20).fill(Number.MAX_SAFE_INTEGER).join(',');
    for (const shape of [`[${huge},0]`, `[0,${huge}]`]) {
      const file = readSafetensors(fileWithHeader(`{"a":{"dtype":"F32","shape":${shape},"data_offsets":[0,0]}}`));
      expect(file.tensors.get('a')?.data.length, shape).toBe(0);
    }
  });
});
