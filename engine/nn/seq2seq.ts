// An encoder-decoder Transformer (Vaswani et al.) for sequence-to-sequence tasks, with its embeddings and output
// layer included (unlike torch.nn.Transformer, which is only the two stacks):
//   memory = encoder(embed(src)·√d + PE)                       // (B, Ts, d)
//   logits = generator(decoder(embed(tgt)·√d + PE, memory))    // (B, Tt, V)
// Embeddings are drawn N(0, 1/d) and scaled by √d (fairseq's convention), so tokens and the sinusoidal positions
// enter at the same unit scale. Greedy decoding runs a batch; beam search runs one source at a time with its beams
// as the batch. Decoding recomputes the target prefix at each step: targets here are short.
import { Tensor, tensor } from '../tensor';
import { crossEntropy } from '../ops/loss';
import { noGrad } from '../autograd';
import { tidy } from '../memory';
import { nextSeed } from '../random';
import { fmt, ShapeError } from '../shape';
import { Module } from './module';
import { Embedding, Linear } from './layers';
import { normalParam, SinusoidalPositionalEncoding } from './positional';
import { TransformerDecoder, TransformerEncoder, type TransformerLayerOptions } from './transformer';

export interface TransformerConfig extends TransformerLayerOptions {
  srcVocabSize: number;
  tgtVocabSize: number;
  dModel: number;
  nHead: number;
  numEncoderLayers: number;
  numDecoderLayers: number;
  /** Longest source or target sequence. */
  maxLen: number;
  /** Token ids: padding (ignored by attention and the loss), and the start and end of a target. */
  padId: number;
  bosId: number;
  eosId: number;
}

export interface BeamOptions {
  beamSize?: number;
  /** Longest output, not counting BOS. */
  maxLen?: number;
  /** GNMT's length penalty exponent α: scores are divided by ((5 + len) / 6)^α. Default 0 (plain log-probability). */
  lengthPenalty?: number;
}

export class Transformer extends Module {
  src_embed: Embedding;
  tgt_embed: Embedding;
  encoder: TransformerEncoder;
  decoder: TransformerDecoder;
  generator: Linear;
  readonly config: Readonly<TransformerConfig>;
  private readonly pos: SinusoidalPositionalEncoding;

  constructor(config: TransformerConfig) {
    super();
    this.config = { ...config };
    const seed = nextSeed(config.seed);
    const { dModel, nHead, device } = config;
    const embed = (vocab: number, s: number): Embedding => {
      const e = new Embedding(vocab, dModel, { seed: s, device });
      e.weight.dispose();
      e.weight = normalParam([vocab, dModel], 1 / Math.sqrt(dModel), s, { device });
      return e;
    };
    this.src_embed = embed(config.srcVocabSize, seed);
    this.tgt_embed = embed(config.tgtVocabSize, seed + 1);
    const layerOpts = { ...config, device };
    this.encoder = new TransformerEncoder(dModel, nHead, config.numEncoderLayers, { ...layerOpts, seed: seed + 2 });
    this.decoder = new TransformerDecoder(dModel, nHead, config.numDecoderLayers, { ...layerOpts, seed: seed + 3 });
    this.generator = new Linear(dModel, config.tgtVocabSize, { seed: seed + 4, device });
    this.pos = new SinusoidalPositionalEncoding(dModel, config.maxLen);
  }

  /** ids (B, T) int32 → (B, T) int32, 1 where the token is padding. */
  paddingMask(ids: Tensor): Tensor {
    return tidy(() => ids.eq(this.config.padId).int());
  }

  private embed(e: Embedding, ids: Tensor): Tensor {
    if (ids.ndim !== 2 || ids.dtype !== 'int32') throw new ShapeError(`Transformer: token ids must be (B, T) int32, got ${fmt(ids.shape)} ${ids.dtype}`);
    return tidy(() => this.pos.forward(e.forward(ids).mul(Math.sqrt(this.config.dModel)))); // (B, T, d)
  }

  /** src (B, Ts) → memory (B, Ts, d). */
  encode(src: Tensor, srcPadding: Tensor = this.paddingMask(src)): Tensor {
    return tidy(() => this.encoder.encode(this.embed(this.src_embed, src), { keyPaddingMask: srcPadding }));
  }

  /** tgt (B, Tt) against memory → logits (B, Tt, V). */
  decodeLogits(tgt: Tensor, memory: Tensor, srcPadding: Tensor): Tensor {
    return tidy(() => {
      const h = this.decoder.decode(this.embed(this.tgt_embed, tgt), memory, {
        tgtKeyPaddingMask: this.paddingMask(tgt),
        memoryKeyPaddingMask: srcPadding,
        causal: true,
      });
      return this.generator.forward(h); // (B, Tt, V)
    });
  }

  /** Teacher forcing: src (B, Ts), tgtIn = [BOS, y…] (B, Tt) → logits (B, Tt, V). */
  forward(src: Tensor, tgtIn: Tensor): Tensor {
    return tidy(() => {
      const srcPadding = this.paddingMask(src);
      return this.decodeLogits(tgtIn, this.encode(src, srcPadding), srcPadding);
    });
  }

  /** Cross-entropy of predicting tgtOut = [y…, EOS] (B, Tt), −100 on padding. */
  loss(src: Tensor, tgtIn: Tensor, tgtOut: Tensor): Tensor {
    return tidy(() => crossEntropy(this.forward(src, tgtIn), tgtOut, { ignoreIndex: -100 }));
  }

