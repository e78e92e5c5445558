// The course home's list: every week group of the plan, built or not. A group's lesson is the registered lesson
// `week-<group>` (lessons/index.ts), so registering a lesson is all it takes to turn "coming" into a link.
import { LESSONS } from './lessons/index';
import { WEEK_GROUPS, type WeekGroup, type WeekInfo } from './types';

/** The lesson id a week group's page has, whether or not it is built yet. */
export function lessonIdFor(week: WeekGroup): string {
  return `week-${week}`;
}

const OUTLINE: Record<WeekGroup, Omit<WeekInfo, 'week' | 'lesson'>> = {
  '0': {
    title: 'Model evaluation',
    summary: 'Splits, k-fold, precision and recall, and how to tell a model that learned from one that memorised.',
  },
  '1-2': {
    title: 'Probability',
    summary: "Conditional probability, Bayes' rule and naive Bayes classifiers on spam and on points in the plane.",
  },
  '3': {
    title: 'N-gram language models',
    summary: 'Counting words to predict the next one: smoothing, perplexity, sampling and why longer contexts go sparse.',
  },
  '4': {
    title: 'Information theory',
    summary: 'Entropy, cross-entropy and KL divergence: the quantities every loss in the course is built from.',
  },
  '5-6': {
    title: 'Linear algebra',
    summary: 'Vectors, projections, matrices as maps, eigenvectors and the SVD, drawn and computed on the GPU.',
  },
  '7': {
    title: 'Calculus and gradient descent',
    summary: 'The chain rule on a computation graph, and SGD, momentum and Adam finding their way down surfaces.',
  },
  '8-9': {
    title: 'Neural networks',
    summary: 'From the perceptron to a multilayer network trained by backpropagation, step by step.',
  },
  '10': {
    title: 'Project: next-word prediction',
    summary: 'An n-gram model and a small neural language model compared on the same held-out text.',
  },
  '11-12': {
    title: 'Attention',
    summary: 'Queries, keys and values on a tiny example, and why attention beats squeezing a sentence into one vector.',
  },
  '13-14': {
    title: 'Self-attention and multiple heads',
    summary: 'Why self-attention ignores order until positions are added, and what several heads attend to.',
  },
  '15-16': {
    title: 'The transformer',
    summary: 'The full encoder-decoder trained on a toy translation task, and what residuals and layer norm buy.',
  },
  '17-18': {
    title: 'BERT and GPT',
    summary: 'Masked and causal language models side by side: pre-training, fine-tuning and sampling.',
  },
  '19-20': {
    title: 'Beyond the transformer',
    summary: 'Efficient and long-context attention, vision and multimodal transformers, state-space models, and a final project.',
  },
};

/** All 13 week groups in the plan's order; `lesson` is set for the ones whose lesson is registered. */
export const WEEKS: readonly WeekInfo[] = WEEK_GROUPS.map((week) => {
  const id = lessonIdFor(week);
  return { week, ...OUTLINE[week], ...(id in LESSONS ? { lesson: id } : {}) };
});
