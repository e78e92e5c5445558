// BERT from and to Hugging Face's layout. Tiny checkpoints are built here in transformers' BertModel /
// BertForMaskedLM / BertForSequenceClassification / BertForPreTraining layouts (every key-naming variant: with and
// without "bert.", gamma/beta, the position_ids buffer, the tied decoder copies, the NSP head, F16 weights, shards)
// and nn.BERT.fromHuggingFace is checked against an independent float64 reference written below from the published
// architecture (plain loops over the checkpoint's own tensors, post-LN, exact GELU via erf, eps from the config),
// on the CPU backend and on WebGPU. toHuggingFace is checked by PyTorch: the exported file is parsed in Python,
// run through a BERT forward written there in torch from the same architecture, and its key names and shapes are
// compared with transformers' BertModel state dict for the config (listed below from modeling_bert.py).
// GPU tests fail, never skip, without an adapter: init() throws in beforeAll.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { setFloat16, getFloat16 } from '@petamoriken/float16';
import { init, tensor, dispose, nn, type Tensor } from '../engine/index';
import { expectAllClose, randArray } from './helpers';
import { runTorch } from './torch';

const { BERT } = nn;
type Device = 'cpu' | 'webgpu';

beforeAll(async () => {
  await init({ backend: 'webgpu' });
});

// Tolerances against the float64 reference: float32 rounding through two post-LN layers (LayerNorm divides by
// a standard deviation, which can amplify a little) and sums of at most 20 products.
const TOL: Record<Device, { atol: number; rtol: number }> = {
  cpu: { atol: 5e-5, rtol: 5e-4 },
  webgpu: { atol: 1e-4, rtol: 1e-3 },
};

// ---- a tiny config, and its tensors in Hugging Face's layout ----

interface HfConfig {
  model_type: string;
  vocab_size: number;
  hidden_size: number;
  num_attention_heads: number;
  num_hidden_layers: number;
  intermediate_size: number;
  max_position_embeddings: number;
  type_vocab_size: number;
  layer_norm_eps: number;
  hidden_act: string;
  pad_token_id: number;
  id2label: Record<string, string>;
  [key: string]: unknown;
}

const BASE: HfConfig = {
  model_type: 'bert', vocab_size: 23, hidden_size: 12, num_attention_heads: 3, num_hidden_layers: 2,
  intermediate_size: 20, max_position_embeddings: 9, type_vocab_size: 2, layer_norm_eps: 1e-12, hidden_act: 'gelu',
  pad_token_id: 0, id2label: { 0: 'neg', 1: 'pos', 2: 'neutral' },
};

interface Stored {
  shape: number[];
  data: Float32Array;
}
type Weights = Map<string, Stored>;

interface HeadSet {
  pooler: boolean;
  mlm: boolean;
  classifier: boolean;
}

/**
 * transformers' BertModel.state_dict() for a config, from modeling_bert.py (BertEmbeddings, BertLayer's
 * BertSelfAttention / BertSelfOutput / BertIntermediate / BertOutput, BertPooler). position_ids and token_type_ids
 * are non-persistent buffers there, so they are not in it.
 */
function bertModelStateDict(c: HfConfig, pooler = true): Array<[string, number[]]> {
  const H = c.hidden_size;
  const I = c.intermediate_size;
  const out: Array<[string, number[]]> = [
    ['embeddings.word_embeddings.weight', [c.vocab_size, H]],
    ['embeddings.position_embeddings.weight', [c.max_position_embeddings, H]],
    ['embeddings.token_type_embeddings.weight', [c.type_vocab_size, H]],
    ['embeddings.LayerNorm.weight', [H]],
    ['embeddings.LayerNorm.bias', [H]],
  ];
  for (let i = 0; i < c.num_hidden_layers; i++) {
    const l = `encoder.layer.${i}.`;
    for (const part of ['query', 'key', 'value']) out.push([`${l}attention.self.${part}.weight`, [H, H]], [`${l}attention.self.${part}.bias`, [H]]);
    out.push(
      [`${l}attention.output.dense.weight`, [H, H]], [`${l}attention.output.dense.bias`, [H]],
      [`${l}attention.output.LayerNorm.weight`, [H]], [`${l}attention.output.LayerNorm.bias`, [H]],
      [`${l}intermediate.dense.weight`, [I, H]], [`${l}intermediate.dense.bias`, [I]],
      [`${l}output.dense.weight`, [H, I]], [`${l}output.dense.bias`, [H]],
      [`${l}output.LayerNorm.weight`, [H]], [`${l}output.LayerNorm.bias`, [H]],
    );
  }
  if (pooler) out.push(['pooler.dense.weight', [H, H]], ['pooler.dense.bias', [H]]);
  return out;
}

