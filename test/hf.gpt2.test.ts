// GPT-2 checkpoints in Hugging Face's layout: tiny ones are built here in every key-naming variant (with and without
// "transformer.", lm_head present or absent, the old attn.bias / masked_bias buffers, F16 and BF16 weights, two
// shards), loaded with nn.GPT.fromHuggingFace, and checked against a plain-loops forward written below from the
// published GPT-2 architecture (never the GPT class), on the CPU and on WebGPU. toHuggingFace's file is read by
// PyTorch into a reference forward written in PyTorch, in one Python process for the file.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFloat16 } from '@petamoriken/float16';
import { dispose, init, memoryStats, nn, noGrad, SafetensorsError, setBindingLimit, tensor, writeSafetensors, type DeviceName, type TensorData } from '../engine/index';
import { expectAllClose, rng } from './helpers';
import { runTorch } from './torch';

beforeAll(async () => {
  await init({ backend: 'webgpu' });
});

type Dtype = 'F32' | 'F16' | 'BF16';
type Tensors = Map<string, TensorData>;

interface Hf {
  config: Record<string, unknown>;
  /** Keys without "transformer.", as GPT2Model names them. */
  tensors: Tensors;
}

/** Rounds to bfloat16 (the float32's top 16 bits), so every value is exact in F32, F16 and BF16 alike. */
function bf16(x: number): number {
  if (Math.abs(x) < 2 ** -10) return 0; // clear of F16's subnormals, where it would round
  const f = new Float32Array([x]);
  const u = new Uint32Array(f.buffer);
  u[0] &= 0xffff0000;
  return f[0];
}

function values(n: number, random: () => number, center = 0, spread = 0.5): Float32Array {
  return Float32Array.from({ length: n }, () => bf16(center + spread * (2 * random() - 1)));
}

/** A random GPT-2 state dict (GPT2Model's keys) for `config`. */
function makeGpt2(seed: number, over: Record<string, unknown> = {}): Hf {
  const config: Record<string, unknown> = {
    model_type: 'gpt2', vocab_size: 29, n_positions: 12, n_embd: 8, n_head: 2, n_layer: 2, n_inner: null,
    activation_function: 'gelu_new', layer_norm_epsilon: 1e-5, ...over,
  };
  const E = config.n_embd as number;
  const F = (config.n_inner as number | null) ?? 4 * E;
  const r = rng(seed);
  const tensors: Tensors = new Map();
  const put = (key: string, shape: number[], center = 0, spread = 0.5): void => {
    tensors.set(key, { shape, data: values(shape.reduce((a, b) => a * b, 1), r, center, spread) });
  };
  put('wte.weight', [config.vocab_size as number, E]);
  put('wpe.weight', [config.n_positions as number, E], 0, 0.2);
  for (let i = 0; i < (config.n_layer as number); i++) {
    put(`h.${i}.ln_1.weight`, [E], 1, 0.2);
    put(`h.${i}.ln_1.bias`, [E], 0, 0.1);
    put(`h.${i}.attn.c_attn.weight`, [E, 3 * E]);
    put(`h.${i}.attn.c_attn.bias`, [3 * E], 0, 0.1);
    put(`h.${i}.attn.c_proj.weight`, [E, E]);
    put(`h.${i}.attn.c_proj.bias`, [E], 0, 0.1);
    put(`h.${i}.ln_2.weight`, [E], 1, 0.2);
    put(`h.${i}.ln_2.bias`, [E], 0, 0.1);
    put(`h.${i}.mlp.c_fc.weight`, [E, F]);
    put(`h.${i}.mlp.c_fc.bias`, [F], 0, 0.1);
    put(`h.${i}.mlp.c_proj.weight`, [F, E]);
    put(`h.${i}.mlp.c_proj.bias`, [E], 0, 0.1);
  }
  put('ln_f.weight', [E], 1, 0.2);
  put('ln_f.bias', [E], 0, 0.1);
  return { config, tensors };
}

interface Variant {
  /** "transformer." (GPT2LMHeadModel) or "" (GPT2Model). */
  prefix: string;
  lmHead: boolean;
  /** The causal-mask buffers older transformers saved. */
  buffers: boolean;
}

