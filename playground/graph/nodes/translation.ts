// Data: synthetic translation pairs on digit strings (reverse, sort or copy), for encoder–decoder transformers.
import type { NodeTypeDef } from '../node-type';
import { TASKS, TRANSLATION_VOCAB, translationSource } from '../data/translation';
import { dataRuntime } from './util';

export const translation: NodeTypeDef = {
  type: 'translation',
  label: 'Toy translation',
  category: 'data',
  help: 'Pairs of digit strings where the "translation" follows a rule, such as reversing. An encoder reads the source; a decoder writes the target one digit at a time, looking back at the source through cross-attention.',
  inputs: [],
  outputs: [
    { name: 'source', dtype: 'int32', shape: '(B, S)', help: 'The digits to translate (ids 0–9).' },
    { name: 'decoderIn', dtype: 'int32', shape: '(B, T)', help: 'The target shifted right behind a start symbol: what the decoder has written so far.' },
    { name: 'decoderTarget', dtype: 'int32', shape: '(B, T)', help: 'The target followed by an end symbol: what the decoder should write next at each position.' },
  ],
  params: [
    { kind: 'choice', name: 'task', label: 'Task', default: 'reverse', options: TASKS, help: 'The rule that turns the source into the target.' },
    { kind: 'int', name: 'length', label: 'Length (S)', default: 5, min: 2, max: 16, help: 'Digits per source string. The target has one more position for the end symbol.' },
  ],
  infer(ctx) {
    const S = ctx.int('length');
    ctx.bind('S', S);
    ctx.bind('T', S + 1);
    const classes = TRANSLATION_VOCAB.length;
    return {
      source: { shape: ['B', 'S'], dtype: 'int32', classes },
      decoderIn: { shape: ['B', 'T'], dtype: 'int32', classes },
      decoderTarget: { shape: ['B', 'T'], dtype: 'int32', classes },
    };
  },
  compile: (ctx) => dataRuntime(ctx.node.id, ['source', 'decoderIn', 'decoderTarget']),
  pytorch: () => ({ forward: () => ({}) }),
  source: (p) => translationSource(p.choice('task'), p.int('length')),
};