/** The heads' keys, as BertForMaskedLM / BertForSequenceClassification name them (the tied decoder copies left out, as save_pretrained does). */
function headStateDict(c: HfConfig, heads: HeadSet): Array<[string, number[]]> {
  const H = c.hidden_size;
  const out: Array<[string, number[]]> = [];
  if (heads.mlm) {
    out.push(
      ['cls.predictions.bias', [c.vocab_size]],
      ['cls.predictions.transform.dense.weight', [H, H]], ['cls.predictions.transform.dense.bias', [H]],
      ['cls.predictions.transform.LayerNorm.weight', [H]], ['cls.predictions.transform.LayerNorm.bias', [H]],
    );
  }
  if (heads.classifier) out.push(['classifier.weight', [Object.keys(c.id2label).length, H]], ['classifier.bias', [Object.keys(c.id2label).length]]);
  return out;
}

/** Seeded values for every key (bare names): weights ±0.5, biases ±0.1, LayerNorm gains near 1, embeddings ±1. */
function makeWeights(c: HfConfig, heads: HeadSet, seed: number): Weights {
  const w: Weights = new Map();
  const keys = [...bertModelStateDict(c, heads.pooler), ...headStateDict(c, heads)];
  keys.forEach(([key, shape], i) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const s = seed * 1000 + i;
    let data: Float32Array;
    if (/LayerNorm\.weight$/.test(key)) data = randArray(n, s, 0.7, 1.3);
    else if (/embeddings\.weight$/.test(key)) data = randArray(n, s, -1, 1);
    else if (/bias$/.test(key)) data = randArray(n, s, -0.1, 0.1);
    else data = randArray(n, s, -0.5, 0.5);
    w.set(key, { shape, data });
  });
  return w;
}

// ---- writing a checkpoint as transformers would (F32, F16 and the I64 position_ids buffer) ----

interface FileEntry {
  key: string;
  shape: number[];
  dtype: 'F32' | 'F16' | 'I64';
  values: ArrayLike<number>;
}

/**
 * A safetensors file with the dtypes transformers writes. The engine's writer emits F32/I32 only, so F16 and I64
 * are encoded here (the format: u64 header length, JSON header, little-endian data).
 */