/** The checkpoint's entries as a variant names them, in state-dict order. */
function entries(hf: Hf, v: Variant): Array<[string, TensorData]> {
  const P = hf.config.n_positions as number;
  const out: Array<[string, TensorData]> = [];
  for (const [k, t] of hf.tensors) {
    out.push([v.prefix + k, t]);
    if (v.buffers && k.endsWith('.attn.c_proj.bias')) {
      const layer = k.slice(0, -'.c_proj.bias'.length);
      const tril = Float32Array.from({ length: P * P }, (_, i) => (i % P <= Math.floor(i / P) ? 1 : 0));
      out.push([`${v.prefix}${layer}.bias`, { shape: [1, 1, P, P], data: tril }]);
      out.push([`${v.prefix}${layer}.masked_bias`, { shape: [], data: new Float32Array([-1e4]) }]);
    }
  }
  if (v.lmHead) out.push(['lm_head.weight', hf.tensors.get('wte.weight')!]);
  return out;
}

/**
 * A safetensors file written byte by byte here (not by the engine's writer), in F32, F16 or BF16. With maskU8, the
 * causal-mask buffers (`attn.bias`) are U8, as older GPT-2 checkpoints store them: a dtype the engine cannot read,
 * under a key the loader ignores.
 */
function rawSafetensors(items: Array<[string, TensorData]>, dtype: Dtype, opts: { maskU8?: boolean } = {}): Uint8Array {
  const sizeOf = (name: string): number => (opts.maskU8 && name.endsWith('.attn.bias') ? 1 : dtype === 'F32' ? 4 : 2);
  const header: Record<string, unknown> = { __metadata__: { format: 'pt' } };
  let offset = 0;
  for (const [name, t] of items) {
    const u8 = sizeOf(name) === 1;
    header[name] = { dtype: u8 ? 'U8' : dtype, shape: t.shape, data_offsets: [offset, offset + t.data.length * sizeOf(name)] };
    offset += t.data.length * sizeOf(name);
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const headerLen = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + headerLen + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(headerLen), true);
  out.fill(0x20, 8, 8 + headerLen);
  out.set(json, 8);
  let at = 8 + headerLen;
  const word = new DataView(new ArrayBuffer(4));
  for (const [name, t] of items) {
    if (sizeOf(name) === 1) {
      for (const x of t.data) out[at++] = x;
      continue;
    }
    for (const x of t.data) {
      if (dtype === 'F32') view.setFloat32(at, x, true);
      else if (dtype === 'F16') setFloat16(view, at, x, true);
      else {
        word.setFloat32(0, x);
        view.setUint16(at, word.getUint32(0) >>> 16, true); // bfloat16: the top half of the float32
      }
      at += dtype === 'F32' ? 4 : 2;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// The reference: GPT-2's forward from the published architecture (Radford et al. 2019; transformers'
// modeling_gpt2.py), in float64 loops over the checkpoint's own arrays. Conv1D is y = x W + b with W (in, out).

/** erf by Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7), for the exact GELU. */
function erf(x: number): number {
  const s = Math.sign(x);
  const a = Math.abs(x);
  const t = 1 / (1 + 0.3275911 * a);
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-a * a);
  return s * y;
}

const ACT: Record<string, (x: number) => number> = {
  gelu_new: (x) => 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3))),
  gelu: (x) => 0.5 * x * (1 + erf(x / Math.SQRT2)),
  relu: (x) => Math.max(0, x),
};
ACT.gelu_pytorch_tanh = ACT.gelu_new;
ACT.gelu_fast = ACT.gelu_new;

/** x (T, n) @ W (n, m) + b → (T, m). */
function conv1d(x: Float64Array[], w: TensorData, b: TensorData): Float64Array[] {
  const [n, m] = w.shape;
  return x.map((row) => {
    const out = new Float64Array(b.data);
    for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) out[j] += row[i] * w.data[i * m + j];
    return out;
  });
}

function layerNorm(x: Float64Array[], g: TensorData, b: TensorData, eps: number): Float64Array[] {
  return x.map((row) => {
    const mean = row.reduce((a, v) => a + v, 0) / row.length;
    const variance = row.reduce((a, v) => a + (v - mean) ** 2, 0) / row.length;
    return row.map((v, i) => ((v - mean) / Math.sqrt(variance + eps)) * g.data[i] + b.data[i]);
  });
}

