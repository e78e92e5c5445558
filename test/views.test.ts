// Strided views: transpose, permute, slice, select, expand (stride 0), squeeze, unsqueeze, reshape and detach share
// their input's storage and launch no kernel; views of views compose; every elementwise op, reduction and matmul
// reads them in place, on the GPU and the CPU oracle alike; gradients flow back through them; and optimizers and
// .grad accumulation stay right on parameters that are views. Values are checked against host-side references
// computed from the index arithmetic itself, so a layout bug cannot hide behind a twin bug in the oracle.
import { beforeAll, describe, expect, test } from 'vitest';
import { init, tensor, randn, gradcheck, optim, tidy, memoryStats, type Tensor, type DeviceName } from '../engine/index';
import { webgpuBackend } from '../engine/device';
import { expectAllClose, randArray } from './helpers';

const DEVICES: DeviceName[] = ['cpu', 'webgpu'];
const EXACT = { atol: 0, rtol: 0 };
const F32 = { atol: 1e-5, rtol: 1e-5 };

beforeAll(async () => {
  // Fails (never skips) with NoAdapterError, which says how to install an adapter, when there is none.
  await init({ backend: 'webgpu' });
});

/** Host reference: element at multi-index idx of a row-major array of `shape`. */
function at(data: ArrayLike<number>, shape: readonly number[], idx: readonly number[]): number {
  let p = 0;
  for (let d = 0; d < shape.length; d++) p = p * shape[d] + idx[d];
  return data[p];
}

/** Host reference: every element of `shape`, row-major, as f(multi-index). */
function build(shape: readonly number[], f: (idx: number[]) => number): number[] {
  const out: number[] = [];
  const idx = shape.map(() => 0);
  const n = shape.reduce((a, b) => a * b, 1);
  for (let i = 0; i < n; i++) {
    out.push(f([...idx]));
    for (let d = shape.length - 1; d >= 0 && ++idx[d] === shape[d]; d--) idx[d] = 0;
  }
  return out;
}

describe('views share storage and cost no kernel', () => {
  test('transpose, permute, slice, select, expand, squeeze, unsqueeze, reshape and detach', async () => {
    const x = randn([7, 33, 5], { seed: 1, device: 'webgpu' });
    const ctx = webgpuBackend()!.ctx;
    const [buffers, dispatches] = [memoryStats('webgpu').buffers, ctx.dispatches];
    const views = tidy(() => [
      x.transpose(0, 2), x.permute(2, 0, 1), x.slice(1, 3, 30), x.select(0, 4), x.unsqueeze(1).expand([7, 4, 33, 5]),
      x.slice(0, 2, 3).squeeze(0), x.reshape([231, 5]), x.detach(), x.transpose(0, 1).slice(0, 1, 8).select(2, -1),
    ]);
    expect(memoryStats('webgpu').buffers).toBe(buffers);
    expect(ctx.dispatches).toBe(dispatches);
    for (const v of views) expect(v.isContiguous()).toBe(v === views[6] || v === views[7]);
    // The storage outlives the base while a view holds it.
    const data = await x.toArray();
    x.dispose();
    expectAllClose(await views[3].toArray(), build([33, 5], ([j, k]) => at(data, [7, 33, 5], [4, j, k])), EXACT, 'select after dispose');
    for (const v of views) v.dispose();
    expect(memoryStats('webgpu').buffers).toBe(buffers - 1);
  });
});