function safetensorsFile(entries: readonly FileEntry[]): Uint8Array {
  const size = { F32: 4, F16: 2, I64: 8 } as const;
  const header: Record<string, unknown> = { __metadata__: { format: 'pt' } };
  let offset = 0;
  for (const e of entries) {
    const bytes = e.values.length * size[e.dtype];
    header[e.key] = { dtype: e.dtype, shape: e.shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  const json = new TextEncoder().encode(JSON.stringify(header).padEnd(Math.ceil(JSON.stringify(header).length / 8) * 8, ' '));
  const out = new Uint8Array(8 + json.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let at = 8 + json.length;
  for (const e of entries) {
    for (let i = 0; i < e.values.length; i++, at += size[e.dtype]) {
      if (e.dtype === 'F32') view.setFloat32(at, e.values[i], true);
      else if (e.dtype === 'F16') setFloat16(view, at, e.values[i], true);
      else view.setBigInt64(at, BigInt(e.values[i]), true);
    }
  }
  return out;
}

/** The float16 rounding of every value, which the reference then uses (so an F16 checkpoint is compared exactly). */
function roundedToF16(w: Weights): Weights {
  const view = new DataView(new ArrayBuffer(2));
  const round = (x: number): number => (setFloat16(view, 0, x), getFloat16(view, 0));
  return new Map([...w].map(([k, t]) => [k, { shape: t.shape, data: t.data.map(round) }]));
}

interface Layout {
  /** "bert." on the body's keys (never on cls.* or classifier.*). */
  prefix?: boolean;
  /** LayerNorm.gamma / LayerNorm.beta instead of weight / bias. */
  gammaBeta?: boolean;
  /** The embeddings.position_ids buffer (I64), as older transformers saved it. */
  positionIds?: boolean;
  /** cls.predictions.decoder.weight / .bias: copies of the word embeddings and the MLM bias. */
  decoderCopies?: boolean;
  /** Only cls.predictions.decoder.bias holds the MLM bias (no cls.predictions.bias). */
  decoderBiasOnly?: boolean;
  /** BertForPreTraining's next-sentence head cls.seq_relationship.*. */
  nsp?: boolean;
  f16?: boolean;
}

function fileEntries(c: HfConfig, w: Weights, layout: Layout): FileEntry[] {
  const dtype = layout.f16 ? 'F16' : 'F32';
  const name = (key: string): string => {
    let k = layout.gammaBeta ? key.replace(/LayerNorm\.weight$/, 'LayerNorm.gamma').replace(/LayerNorm\.bias$/, 'LayerNorm.beta') : key;
    if (layout.prefix && !k.startsWith('cls.') && !k.startsWith('classifier.')) k = `bert.${k}`;
    return k;
  };
  const entries: FileEntry[] = [];
  for (const [key, t] of w) {
    if (layout.decoderBiasOnly && key === 'cls.predictions.bias') continue;
    entries.push({ key: name(key), shape: t.shape, dtype, values: t.data });
  }
  if (layout.positionIds) {
    const P = c.max_position_embeddings;
    entries.push({ key: name('embeddings.position_ids'), shape: [1, P], dtype: 'I64', values: Array.from({ length: P }, (_, i) => i) });
  }
  if (layout.decoderCopies || layout.decoderBiasOnly) {
    if (layout.decoderCopies) entries.push({ key: 'cls.predictions.decoder.weight', ...copy(w, 'embeddings.word_embeddings.weight', dtype) });
    entries.push({ key: 'cls.predictions.decoder.bias', ...copy(w, 'cls.predictions.bias', dtype) });
  }
  if (layout.nsp) {
    const H = c.hidden_size;
    entries.push({ key: 'cls.seq_relationship.weight', shape: [2, H], dtype, values: randArray(2 * H, 77) });
    entries.push({ key: 'cls.seq_relationship.bias', shape: [2], dtype, values: randArray(2, 78) });
  }
  return entries;
}

function copy(w: Weights, key: string, dtype: 'F32' | 'F16'): Omit<FileEntry, 'key'> {
  const t = w.get(key)!;
  return { shape: t.shape, dtype, values: t.data };
}

// ---- the independent reference: BERT's forward in float64 over the checkpoint's own (bare-named) tensors ----

/** erf by its Maclaurin series for |x| ≤ 3 and Lentz's continued fraction for erfc beyond (float64 accuracy). */
function erf(x: number): number {
  const a = Math.abs(x);
  if (a <= 3) {
    let term = a;
    let sum = a;
    for (let n = 1; n < 80; n++) {
      term *= (-a * a) / n;
      sum += term / (2 * n + 1);
    }
    return Math.sign(x) * (2 / Math.sqrt(Math.PI)) * sum;
  }
  // erfc(a) = exp(−a²)/√π · 1/(a + (1/2)/(a + 1/(a + (3/2)/(a + …)))), evaluated from the tail.
  let f = a;
  for (let n = 60; n >= 1; n--) f = a + n / 2 / f;
  return Math.sign(x) * (1 - Math.exp(-a * a) / Math.sqrt(Math.PI) / f);
}

const ACTS: Record<string, (x: number) => number> = {
  gelu: (x) => 0.5 * x * (1 + erf(x / Math.SQRT2)),
  gelu_new: (x) => 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3))),
  relu: (x) => Math.max(0, x),
};

/** x (rows, in) → x Wᵀ + b (rows, out), W stored (out, in) as nn.Linear. */
function dense(x: Float64Array, rows: number, W: Stored, b: Stored): Float64Array {
  const [out, inn] = W.shape;
  const y = new Float64Array(rows * out);
  for (let r = 0; r < rows; r++) {
    for (let o = 0; o < out; o++) {
      let s = b.data[o];
      for (let i = 0; i < inn; i++) s += x[r * inn + i] * W.data[o * inn + i];
      y[r * out + o] = s;
    }
  }
  return y;
}

/** LayerNorm over the last dim (biased variance, eps inside the root). */
function layerNorm(x: Float64Array, dim: number, g: Stored, b: Stored, eps: number): Float64Array {
  const y = new Float64Array(x.length);
  for (let r = 0; r < x.length / dim; r++) {
    let mean = 0;
    for (let i = 0; i < dim; i++) mean += x[r * dim + i] / dim;
    let v = 0;
    for (let i = 0; i < dim; i++) v += (x[r * dim + i] - mean) ** 2 / dim;
    for (let i = 0; i < dim; i++) y[r * dim + i] = ((x[r * dim + i] - mean) / Math.sqrt(v + eps)) * g.data[i] + b.data[i];
  }
  return y;
}

interface RefOut {
  hidden: ArrayLike<number>; // (B, T, H)
  classLogits?: ArrayLike<number>; // (B, labels)
  mlmLogits?: ArrayLike<number>; // (B, T, V)
}

