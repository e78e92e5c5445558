// The model card format (engine/io/model-card.ts): a valid card parses, a malformed one is refused naming the
// field, and nn.GPT.fromCard rebuilds a saved GPT exactly; readModel reads a model's files from a directory.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { init, nn, tensor, parseModelCard, readModel, fetchModel, saveModuleSafetensors, type ModelCard } from '../engine/index';

beforeAll(async () => {
  await init({ backend: 'cpu' });
});

const gptConfig = {
  vocabSize: 11, blockSize: 8, nLayer: 1, nHead: 2, nEmbd: 8, dropout: 0, positional: 'learned', activation: 'gelu', layerNormEps: 1e-5, dimFeedforward: 32,
} as const;

function card(): ModelCard {
  return {
    format: 'gpu-learn/model-card',
    version: 1,
    name: 'tiny',
    description: 'a test card',
    architecture: { kind: 'gpt', config: { ...gptConfig }, parameters: 1234 },
    weights: { file: 'model.safetensors', dtype: 'F32' },
    tokenizer: { file: 'tokenizer.json', kind: 'byte-bpe', vocabSize: 11, why: 'test' },
    data: {
      source: 'test', generated: true, licence: ['made up for the test'],
      split: { rule: 'the last document', train: ['a', 'b'], heldOut: ['c'] },
    },
    training: { steps: 1, batchSize: 1, seed: 0, optimizer: 'AdamW', wallSeconds: 1.5, backend: 'cpu', adapter: 'cpu' },
    evaluation: { heldOutLoss: 2, perplexity: Math.exp(2), subset: 'all of c', tokens: 10 },
    metrics: { note: 'x', accuracy: { '0': 0.1, '4': 0.9 } },
  };
}

describe('model card', () => {
  it('parses a valid card and keeps its free-form metrics', () => {
    const c = parseModelCard(JSON.parse(JSON.stringify(card())));
    expect(c.metrics.accuracy).toEqual({ '0': 0.1, '4': 0.9 });
  });

  it('names the wrong field of a malformed card', () => {
    const bad = (edit: (c: Record<string, any>) => void): (() => ModelCard) => {
      const c = JSON.parse(JSON.stringify(card())) as Record<string, any>;
      edit(c);
      return () => parseModelCard(c, 'models/tiny/card.json');
    };
    expect(bad((c) => delete c.training.steps)).toThrow(/models\/tiny\/card\.json: at training\.steps:/);
    expect(bad((c) => (c.architecture.config.nHead = 1.5))).toThrow(/at architecture\.config\.nHead:/);
    expect(bad((c) => (c.architecture.config.extra = 1))).toThrow(/at architecture\.config\.extra:/);
    expect(bad((c) => (c.architecture.kind = 'rnn'))).toThrow(/at architecture\.kind:/);
    expect(bad((c) => (c.data.licence = []))).toThrow(/at data\.licence:/);
    expect(bad((c) => (c.data.split.heldOut = []))).toThrow(/at data\.split\.heldOut:/);
    expect(bad((c) => (c.evaluation.perplexity = 3))).toThrow(/at evaluation\.perplexity: 3 is not exp\(heldOutLoss 2\)/);
    expect(bad((c) => (c.tokenizer.vocabSize = 12))).toThrow(/at architecture\.config\.vocabSize: 11 differs from tokenizer\.vocabSize 12/);
    expect(bad((c) => (c.version = 2))).toThrow(/at version:/);
    expect(bad((c) => (c.metrics.bad = { x: undefined }))).toThrow(/at metrics\.bad/);
  });

  describe('files', () => {
    let dir = '';
    let weights: Uint8Array = new Uint8Array();
    let model: nn.GPT;
    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'card-'));
      model = new nn.GPT({ ...gptConfig, seed: 3 });
      weights = await saveModuleSafetensors(model);
      writeFileSync(join(dir, 'card.json'), JSON.stringify(card()));
      writeFileSync(join(dir, 'model.safetensors'), weights);
      writeFileSync(join(dir, 'tokenizer.json'), '{"kind":"byte-bpe"}');
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('GPT.fromCard rebuilds the saved model: same config, same logits', async () => {
      const files = await readModel(dir);
      expect(files.tokenizer).toBe('{"kind":"byte-bpe"}');
      const back = nn.GPT.fromCard(files.card, files.weights);
      expect(back.cardConfig()).toEqual(gptConfig);
      expect(back.training).toBe(false);
      const idx = tensor(Int32Array.from([1, 5, 9, 2]), [1, 4], { dtype: 'int32' });
      expect(await back.logits(idx).toArray()).toEqual(await model.logits(idx).toArray());
    });

    it('refuses weights that do not fit the card, and a card of another kind', async () => {
      const c = card();
      const other = { ...c, architecture: { ...c.architecture, config: { ...gptConfig, nEmbd: 4, dimFeedforward: 16 } } } as ModelCard;
      expect(() => nn.GPT.fromCard(other, weights)).toThrow(/GPT\.fromCard: card "tiny", model\.safetensors: .*shape/);
      const bert = { ...c, architecture: { kind: 'bert', config: {}, parameters: 1 } } as ModelCard;
      expect(() => nn.GPT.fromCard(bert, weights)).toThrow(/describes a bert model, not a GPT/);
    });

    it('fetchModel reads the same files over HTTP, and names a missing one', async () => {
      const { readFileSync } = await import('node:fs');
      const fake = (async (url: string) => {
        const file = url.split('/').pop()!;
        try {
          return new Response(readFileSync(join(dir, file)));
        } catch {
          return new Response('', { status: 404 });
        }
      }) as typeof fetch;
      const files = await fetchModel('/models/tiny/', fake);
      expect(files.weights).toEqual(weights);
      writeFileSync(join(dir, 'card.json'), JSON.stringify({ ...card(), weights: { file: 'gone.safetensors', dtype: 'F32' } }));
      await expect(fetchModel('/models/tiny', fake)).rejects.toThrow(/\/models\/tiny\/gone\.safetensors: HTTP 404/);
      writeFileSync(join(dir, 'card.json'), JSON.stringify({ ...card(), weights: { file: '../x', dtype: 'F32' } }));
      await expect(readModel(dir)).rejects.toThrow(/at weights\.file: "\.\.\/x" must be a file name beside the card/);
    });
  });
});
