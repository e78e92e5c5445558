// The course's three shipped checkpoints (playground/public/models/{gpt,bert,icl}), read once per page with the
// engine's model-card reader: fetchModel from the site in a browser (Vite serves playground/public/ at its base
// URL), readModel from the same committed files in Node, where the unit tests import this lesson. The models the
// prose states numbers from are built on the CPU backend, so those numbers are the same on every machine; the
// widgets that measure speed or train build their own on the reader's device.
import { nn, type ModelFiles } from '../../../../engine/index';
import { shippedModel } from '../../shipped';

export type ModelName = 'gpt' | 'bert' | 'icl';

/** A checkpoint's card, weights and tokenizer text, read once per page. */
export function modelFiles(name: ModelName): Promise<ModelFiles> {
  return shippedModel(name);
}

export interface Pretrained {
  gpt: nn.GPT;
  bert: nn.BERT;
  /** GPT and BERT share one byte-level BPE (the card's tokenizer.json, trained on the same addresses). */
  tok: nn.BPETokenizer;
  icl: nn.GPT;
  iclTok: nn.Tokenizer;
}

let cpuModels: Promise<Pretrained> | null = null;

/** The three models on the CPU backend, built once per page and shared by the prose and the widgets. */
export function pretrained(): Promise<Pretrained> {
  cpuModels ??= Promise.all([modelFiles('gpt'), modelFiles('bert'), modelFiles('icl')]).then(([g, b, i]) => ({
    gpt: nn.GPT.fromCard(g.card, g.weights, { device: 'cpu' }),
    bert: nn.BERT.fromCard(b.card, b.weights, { device: 'cpu' }),
    tok: nn.BPETokenizer.fromJSON(JSON.parse(g.tokenizer)),
    icl: nn.GPT.fromCard(i.card, i.weights, { device: 'cpu' }),
    iclTok: nn.loadTokenizer(i.tokenizer),
  }));
  cpuModels.catch(() => (cpuModels = null));
  return cpuModels;
}


/** An error's message, for a widget's status line. */
export const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));