/** BERT's forward. mask (B, T) with 1 = attend, or null for every key taking part (transformers' default). */
function reference(c: HfConfig, w: Weights, ids: Int32Array, tt: Int32Array, mask: Int32Array | null, B: number, T: number): RefOut {
  const H = c.hidden_size;
  const nh = c.num_attention_heads;
  const dh = H / nh;
  const eps = c.layer_norm_eps;
  const act = ACTS[c.hidden_act];
  const p = (k: string): Stored => {
    const t = w.get(k);
    if (!t) throw new Error(`reference: no ${k}`);
    return t;
  };
  const rows = B * T;
  let x: Float64Array<ArrayBufferLike> = new Float64Array(rows * H);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      const r = b * T + t;
      for (let i = 0; i < H; i++) {
        x[r * H + i] = p('embeddings.word_embeddings.weight').data[ids[r] * H + i] + p('embeddings.position_embeddings.weight').data[t * H + i] +
          p('embeddings.token_type_embeddings.weight').data[tt[r] * H + i];
      }
    }
  }
  x = layerNorm(x, H, p('embeddings.LayerNorm.weight'), p('embeddings.LayerNorm.bias'), eps);
  for (let l = 0; l < c.num_hidden_layers; l++) {
    const k = (s: string): Stored => p(`encoder.layer.${l}.${s}`);
    const q = dense(x, rows, k('attention.self.query.weight'), k('attention.self.query.bias'));
    const kk = dense(x, rows, k('attention.self.key.weight'), k('attention.self.key.bias'));
    const v = dense(x, rows, k('attention.self.value.weight'), k('attention.self.value.bias'));
    const ctx = new Float64Array(rows * H);
    for (let b = 0; b < B; b++) {
      for (let h = 0; h < nh; h++) {
        for (let i = 0; i < T; i++) {
          // softmax over the keys j that take part of q_i·k_j / √dh
          const s = new Float64Array(T).fill(-Infinity);
          for (let j = 0; j < T; j++) {
            if (mask && mask[b * T + j] === 0) continue;
            let dot = 0;
            for (let d = 0; d < dh; d++) dot += q[(b * T + i) * H + h * dh + d] * kk[(b * T + j) * H + h * dh + d];
            s[j] = dot / Math.sqrt(dh);
          }
          const m = Math.max(...s);
          const e = s.map((z) => Math.exp(z - m));
          const z = e.reduce((a, bb) => a + bb, 0);
          for (let d = 0; d < dh; d++) {
            let acc = 0;
            for (let j = 0; j < T; j++) acc += (e[j] / z) * v[(b * T + j) * H + h * dh + d];
            ctx[(b * T + i) * H + h * dh + d] = acc;
          }
        }
      }
    }
    const attn = dense(ctx, rows, k('attention.output.dense.weight'), k('attention.output.dense.bias'));
    x = layerNorm(x.map((a, i) => a + attn[i]), H, k('attention.output.LayerNorm.weight'), k('attention.output.LayerNorm.bias'), eps);
    const inter = dense(x, rows, k('intermediate.dense.weight'), k('intermediate.dense.bias')).map(act);
    const out = dense(inter, rows, k('output.dense.weight'), k('output.dense.bias'));
    x = layerNorm(x.map((a, i) => a + out[i]), H, k('output.LayerNorm.weight'), k('output.LayerNorm.bias'), eps);
  }
  const result: RefOut = { hidden: x };
  if (w.has('pooler.dense.weight') && w.has('classifier.weight')) {
    const first = new Float64Array(B * H);
    for (let b = 0; b < B; b++) for (let i = 0; i < H; i++) first[b * H + i] = x[b * T * H + i];
    const pooled = dense(first, B, p('pooler.dense.weight'), p('pooler.dense.bias')).map(Math.tanh);
    result.classLogits = dense(pooled, B, p('classifier.weight'), p('classifier.bias'));
  }
  if (w.has('cls.predictions.bias')) {
    const tr = layerNorm(dense(x, rows, p('cls.predictions.transform.dense.weight'), p('cls.predictions.transform.dense.bias')).map(act), H,
      p('cls.predictions.transform.LayerNorm.weight'), p('cls.predictions.transform.LayerNorm.bias'), eps);
    // The decoder is the word embeddings (tied): logits = t Eᵀ + bias.
    result.mlmLogits = dense(tr, rows, p('embeddings.word_embeddings.weight'), p('cls.predictions.bias'));
  }
  return result;
}

// ---- inputs: two sequences, the second padded with pad_token_id 0; a mask with a hole in the first ----

const B = 2;
const T = 7;
const IDS = Int32Array.from([2, 5, 9, 14, 3, 21, 7, 2, 11, 6, 3, 0, 0, 0]);
const TYPES = Int32Array.from([0, 0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0]);
const MASK = Int32Array.from([1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0]);

const ints = (data: Int32Array, device: Device): Tensor => tensor(data, [B, T], { device });

async function values(t: Tensor): Promise<Float32Array> {
  const v = (await t.toArray()) as Float32Array;
  t.dispose();
  return v;
}