/** Logits (T, V) of one sequence. */
function reference(hf: Hf, ids: readonly number[]): Float64Array[] {
  const c = hf.config;
  const E = c.n_embd as number;
  const H = c.n_head as number;
  const d = E / H;
  const eps = c.layer_norm_epsilon as number;
  const act = ACT[c.activation_function as string];
  const w = (k: string): TensorData => hf.tensors.get(k)!;
  const wte = w('wte.weight');
  const wpe = w('wpe.weight');
  let x: Float64Array[] = ids.map((id, t) => Float64Array.from({ length: E }, (_, e) => wte.data[id * E + e] + wpe.data[t * E + e]));
  const T = ids.length;
  for (let l = 0; l < (c.n_layer as number); l++) {
    const p = `h.${l}.`;
    const qkv = conv1d(layerNorm(x, w(p + 'ln_1.weight'), w(p + 'ln_1.bias'), eps), w(p + 'attn.c_attn.weight'), w(p + 'attn.c_attn.bias')); // (T, 3E): q | k | v
    const merged = Array.from({ length: T }, () => new Float64Array(E));
    for (let h = 0; h < H; h++) {
      for (let i = 0; i < T; i++) {
        const scores: number[] = [];
        for (let j = 0; j <= i; j++) {
          let s = 0;
          for (let e = 0; e < d; e++) s += qkv[i][h * d + e] * qkv[j][E + h * d + e];
          scores.push(s / Math.sqrt(d));
        }
        const max = Math.max(...scores);
        const ex = scores.map((s) => Math.exp(s - max));
        const sum = ex.reduce((a, v) => a + v, 0);
        for (let j = 0; j <= i; j++) for (let e = 0; e < d; e++) merged[i][h * d + e] += (ex[j] / sum) * qkv[j][2 * E + h * d + e];
      }
    }
    const attn = conv1d(merged, w(p + 'attn.c_proj.weight'), w(p + 'attn.c_proj.bias'));
    x = x.map((row, t) => row.map((v, e) => v + attn[t][e]));
    const hidden = conv1d(layerNorm(x, w(p + 'ln_2.weight'), w(p + 'ln_2.bias'), eps), w(p + 'mlp.c_fc.weight'), w(p + 'mlp.c_fc.bias')).map((r) => r.map(act));
    const mlp = conv1d(hidden, w(p + 'mlp.c_proj.weight'), w(p + 'mlp.c_proj.bias'));
    x = x.map((row, t) => row.map((v, e) => v + mlp[t][e]));
  }
  x = layerNorm(x, w('ln_f.weight'), w('ln_f.bias'), eps);
  const V = c.vocab_size as number;
  return x.map((row) => Float64Array.from({ length: V }, (_, v) => row.reduce((a, xe, e) => a + xe * wte.data[v * E + e], 0)));
}

/** Greedy continuation by the reference: argmax of the last row, appended, repeated. */
function referenceGreedy(hf: Hf, prompt: readonly number[], n: number): number[] {
  const tokens = [...prompt];
  for (let s = 0; s < n; s++) {
    const last = reference(hf, tokens).at(-1)!;
    tokens.push(last.indexOf(Math.max(...last)));
  }
  return tokens;
}

const IDS = [
  [3, 17, 0, 28, 5, 11, 9],
  [21, 4, 4, 13, 2, 26, 7],
];

async function logitsOf(model: nn.GPT, ids: number[][]): Promise<Float32Array> {
  const device = model.wte.weight.device;
  const out = noGrad(() => model.logits(tensor(Int32Array.from(ids.flat()), [ids.length, ids[0].length], { device, dtype: 'int32' })));
  const a = (await out.toArray()) as Float32Array;
  out.dispose();
  return a;
}

const expected = (hf: Hf, ids: number[][]): number[] => ids.flatMap((row) => reference(hf, row).flatMap((r) => [...r]));

/** float32 accumulation over tiny sums against float64 loops; SwiftShader's tanh/exp add a little on the GPU. */
const TOL: Record<DeviceName, { atol: number; rtol: number }> = { cpu: { atol: 1e-4, rtol: 1e-4 }, webgpu: { atol: 1e-3, rtol: 1e-3 } };

