// The shader builder (engine/backend/gpu/shader.ts): includes, generated consts and binding numbers. No device is
// needed: these check the text a kernel is compiled from; the kernel suites check what it computes.
import { describe, expect, test } from 'vitest';
import { assembleIncludes, buildShader, wgslConsts } from '../engine/backend/gpu/shader';
import { BINARY, BINARY_CODES, UNARY, UNARY_CODES } from '../engine/ops/pointwise';
import { pointwiseShader } from '../engine/backend/gpu/elementwise';
import { REDUCE_OPS } from '../engine/backend/gpu/reduce';
import { MATMUL_ACTIVATIONS } from '../engine/backend/gpu/matmul';
import { ERROR_SLOTS, errorSlotConsts } from '../engine/backend/gpu/context';

const files: Record<string, string> = {
  base: 'fn base() {}',
  left: '// #include base\nfn left() {}',
  right: '// #include base\nfn right() {}',
  top: '// #include left\n// #include right\n// #include base\nfn top() {}',
  a: '// #include b\nfn a() {}',
  b: '// #include c\nfn b() {}',
  c: '// #include a\nfn c() {}',
  self: '// #include self',
  bad: 'fn bad() {}\n// #include nowhere',
};
const read = (name: string): string | undefined => files[name];
const count = (text: string, what: string): number => text.split(what).length - 1;

describe('includes', () => {
  test('a file included from several places, directly and transitively, appears once, before its first user', () => {
    const out = assembleIncludes('top', read);
    expect(count(out, 'fn base()')).toBe(1);
    expect(count(out, 'fn left()')).toBe(1);
    expect(count(out, 'fn right()')).toBe(1);
    expect(out.indexOf('fn base()')).toBeLessThan(out.indexOf('fn left()'));
    expect(out.indexOf('fn top()')).toBeGreaterThan(out.indexOf('fn right()'));
  });

  test('an unknown include is an error naming the including file and line', () => {
    expect(() => assembleIncludes('bad', read)).toThrow('shaders/bad.wgsl line 2: #include nowhere, but shaders/nowhere.wgsl does not exist');
  });

  test('a cycle is an error naming its files', () => {
    expect(() => assembleIncludes('a', read)).toThrow('shaders/c.wgsl line 1: #include cycle a → b → c → a');
    expect(() => assembleIncludes('self', read)).toThrow('#include cycle self → self');
  });

  test('every kernel of shaders/ gets numerics once, however many of its includes need it', () => {
    const out = buildShader({ ...pointwiseShader('unary'), vars: { INNER: 2 } });
    expect(count(out, 'fn nan_f32()')).toBe(1); // numerics, wanted by unary and by activations
    expect(count(out, 'fn act_gelu(')).toBe(1);
  });
});

