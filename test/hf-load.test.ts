// The Load a model dialog's DOM-free parts (playground/hf/), in Node on the CPU backend: reading a checkpoint
// from a source (files by name, or any reader), choosing GPT-2 or BERT by config.json, the tokenizer checks, the
// sharded path, the errors that name the file, and the fill-the-mask numbers. The checkpoints are tiny models
// built here and written in Hugging Face's layout by toHuggingFace (the loaders themselves are tested in
// hf.gpt2.test.ts and hf.bert.test.ts).
import { describe, expect, test } from 'vitest';
import { nn, readSafetensors, tensor, writeSafetensors } from '../engine/index';
import { loadCheckpoint, disposeModel, type LoadedBert, type LoadProgress } from '../playground/hf/load';
import { filesSource, type CheckpointSource } from '../playground/hf/source';
import { fillMask, hiddenStates, topK } from '../playground/hf/fill-mask';

const json = (v: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(v));

/** A source over named byte arrays: what a folder of picked files or a server would hold. */
function mapSource(files: Record<string, Uint8Array | string>): CheckpointSource & { asked: string[] } {
  const asked: string[] = [];
  return {
    where: 'the test files',
    asked,
    async read(name) {
      asked.push(name);
      const f = files[name];
      return f === undefined ? null : typeof f === 'string' ? new TextEncoder().encode(f) : f;
    },
  };
}

const VOCAB = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', 'the', 'cat', 'sat', 'on', 'mat', '.', 'a', 'dog', '##s', 'ran'];

async function bertFiles(heads: boolean): Promise<Record<string, Uint8Array | string>> {
  const model = new nn.BERT({ vocabSize: VOCAB.length, maxLen: 16, nLayer: 1, nHead: 2, dModel: 8, dimFeedforward: 12, dropout: 0, padId: 0, seed: 3, device: 'cpu' });
  const { weights, config } = await model.toHuggingFace({ heads });
  return { 'config.json': json(config), 'model.safetensors': weights, 'vocab.txt': VOCAB.join('\n') + '\n' };
}

/** A 1-layer GPT-2 of width 8 over GPT-2's whole vocabulary (so every id its tokenizer gives has a row). */
async function gpt2Files(): Promise<{ weights: Uint8Array; config: Record<string, unknown> }> {
  const model = new nn.GPT({ vocabSize: 50257, blockSize: 16, nLayer: 1, nHead: 2, nEmbd: 8, activation: 'geluTanh', seed: 1, device: 'cpu' });
  const { weights, config } = await model.toHuggingFace();
  return { weights, config: { ...config } };
}

