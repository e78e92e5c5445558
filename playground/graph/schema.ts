// The graph file format, version 1, validated with valibot. Files come from anywhere — a user's disk, a shared
// link, an old autosave — so loading checks everything and either returns a complete graph or a clear message,
// never a half-loaded one. Loading only reads data: nothing in a file is ever evaluated or used as a key path.
//
//   { "format": "gpu-learn.graph", "version": 1, "name": "XOR MLP",
//     "nodes": [{ "id": "linear_1", "type": "linear", "params": { "outFeatures": 8 }, "position": { "x": 0, "y": 0 } }],
//     "edges": [{ "from": "xor_1.x", "to": "linear_1.x" }],
//     "train": { "optimizer": "adam", "lr": 0.05, "batchSize": 4, "seed": 0 } }
//
// Older versions are brought up to date by MIGRATIONS (version n → n + 1), one step at a time, before validation.
import * as v from 'valibot';
import { NODE_TYPE_NAMES, nodeType } from './nodes/index';
import { paramTypeOk } from './node-type';
import { checkNodeId, NODE_ID_PATTERN } from './ids';
import type { Edge, GraphNode, GraphState, ParamValue } from './types';

export const FORMAT = 'gpu-learn.graph';
export const CURRENT_VERSION = 1;
/** Larger files are refused before parsing: a graph is a few kilobytes; this leaves room for custom text. */
export const MAX_JSON_CHARS = 2_000_000;
const MAX_NODES = 500;
const MAX_EDGES = 2000;

/** Transforms a parsed document of one version into the next. Keys are the version migrated from. */
export type Migration = (doc: Record<string, unknown>) => Record<string, unknown>;
export const MIGRATIONS: Readonly<Record<number, Migration>> = {};

const finite = v.pipe(v.number(), v.finite());
const PORT_REF = /^([a-z][a-z0-9_]{0,47})\.([A-Za-z][A-Za-z0-9]{0,31})$/;

const ParamValueSchema = v.union([finite, v.pipe(v.string(), v.maxLength(20_000)), v.boolean()]);

const NodeSchema = v.object({
  id: v.pipe(v.string(), v.regex(NODE_ID_PATTERN, 'must start with a lowercase letter and use only a–z, 0–9 and _')),
  type: v.picklist(NODE_TYPE_NAMES, `must be one of ${NODE_TYPE_NAMES.join(', ')}`),
  // Parameter names are camelCase identifiers: "__proto__" and friends fail here, before any object is built.
  params: v.optional(v.record(v.pipe(v.string(), v.regex(/^[a-z][A-Za-z0-9]{0,31}$/, 'is not a parameter name')), ParamValueSchema), {}),
  position: v.optional(v.object({ x: finite, y: finite }), { x: 0, y: 0 }),
});

const EdgeSchema = v.object({
  from: v.pipe(v.string(), v.regex(PORT_REF, 'must look like "node.port"')),
  to: v.pipe(v.string(), v.regex(PORT_REF, 'must look like "node.port"')),
});

export const TrainSettingsSchema = v.object({
  optimizer: v.optional(v.picklist(['adam', 'adamw', 'sgd']), 'adam'),
  lr: v.optional(v.pipe(finite, v.minValue(1e-7), v.maxValue(10)), 0.01),
  batchSize: v.optional(v.pipe(finite, v.integer(), v.minValue(1), v.maxValue(4096)), 32),
  seed: v.optional(v.pipe(finite, v.integer(), v.minValue(0), v.maxValue(2 ** 32 - 1)), 0),
});
export type TrainSettings = v.InferOutput<typeof TrainSettingsSchema>;

export const GraphFileV1Schema = v.object({
  format: v.literal(FORMAT),
  version: v.literal(1),
  name: v.optional(v.pipe(v.string(), v.maxLength(200)), ''),
  nodes: v.pipe(v.array(NodeSchema), v.maxLength(MAX_NODES, `at most ${MAX_NODES} nodes`)),
  edges: v.pipe(v.array(EdgeSchema), v.maxLength(MAX_EDGES, `at most ${MAX_EDGES} wires`)),
  train: v.optional(TrainSettingsSchema),
});
/** A version-1 file as written (params may omit defaults; positions may be omitted). */
export type GraphFileV1 = v.InferInput<typeof GraphFileV1Schema>;

export interface LoadedGraph {
  state: GraphState;
  name: string;
  train?: TrainSettings;
}

export type LoadResult = { ok: true; graph: LoadedGraph } | { ok: false; error: string };