/** Checks a loaded model's hidden states (with and without the mask) and the heads it has against the reference. */
async function checkAgainstReference(model: nn.BERT, c: HfConfig, w: Weights, device: Device, what: string): Promise<void> {
  const ids = ints(IDS, device);
  const tt = ints(TYPES, device);
  const mask = ints(MASK, device);
  try {
    for (const m of [null, MASK]) {
      const ref = reference(c, w, IDS, TYPES, m, B, T);
      const am = m ? mask : undefined;
      const label = `${what} on ${device}, ${m ? 'with' : 'without'} an attention mask`;
      expectAllClose(await values(model.encode(ids, tt, am)), ref.hidden, TOL[device], `${label}: last hidden state`);
      if (ref.classLogits) expectAllClose(await values(model.classify(ids, tt, am)), ref.classLogits, TOL[device], `${label}: classifier logits`);
      if (ref.mlmLogits) expectAllClose(await values(model.mlmLogits(ids, tt, am)), ref.mlmLogits, TOL[device], `${label}: MLM logits`);
    }
  } finally {
    dispose([ids, tt, mask]);
  }
}

interface Variant {
  name: string;
  heads: HeadSet;
  layout: Layout;
  config?: Partial<HfConfig>;
  /** Split into two shards read through { index, shard }. */
  sharded?: boolean;
}

const VARIANTS: Variant[] = [
  { name: 'BertModel (bare keys, pooler)', heads: { pooler: true, mlm: false, classifier: false }, layout: {} },
  { name: 'BertModel without pooler, position_ids buffer', heads: { pooler: false, mlm: false, classifier: false }, layout: { positionIds: true } },
  {
    name: 'BertForMaskedLM ("bert." prefix, tied decoder copies present)',
    heads: { pooler: false, mlm: true, classifier: false }, layout: { prefix: true, decoderCopies: true, positionIds: true },
  },
  {
    name: 'BertForSequenceClassification (prefix, gamma/beta, F16)',
    heads: { pooler: true, mlm: false, classifier: true }, layout: { prefix: true, gammaBeta: true, f16: true },
  },
  {
    name: 'BertForPreTraining (prefix, NSP head, only decoder.bias, gelu_new, eps 0.1, sharded)',
    heads: { pooler: true, mlm: true, classifier: false }, layout: { prefix: true, nsp: true, decoderBiasOnly: true },
    config: { hidden_act: 'gelu_new', layer_norm_eps: 0.1 }, sharded: true,
  },
  {
    name: 'all heads, unprefixed, gamma/beta, relu',
    heads: { pooler: true, mlm: true, classifier: true }, layout: { gammaBeta: true }, config: { hidden_act: 'relu', layer_norm_eps: 1e-5 },
  },
];

/** A variant's config, reference weights (F16-rounded where stored so) and checkpoint. */
function build(v: Variant, seed: number): { config: HfConfig; weights: Weights; checkpoint: nn.HuggingFaceWeights } {
  const config = { ...BASE, ...v.config } as HfConfig;
  let weights = makeWeights(config, v.heads, seed);
  if (v.layout.f16) weights = roundedToF16(weights);
  const entries = fileEntries(config, weights, v.layout);
  if (!v.sharded) return { config, weights, checkpoint: safetensorsFile(entries) };
  const half = Math.ceil(entries.length / 2);
  const files = new Map([['model-00001-of-00002.safetensors', entries.slice(0, half)], ['model-00002-of-00002.safetensors', entries.slice(half)]]);
  const weight_map: Record<string, string> = {};
  for (const [file, es] of files) for (const e of es) weight_map[e.key] = file;
  const checkpoint = { index: { metadata: {}, weight_map }, shard: async (f: string) => safetensorsFile(files.get(f)!) };
  return { config, weights, checkpoint };
}