describe('loading through a checkpoint source', () => {
  test('a BERT with its masked-LM head: each [MASK] gets the top k of the softmax of its logits, most likely first', async () => {
    const progress: LoadProgress[] = [];
    const picked = Object.entries(await bertFiles(true)).map(([name, bytes]) => new File([bytes as BlobPart], name));
    const m = (await loadCheckpoint(filesSource(picked), { onProgress: (p) => progress.push(p) })) as LoadedBert;
    try {
      expect(m.kind).toBe('bert');
      expect(m.hasMlmHead).toBe(true);
      expect(progress.filter((p) => p.stage === 'Reading model.safetensors').at(-1)).toMatchObject({ unit: 'bytes', total: picked[1].size, loaded: picked[1].size });
      expect(progress.at(-1)).toMatchObject({ unit: 'count' });
      expect(progress.at(-1)!.loaded).toBe(progress.at(-1)!.total);

      const results = await fillMask(m, 'The cat [MASK] on the [MASK].', 3);
      // [CLS] the cat [MASK] on the [MASK] . [SEP]
      expect(results.map((r) => r.position)).toEqual([3, 6]);
      // The oracle: the whole (1, T, V) logits read back, softmax and sort per masked row by hand.
      const enc = m.tokenizer.encode('The cat [MASK] on the [MASK].');
      const T = enc.ids.length;
      const V = VOCAB.length;
      const as = (v: number[]) => tensor(Int32Array.from(v), [1, T], { device: 'cpu' });
      const logits = (await m.model.mlmLogits(as(enc.ids), as(enc.tokenTypeIds), as(enc.attentionMask)).toArray()) as Float32Array;
      for (const r of results) {
        const row = Array.from(logits.subarray(r.position * V, (r.position + 1) * V));
        const z = row.reduce((s, x) => s + Math.exp(x), 0);
        const want = row.map((x, i) => ({ token: VOCAB[i], p: Math.exp(x) / z })).sort((a, b) => b.p - a.p).slice(0, 3);
        expect(r.predictions.map((p) => p.token)).toEqual(want.map((w) => w.token));
        r.predictions.forEach((p, i) => expect(p.p).toBeCloseTo(want[i].p, 6));
      }
      await expect(fillMask(m, 'no mask here', 3)).rejects.toThrow(/has no \[MASK\]/);
    } finally {
      disposeModel(m);
    }
  });

  test('a BERT without the head says so, and shows the last hidden state per token', async () => {
    const m = (await loadCheckpoint(mapSource(await bertFiles(false)))) as LoadedBert;
    expect(m.hasMlmHead).toBe(false);
    await expect(fillMask(m, 'the [MASK]', 3)).rejects.toThrow(/no masked-LM head \(cls\.predictions\.\*\)/);
    const rows = await hiddenStates(m, 'the cat sat');
    expect(rows.map((r) => r.token)).toEqual(['[CLS]', 'the', 'cat', 'sat', '[SEP]']);
    for (const r of rows) {
      expect(r.first).toHaveLength(4);
      expect(r.norm).toBeGreaterThan(0); // post-LN hidden states: about √d, never zero
    }
  });

  test("BERT's lower-casing follows tokenizer_config.json's do_lower_case, and vocab.txt is required", async () => {
    const files = await bertFiles(false);
    const cased = await loadCheckpoint(mapSource({ ...files, 'tokenizer_config.json': json({ do_lower_case: false }) }));
    const uncased = await loadCheckpoint(mapSource(files));
    expect((cased as LoadedBert).tokenizer.tokenize('The cat')).toEqual(['[UNK]', 'cat']);
    expect((uncased as LoadedBert).tokenizer.tokenize('The cat')).toEqual(['the', 'cat']);
    disposeModel(cased);
    disposeModel(uncased);
    const { 'vocab.txt': _, ...noVocab } = files;
    await expect(loadCheckpoint(mapSource(noVocab))).rejects.toThrow(/^vocab\.txt is missing from the test files \(BERT's WordPiece vocabulary\)/);
  });

  test("GPT-2 uses GPT-2's BPE; a vocab.json or tokenizer.json of another size, or a smaller vocab_size, is refused", async () => {
    const { weights, config } = await gpt2Files();
    const gptVocab = Object.fromEntries(Array.from({ length: 50257 }, (_, i) => [`t${i}`, i]));
    const m = await loadCheckpoint(mapSource({ 'config.json': json(config), 'model.safetensors': weights, 'vocab.json': json(gptVocab) }));
    expect(m.kind).toBe('gpt2');
    if (m.kind === 'gpt2') expect(m.tokenizer.encode('Hello world')).toEqual([15496, 995]);
    disposeModel(m);

    const small = Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`t${i}`, i]));
    await expect(loadCheckpoint(mapSource({ 'config.json': json(config), 'model.safetensors': weights, 'vocab.json': json(small) }))).rejects.toThrow(
      "vocab.json defines 1000 tokens, but GPT-2's byte-level BPE has 50257: only GPT-2's own tokenizer is supported",
    );
    const tokenizerJson = { model: { vocab: small }, added_tokens: [{ id: 1000, content: '<|endoftext|>' }] };
    await expect(loadCheckpoint(mapSource({ 'config.json': json(config), 'model.safetensors': weights, 'tokenizer.json': json(tokenizerJson) }))).rejects.toThrow(
      /^tokenizer\.json defines 1001 tokens/,
    );
    await expect(loadCheckpoint(mapSource({ 'config.json': json({ ...config, vocab_size: 1000 }), 'model.safetensors': weights }))).rejects.toThrow(
      /^config\.json: vocab_size 1000 is smaller than GPT-2's tokenizer \(50257 tokens\)/,
    );
  });

  test('a sharded checkpoint loads from its index, shard by shard; a missing shard is named', async () => {
    const { weights, config } = await gpt2Files();
    const all = [...readSafetensors(weights).tensors];
    const half = Math.ceil(all.length / 2);
    const names = ['model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors'];
    const shards = [all.slice(0, half), all.slice(half)].map((part) => writeSafetensors(new Map(part), { format: 'pt' }));
    const index = { metadata: {}, weight_map: Object.fromEntries(all.map(([k], i) => [k, names[i < half ? 0 : 1]])) };
    const source = mapSource({ 'config.json': json(config), 'model.safetensors.index.json': json(index), [names[0]]: shards[0], [names[1]]: shards[1] });
    const m = await loadCheckpoint(source);
    expect(source.asked).toEqual(['config.json', 'vocab.json', 'tokenizer.json', 'model.safetensors', 'model.safetensors.index.json', ...names]);
    disposeModel(m);

    const missing = mapSource({ 'config.json': json(config), 'model.safetensors.index.json': json(index), [names[0]]: shards[0] });
    await expect(loadCheckpoint(missing)).rejects.toThrow(`${names[1]} is missing from the test files (model.safetensors.index.json names it as a shard of the weights)`);
  });

  test('config.json: missing, not JSON, not an object, and an unknown or absent model_type each name the file and the problem', async () => {
    await expect(loadCheckpoint(mapSource({}))).rejects.toThrow(/^config\.json is missing from the test files/);
    await expect(loadCheckpoint(mapSource({ 'config.json': '{"model_type": ' }))).rejects.toThrow(/^config\.json is not valid JSON \(/);
    await expect(loadCheckpoint(mapSource({ 'config.json': '[1, 2]' }))).rejects.toThrow(/^config\.json must hold a JSON object.*not an array/);
    await expect(loadCheckpoint(mapSource({ 'config.json': json({ model_type: 't5' }) }))).rejects.toThrow(/^config\.json: model_type "t5" is not supported/);
    await expect(loadCheckpoint(mapSource({ 'config.json': json({ n_embd: 8 }) }))).rejects.toThrow(/^config\.json has no model_type/);
  });

  test("a loader's error names the file it is about (config.json for a bad size, model.safetensors for a shape)", async () => {
    const { weights, config } = await gpt2Files();
    await expect(loadCheckpoint(mapSource({ 'config.json': json({ ...config, n_head: 3 }), 'model.safetensors': weights }))).rejects.toThrow(/^config\.json: .*n_head 3/);
    await expect(loadCheckpoint(mapSource({ 'config.json': json({ ...config, n_embd: 16 }), 'model.safetensors': weights }))).rejects.toThrow(
      /^model\.safetensors: .*transformer\.wte\.weight.*\[50257, 8\].*\[50257, 16\]/,
    );
  });

  test('a cancelled load rejects with the abort, whatever stage it is in', async () => {
    const files = await bertFiles(true);
    const abort = new AbortController();
    const load = loadCheckpoint(mapSource(files), {
      signal: abort.signal,
      onProgress: (p) => p.stage.startsWith('Loading the weights') && abort.abort(),
    });
    await expect(load).rejects.toThrow(/abort/i);
  });
});

describe('filesSource', () => {
  test('finds picked files by name, streams their bytes with progress, and has nothing for a name not picked', async () => {
    const bytes = Uint8Array.from({ length: 70_000 }, (_, i) => i % 251);
    const source = filesSource([new File([bytes], 'model.safetensors'), new File(['{}'], 'config.json')]);
    const seen: Array<[number, number | null]> = [];
    expect(await source.read('model.safetensors', (loaded, total) => seen.push([loaded, total]))).toEqual(bytes);
    expect(seen[0]).toEqual([0, 70_000]);
    expect(seen.at(-1)).toEqual([70_000, 70_000]);
    expect(await source.read('vocab.txt')).toBeNull();
  });
});

test('topK: the k most probable of a softmax, in order, with ties and k beyond the row', () => {
  const top = topK([0, Math.log(3), Math.log(2), Math.log(3)], 2);
  expect(top.map((t) => t.index)).toEqual([1, 3]);
  top.forEach((t) => expect(t.p).toBeCloseTo(3 / 9, 12));
  expect(topK([1, 2], 5).map((t) => t.index)).toEqual([1, 0]);
});
