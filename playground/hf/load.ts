// Turns a checkpoint source (source.ts) into a running model and its tokenizer: config.json first (its model_type
// picks GPT-2 or BERT), then the tokenizer's files, then the weights (model.safetensors, or the sharded index and
// its shards, read one at a time), through the engine's Hugging Face loaders. Each failure names the file and
// the problem; a cancelled or failed load leaves nothing on the GPU.
import { dispose, nn, OverLimitError } from '../../engine/index';
import { CheckpointFileError, type BytesProgress, type CheckpointSource } from './source';

export type HfConfig = Record<string, unknown>;

export interface LoadedGpt2 {
  kind: 'gpt2';
  model: nn.GPT;
  tokenizer: nn.GPT2Tokenizer;
  config: HfConfig;
}

export interface LoadedBert {
  kind: 'bert';
  model: nn.BERT;
  tokenizer: nn.BertTokenizer;
  config: HfConfig;
  /** Whether the checkpoint carried the masked-LM head (cls.predictions.*); without it only hidden states exist. */
  hasMlmHead: boolean;
}

export type LoadedModel = LoadedGpt2 | LoadedBert;

/** What the progress bar shows: a stage in words and how far it is (total null: not known yet). */
export interface LoadProgress {
  stage: string;
  loaded: number;
  total: number | null;
  /** Bytes of a file read so far, or a count the loader reports (its own unit: tensors or bytes). */
  unit: 'bytes' | 'count';
}

export interface LoadOptions {
  signal?: AbortSignal;
  onProgress?: (p: LoadProgress) => void;
}

const SUPPORTED = ['gpt2', 'bert'] as const;

/** Frees a loaded model's weights on the GPU (its tokenizer holds nothing there). */
export function disposeModel(m: LoadedModel): void {
  dispose(m.model.parameters());
}

/** A one-line description for the dialog: the kind and its sizes, from config.json. */
export function describeModel(m: LoadedModel): string {
  const params = m.model.numParameters();
  const size = params >= 1e6 ? `${(params / 1e6).toFixed(1)}M` : `${(params / 1e3).toFixed(1)}k`;
  const c = m.config;
  const count = (n: unknown, what: string): string => `${String(n)} ${what}${n === 1 ? '' : 's'}`;
  return m.kind === 'gpt2'
    ? `GPT-2-style model: ${size} parameters, ${count(c.n_layer, 'layer')}, ${count(c.n_head, 'head')}, width ${String(c.n_embd)}, vocabulary ${String(c.vocab_size)}`
    : `BERT-style model: ${size} parameters, ${count(c.num_hidden_layers, 'layer')}, ${count(c.num_attention_heads, 'head')}, width ${String(c.hidden_size)}, vocabulary ${String(c.vocab_size)}`;
}