describe('BERT.fromHuggingFace against the reference', () => {
  for (const device of ['cpu', 'webgpu'] as const) {
    test(`every checkpoint variant, on ${device}`, async () => {
      for (const [i, v] of VARIANTS.entries()) {
        const { config, weights, checkpoint } = build(v, i + 1);
        const model = await BERT.fromHuggingFace(checkpoint, config, { device });
        try {
          expect(model.training).toBe(false);
          expect({ pooler: model.pooler !== null, mlm: model.mlm_dense !== null, classifier: model.classifier !== null }).toEqual(v.heads);
          await checkAgainstReference(model, config, weights, device, v.name);
          const ids = ints(IDS, device);
          if (!v.heads.mlm) expect(() => model.mlmLogits(ids)).toThrow(/no masked-LM head.*checkpoint.*cls\.predictions/);
          if (!v.heads.classifier) expect(() => model.classify(ids)).toThrow(/no classification head.*checkpoint.*classifier\./);
          ids.dispose();
        } finally {
          dispose(model.parameters());
        }
      }
    });
  }

  test('with no attention mask every position takes part (the pad id is not masked), unlike a BERT built here', async () => {
    const { config, weights, checkpoint } = build(VARIANTS[0], 1);
    const loaded = await BERT.fromHuggingFace(checkpoint, config, { device: 'cpu' });
    const ids = ints(IDS, 'cpu');
    const padMask = Int32Array.from(IDS, (id) => (id === 0 ? 0 : 1));
    const all = reference(config, weights, IDS, new Int32Array(B * T), null, B, T).hidden;
    const masked = reference(config, weights, IDS, new Int32Array(B * T), padMask, B, T).hidden;
    const got = await values(loaded.encode(ids));
    expectAllClose(got, all, TOL.cpu, 'no mask: every key');
    expect(Math.max(...got.map((g, i) => Math.abs(g - masked[i])))).toBeGreaterThan(1e-2); // the two really differ
    // A BERT built here keeps masking padId by default; an explicit mask (int32 or float32) replaces that.
    const here = new BERT({ vocabSize: 23, maxLen: 9, nLayer: 1, nHead: 3, dModel: 12, dimFeedforward: 20, dropout: 0, padId: 0, seed: 5, device: 'cpu' });
    const implicit = await values(here.encode(ids));
    const pad = tensor(padMask, [B, T], { device: 'cpu' });
    const padF = tensor(Float32Array.from(padMask), [B, T], { device: 'cpu' });
    expect(Array.from(await values(here.encode(ids, undefined, pad)))).toEqual(Array.from(implicit));
    expect(Array.from(await values(here.encode(ids, undefined, padF)))).toEqual(Array.from(implicit));
    const none = new BERT({ ...here.config, maskPadding: false });
    expect(Math.max(...(await values(none.encode(ids))).map((g, i) => Math.abs(g - implicit[i])))).toBeGreaterThan(1e-3);
    dispose([ids, pad, padF, ...loaded.parameters(), ...here.parameters(), ...none.parameters()]);
  });

  test('loading reports progress over every tensor it writes', async () => {
    const { config, checkpoint } = build(VARIANTS[4], 5);
    const seen: string[] = [];
    let last = { loaded: 0, total: 0 };
    const model = await BERT.fromHuggingFace(checkpoint, config, { device: 'cpu', onProgress: (p) => (seen.push(p.key), (last = p)) });
    // Every tensor but the NSP head and position/decoder buffers: the body, the pooler and the MLM head.
    const expected = bertModelStateDict(config).length + 5;
    expect(last).toMatchObject({ loaded: expected, total: expected });
    expect(seen).toContain('cls.predictions.decoder.bias');
    dispose(model.parameters());
  });
});

describe('BERT.fromHuggingFace errors', () => {
  const v = VARIANTS[3]; // prefixed, classifier
  const config = { ...BASE };
  const weights = makeWeights(config, v.heads, 9);
  const entries = fileEntries(config, weights, { prefix: true });

  const load = (es: FileEntry[], cfg: Record<string, unknown> = config): Promise<nn.BERT> => BERT.fromHuggingFace(safetensorsFile(es), cfg, { device: 'cpu' });

  test('missing and unexpected keys are named', async () => {
    await expect(load(entries.filter((e) => e.key !== 'bert.encoder.layer.1.output.dense.bias')))
      .rejects.toThrow(/lacks 1 key.*"encoder\.layer\.1\.output\.dense\.bias"/);
    const extra = { key: 'bert.encoder.layer.0.attention.self.rotary.weight', shape: [12], dtype: 'F32' as const, values: new Float32Array(12) };
    await expect(load([...entries, extra])).rejects.toThrow(/1 key\(s\) the model does not have: "bert\.encoder\.layer\.0\.attention\.self\.rotary\.weight"/);
  });

  test('a shape mismatch names the key and both shapes', async () => {
    const bad = entries.map((e) => (e.key === 'bert.embeddings.word_embeddings.weight' ? { ...e, shape: [22, 12], values: Array.from(e.values).slice(0, 22 * 12) } : e));
    await expect(load(bad)).rejects.toThrow(/"bert\.embeddings\.word_embeddings\.weight" has shape \[22, 12\].*\[23, 12\]/);
    const q = entries.map((e) => (e.key === 'bert.encoder.layer.0.attention.self.key.weight' ? { ...e, shape: [12, 6, 2] } : e));
    await expect(load(q)).rejects.toThrow(/"bert\.encoder\.layer\.0\.attention\.self\.key\.weight" has shape \[12, 6, 2\].*\[12, 12\]/);
    // id2label says 2 labels, the classifier holds 3.
    await expect(load(entries, { ...config, id2label: { 0: 'a', 1: 'b' } })).rejects.toThrow(/"classifier\.weight" has shape \[3, 12\].*\[2, 12\]/);
  });

  test('unknown model_type, hidden_act and position_embedding_type, and bad sizes, are refused before reading weights', async () => {
    await expect(load(entries, { ...config, model_type: 'roberta' })).rejects.toThrow(/model_type is "roberta"/);
    await expect(load(entries, { ...config, hidden_act: 'swish' })).rejects.toThrow(/hidden_act "swish" is not supported/);
    await expect(load(entries, { ...config, position_embedding_type: 'relative_key' })).rejects.toThrow(/position_embedding_type "relative_key"/);
    await expect(load(entries, { ...config, num_attention_heads: 5 })).rejects.toThrow(/hidden_size 12 must divide by num_attention_heads 5/);
    await expect(load(entries, { ...config, num_hidden_layers: 0 })).rejects.toThrow(/num_hidden_layers must be an integer ≥ 1, got 0/);
    await expect(load(entries, { ...config, vocab_size: '23' })).rejects.toThrow(/vocab_size must be an integer ≥ 1, got "23"/);
    await expect(load(entries, { ...config, is_decoder: true })).rejects.toThrow(/is_decoder/);
  });
});

