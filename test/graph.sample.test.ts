// Sampling a text model through its compiled graph (playground/graph/sample.ts), on the CPU device: which graphs
// can be sampled and why the others can't; names from the char GPT example (letters only, ended by their '.', the
// same for the same seed, one greedy answer at temperature 0); translations with their sources and right answers;
// bad settings refused by name; and a sampling run that leaves training and the views as they were and frees
// everything it made.
import { beforeAll, describe, expect, test } from 'vitest';
import { init, memoryStats, tensor, tidy, type Tensor } from '../engine/index';
import { compileGraph, loadExample, validate, type GraphState } from '../playground/graph/index';
import { GraphSampler, sampleSettingProblem, samplingPlan, type SampleSettings } from '../playground/graph/sample';
import { NAMES_VOCAB } from '../playground/graph/data/text';

beforeAll(async () => {
  await init({ backend: 'cpu' });
});

const SETTINGS: SampleSettings = { temperature: 1, topK: 0, seed: 7 };

function plan(state: GraphState) {
  return samplingPlan(state, validate(state));
}

async function run(state: GraphState, settings: SampleSettings): Promise<GraphSampler> {
  const g = compileGraph(state, { seed: 0, device: 'cpu' });
  const p = plan(state);
  if (!p.ok) throw new Error(p.reason);
  const sampler = new GraphSampler(g, p, settings);
  while (!sampler.finished) await sampler.step();
  g.dispose();
  return sampler;
}

describe('samplingPlan', () => {
  test('text and translation graphs are sampled through their scores; others say why not', () => {
    const gpt = plan(loadExample('char-gpt-names').state);
    expect(gpt).toMatchObject({ ok: true, kind: 'text', data: 'text_1', logits: { node: 'linear_1', port: 'y' }, names: true, prompt: '.', blockSize: 8 });
    const tr = plan(loadExample('toy-translation').state);
    expect(tr).toMatchObject({ ok: true, kind: 'translation', data: 'translation_1', logits: { node: 'linear_1', port: 'y' }, length: 5, task: 'reverse' });

    const xor = plan(loadExample('xor-mlp').state);
    expect(xor.ok).toBe(false);
    expect(!xor.ok && xor.reason).toMatch(/no Text corpus or Toy translation data node/);

    const state = loadExample('char-gpt-names').state;
    const noLoss = plan({ ...state, edges: state.edges.filter((e) => e.to.port !== 'target') });
    expect(!noLoss.ok && noLoss.reason).toMatch(/Cross-entropy loss whose target is text_1's "next"/);
  });
});

describe('GraphSampler', () => {
  test('char GPT: six names of letters, each ended by its "." or the length cap; a seed reproduces them', async () => {
    const state = loadExample('char-gpt-names').state;
    const a = await run(state, SETTINGS);
    expect(a.samples).toHaveLength(6);
    for (const s of a.samples) {
      expect(s.done).toBe(true);
      expect(s.text).toMatch(/^[a-z-]{0,16}$/);
    }
    const b = await run(state, SETTINGS);
    expect(b.samples.map((s) => s.text)).toEqual(a.samples.map((s) => s.text));
    const c = await run(state, { ...SETTINGS, seed: 8 });
    expect(c.samples.map((s) => s.text)).not.toEqual(a.samples.map((s) => s.text));
    // Greedy: every row starts from the same '.', so every row writes the same thing.
    const greedy = await run(state, { ...SETTINGS, temperature: 0 });
    expect(new Set(greedy.samples.map((s) => s.text)).size).toBe(1);
    // Top-1 is greedy too, whatever the temperature.
    const top1 = await run(state, { ...SETTINGS, topK: 1, temperature: 2 });
    expect(top1.samples.map((s) => s.text)).toEqual(greedy.samples.map((s) => s.text));
  });

  test('toy translation: four sources of five digits, their reversals as the right answers, at most six tokens written', async () => {
    const s = await run(loadExample('toy-translation').state, SETTINGS);
    expect(s.samples).toHaveLength(4);
    for (const x of s.samples) {
      expect(x.source).toMatch(/^[0-9]{5}$/);
      expect(x.expected).toBe([...x.source].reverse().join(''));
      expect(x.text).toMatch(/^[0-9^]{0,6}$/); // five digits, then EOS; an untrained decoder may not stop
      expect(x.done).toBe(true);
    }
  });

  test('bad settings are refused, naming the setting and its range', () => {
    expect(sampleSettingProblem('temperature', -1)).toBe('Temperature must be a number from 0 to 5; got -1.');
    expect(sampleSettingProblem('topK', 2.5)).toBe('Top-k must be a whole number from 0 to 1000; got 2.5.');
    expect(sampleSettingProblem('seed', 3)).toBeNull();
    const state = loadExample('char-gpt-names').state;
    const p = plan(state);
    if (!p.ok) throw new Error(p.reason);
    const g = compileGraph(state, { seed: 0, device: 'cpu' });
    expect(() => new GraphSampler(g, p, { ...SETTINGS, temperature: Number.NaN })).toThrow(/Temperature must be a number from 0 to 5/);
    g.dispose();
  });

  test('sampling leaves training and the views as they were, and frees what it made', async () => {
    // A decoder block with dropout: a pass in training mode would draw from its generator.
    const base = loadExample('toy-translation').state;
    const state: GraphState = { ...base, nodes: base.nodes.map((n) => (n.type === 'transformer' ? { ...n, params: { ...n.params, dropout: 0.3 } } : n)) };
    const p = plan(state);
    if (!p.ok) throw new Error(p.reason);
    const ids = (data: number[], shape: number[]): Tensor => tensor(Int32Array.from(data), shape, { device: 'cpu' });
    const feeds = () => ({
      translation_1: {
        source: ids([1, 2, 3, 4, 5], [1, 5]), decoderIn: ids([10, 5, 4, 3, 2, 1], [1, 6]), decoderTarget: ids([5, 4, 3, 2, 1, 11], [1, 6]),
      },
    });
    const losses: number[] = [];
    for (const sample of [false, true]) {
      const g = compileGraph(state, { seed: 0, device: 'cpu' });
      g.module.train(true);
      const probe = g.probe('linear_1', 'y', { activation: true, gradient: false });
      if (sample) {
        const before = memoryStats('cpu');
        const sampler = new GraphSampler(g, p, SETTINGS);
        while (!sampler.finished) await sampler.step();
        const after = memoryStats('cpu');
        expect([after.buffers, after.bytes]).toEqual([before.buffers, before.bytes]);
        expect(g.module.training).toBe(true);
        expect(probe.version).toBe(0); // no view saw the sampling passes
      }
      const loss = tidy(() => g.forward(feeds()).loss!);
      losses.push(await loss.item());
      loss.dispose();
      probe.dispose();
      g.dispose();
    }
    expect(losses[1]).toBe(losses[0]);
  });

  test('names use the vocabulary the text node declares', () => {
    const p = plan(loadExample('char-gpt-names').state);
    expect(p.ok && p.vocabulary).toBe(NAMES_VOCAB);
  });
});
