// Bring your own kernel (engine/kernels/): the starter kernels pass checkKernel against the CPU oracle and are
// timed; deliberately broken kernels, each a one-line edit of a starter, get their own message: a wrong index,
// a missing bounds check, a missing workgroupBarrier, a NaN, an unwritten output, a WGSL syntax error, contract
// violations, and a kernel that runs past the timeout (after which the next check, on a fresh device, passes).
// Without an adapter checkKernel rejects with NoAdapterError and every test fails.
import { describe, expect, it } from 'vitest';
import { checkKernel, timeKernel, kernelRunner, STARTER_KERNELS, type KernelReport } from '../engine/index';
import { CpuBackend } from '../engine/backend/cpu';
import { denseMatmul } from '../engine/backend/backend';
import { readContract } from '../engine/kernels/contract';
import { kernelDevice } from '../engine/kernels/device';
import { compileKernel, guardLength, prepareRun } from '../engine/kernels/run';
import { makeCase } from '../engine/kernels/cases';
import { GridError, evalGrid, parseGrid } from '../engine/kernels/grid';
import { expectAllClose } from './helpers';

const ATT = STARTER_KERNELS.attention;
const MM = STARTER_KERNELS.matmul;

/** The starter with one exact piece of text replaced (it must occur once, so an edit of the starter fails loudly here). */
function edit(source: string, from: string, to: string): string {
  expect(source.split(from).length, `'${from}' occurs once in the starter`).toBe(2);
  return source.replace(from, to);
}

/** The 1-based line of the first occurrence of `text`. */
function lineOf(source: string, text: string): number {
  return source.slice(0, source.indexOf(text)).split('\n').length;
}

function expectProblem(r: KernelReport, problem: KernelReport['problem'], message: RegExp): void {
  expect(r.message).toMatch(message);
  expect(r.problem).toBe(problem);
  expect(r.ok).toBe(false);
}

