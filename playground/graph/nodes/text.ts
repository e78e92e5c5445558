// Data: a character-level corpus (first names, or text the user types) for next-character prediction.
import type { NodeTypeDef } from '../node-type';
import { CORPORA, textSource, vocabularyOf } from '../data/text';
import { dataRuntime } from './util';

export const text: NodeTypeDef = {
  type: 'text',
  label: 'Text corpus',
  category: 'data',
  help: 'Text cut into windows of T characters, one id per character. The target at each position is the next character, so a model learns to continue text — GPT in miniature.',
  inputs: [],
  outputs: [
    { name: 'tokens', dtype: 'int32', shape: '(B, T)', help: 'Character ids of each window.' },
    { name: 'next', dtype: 'int32', shape: '(B, T)', help: 'The same window shifted by one: the character that follows each position.' },
  ],
  params: [
    { kind: 'choice', name: 'corpus', label: 'Corpus', default: 'names', options: CORPORA, help: 'First names (about 8,800, separated by ".") or your own text below.' },
    { kind: 'int', name: 'blockSize', label: 'Context length (T)', default: 8, min: 2, max: 128, help: 'How many characters the model sees at once. Longer contexts cost more but capture more.' },
    {
      kind: 'text', name: 'text', label: 'Custom text', default: '', maxLength: 20_000, pattern: /^[\x20-\x7e\n]*$/, example: 'To be, or not to be',
      help: 'Used when the corpus is "custom text": plain ASCII letters, digits, punctuation and newlines.',
    },
  ],
  infer(ctx) {
    const corpus = ctx.choice('corpus');
    const T = ctx.int('blockSize');
    if (corpus === 'custom text' && ctx.text('text').length <= T) {
      ctx.error('param-out-of-range', `Custom text needs more than ${T} characters (the context length); it has ${ctx.text('text').length}.`, { param: 'text' });
    }
    ctx.bind('T', T);
    const classes = vocabularyOf(corpus).length;
    return {
      tokens: { shape: ['B', 'T'], dtype: 'int32', classes },
      next: { shape: ['B', 'T'], dtype: 'int32', classes },
    };
  },
  compile: (ctx) => dataRuntime(ctx.node.id, ['tokens', 'next']),
  pytorch: () => ({ forward: () => ({}) }),
  source: (p) => textSource(p.choice('corpus'), p.text('text'), p.int('blockSize')),
};
