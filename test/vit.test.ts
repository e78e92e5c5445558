// nn.ViT and its pieces (engine/nn/vit.ts): patchify against index arithmetic written here, the patch embedding
// against a stride-P convolution in plain loops (the two must be the same map), float64 finite differences through
// the patch embedding, the class token and the positions, the WebGPU forward against the CPU at odd sizes, the
// attention maps, errors on wrong image sizes, a safetensors round trip, and a short training run of the recipe.
//
// GPU tolerance: |gpu − cpu| ≤ 1e−4 + 1e−3·|cpu|. Both are float32; a 2-block ViT of width 16 sums a few hundred
// products per element in a different order on each device, so differences are ~1e−6; a wrong index or a lost
// term moves logits by O(0.1).
import { beforeAll, describe, expect, test } from 'vitest';
import { init, tensor, gradcheck, noGrad, nn, functional as F, cat, type Tensor } from '../engine/index';
import { saveModuleSafetensors, saveViT, loadViT } from '../engine/index';
import { readFile } from 'node:fs/promises';
import { trainViT, shiftDigit } from '../engine/train/vit';
import { evaluate } from '../engine/train/mnist';
import { loadMnist } from '../engine/data/mnist';
import { expectAllClose, randArray } from './helpers';

const { ViT, PatchEmbedding, patchify } = nn;

beforeAll(async () => {
  // Rejects with NoAdapterError (saying how to install one) when there is no adapter: the GPU tests then fail.
  await init({ backend: 'webgpu' });
});

const cpu = (data: Float32Array, shape: number[], requiresGrad = false): Tensor => tensor(data, shape, { device: 'cpu', requiresGrad });
const GPU_TOL = { atol: 1e-4, rtol: 1e-3 };

describe('patchify', () => {
  test('patch p of image b holds pixels (c, y, x) of its cell, in raster order of cells', async () => {
    const [B, C, H, W, P] = [2, 3, 4, 6, 2];
    const data = Float32Array.from({ length: B * C * H * W }, (_, i) => i);
    const out = await patchify(cpu(data, [B, C, H, W]), P).toArray();
    const gw = W / P;
    const n = (H / P) * gw;
    for (let b = 0; b < B; b++) {
      for (let p = 0; p < n; p++) {
        for (let c = 0; c < C; c++) {
          for (let y = 0; y < P; y++) {
            for (let x = 0; x < P; x++) {
              const pixel = ((b * C + c) * H + Math.floor(p / gw) * P + y) * W + (p % gw) * P + x;
              expect(out[((b * n + p) * C + c) * P * P + y * P + x]).toBe(pixel);
            }
          }
        }
      }
    }
  });

  test('the GPU cuts the same patches at an odd size', async () => {
    const x = randArray(7 * 2 * 33 * 11, 1);
    const want = await patchify(cpu(x, [7, 2, 33, 11]), 11).toArray();
    const got = await patchify(tensor(x, [7, 2, 33, 11]), 11).toArray();
    expect(Array.from(got)).toEqual(Array.from(want));
  });

  test('a patch size that does not divide the image is refused, naming both', () => {
    expect(() => patchify(cpu(new Float32Array(28 * 28), [1, 1, 28, 28]), 5)).toThrow(/patch size 5 does not divide the image size 28×28/);
    expect(() => patchify(cpu(new Float32Array(28 * 28), [1, 28, 28]), 7)).toThrow(/must be \(B, C, H, W\), got \[1, 28, 28\]/);
  });
});

