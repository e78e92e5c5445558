// `npm run pretrain`'s command line (scripts/pretrain/args.ts). npm runs the "pretrain" script before every
// `npm run train`, with no arguments: that must do nothing and succeed, or every training recipe fails.
import { describe, expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import { parsePretrainArgs } from '../scripts/pretrain/args';

const MODELS = ['gpt', 'bert', 'icl'];

describe('npm run pretrain arguments', () => {
  test('"pretrain" is the pre-hook of "train" in package.json, so no arguments means nothing to do', () => {
    const scripts = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }).scripts;
    expect(scripts.pretrain).toBeDefined();
    expect(scripts.train).toBeDefined();
    expect(parsePretrainArgs([], MODELS).kind).toBe('nothing');
    expect(parsePretrainArgs(['--'], MODELS).kind).toBe('nothing');
  });

  test('a model, with steps, resume and backend', () => {
    expect(parsePretrainArgs(['bert'], MODELS)).toEqual({ kind: 'run', name: 'bert', steps: undefined, resume: false, backend: 'cpu' });
    expect(parsePretrainArgs(['--', 'gpt', '--steps', '40', '--resume', '--webgpu'], MODELS)).toEqual({ kind: 'run', name: 'gpt', steps: 40, resume: true, backend: 'webgpu' });
    expect(parsePretrainArgs(['--steps', '12', 'icl'], MODELS)).toMatchObject({ kind: 'run', name: 'icl', steps: 12 });
  });

  test('an unknown model, a missing one or bad steps is an error that says what is wrong', () => {
    expect(parsePretrainArgs(['gtp'], MODELS)).toEqual({ kind: 'error', message: expect.stringMatching(/no model "gtp".*gpt\|bert\|icl/) });
    expect(parsePretrainArgs(['--cpu'], MODELS)).toEqual({ kind: 'error', message: expect.stringMatching(/^usage/) });
    expect(parsePretrainArgs(['gpt', '--steps', 'many'], MODELS)).toEqual({ kind: 'error', message: expect.stringMatching(/--steps wants a positive whole number, got many/) });
  });
});
