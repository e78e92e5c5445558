// The contract a user's WGSL kernel follows to be checked and timed (docs/kernel-contract.md has the full text).
// Two families: attention forward and matmul. A kernel declares its bindings by name; their @group and @binding
// numbers are its own choice, and they are found with wgsl_reflect, as our kernels' are. readContract() refuses a
// kernel that lacks a binding, declares one with the wrong type or access, or declares one the family does not
// have, naming it and saying what to write instead.
import { WgslReflect, ResourceType } from 'wgsl_reflect/wgsl_reflect.module.js';
import { GridError, parseGrid, type GridHeader } from './grid';

export type KernelFamily = 'attention' | 'matmul';
export const KERNEL_FAMILIES: readonly KernelFamily[] = ['attention', 'matmul'];

type Access = 'read' | 'read_write';

interface FamilySpec {
  /** Storage bindings: array<f32>, with their access. */
  storage: Record<string, Access>;
  /** The uniform struct's fields and their WGSL types (any order). */
  params: Record<string, 'u32' | 'f32'>;
  /** The sizes the grid header may use. */
  sizes: readonly string[];
}

export const FAMILIES: Record<KernelFamily, FamilySpec> = {
  // q, k, v and out are (B, H, T, d) row-major: element (b, h, t, j) at ((b·H + h)·T + t)·d + j.
  attention: {
    storage: { q: 'read', k: 'read', v: 'read', out: 'read_write' },
    params: { B: 'u32', H: 'u32', T: 'u32', d: 'u32', scale: 'f32', causal: 'u32', window: 'u32' },
    sizes: ['B', 'H', 'T', 'd'],
  },
  // a (M, K), b (K, N), out (M, N), row-major.
  matmul: {
    storage: { a: 'read', b: 'read', out: 'read_write' },
    params: { M: 'u32', N: 'u32', K: 'u32' },
    sizes: ['M', 'N', 'K'],
  },
};

/** The uniform binding's name in every family. */
export const PARAMS = 'params';

export class ContractError extends Error {
  override name = 'ContractError';
}

export interface BindingSlot {
  group: number;
  binding: number;
}

export interface KernelContract {
  family: KernelFamily;
  entryPoint: string;
  /** Every binding by name (the storage ones and `params`). */
  slots: Record<string, BindingSlot>;
  /** The uniform struct's fields: byte offset of each (all 4-byte scalars), and the struct's size in bytes. */
  paramOffsets: Record<string, number>;
  paramsSize: number;
  workgroupSize: [number, number, number];
  grid: GridHeader;
  /** True when the kernel declares var<workgroup> memory (a hint for the race check). */
  usesWorkgroupMemory: boolean;
  /** True when it calls workgroupBarrier() anywhere. */
  hasBarrier: boolean;
}

function declaration(family: KernelFamily, name: string): string {
  const spec = FAMILIES[family];
  if (name === PARAMS) {
    const fields = Object.entries(spec.params).map(([f, t]) => `${f}: ${t}`).join(', ');
    return `struct Params { ${fields} } and @group(0) @binding(N) var<uniform> params: Params;`;
  }
  return `@group(0) @binding(N) var<storage, ${spec.storage[name]}> ${name}: array<f32>;`;
}