function fail(error: string): LoadResult {
  return { ok: false, error };
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** Text from a file cut to a length that fits in a message. */
function clip(text: string, max = 200): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * A key that could reach an object's prototype if some code copied it naively. No graph field uses them, so a
 * file holding one is refused outright rather than silently cleaned (valibot would drop it without a word).
 */
function findForbiddenKey(value: unknown, depth = 0, seen = new Set<object>()): string | null {
  // A parsed value (unlike JSON text) can share one object in many places, or hold itself: each object is
  // scanned once, or a few levels of sharing would make this scan exponential.
  if (typeof value !== 'object' || value === null || depth > 32 || seen.has(value)) return null;
  seen.add(value);
  for (const key of Object.keys(value)) {
    if (FORBIDDEN_KEYS.has(key)) return key;
    const found = findForbiddenKey((value as Record<string, unknown>)[key], depth + 1, seen);
    if (found) return found;
  }
  return null;
}

/**
 * Reads a graph from JSON text or an already parsed value. Returns the graph, or a message saying what is wrong;
 * it has no side effects either way.
 */
export function parseGraph(input: string | unknown, opts: { migrations?: Readonly<Record<number, Migration>> } = {}): LoadResult {
  let raw: unknown = input;
  if (typeof input === 'string') {
    if (input.length > MAX_JSON_CHARS) return fail(`The file is too large (${input.length.toLocaleString('en-US')} characters; the limit is ${MAX_JSON_CHARS.toLocaleString('en-US')}).`);
    try {
      raw = JSON.parse(input);
    } catch (e) {
      return fail(`The file is not valid JSON: ${(e as Error).message}`);
    }
  }
  if (!isRecord(raw)) return fail('The file does not hold a graph: expected a JSON object.');
  if (raw.format !== FORMAT) return fail(`This is not a playground graph: "format" should be "${FORMAT}".`);
  const version = raw.version;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 0) return fail('The graph has no valid "version" number.');
  if (version > CURRENT_VERSION) {
    return fail(`This graph was saved by a newer version of the playground (format version ${version}); this version reads up to ${CURRENT_VERSION}. Update the playground to open it.`);
  }
  const migrations = opts.migrations ?? MIGRATIONS;
  let doc: Record<string, unknown> = raw;
  for (let from = version; from < CURRENT_VERSION; from++) {
    const step = migrations[from];
    if (!step) return fail(`There is no way to upgrade a version ${from} graph.`);
    try {
      doc = { ...step(doc), version: from + 1 };
    } catch (e) {
      return fail(`Upgrading the graph from version ${from} failed: ${(e as Error).message}`);
    }
  }

  const hostile = findForbiddenKey(doc);
  if (hostile) return fail(`The graph file contains the forbidden key "${hostile}"; it was not loaded.`);
  const parsed = v.safeParse(GraphFileV1Schema, doc);
  if (!parsed.success) {
    const issue = parsed.issues[0];
    // Both come from the file, which can hold a string megabytes long where a number belongs (valibot quotes the
    // value it received) or as a parameter name (which is in the path).
    const path = v.getDotPath(issue);
    return fail(`The graph file is malformed${path ? ` at ${clip(path)}` : ''}: ${clip(issue.message)}.`);
  }
  const file = parsed.output;

  // Semantic checks the schema can't express: unique ids, parameters that exist for their node type, and wires
  // between existing ports with at most one wire per input.
  const nodes: GraphNode[] = [];
  const ids = new Set<string>();
  for (const [i, n] of file.nodes.entries()) {
    const idProblem = checkNodeId(n.id);
    if (idProblem) return fail(`nodes.${i}: ${idProblem}.`);
    if (ids.has(n.id)) return fail(`nodes.${i}: the id "${n.id}" is used twice.`);
    ids.add(n.id);
    const def = nodeType(n.type);
    const params: Record<string, ParamValue> = {};
    for (const [k, value] of Object.entries(n.params)) {
      const spec = def.params.find((p) => p.name === k);
      if (!spec) return fail(`Node "${n.id}" (${def.label}) has an unknown parameter "${k}".`);
      if (!paramTypeOk(spec, value)) return fail(`Node "${n.id}": parameter "${k}" must be a ${spec.kind}, got ${typeof value}.`);
      params[k] = value; // range problems are kept and shown by validation, as for an edit
    }
    nodes.push({ id: n.id, type: n.type, params, position: { x: n.position.x, y: n.position.y } });
  }
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const edges: Edge[] = [];
  const fed = new Set<string>();
  for (const [i, e] of file.edges.entries()) {
    const [, fromNode, fromPort] = PORT_REF.exec(e.from)!;
    const [, toNode, toPort] = PORT_REF.exec(e.to)!;
    const src = byId.get(fromNode);
    const dst = byId.get(toNode);
    if (!src || !dst) return fail(`edges.${i}: the wire ${e.from} → ${e.to} refers to a node that does not exist ("${src ? toNode : fromNode}").`);
    if (!nodeType(src.type).outputs.some((p) => p.name === fromPort)) return fail(`edges.${i}: node "${fromNode}" has no output "${fromPort}".`);
    if (!nodeType(dst.type).inputs.some((p) => p.name === toPort)) return fail(`edges.${i}: node "${toNode}" has no input "${toPort}".`);
    if (fed.has(e.to)) return fail(`edges.${i}: input ${e.to} has more than one wire.`);
    fed.add(e.to);
    edges.push({ from: { node: fromNode, port: fromPort }, to: { node: toNode, port: toPort } });
  }
  return { ok: true, graph: { state: { nodes, edges }, name: file.name, train: file.train } };
}

export interface SerializeOptions {
  name?: string;
  train?: TrainSettings;
  /** Leave out parameters equal to their default (shorter share links). */
  omitDefaults?: boolean;
  /** Round positions to whole pixels. */
  roundPositions?: boolean;
}

/** The version-1 document for a graph state. */
export function toDocument(state: GraphState, opts: SerializeOptions = {}): GraphFileV1 {
  return {
    format: FORMAT,
    version: 1,
    ...(opts.name ? { name: opts.name } : {}),
    nodes: state.nodes.map((n) => {
      const def = nodeType(n.type);
      const params: Record<string, ParamValue> = {};
      for (const [k, value] of Object.entries(n.params)) {
        if (opts.omitDefaults && def.params.find((p) => p.name === k)?.default === value) continue;
        params[k] = value;
      }
      const r = opts.roundPositions ? Math.round : (x: number): number => x;
      return { id: n.id, type: n.type as (typeof NODE_TYPE_NAMES)[number], params, position: { x: r(n.position.x), y: r(n.position.y) } };
    }),
    edges: state.edges.map((e) => ({ from: `${e.from.node}.${e.from.port}`, to: `${e.to.node}.${e.to.port}` })),
    ...(opts.train ? { train: opts.train } : {}),
  };
}

export function serializeGraph(state: GraphState, opts: SerializeOptions = {}): string {
  return JSON.stringify(toDocument(state, opts), null, 2);
}
