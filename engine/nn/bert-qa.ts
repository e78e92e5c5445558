// Extractive question answering on BERT, as Hugging Face's BertForQuestionAnswering: the encoder reads
// [CLS] question [SEP] passage [SEP] (segment ids 0 for the question part, 1 for the passage part), and one linear
// layer `qa_outputs` (d → 2) turns every position's hidden state into a start logit and an end logit. The answer is
// the passage span whose start and end logits add up to the most; training minimises the mean of the start and the
// end cross-entropy over positions. This file also maps between the passage's characters and its tokens (through the
// byte-level BPE's token bytes) so a predicted token span becomes text again, and holds the span search.
import { Tensor, tensor } from '../tensor';
import { tidy, dispose } from '../memory';
import { crossEntropy } from '../ops/loss';
import { fmt, ShapeError } from '../shape';
import { Module } from './module';
import { Linear } from './layers';
import { BERT, type BertCardConfig } from './bert';
import type { BPETokenizer } from './bpe';
import { ModelCardError, type ModelCard } from '../io/model-card';
import { loadModuleSafetensors } from '../io/safetensors';
import type { DeviceName } from '../backend/backend';

/** One question + passage pair as the model reads it. */
export interface QAInput {
  /** [CLS] question [SEP] passage [SEP]. */
  ids: number[];
  /** 0 up to and including the first [SEP], 1 after it. */
  typeIds: number[];
  /**
   * For each position, the passage characters [start, end) its token covers, with a leading space trimmed (the
   * byte-level BPE glues a word's space to its front); null for [CLS], the question and the [SEP]s.
   */
  offsets: Array<[number, number] | null>;
  /** Token positions of the passage's first and last tokens. */
  first: number;
  last: number;
}

/**
 * A passage's tokens with the characters each covers. Bytes are walked token by token and mapped back to UTF-16
 * positions, so a token cut inside a multi-byte character still gets the character it starts in.
 */
export function tokenOffsets(tok: BPETokenizer, text: string): { ids: number[]; offsets: Array<[number, number]> } {
  const ids = tok.encode(text);
  // charAtByte[b]: the UTF-16 index of the character that byte b belongs to; one more entry for the end.
  const charAtByte: number[] = [];
  for (let i = 0; i < text.length; ) {
    const cp = text.codePointAt(i)!;
    const units = cp > 0xffff ? 2 : 1;
    const bytes = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    for (let k = 0; k < bytes; k++) charAtByte.push(i);
    i += units;
  }
  charAtByte.push(text.length);
  const offsets: Array<[number, number]> = [];
  let b = 0;
  for (const id of ids) {
    const n = tok.tokenBytes(id).length;
    let start = charAtByte[b];
    const endByte = b + n;
    // The end: the first character that starts at or after the token's last byte + 1.
    let end = charAtByte[Math.min(endByte, charAtByte.length - 1)];
    if (endByte < charAtByte.length - 1 && charAtByte[endByte - 1] === end) end = nextChar(text, end);
    while (start < end - 1 && /\s/.test(text[start])) start++; // " Lisbon" covers "Lisbon"
    offsets.push([start, end]);
    b = endByte;
  }
  if (b !== charAtByte.length - 1) throw new Error(`tokenOffsets: the tokens cover ${b} bytes of a ${charAtByte.length - 1}-byte text`);
  return { ids, offsets };
}

const nextChar = (text: string, i: number): number => i + ((text.codePointAt(i) ?? 0) > 0xffff ? 2 : 1);

/** The model's input for a question and a passage; throws, saying by how much, when it exceeds maxLen. */
export function qaInput(tok: BPETokenizer, question: string, passage: string, maxLen: number): QAInput {
  const q = tok.encode(question);
  const p = tokenOffsets(tok, passage);
  const cls = tok.idOf('[CLS]');
  const sep = tok.idOf('[SEP]');
  const n = q.length + p.ids.length + 3;
  if (n > maxLen) throw new RangeError(`qaInput: question (${q.length} tokens) and passage (${p.ids.length}) need ${n} positions, more than maxLen ${maxLen}`);
  const first = q.length + 2;
  return {
    ids: [cls, ...q, sep, ...p.ids, sep],
    typeIds: [...new Array<number>(q.length + 2).fill(0), ...new Array<number>(p.ids.length + 1).fill(1)],
    offsets: [null, ...q.map(() => null), null, ...p.offsets, null],
    first,
    last: first + p.ids.length - 1,
  };
}

