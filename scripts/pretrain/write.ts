// What every pretraining run shares: its context (backend, adapter, log) and writing a model's directory.
import { mkdir, writeFile } from 'node:fs/promises';
import { parseModelCard, type ModelCard } from '../../engine/index';

export interface PretrainContext {
  /** Overrides the run's step count (for a quick trial; the shipped cards record what was run). */
  steps?: number;
  /** Continue from the shipped checkpoint where a run supports it (gpt: its remaining phases). */
  resume?: boolean;
  backend: 'cpu' | 'webgpu';
  adapter: string;
  log: (line: string) => void;
}

/** Where runs write; PRETRAIN_OUT=<dir> sends a trial run elsewhere, leaving the shipped checkpoints alone. */
export const MODELS_DIR = process.env.PRETRAIN_OUT ?? 'playground/public/models';

/** Writes playground/public/models/<name>/: the weights, the tokenizer and the card (checked before writing). */
export async function writeModel(name: string, files: { weights: Uint8Array; tokenizer: string; card: ModelCard }): Promise<string> {
  const card = parseModelCard(JSON.parse(JSON.stringify(files.card)), `${name}/card.json`);
  const dir = `${MODELS_DIR}/${name}`;
  await mkdir(dir, { recursive: true });
  await writeFile(`${dir}/${card.weights.file}`, files.weights);
  await writeFile(`${dir}/${card.tokenizer.file}`, files.tokenizer + '\n');
  await writeFile(`${dir}/card.json`, JSON.stringify(card, null, 2) + '\n');
  return dir;
}