/** Parses a kernel that has already compiled, against the family's contract. Throws a ContractError saying what is wrong. */
export function readContract(family: KernelFamily, source: string): KernelContract {
  const spec = FAMILIES[family];
  if (!spec) throw new ContractError(`unknown kernel family '${String(family)}': use ${KERNEL_FAMILIES.join(' or ')}`);
  // WGSL accepts any const expression in @workgroup_size, but wgsl_reflect (which reads the size for the grid
  // header's WG_X…) only parses literals and single names, and throws an unhelpful "Expected ')'" on the rest.
  const sizes = workgroupSizeArgs(source);
  for (const a of sizes) {
    if (!/^(\d+[ui]?|[A-Za-z_]\w*)$/.test(a.arg)) {
      throw new ContractError(`@workgroup_size at line ${a.line} has \`${a.arg}\`: write @workgroup_size with literals or single const names (e.g. const WG = 32u; … @workgroup_size(WG, 1))`);
    }
  }
  let reflect: WgslReflect;
  try {
    reflect = new WgslReflect(source);
  } catch (e) {
    throw new ContractError(`could not read the kernel's declarations (wgsl_reflect: ${(e as Error).message})`);
  }
  // An override constant is read by wgsl_reflect as its default (or 1 without one), but the pipeline may be
  // created with another value, so the grid would be computed from a size the kernel does not run with.
  const overrides = new Set(reflect.overrides.map((o) => o.name));
  for (const a of sizes) {
    if (overrides.has(a.arg)) {
      throw new ContractError(`@workgroup_size at line ${a.line} uses the override constant \`${a.arg}\`: the contract does not allow override constants there; declare it with const (const ${a.arg} = …;)`);
    }
  }
  const entries = reflect.entry.compute;
  if (entries.length !== 1) {
    throw new ContractError(`the kernel must have exactly one @compute entry point; it has ${entries.length}${entries.length ? ` (${entries.map((e) => e.name).join(', ')})` : ''}`);
  }
  const entry = entries[0];

  const expected = [...Object.keys(spec.storage), PARAMS];
  const slots: Record<string, BindingSlot> = {};
  let paramOffsets: Record<string, number> = {};
  let paramsSize = 0;
  for (const group of reflect.getBindGroups()) {
    for (const v of group ?? []) {
      if (!v) continue;
      const where = `\`${v.name}\` (@group(${v.group}) @binding(${v.binding}))`;
      if (!expected.includes(v.name)) {
        throw new ContractError(`unexpected binding ${where}: the ${family} contract has exactly ${expected.join(', ')}`);
      }
      slots[v.name] = { group: v.group, binding: v.binding };
      if (v.name === PARAMS) {
        if (v.resourceType !== ResourceType.Uniform) throw new ContractError(`binding ${where} must be a uniform: ${declaration(family, PARAMS)}`);
        ({ offsets: paramOffsets, size: paramsSize } = readParams(family, v.type));
        continue;
      }
      const access = spec.storage[v.name];
      if (v.resourceType !== ResourceType.Storage) {
        throw new ContractError(`binding ${where} must be a storage buffer: ${declaration(family, v.name)}`);
      }
      if (v.access !== access) {
        throw new ContractError(`binding ${where} has access ${v.access}, but the contract wants ${access}: ${declaration(family, v.name)}`);
      }
      const t = v.type as { name: string; format?: { name: string } | null };
      if (t.name !== 'array' || t.format?.name !== 'f32') {
        throw new ContractError(`binding ${where} must be array<f32> (the contract's buffers hold float32 scalars): ${declaration(family, v.name)}`);
      }
    }
  }
  const missing = expected.filter((n) => !(n in slots));
  if (missing.length) {
    throw new ContractError(`missing binding${missing.length > 1 ? 's' : ''} ${missing.map((m) => `\`${m}\``).join(', ')}: declare ${missing.map((m) => declaration(family, m)).join(' ')}`);
  }

  const wg = entry.workgroupSize ? [...entry.workgroupSize] : [];
  while (wg.length < 3) wg.push(1);
  if (!wg.every((n) => Number.isInteger(n) && n >= 1)) {
    throw new ContractError(
      `@workgroup_size of ${entry.name} could not be read as three positive integers (got ${JSON.stringify(entry.workgroupSize)}): write literals or const values, not override constants`,
    );
  }
  const workgroupSize = wg as [number, number, number];
  let grid: GridHeader;
  try {
    grid = parseGrid(source, [...spec.sizes, 'WG_X', 'WG_Y', 'WG_Z']);
  } catch (e) {
    if (e instanceof GridError) throw new ContractError(e.message);
    throw e;
  }
  return {
    family, entryPoint: entry.name, slots, paramOffsets, paramsSize, workgroupSize, grid,
    usesWorkgroupMemory: /var\s*<\s*workgroup\s*>/.test(stripComments(source)),
    hasBarrier: /\bworkgroupBarrier\s*\(/.test(stripComments(source)),
  };
}

function readParams(family: KernelFamily, type: unknown): { offsets: Record<string, number>; size: number } {
  const want = FAMILIES[family].params;
  const t = type as { name: string; members?: Array<{ name: string; type: { name: string }; offset: number }>; size: number };
  if (!t.members) throw new ContractError(`\`params\` must be a struct: ${declaration(family, PARAMS)}`);
  const offsets: Record<string, number> = {};
  for (const m of t.members) {
    if (!(m.name in want)) {
      throw new ContractError(`the params struct has a field \`${m.name}\` the ${family} contract does not fill: it has ${Object.keys(want).join(', ')}`);
    }
    if (m.type.name !== want[m.name]) {
      throw new ContractError(`params.${m.name} is ${m.type.name}, but the contract passes it as ${want[m.name]}`);
    }
    offsets[m.name] = m.offset;
  }
  const missing = Object.keys(want).filter((f) => !(f in offsets));
  if (missing.length) throw new ContractError(`the params struct lacks ${missing.join(', ')}: ${declaration(family, PARAMS)}`);
  return { offsets, size: t.size };
}

/** Each argument of each @workgroup_size(…) outside comments, trimmed, with its 1-based line. */
function workgroupSizeArgs(source: string): Array<{ arg: string; line: number }> {
  // Comments blanked to spaces (newlines kept), so indices still give the source's line numbers.
  const text = source.replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, (c) => c.replace(/[^\n]/g, ' '));
  const found: Array<{ arg: string; line: number }> = [];
  for (const m of text.matchAll(/@\s*workgroup_size\s*\(/g)) {
    const open = m.index! + m[0].length;
    let depth = 1;
    let i = open;
    for (; i < text.length && depth > 0; i++) {
      if (text[i] === '(') depth++;
      else if (text[i] === ')') depth--;
    }
    const line = text.slice(0, m.index).split('\n').length;
    // Split on the top-level commas only (an argument may be a call such as max(a, b)).
    let level = 0;
    let start = open;
    for (let j = open; j < i; j++) { // i - 1 is the closing parenthesis
      const ch = text[j];
      if (ch === '(') level++;
      else if (ch === ')') level--;
      if ((ch === ',' && level === 0) || j === i - 1) {
        const arg = text.slice(start, j).trim();
        if (arg) found.push({ arg, line });
        start = j + 1;
      }
    }
  }
  return found;
}

/** The source without line and block comments, for the textual hints (a commented-out barrier does not count). */
function stripComments(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
}

/** Packs the family's uniform values at the offsets the kernel's struct declares (all fields are 4-byte scalars). */
export function packParams(c: KernelContract, values: Readonly<Record<string, number>>): ArrayBuffer {
  const bytes = new ArrayBuffer(Math.max(16, Math.ceil(c.paramsSize / 16) * 16));
  const view = new DataView(bytes);
  for (const [name, type] of Object.entries(FAMILIES[c.family].params)) {
    const off = c.paramOffsets[name];
    if (type === 'f32') view.setFloat32(off, values[name], true);
    else view.setUint32(off, values[name], true);
  }
  return bytes;
}