/**
 * The token positions of an answer given by characters [start, end) of the passage: the first token that ends
 * after `start` and the last that begins before `end`. Throws if the span is empty or outside the passage.
 */
export function answerTokens(input: QAInput, start: number, end: number): { start: number; end: number } {
  let s = -1;
  let e = -1;
  for (let t = input.first; t <= input.last; t++) {
    const [a, b] = input.offsets[t]!;
    if (s < 0 && b > start) s = t;
    if (a < end) e = t;
  }
  if (end <= start || s < 0 || e < s) throw new RangeError(`answerTokens: characters [${start}, ${end}) are not a span of the passage's tokens`);
  return { start: s, end: e };
}

export interface SpanOptions {
  /** Token positions the answer may occupy, inclusive (the passage's first and last token). */
  first: number;
  last: number;
  /** At most this many tokens (end − start + 1 ≤ maxAnswerLen). */
  maxAnswerLen: number;
}

export interface Span {
  start: number;
  end: number;
  /** startLogits[start] + endLogits[end]. */
  score: number;
}

/**
 * The best answer span: the (start, end) with first ≤ start ≤ end ≤ min(last, start + maxAnswerLen − 1) that
 * maximises startLogits[start] + endLogits[end]. Ties go to the earlier start, then the shorter span. O(T·L).
 */
export function bestSpan(startLogits: ArrayLike<number>, endLogits: ArrayLike<number>, opts: SpanOptions): Span {
  const { first, last, maxAnswerLen } = opts;
  if (startLogits.length !== endLogits.length) throw new RangeError(`bestSpan: ${startLogits.length} start logits but ${endLogits.length} end logits`);
  if (!Number.isInteger(first) || !Number.isInteger(last) || first < 0 || last >= startLogits.length || first > last) {
    throw new RangeError(`bestSpan: the span range [${first}, ${last}] is not inside the ${startLogits.length} positions`);
  }
  if (!Number.isInteger(maxAnswerLen) || maxAnswerLen < 1) throw new RangeError(`bestSpan: maxAnswerLen must be a positive integer, got ${maxAnswerLen}`);
  let best: Span = { start: first, end: first, score: -Infinity };
  for (let s = first; s <= last; s++) {
    for (let e = s; e <= Math.min(last, s + maxAnswerLen - 1); e++) {
      const score = startLogits[s] + endLogits[e];
      if (score > best.score) best = { start: s, end: e, score };
    }
  }
  return best;
}

/** The passage text of a token span (the first token's start character to the last token's end). */
export function spanText(passage: string, input: QAInput, start: number, end: number): string {
  const a = input.offsets[start];
  const b = input.offsets[end];
  if (!a || !b) throw new RangeError(`spanText: tokens ${start}…${end} are not both in the passage`);
  return passage.slice(a[0], b[1]);
}

/** Rows padded with padId to the longest: (B, T) ids and segment ids. */
export function qaBatch(inputs: readonly QAInput[], padId: number): { ids: Int32Array; typeIds: Int32Array; T: number } {
  const T = Math.max(...inputs.map((x) => x.ids.length));
  const ids = new Int32Array(inputs.length * T).fill(padId);
  const typeIds = new Int32Array(inputs.length * T);
  inputs.forEach((x, i) => {
    ids.set(x.ids, i * T);
    typeIds.set(x.typeIds, i * T);
  });
  return { ids, typeIds, T };
}

export interface QAFromCardOptions {
  device?: DeviceName;
  /** Seed of the fresh qa_outputs layer. Default 0. */
  seed?: number;
}

/** BERT with a span head: Hugging Face's BertForQuestionAnswering (`bert`, `qa_outputs`). */
export class BertForQuestionAnswering extends Module {
  bert: BERT;
  qa_outputs: Linear;