describe('BERT.toHuggingFace', () => {
  const cfg = { vocabSize: 23, maxLen: 9, nLayer: 2, nHead: 3, dModel: 12, dimFeedforward: 20, dropout: 0, numLabels: 3, padId: 0, seed: 31 };

  test('a round trip through fromHuggingFace restores every parameter and head, on both devices', async () => {
    for (const device of ['cpu', 'webgpu'] as const) {
      const model = new BERT({ ...cfg, activation: 'geluTanh', layerNormEps: 1e-6, device });
      for (const heads of [true, false]) {
        const { weights, config } = await model.toHuggingFace({ heads });
        const back = await BERT.fromHuggingFace(weights, config, { device });
        const want = new Map(model.namedParameters());
        const got = new Map(back.namedParameters());
        // Without heads the file is BertModel's: the body and the pooler.
        const names = [...want.keys()].filter((n) => heads || !/^(mlm_|classifier)/.test(n));
        expect([...got.keys()].sort()).toEqual(names.sort());
        for (const n of names) expect(Array.from(await got.get(n)!.toArray()), `${device} ${n}`).toEqual(Array.from(await want.get(n)!.toArray()));
        expect(back.config).toMatchObject({ activation: 'geluTanh', layerNormEps: 1e-6, numLabels: 3, padId: 0, maskPadding: false });
        dispose(back.parameters());
      }
      dispose(model.parameters());
    }
  });

  test('PyTorch loads the export into a BertModel forward written from the architecture and matches our hidden states; the keys and shapes are BertModel\'s', async () => {
    const model = new BERT({ ...cfg, device: 'cpu' });
    const withHeads = await model.toHuggingFace();
    const bare = await model.toHuggingFace({ heads: false });
    const dir = mkdtempSync(join(tmpdir(), 'hf-bert-'));
    try {
      writeFileSync(join(dir, 'heads.safetensors'), withHeads.weights);
      writeFileSync(join(dir, 'bare.safetensors'), bare.weights);
      writeFileSync(join(dir, 'config.json'), JSON.stringify(withHeads.config));
      writeFileSync(join(dir, 'inputs.json'), JSON.stringify({ ids: Array.from(IDS), types: Array.from(TYPES), mask: Array.from(MASK), B, T }));
      const out = JSON.parse(runTorch(PYTHON, [dir], { timeoutMs: 60_000 })) as {
        keys: Record<'heads' | 'bare', Record<string, number[]>>;
        hidden: Record<'heads' | 'bare', number[]>;
        mlm: number[];
        cls: number[];
      };
      const c = withHeads.config as HfConfig;
      const body = Object.fromEntries(bertModelStateDict(c));
      expect(out.keys.bare).toEqual(body);
      const heads = Object.fromEntries(headStateDict(c, { pooler: true, mlm: true, classifier: true }));
      expect(out.keys.heads).toEqual({ ...Object.fromEntries(Object.entries(body).map(([k, s]) => [`bert.${k}`, s])), ...heads });
      expect(withHeads.config).toMatchObject({ model_type: 'bert', architectures: ['BertForMaskedLM'], hidden_act: 'gelu', layer_norm_eps: 1e-12 });
      expect(bare.config).toMatchObject({ architectures: ['BertModel'] });

      const ids = ints(IDS, 'cpu');
      const tt = ints(TYPES, 'cpu');
      const mask = ints(MASK, 'cpu');
      // PyTorch computes in float64 from our float32 weights; we compute in float32.
      const tol = { atol: 2e-5, rtol: 2e-4 };
      const hidden = await values(model.encode(ids, tt, mask));
      expectAllClose(hidden, out.hidden.heads, tol, 'PyTorch BertModel (bert.-prefixed file) last hidden state');
      expectAllClose(hidden, out.hidden.bare, tol, 'PyTorch BertModel (bare file) last hidden state');
      expectAllClose(await values(model.mlmLogits(ids, tt, mask)), out.mlm, tol, 'PyTorch MLM logits');
      expectAllClose(await values(model.classify(ids, tt, mask)), out.cls, tol, 'PyTorch classifier logits');
      dispose([ids, tt, mask]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      dispose(model.parameters());
    }
  });
});

/**
 * BERT's forward in PyTorch, written from the architecture (not transformers, which Debian does not package):
 * it reads the exported safetensors files (header parsed here; torch.frombuffer for the data), loads them as
 * BertModel.from_pretrained would (stripping "bert." from a prefixed file), and prints keys, shapes and outputs.
 */
const PYTHON = String.raw`
import json, math, os, struct, sys
import torch
import torch.nn.functional as F

d = sys.argv[1]
cfg = json.load(open(os.path.join(d, 'config.json')))
inp = json.load(open(os.path.join(d, 'inputs.json')))

def read(path):
    raw = open(path, 'rb').read()
    n = struct.unpack('<Q', raw[:8])[0]
    header = json.loads(raw[8:8 + n])
    out = {}
    for k, v in header.items():
        if k == '__metadata__':
            continue
        assert v['dtype'] == 'F32', (k, v['dtype'])
        a, b = v['data_offsets']
        out[k] = torch.frombuffer(bytearray(raw[8 + n + a:8 + n + b]), dtype=torch.float32).reshape(v['shape']).double()
    return out

H, nh, L = cfg['hidden_size'], cfg['num_attention_heads'], cfg['num_hidden_layers']
dh, eps = H // nh, cfg['layer_norm_eps']
act = {'gelu': F.gelu, 'relu': F.relu, 'gelu_new': lambda x: F.gelu(x, approximate='tanh')}[cfg['hidden_act']]
B, T = inp['B'], inp['T']
ids = torch.tensor(inp['ids']).reshape(B, T)
types = torch.tensor(inp['types']).reshape(B, T)
mask = torch.tensor(inp['mask']).reshape(B, T)

def encode(sd):
    p = lambda k: sd[k]
    ln = lambda x, k: F.layer_norm(x, (H,), p(k + '.weight'), p(k + '.bias'), eps)
    lin = lambda x, k: F.linear(x, p(k + '.weight'), p(k + '.bias'))
    x = p('embeddings.word_embeddings.weight')[ids] + p('embeddings.position_embeddings.weight')[:T] + p('embeddings.token_type_embeddings.weight')[types]
    x = ln(x, 'embeddings.LayerNorm')
    # transformers' extended mask: 0 where attended, the most negative float where not, added to the scores
    ext = (1.0 - mask[:, None, None, :].double()) * torch.finfo(torch.float64).min
    split = lambda t: t.view(B, T, nh, dh).transpose(1, 2)  # (B, nh, T, dh)
    for i in range(L):
        l = 'encoder.layer.%d.' % i
        q, k, v = (split(lin(x, l + 'attention.self.' + s)) for s in ('query', 'key', 'value'))
        a = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(dh) + ext, dim=-1) @ v
        a = a.transpose(1, 2).reshape(B, T, H)
        x = ln(x + lin(a, l + 'attention.output.dense'), l + 'attention.output.LayerNorm')
        x = ln(x + lin(act(lin(x, l + 'intermediate.dense')), l + 'output.dense'), l + 'output.LayerNorm')
    return x

heads = read(os.path.join(d, 'heads.safetensors'))
bare = read(os.path.join(d, 'bare.safetensors'))
# BertModel.from_pretrained on a prefixed file: strip "bert.", leave the heads out
body = {k[len('bert.'):]: v for k, v in heads.items() if k.startswith('bert.')}
h_heads, h_bare = encode(body), encode(bare)

t = F.layer_norm(act(F.linear(h_heads, heads['cls.predictions.transform.dense.weight'], heads['cls.predictions.transform.dense.bias'])),
                 (H,), heads['cls.predictions.transform.LayerNorm.weight'], heads['cls.predictions.transform.LayerNorm.bias'], eps)
mlm = F.linear(t, body['embeddings.word_embeddings.weight'], heads['cls.predictions.bias'])  # decoder tied to the word embeddings
pooled = torch.tanh(F.linear(h_heads[:, 0], body['pooler.dense.weight'], body['pooler.dense.bias']))
cls = F.linear(pooled, heads['classifier.weight'], heads['classifier.bias'])

flat = lambda t: t.reshape(-1).tolist()
print(json.dumps({
    'keys': {'heads': {k: list(v.shape) for k, v in heads.items()}, 'bare': {k: list(v.shape) for k, v in bare.items()}},
    'hidden': {'heads': flat(h_heads), 'bare': flat(h_bare)},
    'mlm': flat(mlm), 'cls': flat(cls),
}))
`;