describe('user kernels: the starters', () => {
  it('the attention starter passes at every odd shape, and is timed', async () => {
    const r = await checkKernel({ family: 'attention', source: ATT });
    expect(r.message).toMatch(/^passed: 6 shapes × 3 runs/);
    expect(r.ok).toBe(true);
    expect(r.cases.map((c) => c.label)).toContain('B=1 H=1 T=33 d=16 causal window=5');
    expect(r.maxAbsErr).toBeLessThan(1e-5);
    expect(r.kernel).toEqual({ entryPoint: 'main', workgroupSize: [64, 1, 1], grid: 'ceil(T / WG_X), B * H, 1' });

    const t = await timeKernel(r, { shape: { B: 1, H: 2, T: 40, d: 16, causal: true, window: 0 }, reps: 2, seed: 3 });
    expect(t.reps).toBe(2);
    expect(t.times).toHaveLength(2);
    expect(t.grid).toEqual([1, 2, 1]);
    expect(t.out).toHaveLength(2 * 40 * 16);
    expect(t.out.every((x) => Number.isFinite(x))).toBe(true);
  });

  it('the matmul starter passes at every odd shape, and its timed output is the product', async () => {
    const r = await checkKernel({ family: 'matmul', source: MM });
    expect(r.message).toMatch(/^passed: 5 shapes × 3 runs/);
    expect(r.cases.map((c) => c.label)).toEqual(['M=1 N=33 K=7', 'M=33 N=1 K=7', 'M=7 N=33 K=1', 'M=33 N=7 K=257', 'M=257 N=33 K=7']);
    const [M, N, K] = [20, 17, 9];
    const a = Float32Array.from({ length: M * K }, (_, i) => ((i * 7) % 13) / 13 - 0.5);
    const b = Float32Array.from({ length: K * N }, (_, i) => ((i * 5) % 11) / 11 - 0.5);
    const t = await timeKernel(r, { shape: { M, N, K }, reps: 1, inputs: { a, b } });
    const cpu = new CpuBackend();
    const want = await cpu.read(cpu.matmul(cpu.upload(a), cpu.upload(b), denseMatmul({ batch: 1, M, N, K, aBatchStride: 0, bBatchStride: 0 })).out);
    expectAllClose(t.out, want, { atol: 1e-5, rtol: 1e-5 });
    expect(t.grid).toEqual([2, 2, 1]);

    // A timed call reads back out alone, as ours and the peers do (calls after the first skip the error scope and
    // still give the product); the check's run reads back out and its guard.
    const p = (await kernelRunner(r)).prepare({ shape: { M, N, K }, inputs: { a, b } });
    try {
      await p.run();
      await p.run();
      expect(p.readbackBytes).toBe(M * N * 4);
      expectAllClose(p.result(), want, { atol: 1e-5, rtol: 1e-5 });
    } finally {
      p.dispose();
    }
    const checkRun = prepareRun(await compileKernel(await kernelDevice(), 'matmul', MM), makeCase({ M, N, K }, 1));
    try {
      expect(checkRun.readbackBytes).toBe((M * N + guardLength(M * N)) * 4);
      expect((await checkRun.run(r.timeoutMs)).byteLength).toBe(checkRun.readbackBytes);
    } finally {
      checkRun.dispose();
    }
  });

  it('timeKernel refuses a kernel whose check failed', async () => {
    const r = await checkKernel({ family: 'matmul', source: MM.replace('acc += aTile', 'acc -= aTile'), shapes: [{ M: 7, N: 7, K: 7 }] });
    expect(r.ok).toBe(false);
    await expect(timeKernel(r, { shape: { M: 7, N: 7, K: 7 } })).rejects.toThrow(/did not pass its check, so it is not timed \(wrong values/);
  });
});

describe('user kernels: each broken kernel gets its own message', () => {
  it('a wrong index (keys read at the query row) → wrong values, at (b, h, t, j)', async () => {
    const r = await checkKernel({ family: 'attention', source: edit(ATT, 'let kRow = base + j * d;', 'let kRow = base + t * d;') });
    expectProblem(r, 'wrong', /^wrong values: 672 of 672 elements outside the tolerance at B=2 H=3 T=7 d=16, the first at \(b, h, t, j\) = \(0, 0, 0, 0\): got -?[\d.]+, want -?[\d.]+/);
  });

  it('a missing bounds check on the store → out-of-range writes at odd sizes', async () => {
    const r = await checkKernel({ family: 'matmul', source: edit(MM, 'if (row < M && col < N) {\n    out', 'if (true) {\n    out') });
    expectProblem(r, 'out-of-range', /^out-of-range writes: \d+ elements written past the end of out \(33 elements\) at M=1 N=33 K=7, the first 0 past the end: a missing bounds check\?/);
    expect(r.cases[0].firstOutOfRange).toBe(0);
  });

  it('no workgroupBarrier around the shared tiles → likely a race', async () => {
    const racy = MM.replace(/workgroupBarrier\(\);/g, '');
    const r = await checkKernel({ family: 'matmul', source: racy });
    // On SwiftShader a workgroup's invocations run in a fixed order, so the race gives the same wrong values
    // every run ('race', from the static reading); on a GPU whose runs differ it is 'nondeterministic'.
    expect(r.message).toMatch(/likely a race \(missing workgroupBarrier\?\)/);
    expect(['race', 'nondeterministic']).toContain(r.problem);
  });

  it('a NaN (normalising by l · window, 0 without a window) → NaN in out, with its index', async () => {
    const r = await checkKernel({ family: 'attention', source: edit(ATT, 'acc[c] / l;', 'acc[c] / (l * f32(params.window));') });
    expectProblem(r, 'nan', /^NaN in out: \d+ NaN and \d+ ±Inf of 7 elements at B=1 H=1 T=1 d=7, the first at \(b, h, t, j\) = \(0, 0, 0, 0\)/);
  });

  it('the last column never written → unwritten outputs, caught by the poisoned buffer', async () => {
    const r = await checkKernel({ family: 'attention', source: edit(ATT, 'for (var c = 0u; c < d; c++) {\n    out', 'for (var c = 0u; c + 1u < d; c++) {\n    out') });
    expectProblem(r, 'unwritten', /^unwritten outputs: 1 of 7 elements of out were never written at B=1 H=1 T=1 d=7, the first at \(b, h, t, j\) = \(0, 0, 0, 6\)/);
  });

  it('a WGSL syntax error → its line and column', async () => {
    const broken = edit(ATT, 'let head = gid.y; // b · H + h', 'let head = gid.y // b · H + h');
    const r = await checkKernel({ family: 'attention', source: broken });
    expectProblem(r, 'compile', /^WGSL error at \d+:\d+: /);
    // Tint reports the missing ';' where the next statement begins: the line after the edit.
    const line = lineOf(broken, 'let head = gid.y');
    expect([line, line + 1]).toContain(r.compileErrors[0].line);
    expect(r.compileErrors[0].col).toBeGreaterThan(0);
  });

  it('contract violations: a missing binding, a wrong access, an extra binding, a missing grid header', async () => {
    const noV = edit(edit(ATT, '@group(0) @binding(2) var<storage, read> v: array<f32>;\n', ''), 'p * v[kRow + c]', 'p * k[kRow + c]');
    let r = await checkKernel({ family: 'attention', source: noV });
    expectProblem(r, 'contract', /^contract: missing binding `v`: declare @group\(0\) @binding\(N\) var<storage, read> v: array<f32>;/);

    r = await checkKernel({ family: 'attention', source: edit(ATT, 'var<storage, read> q:', 'var<storage, read_write> q:') });
    expectProblem(r, 'contract', /^contract: binding `q` \(@group\(0\) @binding\(0\)\) has access read_write, but the contract wants read/);

    const extra = edit(MM, 'const TILE', '@group(1) @binding(0) var<storage, read> bias: array<f32>;\nconst TILE');
    r = await checkKernel({ family: 'matmul', source: extra.replace('acc += aTile', 'acc += bias[0] * 0.0 + aTile') });
    expectProblem(r, 'contract', /^contract: unexpected binding `bias` \(@group\(1\) @binding\(0\)\): the matmul contract has exactly a, b, out, params/);

    r = await checkKernel({ family: 'matmul', source: edit(MM, '// grid: ceil(N / WG_X), ceil(M / WG_Y), 1', '') });
    expectProblem(r, 'contract', /^contract: no dispatch grid: add a header comment line/);
  });

  it('a kernel that runs past the timeout is reported, and the next check runs on a fresh device and passes', async () => {
    // A loop bounded by a uniform (params.K · steps per invocation, 768 invocations at the first shape). On
    // SwiftShader 10 000 steps take about 1.5 s; SwiftShader cannot interrupt a running kernel, so a truly endless
    // loop would run on in the background for ever, and this one drains soon after the check gives up on it. A
    // hardware GPU runs the invocations in parallel, so there each must loop far longer (a count not yet tried on
    // one: no hardware adapter was at hand when this was written).
    const software = /swiftshader|llvmpipe|lavapipe/i.test((await kernelDevice()).adapterName);
    const steps = software ? 10_000 : 100_000_000;
    const slow = edit(MM, 'var acc = 0.0;', `var acc = 0.0;\n  for (var r = 0u; r < K * ${steps}u; r++) { acc = acc * 0.5 + a[r % K]; }`);
    const r = await checkKernel({ family: 'matmul', source: slow, timeoutMs: 300 });
    expectProblem(r, 'timeout', /^timeout: the kernel did not finish within 300 ms at M=1 N=33 K=7 \(grid 3 × 1 × 1\); its device was retired, and the next check opens a fresh one/);
    const next = await checkKernel({ family: 'matmul', source: MM, shapes: [{ M: 7, N: 9, K: 5 }] });
    expect(next.message).toMatch(/^passed/);
  });
});

describe('user kernels: the kernel device', () => {
  it('after the device is lost, the next check opens a fresh one and passes', async () => {
    const before = await kernelDevice();
    before.device.destroy(); // as a driver reset or a GPU process watchdog would lose it
    await before.device.lost;
    const r = await checkKernel({ family: 'matmul', source: MM, shapes: [{ M: 5, N: 3, K: 2 }] });
    expect(r.message).toMatch(/^passed/);
    const after = await kernelDevice();
    expect(after).not.toBe(before);
    expect(before.gone).toMatch(/^device lost \(destroyed/);
  });
});

describe('user kernels: the grid header and the contract reader', () => {
  it('evaluates workgroup counts from the sizes and the declared workgroup size', () => {
    const h = parseGrid('// grid: ceil(N / WG_X), max(1, M - 2 * 3) % 5, (K + 1) / 2\n', ['M', 'N', 'K', 'WG_X']);
    expect(evalGrid(h, { M: 9, N: 33, K: 7, WG_X: 16 }, 65535)).toEqual([3, 3, 4]);
  });

  it('refuses a count that is not whole, an unknown name, and a header with two counts, saying where', () => {
    const h = parseGrid('// grid: N / 2, 1, 1', ['N']);
    expect(() => evalGrid(h, { N: 7 }, 65535)).toThrow(/line 1: the x count is 3.5 at N=7, not a whole number: wrap it in ceil\(\) or floor\(\)/);
    expect(() => parseGrid('x\n// grid: ceil(Q / 4), 1, 1', ['N'])).toThrow(/line 2 column 15: unknown name 'Q'/);
    expect(() => parseGrid('// grid: 1, 1', ['N'])).toThrow(GridError);
    expect(() => evalGrid(parseGrid('// grid: N * 1000, 1, 1', ['N']), { N: 70 }, 65535)).toThrow(/x count is 70000 .* over this adapter's maxComputeWorkgroupsPerDimension 65535/);
  });

  it('finds bindings by name whatever their group and binding numbers, and the params offsets from the struct', () => {
    const moved = MM.replace('@group(0) @binding(0) var<storage, read> a', '@group(2) @binding(7) var<storage, read> a')
      .replace('struct Params {\n  M: u32,\n  N: u32,\n  K: u32,\n}', 'struct Params {\n  K: u32,\n  M: u32,\n  N: u32,\n}');
    const c = readContract('matmul', moved);
    expect(c.slots.a).toEqual({ group: 2, binding: 7 });
    expect(c.paramOffsets).toEqual({ K: 0, M: 4, N: 8 });
  });

  it('@workgroup_size: an expression and an override constant are refused with their line; a const name is read', () => {
    const line = lineOf(MM, '@workgroup_size(16, 16)');
    expect(() => readContract('matmul', edit(MM, '@workgroup_size(16, 16)', '@workgroup_size(TILE * 1, TILE)')))
      .toThrow(new RegExp(`^@workgroup_size at line ${line} has \`TILE \\* 1\`: write @workgroup_size with literals or single const names`));
    const withOverride = edit(edit(MM, 'const TILE = 16u;', 'const TILE = 16u;\noverride W = 16u;'), '@workgroup_size(16, 16)', '@workgroup_size(W, 16)');
    expect(() => readContract('matmul', withOverride))
      .toThrow(new RegExp(`^@workgroup_size at line ${line + 1} uses the override constant \`W\`: the contract does not allow override constants`));
    expect(readContract('matmul', edit(MM, '@workgroup_size(16, 16)', '@workgroup_size(TILE, TILE) /* not (TILE * 2) */')).workgroupSize).toEqual([16, 16, 1]);
  });

  it('a grid header naming an Object method is an unknown name, not a function', () => {
    expect(() => parseGrid('// grid: toString(N), 1, 1', ['N'])).toThrow(/unknown name 'toString'/);
    expect(() => parseGrid('// grid: constructor, 1, 1', ['N'])).toThrow(/unknown name 'constructor'/);
  });
});