  /** `bert` should have no heads of its own (they would be trained parameters the span loss never reaches). */
  constructor(bert: BERT, seed = 0) {
    super();
    this.bert = bert;
    this.qa_outputs = new Linear(bert.config.dModel, 2, { seed: seed + 30, device: bert.config.device });
  }

  /** A BERT with no pooler, masked-LM or classification head, of the card's architecture, from random weights. */
  static fromScratch(config: BertCardConfig, seed: number, device?: DeviceName): BertForQuestionAnswering {
    const bert = new BERT({ ...config, heads: { pooler: false, mlm: false, classifier: false }, seed, device });
    return new BertForQuestionAnswering(bert, seed);
  }

  /**
   * The pre-trained encoder of a BERT card (its masked-LM head, if any, left behind) under a fresh, seeded
   * qa_outputs layer: the start of fine-tuning.
   */
  static fromPretrained(card: ModelCard, weights: Uint8Array, opts: QAFromCardOptions = {}): BertForQuestionAnswering {
    const full = BERT.fromCard(card, weights, { device: opts.device });
    const model = BertForQuestionAnswering.fromScratch(full.cardConfig(), opts.seed ?? 0, opts.device);
    // Copy the encoder's parameters by name; the heads stay behind and are freed with the loaded model.
    const src = new Map(full.namedParameters());
    const dst = model.bert.namedParameters();
    model.bert.loadStateDict(Object.fromEntries(dst.map(([name]) => {
      const p = src.get(name);
      if (!p) throw new ModelCardError(`BertForQuestionAnswering.fromPretrained: card "${card.name}" has no ${name}`);
      return [name, p];
    })));
    dispose(full.parameters());
    model.eval();
    return model;
  }

  /**
   * A fine-tuned model shipped with a card whose weights hold `bert.*` and `qa_outputs.*` (as this module's
   * namedParameters name them; architecture.config is the encoder's, with no heads). In eval mode.
   */
  static fromCard(card: ModelCard, weights: Uint8Array, opts: { device?: DeviceName } = {}): BertForQuestionAnswering {
    if (card.architecture.kind !== 'bert') throw new ModelCardError(`BertForQuestionAnswering.fromCard: card "${card.name}" describes a ${card.architecture.kind} model`);
    const model = BertForQuestionAnswering.fromScratch(card.architecture.config as unknown as BertCardConfig, 0, opts.device);
    try {
      loadModuleSafetensors(model, weights);
    } catch (e) {
      dispose(model.parameters());
      throw new ModelCardError(`BertForQuestionAnswering.fromCard: card "${card.name}", ${card.weights.file}: ${(e as Error).message}`);
    }
    model.eval();
    return model;
  }

  /** ids, typeIds (B, T) int32 → start and end logits, each (B, T). */
  spanLogits(ids: Tensor, typeIds: Tensor): { start: Tensor; end: Tensor } {
    return tidy(() => {
      const h = this.bert.encode(ids, typeIds); // (B, T, d)
      const [B, T] = ids.shape;
      const logits = this.qa_outputs.forward(h); // (B, T, 2)
      return {
        start: logits.slice(2, 0, 1).reshape([B, T]),
        end: logits.slice(2, 1, 2).reshape([B, T]),
      };
    });
  }

  /** (CE(start logits, starts) + CE(end logits, ends)) / 2, each over the batch; starts, ends (B) token positions. */
  loss(ids: Tensor, typeIds: Tensor, starts: Int32Array, ends: Int32Array): Tensor {
    const B = ids.shape[0];
    if (starts.length !== B || ends.length !== B) throw new ShapeError(`BertForQuestionAnswering.loss: ${starts.length} starts and ${ends.length} ends for ids ${fmt(ids.shape)}`);
    return tidy(() => {
      const { start, end } = this.spanLogits(ids, typeIds);
      const s = crossEntropy(start, tensor(starts, [B], { device: ids.device }));
      const e = crossEntropy(end, tensor(ends, [B], { device: ids.device }));
      return s.add(e).mul(0.5);
    });
  }

  override forward(ids: Tensor): Tensor {
    return this.bert.encode(ids);
  }

  protected override describe(): string {
    return `span head on BERT(d=${this.bert.config.dModel}, layers=${this.bert.config.nLayer})`;
  }
}
