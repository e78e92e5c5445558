// The one way a kernel's WGSL is assembled. WGSL has no imports, so every kernel is built from its file in
// shaders/ by three steps, in this order:
//
//   1. includes   a line `// #include NAME` is replaced by shaders/NAME.wgsl (or by WGSL the build generated
//                 under NAME, such as the pointwise ops' switch), itself assembled the same way.
//                 Each file is included at most once per kernel, however many files ask for it (a function
//                 defined twice is a WGSL error); an unknown name or a cycle is an error naming the file.
//   2. template   {{EXPR}}, // @unroll and // @if are expanded with the build's template variables (template.ts).
//   3. bindings   every `@binding(auto)` is numbered 0, 1, 2, … in the order it appears, so that shared files
//                 (a uniform struct, the mask of attention) and kernels never count binding numbers by hand; a
//                 binding a template switch leaves out takes no number. Kernels find bindings by name through
//                 reflection (context.ts), so the numbers themselves never matter.
//
// Values that TypeScript and WGSL must agree on (op codes, error slots, tile sizes) are never written twice: the
// TypeScript table is the source of truth and its entries reach the shader as `const NAME: u32 = Vu;` lines that
// the build puts in front (`consts`; wgslConsts() makes names from a table), so a shader says `case OP_NEG:`.
import { expandTemplate, type TemplateVars } from './template';

export type { TemplateVars };

/** Every file in shaders/, by name without the extension. */
const FILES: Record<string, string> = Object.fromEntries(
  Object.entries(import.meta.glob<string>('../../../shaders/*.wgsl', { query: '?raw', import: 'default', eager: true })).map(
    ([path, text]) => [path.slice(path.lastIndexOf('/') + 1, -'.wgsl'.length), text],
  ),
);

export interface ShaderOptions {
  /** Template variables ({{NAME}}, // @unroll, // @if; template.ts). */
  vars?: TemplateVars;
  /** Values shared with TypeScript, declared in front of the kernel as `const NAME: u32 = Vu;`. */
  consts?: Record<string, number>;
  /**
   * WGSL generated from TypeScript (the pointwise ops' apply() from their records), pulled in by
   * `// #include NAME` like a file of shaders/; a name may not shadow one.
   */
  generated?: Record<string, string>;
}

/** What a kernel is compiled from: its file in shaders/ and the build's options. */
export interface ShaderSpec extends ShaderOptions {
  file: string;
}

const INCLUDE = /^\s*\/\/\s*#include\b\s*(.*)$/;

/**
 * The text of `file` with its includes expanded (step 1 alone), reading files through `read` (undefined for a
 * file that does not exist). Exported for tests, which give it files of their own.
 */
export function assembleIncludes(file: string, read: (name: string) => string | undefined): string {
  const included = new Set<string>();
  const expand = (name: string, chain: string[]): string => {
    const text = read(name);
    if (text === undefined) throw new Error(`shaders/${name}.wgsl does not exist`);
    included.add(name);
    return text
      .split('\n')
      .map((line, n) => {
        const m = INCLUDE.exec(line);
        if (!m) return line;
        const target = m[1].trim();
        const where = `shaders/${name}.wgsl line ${n + 1}`;
        if (!/^\w+$/.test(target)) throw new Error(`${where}: '#include ${target}' should name one file of shaders/, without .wgsl`);
        if (target === name || chain.includes(target)) throw new Error(`${where}: #include cycle ${[...chain, name, target].join(' → ')}`);
        if (included.has(target)) return `// (${target}: included above)`;
        if (read(target) === undefined) throw new Error(`${where}: #include ${target}, but shaders/${target}.wgsl does not exist`);
        return expand(target, [...chain, name]);
      })
      .join('\n');
  };
  return expand(file, []);
}

function constLines(consts: Record<string, number>): string {
  return Object.entries(consts)
    .map(([name, v]) => {
      if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new Error(`shader const ${name} = ${v} is not a u32`);
      return `const ${name}: u32 = ${v}u;`;
    })
    .join('\n');
}

/** Numbers each `@binding(auto)` in order; a hand-written number is refused, since it could collide. */
function numberBindings(file: string, code: string): string {
  const fixed = /@binding\(\s*\d+\s*\)/.exec(code);
  if (fixed) throw new Error(`shaders/${file}.wgsl: write @binding(auto), not ${fixed[0]}; the shader builder numbers bindings`);
  let next = 0;
  return code.replace(/@binding\(auto\)/g, () => `@binding(${next++})`);
}

/**
 * Assembles `file` as the header describes: includes, consts, template, bindings. Files come from shaders/, or
 * from `read` (tests).
 */
export function buildShader(spec: ShaderSpec, read: (name: string) => string | undefined = (name) => FILES[name]): string {
  const generated = spec.generated ?? {};
  for (const name of Object.keys(generated)) {
    if (read(name) !== undefined) throw new Error(`shaders/${spec.file}.wgsl: generated WGSL '${name}' would shadow shaders/${name}.wgsl`);
  }
  const body = assembleIncludes(spec.file, (name) => generated[name] ?? read(name));
  const withConsts = spec.consts ? `${constLines(spec.consts)}\n${body}` : body;
  let expanded: string;
  try {
    expanded = expandTemplate(withConsts, spec.vars ?? {});
  } catch (e) {
    throw new Error(`shaders/${spec.file}.wgsl: ${(e as Error).message}`);
  }
  return numberBindings(spec.file, expanded);
}

/**
 * Const names for a TypeScript table, e.g. wgslConsts('OP_', { geluTanh: 10 }) = { OP_GELU_TANH: 10 }: the
 * prefix and the key in upper snake case.
 */
export function wgslConsts(prefix: string, table: Readonly<Record<string, number>>): Record<string, number> {
  return Object.fromEntries(Object.entries(table).map(([key, v]) => [prefix + key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase(), v]));
}