describe('PatchEmbedding', () => {
  test('is a convolution with kernel = stride = P whose weight is the Linear weight reshaped (d, C, P, P)', async () => {
    const [B, C, H, W, P, d] = [2, 3, 6, 9, 3, 5];
    const pe = new PatchEmbedding(P, C, d, { seed: 4, device: 'cpu' });
    const x = randArray(B * C * H * W, 2);
    const got = await noGrad(() => pe.forward(cpu(x, [B, C, H, W]))).toArray();
    const w = await pe.proj.weight.toArray(); // (d, C·P·P) = (d, C, P, P)
    const bias = await pe.proj.bias!.toArray();
    const [gh, gw] = [H / P, W / P];
    const want = new Float64Array(B * gh * gw * d);
    for (let b = 0; b < B; b++) {
      for (let oy = 0; oy < gh; oy++) {
        for (let ox = 0; ox < gw; ox++) {
          for (let o = 0; o < d; o++) {
            let s = bias[o];
            for (let c = 0; c < C; c++) {
              for (let ky = 0; ky < P; ky++) {
                for (let kx = 0; kx < P; kx++) s += w[((o * C + c) * P + ky) * P + kx] * x[((b * C + c) * H + oy * P + ky) * W + ox * P + kx];
              }
            }
            want[((b * gh + oy) * gw + ox) * d + o] = s;
          }
        }
      }
    }
    expectAllClose(got, want, { atol: 1e-5, rtol: 1e-5 }, 'patch embedding vs convolution');
  });

  test('finite differences: patchify and the projection, for images, weight and bias', async () => {
    const [B, C, H, W, P, d] = [2, 2, 4, 6, 2, 3];
    const r = await gradcheck(
      (x, w, b) => F.linear(patchify(x, P), w, b),
      [cpu(randArray(B * C * H * W, 5), [B, C, H, W], true), cpu(randArray(d * C * P * P, 6), [d, C * P * P], true), cpu(randArray(d, 7), [d], true)],
    );
    expect(r.ok).toBe(true);
  });

  test('finite differences: the class token broadcast over the batch and the positions added to every token', async () => {
    const [B, N, d] = [3, 4, 5];
    // cat([cls expanded to (B, 1, d), tokens], 1) + pos: the class token's gradient sums over the batch.
    const r = await gradcheck(
      (tokens, cls, pos) => cat([cls.expand([B, 1, d]), tokens], 1).add(pos).tanh(),
      [cpu(randArray(B * N * d, 8), [B, N, d], true), cpu(randArray(d, 9), [1, 1, d], true), cpu(randArray((N + 1) * d, 10), [1, N + 1, d], true)],
    );
    expect(r.ok).toBe(true);
  });
});