interface Case {
  name: string;
  hf: Hf;
  weights: () => nn.HuggingFaceWeights;
}

function sharded(hf: Hf, v: Variant, dtype: Dtype): { index: nn.ShardIndex; files: Map<string, Uint8Array> } {
  const all = entries(hf, v);
  const half = Math.ceil(all.length / 2);
  const names = ['model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors'];
  const parts = [all.slice(0, half), all.slice(half)];
  const files = new Map(names.map((n, i) => [n, rawSafetensors(parts[i], dtype)]));
  const weight_map: Record<string, string> = {};
  parts.forEach((p, i) => p.forEach(([k]) => (weight_map[k] = names[i])));
  return { index: { metadata: { total_size: all.reduce((n, [, t]) => n + 4 * t.data.length, 0) }, weight_map }, files };
}

const CASES: Case[] = (() => {
  const a = makeGpt2(1);
  const b = makeGpt2(2, { activation_function: 'gelu', n_inner: 12 });
  const c = makeGpt2(3, { activation_function: 'relu', n_layer: 1 });
  const d = makeGpt2(4, { activation_function: 'gelu_pytorch_tanh', layer_norm_epsilon: 1e-3 });
  const e = makeGpt2(5);
  const shards = sharded(e, { prefix: 'transformer.', lmHead: true, buffers: true }, 'F32');
  return [
    { name: 'GPT2LMHeadModel: transformer. prefix, lm_head, attn buffers, F32', hf: a, weights: () => rawSafetensors(entries(a, { prefix: 'transformer.', lmHead: true, buffers: true }), 'F32') },
    { name: 'GPT2Model: no prefix, no lm_head, exact gelu, n_inner 12', hf: b, weights: () => rawSafetensors(entries(b, { prefix: '', lmHead: false, buffers: false }), 'F32') },
    { name: 'no prefix with lm_head and U8 mask buffers, F16, relu', hf: c, weights: () => rawSafetensors(entries(c, { prefix: '', lmHead: true, buffers: true }), 'F16', { maskU8: true }) },
    { name: 'transformer. prefix without lm_head, BF16, gelu_pytorch_tanh, eps 1e-3', hf: d, weights: () => rawSafetensors(entries(d, { prefix: 'transformer.', lmHead: false, buffers: false }), 'BF16') },
    { name: 'two shards with an index', hf: e, weights: () => ({ index: shards.index, shard: async (f: string) => shards.files.get(f)! }) },
  ];
})();