function parseJson(name: string, bytes: Uint8Array): unknown {
  const text = new TextDecoder().decode(bytes);
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new CheckpointFileError(`${name} is not valid JSON (${e instanceof Error ? e.message : String(e)}).`);
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

async function required(source: CheckpointSource, name: string, why: string, onBytes?: BytesProgress): Promise<Uint8Array> {
  const bytes = await source.read(name, onBytes);
  if (!bytes) throw new CheckpointFileError(`${name} is missing from ${source.where} (${why}).`);
  return bytes;
}

/** Reads and checks config.json: a JSON object whose model_type is one this dialog runs. */
async function readConfig(source: CheckpointSource): Promise<HfConfig & { model_type: (typeof SUPPORTED)[number] }> {
  const config = parseJson('config.json', await required(source, 'config.json', 'it holds the model\'s architecture and sizes'));
  if (!isObject(config)) throw new CheckpointFileError('config.json must hold a JSON object (the model\'s settings), not ' + (Array.isArray(config) ? 'an array.' : `${JSON.stringify(config)}.`));
  const type = config.model_type;
  if (typeof type !== 'string') throw new CheckpointFileError('config.json has no model_type, so the architecture is unknown (this dialog loads "gpt2" and "bert").');
  if (!(SUPPORTED as readonly string[]).includes(type)) {
    throw new CheckpointFileError(`config.json: model_type "${type}" is not supported; this dialog loads GPT-2-style ("gpt2") and BERT-style ("bert") models.`);
  }
  return config as HfConfig & { model_type: (typeof SUPPORTED)[number] };
}

/** How many tokens a vocab.json (token → id) or tokenizer.json (model.vocab plus added_tokens) defines. */
function vocabularySize(name: string, json: unknown): number {
  const ids = new Set<number>();
  const vocab = name === 'tokenizer.json' ? (isObject(json) && isObject(json.model) ? json.model.vocab : undefined) : json;
  if (!isObject(vocab)) throw new CheckpointFileError(`${name} has no vocabulary (${name === 'tokenizer.json' ? 'model.vocab' : 'a token → id object'}).`);
  for (const id of Object.values(vocab)) if (typeof id === 'number') ids.add(id);
  if (isObject(json) && Array.isArray(json.added_tokens)) for (const t of json.added_tokens) if (isObject(t) && typeof t.id === 'number') ids.add(t.id);
  return ids.size;
}

/**
 * GPT-2's own byte-level BPE is built in. A vocab.json or tokenizer.json given alongside is only checked: one of
 * another size belongs to another tokenizer, which this dialog cannot run.
 */
async function gpt2Tokenizer(source: CheckpointSource, config: HfConfig): Promise<nn.GPT2Tokenizer> {
  const tokenizer = await nn.GPT2Tokenizer.load();
  for (const name of ['vocab.json', 'tokenizer.json']) {
    const bytes = await source.read(name);
    if (!bytes) continue;
    const n = vocabularySize(name, parseJson(name, bytes));
    if (n !== tokenizer.vocabSize) {
      throw new CheckpointFileError(
        `${name} defines ${n} tokens, but GPT-2's byte-level BPE has ${tokenizer.vocabSize}: only GPT-2's own tokenizer is supported here, so this model's cannot be used.`,
      );
    }
  }
  const vocab = config.vocab_size;
  if (typeof vocab === 'number' && vocab < tokenizer.vocabSize) {
    throw new CheckpointFileError(
      `config.json: vocab_size ${vocab} is smaller than GPT-2's tokenizer (${tokenizer.vocabSize} tokens), so the model was not trained on GPT-2's BPE, the only one supported here.`,
    );
  }
  return tokenizer;
}

/** BERT's WordPiece from vocab.txt; lower-casing as tokenizer_config.json's do_lower_case says (default on, as bert-base-uncased). */
async function bertTokenizer(source: CheckpointSource): Promise<nn.BertTokenizer> {
  const vocab = new TextDecoder().decode(await required(source, 'vocab.txt', "BERT's WordPiece vocabulary"));
  const settings = await source.read('tokenizer_config.json');
  const parsed = settings ? parseJson('tokenizer_config.json', settings) : {};
  const lowercase = isObject(parsed) && typeof parsed.do_lower_case === 'boolean' ? parsed.do_lower_case : true;
  try {
    return nn.BertTokenizer.fromVocab(vocab, { lowercase });
  } catch (e) {
    throw new CheckpointFileError(`vocab.txt: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** The weights argument of fromHuggingFace: model.safetensors whole, or the sharded index with a shard reader. */
async function readWeights(
  source: CheckpointSource,
  bytesProgress: (name: string) => BytesProgress,
): Promise<{ file: string; weights: nn.HuggingFaceWeights }> {
  const single = await source.read('model.safetensors', bytesProgress('model.safetensors'));
  if (single) return { file: 'model.safetensors', weights: single };
  const indexBytes = await source.read('model.safetensors.index.json');
  if (!indexBytes) {
    throw new CheckpointFileError(`The weights are missing from ${source.where}: neither model.safetensors nor model.safetensors.index.json (with its shards) is there.`);
  }
  const index = parseJson('model.safetensors.index.json', indexBytes);
  if (!isObject(index)) throw new CheckpointFileError('model.safetensors.index.json must hold a JSON object with a weight_map.');
  const shard = async (name: string): Promise<Uint8Array> =>
    required(source, name, 'model.safetensors.index.json names it as a shard of the weights', bytesProgress(name));
  return { file: 'model.safetensors.index.json', weights: { index, shard } as nn.HuggingFaceWeights };
}

export async function loadCheckpoint(source: CheckpointSource, opts: LoadOptions = {}): Promise<LoadedModel> {
  const { signal } = opts;
  const report = (stage: string, loaded: number, total: number | null, unit: LoadProgress['unit'] = 'count'): void => {
    signal?.throwIfAborted(); // the loaders' progress callback is where a cancel reaches them
    opts.onProgress?.({ stage, loaded, total, unit });
  };
  report('Reading config.json', 0, null);
  const config = await readConfig(source);
  report('Reading the tokenizer', 0, null);
  const tokenizer = config.model_type === 'gpt2' ? await gpt2Tokenizer(source, config) : await bertTokenizer(source);
  const where = (name: string): string => (source.where.startsWith('http') ? `Fetching ${name}` : `Reading ${name}`);
  const { file, weights } = await readWeights(source, (name) => (loaded, total) => report(where(name), loaded, total, 'bytes'));

  const loaderOpts = {
    onProgress: (p: { loaded: number; total: number; key?: string }) => report(`Loading the weights into the model${p.key ? ` (${p.key})` : ''}`, p.loaded, p.total),
  };
  try {
    if (config.model_type === 'gpt2') {
      const model = await nn.GPT.fromHuggingFace(weights, config, loaderOpts);
      if (signal?.aborted) dispose(model.parameters());
      signal?.throwIfAborted();
      return { kind: 'gpt2', model, tokenizer: tokenizer as nn.GPT2Tokenizer, config };
    }
    const model = await nn.BERT.fromHuggingFace(weights, config, loaderOpts);
    if (signal?.aborted) dispose(model.parameters());
    signal?.throwIfAborted();
    return { kind: 'bert', model, tokenizer: tokenizer as nn.BertTokenizer, config, hasMlmHead: model.mlm_dense !== null };
  } catch (e) {
    if (signal?.aborted || e instanceof CheckpointFileError) throw e;
    const message = e instanceof Error ? e.message : String(e);
    if (e instanceof OverLimitError) throw new CheckpointFileError(`${file}: the model is over this adapter's limits. ${message}`);
    // The loaders name the key, the shapes or the setting; say which files they were reading.
    throw new CheckpointFileError(/\.(json|safetensors)\b/.test(message) ? message : `config.json and ${file}: ${message}`);
  }
}