describe('bindings', () => {
  test('are numbered in order of declaration, after includes and template switches', () => {
    const numbers = (code: string): number[] => [...code.matchAll(/@binding\((\d+)\)/g)].map((m) => Number(m[1]));
    const attention = buildShader({
      file: 'attention_forward',
      vars: { D4: 2, R: 1, WG: 8, TK: 4, BR: 8, TKD4: 8, CAUSAL: 1, WINDOW: 0, LOCAL: 0, GLOBAL: 0, BLOCKS: 0, SPARSE: 0, ALIBI: 0, MASK_FLOAT: 0, MASK_BOOL: 0, MASKED: 0 },
    });
    expect(numbers(attention)).toEqual([0, 1, 2, 3, 4, 5]); // attention_common's uniform, then the kernel's five
    // The optional mask, slopes and tile-list bindings are declared only when their switch is on.
    const all = buildShader({
      file: 'attention_forward',
      vars: { D4: 2, R: 1, WG: 8, TK: 4, BR: 8, TKD4: 8, CAUSAL: 0, WINDOW: 0, LOCAL: 1, GLOBAL: 1, BLOCKS: 1, SPARSE: 1, ALIBI: 1, MASK_FLOAT: 1, MASK_BOOL: 0, MASKED: 1 },
    });
    expect(numbers(all)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(all).toMatch(/@binding\(3\) var<storage, read> sparse/);
    expect(attention).toMatch(/@binding\(0\) var<uniform> params/);
    const sgd = buildShader({ file: 'sgd', vars: { SLOTS: 2, MOMENTUM: 0 } });
    expect(numbers(sgd)).toEqual([0, 1, 2, 3, 4]); // no momentum buffers: no gaps
  });
});

describe('consts generated from the TypeScript tables', () => {
  test('wgslConsts names entries in upper snake case', () => {
    expect(wgslConsts('OP_', { geluTanh: 10, neg: 0 })).toEqual({ OP_GELU_TANH: 10, OP_NEG: 0 });
    expect(errorSlotConsts()).toEqual({ ERROR_GATHER_INDEX: 0, ERROR_CROSS_ENTROPY_TARGET: 1 });
    expect(Object.keys(ERROR_SLOTS)).toHaveLength(2);
  });

  // Every op of a table has a case in its shader, under its generated name, and no case has a number of its own.
  test.each([
    ['reduce', REDUCE_OPS, 'OP_', { INNER: 0 }],
    ['matmul_general', MATMUL_ACTIVATIONS, 'ACT_', { ROWS: 8, BIAS: 0, ACT: 0, SUM_A: 0 }],
  ] as const)('%s handles every entry of its table', (file, table, prefix, vars) => {
    const consts = wgslConsts(prefix, table);
    const code = buildShader({ file, vars, consts });
    for (const [name, value] of Object.entries(consts)) {
      expect(code).toContain(`const ${name}: u32 = ${value}u;`);
      // ACT_NONE and REDUCE's two arg ops are the default branch; every other entry is named in a case.
      if (name !== 'ACT_NONE' && !(file === 'reduce' && name === 'OP_ARGMIN')) expect(code, name).toMatch(new RegExp(`case [^:]*\\b${name}\\b`));
    }
    expect(code).not.toMatch(/case \d+u/);
  });

  // The pointwise kernels' switch is generated from the op records: a case per op, under its const, with its body.
  test.each([['unary', UNARY, UNARY_CODES], ['binary', BINARY, BINARY_CODES]] as const)('%s has a case per op record', (file, table, codes) => {
    const code = buildShader({ ...pointwiseShader(file), vars: { INNER: 0 } });
    const consts = wgslConsts('OP_', codes);
    for (const [i, [name, value]] of Object.entries(consts).entries()) {
      expect(code).toContain(`const ${name}: u32 = ${value}u;`);
      const op = Object.keys(table)[i] as keyof typeof table;
      expect(code, name).toContain(`case ${name}: { ${(table[op] as { wgsl: string }).wgsl} }`);
    }
    expect(code.match(/case OP_\w+:/g)).toHaveLength(Object.keys(table).length);
    expect(code).not.toMatch(/case \d+u/);
  });

  test('generated WGSL may not shadow a file of shaders/', () => {
    expect(() => buildShader({ file: 'unary', vars: { INNER: 0 }, generated: { numerics: '' } })).toThrow(/would shadow shaders\/numerics\.wgsl/);
  });

  test('an unresolved const or template variable is an error naming the file', () => {
    expect(() => buildShader({ file: 'strided' })).toThrow(/shaders\/strided\.wgsl: template: no value for INNER/);
    expect(() => buildShader({ file: 'fill', consts: { BAD: -1 } })).toThrow('shader const BAD = -1 is not a u32');
  });

  test('a hand-numbered binding is refused', () => {
    // The builder owns the numbering; a fixed number could collide with an included file's.
    const fixed = { k: '@group(0) @binding(auto) var<uniform> p: P;\n@group(0) @binding(1) var<storage> x: array<f32>;' };
    expect(() => buildShader({ file: 'k' }, (name) => fixed[name as 'k'])).toThrow('shaders/k.wgsl: write @binding(auto), not @binding(1)');
  });
});