describe('GPT.fromHuggingFace matches the reference forward', () => {
  for (const device of ['cpu', 'webgpu'] as const) {
    test(`every key-naming variant, on ${device}`, async () => {
      for (const c of CASES) {
        const model = await nn.GPT.fromHuggingFace(c.weights(), c.hf.config, { device });
        expectAllClose(await logitsOf(model, IDS), expected(c.hf, IDS), TOL[device], `${c.name} (${device})`);
        dispose(model.parameters());
      }
    });
  }

  test('progress counts tensors shard by shard; lm_head and buffers are not counted', async () => {
    const c = CASES[4];
    const seen: nn.LoadProgress[] = [];
    const model = await nn.GPT.fromHuggingFace(c.weights(), c.hf.config, { device: 'cpu', onProgress: (p) => seen.push(p) });
    const total = c.hf.tensors.size; // 2 + 12·2 + 2 = 28 parameters' tensors
    expect(seen.map((p) => p.loaded)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    expect(new Set(seen.map((p) => p.total))).toEqual(new Set([total]));
    expect([...new Set(seen.map((p) => p.shard))]).toEqual(['model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors']);
    expect(seen[0].key).toBe('transformer.wte.weight');
    dispose(model.parameters());
  });

  test('logits lastOnly is the last row; greedy generate follows the reference, on the GPU', async () => {
    const c = CASES[0];
    const model = await nn.GPT.fromHuggingFace(c.weights(), c.hf.config, { device: 'webgpu' });
    const V = c.hf.config.vocab_size as number;
    const T = IDS[0].length;
    const full = await logitsOf(model, IDS);
    const last = noGrad(() => model.logits(tensor(Int32Array.from(IDS.flat()), [2, T], { device: 'webgpu', dtype: 'int32' }), { lastOnly: true }));
    expect(last.shape).toEqual([2, 1, V]);
    const rows = [...full.subarray((T - 1) * V, T * V), ...full.subarray((2 * T - 1) * V, 2 * T * V)];
    expectAllClose(await last.toArray(), rows, { atol: 1e-6, rtol: 1e-6 }, 'lastOnly');
    last.dispose();
    const prompt = [3, 17, 0];
    const got = await model.generate(prompt, { maxNewTokens: 6, temperature: 0 });
    expect(got).toEqual(referenceGreedy(c.hf, prompt, 6));
    const streamed: number[] = [];
    await model.generate(prompt, { maxNewTokens: 3, temperature: 0, onToken: (t) => streamed.push(t) });
    expect(streamed).toEqual(got.slice(3, 6));
    const abort = new AbortController();
    abort.abort(new Error('stopped by the test'));
    await expect(model.generate(prompt, { maxNewTokens: 3, signal: abort.signal })).rejects.toThrow('stopped by the test');
    dispose(model.parameters());
  });
});

describe('over the binding limit', () => {
  test('with the cap below wte, GPU last-position logits and greedy generate equal the uncapped ones', async () => {
    // wte is 200 × 8 × 4 = 6400 bytes; every other tensor, and the (2, 1, 200) last-position logits, stay under
    // 2048 bytes. (The full (2, 7, 200) logits would be an output over the cap, which the engine refuses.)
    const hf = makeGpt2(6, { vocab_size: 200 });
    const weights = rawSafetensors(entries(hf, { prefix: 'transformer.', lmHead: true, buffers: false }), 'F32');
    const prompt = [150, 3, 199];
    const last = async (m: nn.GPT): Promise<Float32Array> => {
      const out = noGrad(() => m.logits(tensor(Int32Array.from(IDS.flat()), [2, IDS[0].length], { device: 'webgpu', dtype: 'int32' }), { lastOnly: true }));
      const a = (await out.toArray()) as Float32Array;
      out.dispose();
      return a;
    };
    const model = await nn.GPT.fromHuggingFace(weights, hf.config, { device: 'webgpu' });
    const free = await last(model);
    const freeTokens = await model.generate(prompt, { maxNewTokens: 5, temperature: 0 });
    let capped: Float32Array;
    let cappedTokens: number[];
    setBindingLimit(2048);
    try {
      // Loaded under the cap too: Runtime.write fills wte without binding it.
      const again = await nn.GPT.fromHuggingFace(weights, hf.config, { device: 'webgpu' });
      capped = await last(again);
      cappedTokens = await again.generate(prompt, { maxNewTokens: 5, temperature: 0 });
      dispose(again.parameters());
    } finally {
      setBindingLimit(null);
    }
    expectAllClose(capped, free, { atol: 1e-5, rtol: 1e-5 }, 'capped vs uncapped');
    expect(cappedTokens).toEqual(freeTokens);
    const lastRows = IDS.flatMap((row) => [...reference(hf, row).at(-1)!]);
    expectAllClose(free, lastRows, TOL.webgpu, 'uncapped vs reference');
    expect(freeTokens).toEqual(referenceGreedy(hf, prompt, 5));
    dispose(model.parameters());
  });
});

describe('toHuggingFace', () => {
  test('a model built here round-trips through its own export; positions GPT-2 lacks are refused', async () => {
    const model = new nn.GPT({ vocabSize: 23, blockSize: 9, nLayer: 2, nHead: 2, nEmbd: 8, seed: 7, device: 'cpu' });
    const { weights, config } = await model.toHuggingFace();
    expect(config).toMatchObject({
      model_type: 'gpt2', architectures: ['GPT2LMHeadModel'], vocab_size: 23, n_positions: 9, n_layer: 2, n_head: 2, n_embd: 8,
      n_inner: null, activation_function: 'gelu', layer_norm_epsilon: 1e-5, tie_word_embeddings: true,
    });
    const back = await nn.GPT.fromHuggingFace(weights, JSON.parse(JSON.stringify(config)), { device: 'cpu' });
    expectAllClose(await logitsOf(back, [[1, 2, 3, 22]]), await logitsOf(model, [[1, 2, 3, 22]]), { atol: 0, rtol: 0 }, 'round trip');
    dispose([model.parameters(), back.parameters()]);
    const rope = new nn.GPT({ vocabSize: 5, blockSize: 4, nLayer: 1, nHead: 1, nEmbd: 4, positional: 'rope', device: 'cpu' });
    await expect(rope.toHuggingFace()).rejects.toThrow(/rope positions; GPT-2 has only a learned position table/);
    dispose(rope.parameters());
  });
});

describe('errors name the problem and leave nothing behind', () => {
  const hf = CASES[0].hf;
  const file = (items: Array<[string, TensorData]>): Uint8Array => rawSafetensors(items, 'F32');
  const good = entries(hf, { prefix: 'transformer.', lmHead: true, buffers: false });

  async function fails(weights: nn.HuggingFaceWeights, config: Record<string, unknown>, message: RegExp, type: new (...a: never[]) => Error = nn.HuggingFaceError): Promise<void> {
    const before = memoryStats('cpu').buffers;
    const err = await nn.GPT.fromHuggingFace(weights, config, { device: 'cpu' }).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(type);
    expect((err as Error).message).toMatch(message);
    expect(memoryStats('cpu').buffers).toBe(before); // the half-built model was disposed
  }

  test('missing and unexpected keys: the first few and how many', async () => {
    const missing = good.filter(([k]) => !k.includes('.h.1.'));
    await fails(file(missing), hf.config, /lacks 12 key\(s\) the model needs \(with or without "transformer\."\): "h\.1\.ln_1\.weight", .* and 7 more/);
    const extra: Array<[string, TensorData]> = [...good, ['transformer.h.0.attn.rotary', { shape: [2], data: new Float32Array(2) }], ['score.weight', { shape: [1], data: new Float32Array(1) }]];
    await fails(file(extra), hf.config, /holds 2 key\(s\) the model does not have: "transformer\.h\.0\.attn\.rotary", "score\.weight"/);
  });

  test('a shape mismatch names the key and both shapes; integers are refused', async () => {
    const bad = good.map(([k, t]): [string, TensorData] => (k === 'transformer.h.1.mlp.c_fc.weight' ? [k, { shape: [32, 8], data: t.data }] : [k, t]));
    await fails(file(bad), hf.config, /"transformer\.h\.1\.mlp\.c_fc\.weight" has shape \[32, 8\], but the model needs \[8, 32\] for h\.1\.linear1\.weight \(stored transposed\)/);
    const ints = good.map(([k, t]): [string, TensorData] => (k === 'transformer.ln_f.bias' ? [k, { shape: [8], data: new Int32Array(8) }] : [k, t]));
    await fails(writeSafetensors(new Map(ints)), hf.config, /"transformer\.ln_f\.bias" holds integers \(I32\), but ln_f\.bias is a float parameter/);
  });

  test('config: model_type, activation, sizes, untied heads', async () => {
    const w = file(good);
    await fails(w, { ...hf.config, model_type: 'bert' }, /model_type "bert"; GPT\.fromHuggingFace loads "gpt2" checkpoints \(use BERT\.fromHuggingFace\)/);
    await fails(w, { ...hf.config, activation_function: 'swish' }, /unknown activation_function "swish"; supported: gelu_new, gelu_pytorch_tanh, gelu_fast, gelu, relu/);
    await fails(w, { ...hf.config, n_embd: undefined }, /"n_embd" is missing/);
    await fails(w, { ...hf.config, n_layer: 2.5 }, /"n_layer" must be a positive integer, got 2\.5/);
    await fails(w, { ...hf.config, n_head: 3 }, /n_embd 8 is not divisible by n_head 3/);
    await fails(w, { ...hf.config, tie_word_embeddings: false }, /tie_word_embeddings is false/);
  });

  test('a malformed index; a truncated shard surfaces as SafetensorsError naming the file', async () => {
    const { index, files } = sharded(hf, { prefix: 'transformer.', lmHead: false, buffers: false }, 'F32');
    const shard = async (f: string): Promise<Uint8Array> => files.get(f)!;
    await fails({ index: { metadata: {} }, shard }, hf.config, /model\.safetensors\.index\.json: has no "weight_map"/);
    await fails({ index: { weight_map: { ...index.weight_map, 'transformer.wte.weight': 7 } }, shard }, hf.config, /maps "transformer\.wte\.weight" to 7, not a shard file name/);
    const second = 'model-00002-of-00002.safetensors';
    const truncated = async (f: string): Promise<Uint8Array> => (f === second ? files.get(f)!.subarray(0, files.get(f)!.length - 10) : files.get(f)!);
    await fails({ index, shard: truncated }, hf.config, /^model-00002-of-00002\.safetensors: safetensors: /, SafetensorsError);
    const missingShard = async (f: string): Promise<Uint8Array> => (f === second ? Promise.reject(new Error('404 Not Found')) : files.get(f)!);
    await fails({ index, shard: missingShard }, hf.config, /model-00002-of-00002\.safetensors: reading the shard failed: 404 Not Found/);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// PyTorch reads what toHuggingFace writes. The Python below parses the safetensors file itself (Debian has no
// `safetensors` module: an 8-byte little-endian header length, the JSON header, then the raw data) and runs GPT-2's
// forward written from the published architecture in float64. One Python process serves the whole file.

const TORCH_REFERENCE = String.raw`
import json, math, os, struct, sys
import torch
import torch.nn.functional as F
torch.set_grad_enabled(False)

def read_safetensors(path):
    data = open(path, 'rb').read()
    n = struct.unpack('<Q', data[:8])[0]
    header = json.loads(data[8:8 + n])
    meta = header.pop('__metadata__', {})
    tensors, shapes = {}, {}
    for key, spec in header.items():
        assert spec['dtype'] == 'F32', (key, spec['dtype'])
        begin, end = spec['data_offsets']
        raw = bytearray(data[8 + n + begin:8 + n + end])
        tensors[key] = torch.frombuffer(raw, dtype=torch.float32).reshape(spec['shape']).double()
        shapes[key] = spec['shape']
    return tensors, shapes, meta

def gelu_new(x):
    return 0.5 * x * (1 + torch.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)))

ACT = {'gelu_new': gelu_new, 'gelu': F.gelu, 'relu': torch.relu}

def gpt2_logits(sd, cfg, ids):
    # GPT2LMHeadModel: pre-LN blocks; Conv1D is y = x @ W + b with W (in, out); the head is wte transposed.
    p = 'transformer.'
    E, H, eps = cfg['n_embd'], cfg['n_head'], cfg['layer_norm_epsilon']
    d = E // H
    act = ACT[cfg['activation_function']]
    ids = torch.tensor(ids)
    B, T = ids.shape
    x = sd[p + 'wte.weight'][ids] + sd[p + 'wpe.weight'][:T]
    causal = torch.tril(torch.ones(T, T, dtype=torch.bool))
    for i in range(cfg['n_layer']):
        h = p + 'h.%d.' % i
        a = F.layer_norm(x, (E,), sd[h + 'ln_1.weight'], sd[h + 'ln_1.bias'], eps)
        q, k, v = (a @ sd[h + 'attn.c_attn.weight'] + sd[h + 'attn.c_attn.bias']).split(E, dim=-1)
        q, k, v = [t.reshape(B, T, H, d).transpose(1, 2) for t in (q, k, v)]
        s = (q @ k.transpose(-1, -2) / math.sqrt(d)).masked_fill(~causal, float('-inf'))
        o = (s.softmax(-1) @ v).transpose(1, 2).reshape(B, T, E)
        x = x + o @ sd[h + 'attn.c_proj.weight'] + sd[h + 'attn.c_proj.bias']
        m = F.layer_norm(x, (E,), sd[h + 'ln_2.weight'], sd[h + 'ln_2.bias'], eps)
        m = act(m @ sd[h + 'mlp.c_fc.weight'] + sd[h + 'mlp.c_fc.bias'])
        x = x + m @ sd[h + 'mlp.c_proj.weight'] + sd[h + 'mlp.c_proj.bias']
    x = F.layer_norm(x, (E,), sd[p + 'ln_f.weight'], sd[p + 'ln_f.bias'], eps)
    return x @ sd[p + 'wte.weight'].T

out = {}
root = sys.argv[1]
for name in sorted(os.listdir(root)):
    folder = os.path.join(root, name)
    cfg = json.load(open(os.path.join(folder, 'config.json')))
    ids = json.load(open(os.path.join(folder, 'ids.json')))
    sd, shapes, meta = read_safetensors(os.path.join(folder, 'model.safetensors'))
    out[name] = {'shapes': shapes, 'metadata': meta, 'logits': gpt2_logits(sd, cfg, ids).flatten().tolist()}
print(json.dumps(out))
`;

/** GPT2LMHeadModel's state dict for a config (transformers' modeling_gpt2.py), less the tied lm_head.weight. */
function gpt2StateDictShapes(c: { vocab_size: number; n_positions: number; n_embd: number; n_layer: number; n_inner?: number | null }): Record<string, number[]> {
  const E = c.n_embd;
  const F = c.n_inner ?? 4 * E;
  const out: Record<string, number[]> = { 'transformer.wte.weight': [c.vocab_size, E], 'transformer.wpe.weight': [c.n_positions, E] };
  for (let i = 0; i < c.n_layer; i++) {
    const h = `transformer.h.${i}.`;
    Object.assign(out, {
      [`${h}ln_1.weight`]: [E], [`${h}ln_1.bias`]: [E],
      [`${h}attn.c_attn.weight`]: [E, 3 * E], [`${h}attn.c_attn.bias`]: [3 * E],
      [`${h}attn.c_proj.weight`]: [E, E], [`${h}attn.c_proj.bias`]: [E],
      [`${h}ln_2.weight`]: [E], [`${h}ln_2.bias`]: [E],
      [`${h}mlp.c_fc.weight`]: [E, F], [`${h}mlp.c_fc.bias`]: [F],
      [`${h}mlp.c_proj.weight`]: [F, E], [`${h}mlp.c_proj.bias`]: [E],
    });
  }
  return { ...out, 'transformer.ln_f.weight': [E], 'transformer.ln_f.bias': [E] };
}

describe('PyTorch reads toHuggingFace', () => {
  interface Exported {
    config: nn.GPT2Config;
    ours: Float32Array;
  }
  const exported = new Map<string, Exported>();
  let torchOut: Record<string, { shapes: Record<string, number[]>; metadata: Record<string, string>; logits: number[] }>;
  let dir = '';

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hf-gpt2-'));
    const models: Array<[string, () => Promise<nn.GPT>]> = [
      ['built-here', async () => new nn.GPT({ vocabSize: 31, blockSize: 10, nLayer: 2, nHead: 2, nEmbd: 8, seed: 11, device: 'cpu' })],
      ['built-here-relu-ff20', async () => new nn.GPT({ vocabSize: 19, blockSize: 8, nLayer: 1, nHead: 4, nEmbd: 8, dimFeedforward: 20, activation: 'relu', layerNormEps: 1e-3, seed: 12, device: 'cpu' })],
      ['loaded-gelu-new', () => nn.GPT.fromHuggingFace(CASES[0].weights(), CASES[0].hf.config, { device: 'cpu' })],
    ];
    for (const [name, make] of models) {
      const model = await make();
      const ids = [[1, 5, 2, 7, 3], [4, 4, 0, 6, 1]];
      const { weights, config } = await model.toHuggingFace();
      mkdirSync(join(dir, name));
      writeFileSync(join(dir, name, 'model.safetensors'), weights);
      writeFileSync(join(dir, name, 'config.json'), JSON.stringify(config));
      writeFileSync(join(dir, name, 'ids.json'), JSON.stringify(ids));
      exported.set(name, { config, ours: await logitsOf(model, ids) });
      dispose(model.parameters());
    }
    torchOut = JSON.parse(runTorch(TORCH_REFERENCE, [dir]));
  });

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  for (const name of ['built-here', 'built-here-relu-ff20', 'loaded-gelu-new']) {
    test(`${name}: PyTorch's forward on the exported file matches our logits; keys and shapes are GPT2LMHeadModel's`, () => {
      const { config, ours } = exported.get(name)!;
      const t = torchOut[name];
      expect(t.metadata).toEqual({ format: 'pt' });
      const want = gpt2StateDictShapes(config as Parameters<typeof gpt2StateDictShapes>[0]);
      expect(Object.keys(t.shapes).sort()).toEqual(Object.keys(want).sort());
      expect(t.shapes).toEqual(want);
      // float32 here against float64 in PyTorch, on logits of size ~1.
      expectAllClose(ours, t.logits, { atol: 1e-4, rtol: 1e-4 }, name);
    });
  }
});