describe('ViT', () => {
  const small = { imageSize: [12, 8] as [number, number], patchSize: 4, channels: 2, numClasses: 7, dModel: 16, nHead: 2, nLayer: 2, dimFeedforward: 24 };

  test('names follow timm, shapes follow the config', () => {
    const m = new ViT({ ...small, seed: 1, device: 'cpu' });
    const names = m.namedParameters().map(([n, p]) => `${n} [${p.shape.join(', ')}]`);
    expect(names).toContain('patch_embed.proj.weight [16, 32]');
    expect(names).toContain('cls_token [1, 1, 16]');
    expect(names).toContain('pos_embed [1, 7, 16]'); // 1 + (12/4)·(8/4) = 7 tokens
    expect(names).toContain('blocks.1.self_attn.in_proj_weight [48, 16]');
    expect(names).toContain('norm.weight [16]');
    expect(names).toContain('head.weight [7, 16]');
  });

  test('the GPU forward and the finite-difference gradient of the whole model agree with the CPU', async () => {
    const cfg = { ...small, seed: 3 };
    const mc = new ViT({ ...cfg, device: 'cpu' }).eval();
    const mg = new ViT({ ...cfg, device: 'webgpu' }).eval();
    const x = randArray(7 * 2 * 12 * 8, 11);
    const want = await noGrad(() => mc.forward(cpu(x, [7, 2 * 12 * 8]))).toArray();
    const got = await noGrad(() => mg.forward(tensor(x, [7, 2, 12, 8]))).toArray(); // flat rows and (B, C, H, W) alike
    expect(want.length).toBe(7 * 7);
    expectAllClose(got, want, GPU_TOL, 'ViT logits, GPU vs CPU');
    const params = mc.parameters();
    const r = await gradcheck((img, ...ps) => nn.functionalCall(mc, ps, () => mc.forward(img)), [cpu(x.subarray(0, 2 * 192), [2, 192], true), ...params], { maxSamples: 12 });
    expect(r.ok).toBe(true);
  });

  test('attention maps: one (B, H, 1+N, 1+N) per block, and the class row over the patch grid', async () => {
    const m = new ViT({ ...small, seed: 2 }).eval();
    const x = tensor(randArray(3 * 192, 12), [3, 2, 12, 8]);
    const maps = noGrad(() => m.attentionMaps(x));
    expect(maps.weights.map((w) => w.shape)).toEqual([[3, 2, 7, 7], [3, 2, 7, 7]]);
    expect(maps.classToPatches.map((w) => w.shape)).toEqual([[3, 2, 3, 2], [3, 2, 3, 2]]);
    // Each class row sums to 1 with its own column: the patches' share plus the weight on itself.
    const w0 = await maps.weights[0].toArray();
    const c0 = await maps.classToPatches[0].toArray();
    for (let bh = 0; bh < 6; bh++) {
      let s = w0[bh * 49];
      for (let k = 0; k < 6; k++) {
        expect(c0[bh * 6 + k]).toBeCloseTo(w0[bh * 49 + 1 + k], 6);
        s += c0[bh * 6 + k];
      }
      expect(s).toBeCloseTo(1, 5);
    }
  });

  test('wrong image sizes, channels and configs are refused with the expected shape', () => {
    const m = new ViT({ ...small, seed: 1, device: 'cpu' });
    expect(() => m.forward(cpu(new Float32Array(2 * 2 * 12 * 9), [2, 2, 12, 9]))).toThrow(/images must be \(B, 2, 12, 8\) or \(B, 192\) flat, got \[2, 2, 12, 9\]/);
    expect(() => m.forward(cpu(new Float32Array(2 * 191), [2, 191]))).toThrow(/got \[2, 191\]/);
    expect(() => m.forward(cpu(new Float32Array(2 * 3 * 96), [2, 3, 12, 8]))).toThrow(/\(B, 2, 12, 8\)/);
    expect(() => m.forward(tensor(new Int32Array(192), [1, 192], { device: 'cpu' }))).toThrow(/must be float32/);
    expect(() => new ViT({ ...small, patchSize: 5 })).toThrow(/patchSize 5 must divide the image size 12×8/);
    expect(() => new ViT({ ...small, dModel: 15 })).toThrow(/dModel 15 must be divisible by nHead 2/);
    expect(() => new ViT({ ...small, numClasses: -1 })).toThrow(/numClasses/);
  });

  test('saves as one safetensors file that rebuilds the model (loadViT), and refuses files that are not one', async () => {
    const a = new ViT({ ...small, seed: 5, device: 'cpu' }).eval();
    const x = cpu(randArray(2 * 192, 13), [2, 192]);
    const bytes = await saveViT(a);
    const b = loadViT(bytes, { device: 'cpu' });
    expect(b.training).toBe(false);
    expect(b.grid).toEqual([3, 2]);
    expect(Array.from(await noGrad(() => b.forward(x)).toArray())).toEqual(Array.from(await noGrad(() => a.forward(x)).toArray()));
    // The same tensors without the config, and with a config missing a field.
    const bare = await saveModuleSafetensors(a);
    expect(() => loadViT(bare)).toThrow(/loadViT: not a gpu-learn\/vit checkpoint/);
    const broken = await saveModuleSafetensors(a, { format: 'gpu-learn/vit', config: JSON.stringify({ ...small, patchSize: undefined }) });
    expect(() => loadViT(broken)).toThrow(/loadViT: __metadata__.config.patchSize: /);
    const notJson = await saveModuleSafetensors(a, { format: 'gpu-learn/vit', config: '{"imageSize": 12,' });
    expect(() => loadViT(notJson)).toThrow(/__metadata__.config is not JSON/);
    // A config that does not match the tensors: the safetensors loader names the parameter.
    const wider = await saveModuleSafetensors(a, { format: 'gpu-learn/vit', config: JSON.stringify({ ...small, numClasses: 9 }) });
    expect(() => loadViT(wider)).toThrow(/head.weight/);
  });

  test('shiftDigit moves a digit and fills the border with background', () => {
    const src = new Float32Array(784);
    src[5 * 28 + 3] = 1;
    src[27 * 28 + 27] = 0.5;
    const dst = new Float32Array(784).fill(9);
    shiftDigit(src, dst, 2, -1);
    expect(dst[4 * 28 + 5]).toBe(1);
    expect(dst.reduce((a, b) => a + b, 0)).toBe(1); // the corner pixel moved off the image; the rest is 0
  });

  test('the recipe, shortened, learns digits far above chance (10%)', async () => {
    // 150 steps of batch 32 (4,800 of the 8,000 training digits) at width 16, one block, no shifts.
    // Measured: 57% held out. Chance is 10%; 40% leaves room for the GPU's and the CPU's roundings.
    const r = await trainViT({ steps: 150, batchSize: 32, lr: 3e-3, maxShift: 0, model: { dModel: 16, nHead: 2, nLayer: 1, dimFeedforward: 32 } });
    expect(r.losses[r.losses.length - 1].loss).toBeLessThan(r.losses[0].loss);
    expect(r.accuracy).toBeGreaterThan(0.4);
  }, 120_000);
});

describe('the shipped checkpoint (playground/public/models/vit)', () => {
  test('loads from its one file and reproduces the held-out accuracy its run.json states', async () => {
    const dir = 'playground/public/models/vit';
    const run = JSON.parse(await readFile(`${dir}/run.json`, 'utf8')) as { heldOutAccuracy: number; config: object; training: { seed: number } };
    const model = loadViT(new Uint8Array(await readFile(`${dir}/model.safetensors`)));
    expect(model.config).toMatchObject(run.config);
    const { test: heldOut } = await loadMnist({ seed: run.training.seed, testFraction: 0.2 });
    // The run evaluated on SwiftShader as well; a rounding can flip a prediction whose top two logits tie, so one
    // digit in 2,000 either way is allowed.
    expect(Math.abs((await evaluate(model, heldOut)) - run.heldOutAccuracy)).toBeLessThanOrEqual(1 / heldOut.n + 1e-9);
  }, 120_000);
});
