// The project page's model and numbers. `npm run train -- qa` (engine/train/qa.ts) fine-tuned the course's pre-trained
// BERT for extractive QA and trained the same model from scratch; it shipped the fine-tuned model as
// playground/public/models/bert-qa, whose card holds both runs' held-out scores (metrics.qa). The page reads that card
// and the pre-trained BERT's (fetchModel in a browser, readModel in Node, where test/course.project-qa.test.ts imports this file) and states
// its numbers as the recipe wrote them, never retyped. The widget's answers come from the shipped model, run on
// the CPU backend so they are the same on every machine.
import { nn, type ModelFiles } from '../../../../engine/index';
import { once, shippedModel } from '../../shipped';
import { generateQA, qaData, predictQA, QA_BUDGET, type QAExample, type QAPrediction } from '../../../../engine/course';

/** The shipped QA card and its files. */
export const qaFiles = (): Promise<ModelFiles> => shippedModel('bert-qa');

/** The pre-trained BERT's held-out masked-token accuracy, from its card: how much its pre-training taught it. */
export const bertMaskedAccuracy = once(async (): Promise<number> => {
  const v = (await shippedModel('bert')).card.metrics.heldOutMaskedAccuracy;
  if (typeof v !== 'number') throw new Error(`models/bert/card.json metrics.heldOutMaskedAccuracy: expected a number, got ${JSON.stringify(v)}`);
  return v;
});

export interface QAModel {
  model: nn.BertForQuestionAnswering;
  tok: nn.BPETokenizer;
  maxLen: number;
}

/** The fine-tuned model on the CPU backend, built once per page. */
export const qaModel = once(async (): Promise<QAModel> => {
  const f = await qaFiles();
  const model = nn.BertForQuestionAnswering.fromCard(f.card, f.weights, { device: 'cpu' });
  return { model, tok: nn.BPETokenizer.fromJSON(JSON.parse(f.tokenizer)), maxLen: model.bert.config.maxLen };
});

export interface Score {
  exactMatch: number;
  f1: number;
  heldOutLoss: number;
  initialHeldOutLoss: number;
}

/** Every seed's held-out scores for one init (the shipped model's seed first). */
export interface SeedScores {
  seeds: number[];
  exactMatch: number[];
  f1: number[];
}

export interface QAScores {
  /** The runs with the first seed: `pretrained` is the shipped model. */
  pretrained: Score;
  scratch: Score;
  bySeed: { pretrained: SeedScores; scratch: SeedScores };
  trainSize: number;
  heldOutSize: number;
  steps: number;
  batchSize: number;
  maxAnswerLen: number;
  parameters: number;
  generated: boolean;
}

/** metrics.qa of the shipped card, each field checked so a retrained card with a missing field says which. */
export const qaScores = once(async (): Promise<QAScores> => {
  const { card } = await qaFiles();
  const qa = card.metrics.qa as Record<string, unknown> | undefined;
  const where = 'models/bert-qa/card.json metrics.qa';
  if (!qa || typeof qa !== 'object') throw new Error(`${where}: missing`);
  const num = (o: unknown, path: string): number => {
    const v = path.split('.').reduce<unknown>((x, k) => (x && typeof x === 'object' ? (x as Record<string, unknown>)[k] : undefined), o);
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`${where}.${path}: expected a number, got ${JSON.stringify(v)}`);
    return v;
  };
  const score = (side: string): Score => ({
    exactMatch: num(qa, `${side}.exactMatch`), f1: num(qa, `${side}.f1`), heldOutLoss: num(qa, `${side}.heldOutLoss`), initialHeldOutLoss: num(qa, `${side}.initialHeldOutLoss`),
  });
  const seeds = (side: 'pretrained' | 'scratch'): SeedScores => {
    const list = (qa.bySeed as Record<string, unknown> | undefined)?.[side];
    if (!Array.isArray(list) || list.length === 0) throw new Error(`${where}.bySeed.${side}: expected a list of every seed's scores`);
    return {
      seeds: list.map((_, i) => num(list, `${i}.seed`)),
      exactMatch: list.map((_, i) => num(list, `${i}.exactMatch`)),
      f1: list.map((_, i) => num(list, `${i}.f1`)),
    };
  };
  return {
    pretrained: score('pretrained'), scratch: score('scratch'), bySeed: { pretrained: seeds('pretrained'), scratch: seeds('scratch') }, trainSize: num(qa, 'trainSize'), heldOutSize: num(qa, 'heldOutSize'),
    steps: num(qa, 'budget.steps'), batchSize: num(qa, 'budget.batchSize'), maxAnswerLen: num(qa, 'budget.maxAnswerLen'),
    parameters: card.architecture.parameters, generated: card.data.generated,
  };
});

/** How many passages the widget offers. */
export const WIDGET_PASSAGES = 8;

export interface PassageChoice {
  passage: string;
  questions: QAExample[];
}

/**
 * The passages the widget offers: drawn like the recipe's held-out split (its entity lists, its seed), with four
 * questions each, so no name, city, job or colour in them occurred in the model's training.
 */
export const heldOutPassages = once(async (): Promise<PassageChoice[]> => {
  const { tok, maxLen } = await qaModel();
  const { heldOut } = qaData(tok, maxLen, { ...QA_BUDGET, trainPassages: 1, heldOutPassages: WIDGET_PASSAGES, questionsPerPassage: 4 });
  const out: PassageChoice[] = [];
  for (const d of heldOut) {
    const last = out.at(-1);
    if (last && last.passage === d.example.passage) last.questions.push(d.example);
    else out.push({ passage: d.example.passage, questions: [d.example] });
  }
  return out;
});

/** The model's answer to any question about a passage, or why it cannot read it (too long for its 64 positions). */
export async function answer(question: string, passage: string): Promise<{ prediction: QAPrediction; input: nn.QAInput } | { error: string }> {
  const { model, tok, maxLen } = await qaModel();
  let input: nn.QAInput;
  try {
    input = nn.qaInput(tok, question, passage, maxLen);
  } catch (e) {
    return { error: e instanceof Error ? e.message : String(e) };
  }
  const [prediction] = await predictQA(model, [{ input, passage }]);
  return { prediction, input };
}

/** A generated example for the prose: the first training passage and its first question. */
export const SAMPLE: QAExample = generateQA({ passages: 1, split: 'train', seed: QA_BUDGET.trainSeed })[0];