  /** Source token lists → padded (B, Ts) int32. */
  private padBatch(seqs: readonly (readonly number[])[]): Tensor {
    const T = Math.max(1, ...seqs.map((s) => s.length));
    const data = new Int32Array(seqs.length * T).fill(this.config.padId);
    seqs.forEach((s, b) => data.set(s, b * T));
    return tensor(data, [seqs.length, T], { device: this.generator.weight.device });
  }

  /** Greedy decoding of a batch of sources; each result stops before EOS (and excludes BOS). */
  async greedyDecode(sources: readonly (readonly number[])[], maxLen = this.config.maxLen - 1): Promise<number[][]> {
    const { bosId, eosId, tgtVocabSize } = this.config;
    const wasTraining = this.training;
    this.eval();
    const B = sources.length;
    const src = this.padBatch(sources);
    const { memory, srcPadding } = noGrad(() => tidy(() => {
      const srcPadding = this.paddingMask(src);
      return { memory: this.encode(src, srcPadding), srcPadding };
    }));
    const outs: number[][] = sources.map(() => []);
    const done = new Array<boolean>(B).fill(false);
    try {
      for (let t = 0; t < maxLen && done.some((d) => !d); t++) {
        // Finished rows keep decoding (after EOS they are padding to the model) but their output is frozen.
        const prefixes = outs.map((o) => {
          const p = [bosId, ...o];
          while (p.length < t + 1) p.push(eosId);
          return p; // (t + 1) tokens
        });
        const next = noGrad(() => tidy(() => {
          const tgt = this.padBatch(prefixes);
          const logits = this.decodeLogits(tgt, memory, srcPadding); // (B, t + 1, V)
          return logits.slice(1, t, t + 1).reshape([B, tgtVocabSize]).argmax(-1); // (B)
        }));
        const ids = await next.toArray();
        next.dispose();
        for (let b = 0; b < B; b++) {
          if (done[b]) continue;
          if (ids[b] === eosId) done[b] = true;
          else outs[b].push(ids[b]);
        }
      }
    } finally {
      memory.dispose();
      srcPadding.dispose();
      src.dispose();
      this.train(wasTraining);
    }
    return outs;
  }

  /**
   * Beam search for one source: keeps the best partial hypotheses by total log-probability (beamSize at first),
   * moves those that emit EOS to a finished list, and returns the best one (without BOS and EOS).
   */
  async beamDecode(source: readonly number[], opts: BeamOptions = {}): Promise<number[]> {
    const k = opts.beamSize ?? 4;
    const maxLen = opts.maxLen ?? this.config.maxLen - 1;
    const alpha = opts.lengthPenalty ?? 0;
    const { bosId, eosId, tgtVocabSize: V } = this.config;
    const norm = (score: number, len: number): number => score / Math.pow((5 + len) / 6, alpha);
    const wasTraining = this.training;
    this.eval();
    const src = this.padBatch([source]);
    const { memory, srcPadding } = noGrad(() => tidy(() => {
      const srcPadding = this.paddingMask(src);
      return { memory: this.encode(src, srcPadding), srcPadding };
    }));
    let beams: Array<{ tokens: number[]; score: number }> = [{ tokens: [], score: 0 }];
    const finished: Array<{ tokens: number[]; score: number }> = [];
    try {
      for (let t = 0; t < maxLen && beams.length > 0; t++) {
        const n = beams.length;
        const logp = noGrad(() => tidy(() => {
          const tgt = this.padBatch(beams.map((b) => [bosId, ...b.tokens])); // (n, t + 1)
          const mem = memory.expand([n, memory.shape[1], memory.shape[2]]); // (n, Ts, d)
          const pad = srcPadding.expand([n, srcPadding.shape[1]]);
          const logits = this.decodeLogits(tgt, mem, pad).slice(1, t, t + 1).reshape([n, V]);
          return logits.logSoftmax(-1); // (n, V)
        }));
        const lp = await logp.toArray();
        logp.dispose();
        const candidates: Array<{ tokens: number[]; score: number; eos: boolean }> = [];
        beams.forEach((b, i) => {
          for (let v = 0; v < V; v++) {
            candidates.push({ tokens: [...b.tokens, v], score: b.score + lp[i * V + v], eos: v === eosId });
          }
        });
        candidates.sort((a, b) => b.score - a.score);
        // The best (k − finished) extensions; those ending in EOS are finished, so the open beam shrinks as
        // hypotheses finish (with k = 1 this is exactly greedy decoding).
        const next: typeof beams = [];
        for (const c of candidates.slice(0, k - finished.length)) {
          if (c.eos) finished.push({ tokens: c.tokens.slice(0, -1), score: norm(c.score, c.tokens.length) });
          else next.push({ tokens: c.tokens, score: c.score });
        }
        beams = next;
        // Stop once no open beam can still beat the best finished hypothesis (scores only fall as beams grow).
        const best = Math.max(...finished.map((f) => f.score));
        if (alpha === 0 && beams.every((b) => b.score < best)) break;
      }
    } finally {
      memory.dispose();
      srcPadding.dispose();
      src.dispose();
      this.train(wasTraining);
    }
    for (const b of beams) finished.push({ tokens: b.tokens, score: norm(b.score, b.tokens.length + 1) });
    finished.sort((a, b) => b.score - a.score);
    return finished[0]?.tokens ?? [];
  }
}