for (const device of DEVICES) {
  describe(`views on ${device}`, () => {
    const shape = [7, 33, 5];
    const data = randArray(7 * 33 * 5, 3);
    const base = (): Tensor => tensor(data, shape, { device });

    test('odd strides: a permute, a slice of it, and a select of that (views of views)', async () => {
      const x = base();
      const p = x.permute(2, 0, 1); // (5, 7, 33), strides (1, 165, 5)
      expect(p.strides).toEqual([1, 165, 5]);
      const s = p.slice(2, 3, 30); // (5, 7, 27), offset 15
      const v = s.select(1, 6); // (5, 27): element [k, j] = x[6, 3 + j, k]
      expect(v.shape).toEqual([5, 27]);
      expectAllClose(await v.toArray(), build([5, 27], ([k, j]) => at(data, shape, [6, 3 + j, k])), EXACT, 'view of views');
      // Elementwise ops and a reduction read the view in place.
      expectAllClose(await v.mul(2).add(1).toArray(), build([5, 27], ([k, j]) => 2 * at(data, shape, [6, 3 + j, k]) + 1), F32, 'ops on the view');
      expectAllClose(await v.sum(1).toArray(), build([5], ([k]) => {
        let acc = 0;
        for (let j = 0; j < 27; j++) acc += at(data, shape, [6, 3 + j, k]);
        return acc;
      }), { atol: 1e-5, rtol: 1e-5 }, 'sum over the view');
      expectAllClose(await v.argmax(0).toArray(), build([27], ([j]) => {
        let best = 0;
        for (let k = 1; k < 5; k++) if (at(data, shape, [6, 3 + j, k]) > at(data, shape, [6, 3 + j, best])) best = k;
        return best;
      }), EXACT, 'argmax over the view');
      x.dispose();
    });

    test('expand with stride 0, against a materialised copy', async () => {
      const row = tensor(data.subarray(0, 33), [1, 33], { device });
      const e = row.expand([7, 33]);
      expect(e.strides).toEqual([0, 1]);
      const y = e.add(base().select(2, 0)); // (7, 33) + x[:, :, 0]
      expectAllClose(await y.toArray(), build([7, 33], ([i, j]) => data[j] + at(data, shape, [i, j, 0])), F32, 'expand + view');
      expectAllClose(await e.sum(0).toArray(), Array.from(data.subarray(0, 33), (v) => 7 * v), F32, 'sum over the expanded dim');
    });

    test('reshape is a view where the strides allow and a copy where they do not; a slice of a transpose', async () => {
      const x = base();
      const s = x.slice(1, 10, 20); // (7, 10, 5), strides (165, 5, 1), offset 50
      const r = s.reshape([7, 50]); // dims 1 and 2 are adjacent in memory: a view
      expect([r.strides, r.offset, r.isContiguous()]).toEqual([[165, 1], 50, false]);
      const flat = s.reshape([350]); // rows 165 apart cannot be one dim of stride 1: a contiguous copy
      expect(flat.isContiguous()).toBe(true);
      const want = build([7, 10, 5], ([i, j, k]) => at(data, shape, [i, 10 + j, k]));
      expectAllClose(await r.toArray(), want, EXACT, 'reshape view');
      expectAllClose(await flat.toArray(), want, EXACT, 'reshape copy');
      const t = x.transpose(0, 1).slice(0, 10, 20); // (10, 7, 5), strides (5, 165, 1)
      expect(t.strides).toEqual([5, 165, 1]);
      const wantT = build([10, 7, 5], ([j, i, k]) => at(data, shape, [i, 10 + j, k]));
      expectAllClose(await t.reshape([10, 35]).toArray(), wantT, EXACT, 'slice of a transpose, reshaped (a copy)');
      const c = t.contiguous();
      expect(c.isContiguous()).toBe(true);
      expect(x.contiguous()).toBe(x); // already contiguous: the same tensor
      expectAllClose(await c.toArray(), wantT, EXACT, 'contiguous()');
      x.dispose();
    });

    test('matmul reads transposed and sliced operands in place', async () => {
      const a = tensor(randArray(33 * 7, 4), [33, 7], { device }); // used transposed: (7, 33)
      const b = tensor(randArray(40 * 33, 5), [40, 33], { device }); // rows 3..36, transposed: (33, 33)
      const y = a.transpose(0, 1).matmul(b.slice(0, 3, 36).transpose(0, 1)); // (7, 33)
      const [ad, bd] = [await a.toArray(), await b.toArray()];
      expectAllClose(await y.toArray(), build([7, 33], ([i, j]) => {
        let acc = 0;
        for (let k = 0; k < 33; k++) acc += ad[k * 7 + i] * bd[(3 + j) * 33 + k];
        return acc;
      }), { atol: 1e-4, rtol: 1e-4 }, 'Aᵀ @ B[3:36]ᵀ');
    });
  });
}

describe('gradients through views', () => {
  const TOL = { atol: 1e-4, rtol: 1e-3 };
  test('permute, slice, select, expand, unsqueeze, reshape and a non-viewable reshape (gradcheck, GPU)', async () => {
    const x = randn([5, 7, 6], { seed: 7, device: 'webgpu' });
    const w = randn([3, 4, 5], { seed: 8, device: 'webgpu' });
    await gradcheck((a, b) => {
      const v = a.permute(2, 0, 1).slice(1, 1, 5).select(2, 3).unsqueeze(1).expand([6, 3, 4]); // (6, 3, 4)
      const u = a.transpose(0, 1).reshape([7, 30]).slice(1, 2, 14).reshape([7, 3, 4]).sum(0); // (3, 4)
      return v.mul(b.permute(2, 0, 1).slice(0, 0, 1).squeeze(0)).add(u).mul(b.slice(2, 1, 2).squeeze(2).sum(0, true));
    }, [x, w], TOL);
    x.dispose();
    w.dispose();
  });

  test('several slices of one tensor accumulate into one gradient, laid out like the tensor', async () => {
    const x = randn([4, 9, 3], { seed: 9, device: 'webgpu' });
    await gradcheck((a) => {
      const t = a.transpose(0, 1); // (9, 4, 3): slices of a non-contiguous view
      return t.slice(0, 0, 3).mul(t.slice(0, 3, 6)).add(t.slice(0, 6, 9).exp()).add(t.select(0, 4).unsqueeze(0));
    }, [x], TOL);
    x.dispose();
  });
});

describe('parameters that are views', () => {
  for (const device of DEVICES) {
    test(`SGD updates a transposed, offset view through its layout; .grad accumulates contiguous (${device})`, async () => {
      const baseData = randArray(6 * 5, 11);
      const base = tensor(baseData, [6, 5], { device });
      const p = base.slice(0, 1, 5).transpose(0, 1).detach(); // (5, 4) view at offset 5, strides (1, 5)
      p.requiresGrad = true;
      const target = tensor(randArray(5 * 4, 12), [5, 4], { device });
      const opt = new optim.SGD([p], { lr: 0.5 });
      const loss = (): Tensor => tidy(() => p.mul(target).sum());
      // Two backward passes before a step: the gradient accumulates (2·target), contiguous.
      for (let i = 0; i < 2; i++) {
        const l = loss();
        l.backward();
        l.dispose();
      }
      expect(p.grad!.isContiguous()).toBe(true);
      const td = await target.toArray();
      expectAllClose(await p.grad!.toArray(), Array.from(td, (v) => 2 * v), F32, 'accumulated grad');
      opt.step();
      // p[i][j] = base[1 + j][i] - 0.5·2·target[i][j]; the rest of base is untouched.
      const want = Array.from(baseData);
      for (let i = 0; i < 5; i++) for (let j = 0; j < 4; j++) want[(1 + j) * 5 + i] -= td[i * 4 + j];
      expectAllClose(await base.toArray(), want, F32, 'base after the step');
      expectAllClose(await p.toArray(), build([5, 4], ([i, j]) => want[(1 + j) * 5 + i]), F32, 'the view sees it');
      opt.zeroGrad();
      for (const t of [base, p, target]) t.dispose();
    });
  }
});
