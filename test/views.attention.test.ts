// The Attention view's data for Transformer Blocks (playground/controllers/views.ts with CompiledGraph.attentionMaps),
// on the CPU device with a stand-in host and trainer: every block of the char GPT example gives one self-attention
// map (B, H, T, T) over the input characters; the toy translation's encoder block gives self-attention over the
// source and its decoder block self-attention over the target and cross-attention from target to source, labelled
// with each. Reading the maps leaves training as it was (a decoder block with dropout trains to the same loss with or
// without them) and frees what it computed (memory stays flat over refreshes).
import { beforeAll, describe, expect, test, vi } from 'vitest';
import { init, memoryStats, tensor, tidy, type Tensor } from '../engine/index';
import { compileGraph, loadExample, type CompiledGraph, type GraphState } from '../playground/graph/index';
import { ViewsController } from '../playground/controllers/views';
import type { TrainerController } from '../playground/controllers/trainer';
import { NAMES_VOCAB } from '../playground/graph/data/text';
import { TRANSLATION_VOCAB } from '../playground/graph/data/translation';
import { afterRender, standInHost as host, ViewsStandInTrainer as StandInTrainer } from './controller-stand-ins';

beforeAll(async () => {
  await init({ backend: 'cpu' });
});

const ids = (data: number[], shape: number[]): Tensor => tensor(Int32Array.from(data), shape, { device: 'cpu' });

/** ".emma.ol" and ".noah.li" as (2, 8) character ids, and the next characters. */
function nameFeeds(): Record<string, Record<string, Tensor>> {
  const rows = ['.emma.ol', '.noah.li'];
  const next = ['emma.oli', 'noah.lia'];
  const enc = (s: string[]): number[] => s.join('').split('').map((c) => NAMES_VOCAB.indexOf(c));
  return { text_1: { tokens: ids(enc(rows), [2, 8]), next: ids(enc(next), [2, 8]) } };
}

/** Sources 01234 and 98765, reversed targets, as the translation node feeds them (BOS ^ = 10, EOS $ = 11). */
function translationFeeds(): Record<string, Record<string, Tensor>> {
  return {
    translation_1: {
      source: ids([0, 1, 2, 3, 4, 9, 8, 7, 6, 5], [2, 5]),
      decoderIn: ids([10, 4, 3, 2, 1, 0, 10, 5, 6, 7, 8, 9], [2, 6]),
      decoderTarget: ids([4, 3, 2, 1, 0, 11, 5, 6, 7, 8, 9, 11], [2, 6]),
    },
  };
}

async function attach(trainer: StandInTrainer, views: ViewsController, g: CompiledGraph): Promise<void> {
  trainer.graph = g;
  await afterRender(views);
}

describe('Attention view data for Transformer Blocks', () => {
  test('char GPT: every head of both blocks, over the input characters; memory stays flat over refreshes', async () => {
    const trainer = new StandInTrainer({ text_1: NAMES_VOCAB });
    const views = new ViewsController(host, trainer as unknown as TrainerController);
    const g = compileGraph(loadExample('char-gpt-names').state, { seed: 0, device: 'cpu' });
    await attach(trainer, views, g);
    tidy(() => void g.forward(nameFeeds(), { training: true }));
    views.setAttention(['transformer_1', 'transformer_2']);
    await vi.waitFor(() => expect(views.attention?.maps.length).toBe(2), { timeout: 10_000 });
    const maps = views.attention!.maps;
    expect(maps.map((m) => [m.node, m.kind, m.weights.shape])).toEqual([
      ['transformer_1', 'self', [2, 4, 8, 8]],
      ['transformer_2', 'self', [2, 4, 8, 8]],
    ]);
    expect(maps[0].queries?.map((r) => r.join(''))).toEqual(['.emma.ol', '.noah.li']);
    expect(maps[1].keys?.[1].join('')).toBe('.noah.li');
    // Causal blocks: query 0 attends only to key 0.
    expect(Array.from(maps[0].weights.data.subarray(0, 8))).toEqual([1, 0, 0, 0, 0, 0, 0, 0]);
    expect(views.error).toBe('');

    const before = memoryStats('cpu');
    for (let i = 0; i < 3; i++) {
      const shown = views.attention;
      views.setAttention(null);
      views.setAttention(['transformer_1', 'transformer_2']);
      await vi.waitFor(() => expect(views.attention && views.attention !== shown).toBe(true), { timeout: 10_000 });
    }
    const after = memoryStats('cpu');
    expect([after.buffers, after.bytes]).toEqual([before.buffers, before.bytes]);
    views.hostDisconnected();
    g.dispose();
  });

  test('toy translation: encoder self-attention over the source; decoder self-attention and cross-attention to the source', async () => {
    const trainer = new StandInTrainer({ translation_1: TRANSLATION_VOCAB });
    const views = new ViewsController(host, trainer as unknown as TrainerController);
    const g = compileGraph(loadExample('toy-translation').state, { seed: 0, device: 'cpu' });
    await attach(trainer, views, g);
    tidy(() => void g.forward(translationFeeds(), { training: true }));
    views.setAttention(['transformer_2', 'transformer_1']);
    await vi.waitFor(() => expect(views.attention?.maps.length).toBe(3), { timeout: 10_000 });
    const maps = views.attention!.maps;
    const row = (tokens: string[][] | null): string | undefined => tokens?.[1].join('');
    expect(maps.map((m) => [m.node, m.kind, m.weights.shape, row(m.queries), row(m.keys)])).toEqual([
      ['transformer_1', 'self', [2, 4, 5, 5], '98765', '98765'],
      ['transformer_2', 'self', [2, 4, 6, 6], '^56789', '^56789'],
      ['transformer_2', 'cross', [2, 4, 6, 5], '^56789', '98765'],
    ]);
    // Every cross-attention row is a distribution over the 5 source positions.
    const cross = maps[2].weights.data;
    for (let r = 0; r < cross.length / 5; r++) expect(Array.from(cross.subarray(5 * r, 5 * r + 5)).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    views.hostDisconnected();
    g.dispose();
  });

  test('reading the maps leaves training as it was: a decoder block with dropout draws the same masks', async () => {
    const state = loadExample('toy-translation').state;
    const withDropout: GraphState = {
      ...state,
      nodes: state.nodes.map((n) => (n.type === 'transformer' ? { ...n, params: { ...n.params, dropout: 0.3 } } : n)),
    };
    const losses: number[] = [];
    for (const readMaps of [false, true]) {
      const g = compileGraph(withDropout, { seed: 0, device: 'cpu' });
      // The decoder block's inputs, from a pass in eval mode (no draws).
      const { x, memory } = tidy(() => {
        const out = g.forward(translationFeeds(), { training: false }).outputs;
        return { x: out.positional_2.y, memory: out.layernorm_1.y };
      });
      g.module.train(true);
      if (readMaps) for (const m of g.attentionMaps('transformer_2', { x, memory })) m.weights.dispose();
      expect(g.module.training).toBe(true);
      x.dispose();
      memory.dispose();
      const loss = tidy(() => g.forward(translationFeeds(), { training: true }).loss!);
      losses.push(await loss.item());
      loss.dispose();
      g.dispose();
    }
    expect(losses[1]).toBe(losses[0]);
  });
});
