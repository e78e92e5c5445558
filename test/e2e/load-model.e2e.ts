// Load a model, end to end, in headless chromium: the test writes a tiny GPT-2 checkpoint in Hugging Face's layout
// (config.json + model.safetensors with seeded random weights; GPT-2's full 50257-token vocabulary at width 8
// keeps it about 1.6 MB), serves it from its own HTTP server on another port (so the page's fetches are
// cross-origin, as from huggingface.co), and drives the toolbar's Load a model dialog:
//   1. by URL: the dialog fetches config.json and model.safetensors, then Generate writes a continuation;
//   2. broken checkpoints each get a message naming the file and the problem, and the dialog stays usable:
//      config.json that is not JSON, an unknown model_type, a truncated model.safetensors, no weights at all,
//      an HTTP error, and a server that does not allow cross-origin reads (CORS); a stalled download is cancelled;
//   3. a tiny BERT fills in [MASK] (five guesses with probabilities), and one without the masked-LM head says so
//      and shows its hidden states;
//   4. by the file picker: the GPT-2 checkpoint from disk loads, and Stop ends a long generation early;
//   5. Escape closes the dialog, focus goes back to the toolbar, and the graph is untouched and still editable.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createServer, type Server, type ServerResponse } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ElementHandle } from 'puppeteer';
import { nn, writeSafetensors, type TensorData } from '../../engine/index';
import { freePort, openPlayground, type Playground } from './harness';
import { pageHelpers } from './page-helpers';

const E = 8; // n_embd
const V = 50257; // GPT-2's vocabulary, so that every id its tokenizer gives has an embedding row
const CONFIG = {
  model_type: 'gpt2', architectures: ['GPT2LMHeadModel'], n_embd: E, n_head: 2, n_layer: 1, n_positions: 64, n_inner: null,
  vocab_size: V, layer_norm_epsilon: 1e-5, activation_function: 'gelu_new',
};

/** GPT2LMHeadModel's tensors as save_pretrained writes them (Conv1D weights are (in, out); the tied head omitted). */
function tinyGpt2(): Uint8Array {
  let s = 12345;
  const random = (shape: number[], std = 0.05): TensorData => {
    const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
    for (let i = 0; i < data.length; i++) {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0; // an LCG: reproducible, and plenty for random weights
      data[i] = (s / 2 ** 32 - 0.5) * 2 * std;
    }
    return { shape, data };
  };
  const fill = (n: number, v: number): TensorData => ({ shape: [n], data: new Float32Array(n).fill(v) });
  const t: Record<string, TensorData> = {
    'transformer.wte.weight': random([V, E]),
    'transformer.wpe.weight': random([64, E]),
    'transformer.h.0.ln_1.weight': fill(E, 1),
    'transformer.h.0.ln_1.bias': fill(E, 0),
    'transformer.h.0.attn.c_attn.weight': random([E, 3 * E], 0.3),
    'transformer.h.0.attn.c_attn.bias': fill(3 * E, 0),
    'transformer.h.0.attn.c_proj.weight': random([E, E], 0.3),
    'transformer.h.0.attn.c_proj.bias': fill(E, 0),
    'transformer.h.0.ln_2.weight': fill(E, 1),
    'transformer.h.0.ln_2.bias': fill(E, 0),
    'transformer.h.0.mlp.c_fc.weight': random([E, 4 * E], 0.3),
    'transformer.h.0.mlp.c_fc.bias': fill(4 * E, 0),
    'transformer.h.0.mlp.c_proj.weight': random([4 * E, E], 0.3),
    'transformer.h.0.mlp.c_proj.bias': fill(E, 0),
    'transformer.ln_f.weight': fill(E, 1),
    'transformer.ln_f.bias': fill(E, 0),
  };
  return writeSafetensors(t, { format: 'pt' });
}

const weights = tinyGpt2();
const config = JSON.stringify(CONFIG);
/** Path → [status, body, allow cross-origin reads]. Anything else is a 404. */
const routes = new Map<string, [number, string | Uint8Array, boolean]>([
  ['/good/config.json', [200, config, true]],
  ['/good/model.safetensors', [200, weights, true]],
  ['/not-json/config.json', [200, '{"model_type": "gpt2", n_embd: 8', true]],
  ['/llama/config.json', [200, JSON.stringify({ ...CONFIG, model_type: 'llama' }), true]],
  ['/truncated/config.json', [200, config, true]],
  ['/truncated/model.safetensors', [200, weights.subarray(0, 4000), true]],
  ['/no-weights/config.json', [200, config, true]],
  ['/http-error/config.json', [500, 'Internal Server Error', true]],
  ['/no-cors/config.json', [200, config, false]],
]);

/** A tiny BERT (built here on the CPU, written by toHuggingFace) over a 15-token WordPiece vocabulary. */
const VOCAB = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', 'the', 'cat', 'sat', 'on', 'mat', '.', 'a', 'dog', '##s', 'ran'];
async function tinyBert(heads: boolean): Promise<{ weights: Uint8Array; config: string }> {
  const model = new nn.BERT({ vocabSize: VOCAB.length, maxLen: 16, nLayer: 1, nHead: 2, dModel: 8, dimFeedforward: 12, dropout: 0, padId: 0, seed: 3, device: 'cpu' });
  const { weights, config } = await model.toHuggingFace({ heads });
  return { weights, config: JSON.stringify(config) };
}

let server: Server;
/** Responses the /stalled/ route started and never finished (ended when the test is over). */
const stalled: ServerResponse[] = [];
let base = '';
let pg: Playground;
let dir = '';
const { openOnWebGPU, context, el, text, until, nodeIds, selectNode } = pageHelpers(() => pg);

beforeAll(async () => {
  for (const [path, heads] of [['/bert/', true], ['/bert-bare/', false]] as const) {
    const bert = await tinyBert(heads);
    routes.set(`${path}config.json`, [200, bert.config, true]);
    routes.set(`${path}model.safetensors`, [200, bert.weights, true]);
    routes.set(`${path}vocab.txt`, [200, VOCAB.join('\n'), true]);
  }
  server = createServer((req, res) => {
    if (req.url === '/stalled/config.json') {
      // Headers and the first bytes of a 1 kB file, then nothing: the dialog sits on its progress bar.
      res.writeHead(200, { 'Access-Control-Allow-Origin': '*', 'Content-Length': '1000' });
      res.write('{"model_type": ');
      stalled.push(res);
      return;
    }
    const route = routes.get(req.url ?? '');
    const [status, body, cors] = route ?? [404, 'Not Found', true];
    if (cors) res.setHeader('Access-Control-Allow-Origin', '*');
    res.writeHead(status, { 'Content-Length': String(typeof body === 'string' ? Buffer.byteLength(body) : body.length) });
    res.end(body);
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${port}`;
  dir = mkdtempSync(join(tmpdir(), 'load-model-'));
  writeFileSync(join(dir, 'config.json'), config);
  writeFileSync(join(dir, 'model.safetensors'), weights);
  pg = await openPlayground();
});

afterAll(async () => {
  await pg?.screenshot('load-model.png').catch(() => undefined);
  await pg?.close();
  for (const res of stalled) res.destroy();
  await new Promise((resolve) => server?.close(resolve));
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const dialog = 'load-model-dialog';

async function loadState(): Promise<string> {
  return (await el(dialog)).evaluate((e) => e.getAttribute('state') ?? '');
}

/**
 * Runs `start`, which starts a load, and returns how that load ended: 'ready' or 'error'. It watches the dialog's
 * state attribute leave 'loading', so the outcome of the load before cannot be mistaken for this one's.
 */
async function load(what: string, start: () => Promise<void>): Promise<string> {
  await (await el(dialog)).evaluate((e) => {
    const w = window as unknown as { loadEnded?: Promise<string> };
    w.loadEnded = new Promise<string>((resolve) => {
      const watch = new MutationObserver((records) => {
        const now = e.getAttribute('state') ?? '';
        if (records.some((r) => r.oldValue === 'loading') && now !== 'loading') {
          watch.disconnect();
          resolve(now);
        }
      });
      watch.observe(e, { attributeFilter: ['state'], attributeOldValue: true });
    });
  });
  await start();
  const ended = await pg.page.evaluate(() =>
    Promise.race([(window as unknown as { loadEnded: Promise<string> }).loadEnded, new Promise<string>((r) => setTimeout(() => r('unfinished'), 20_000))]),
  );
  if (ended === 'unfinished') throw new Error(`The load of ${what} never finished (state ${await loadState()}).${context()}`);
  return ended;
}

/** Submits a base URL in the dialog (then does `meanwhile`, if given) and returns how the load ended. */
async function loadUrl(url: string, meanwhile?: () => Promise<void>): Promise<string> {
  const input = await el(`${dialog} >>> [data-model-url]`);
  await input.click({ count: 3 });
  await input.type(url);
  return load(url, async () => {
    await input.press('Enter');
    await meanwhile?.();
  });
}

async function errorText(): Promise<string> {
  return text(`${dialog} >>> [data-load-error]`);
}

/**
 * Generates up to `max` tokens from a short prompt and returns the output once the run has finished; with `stop`,
 * presses Stop as soon as the first token shows.
 */
async function generate(prompt: string, max = 6, stop = false): Promise<string> {
  const box = await el(`${dialog} >>> generate-panel >>> [data-prompt]`);
  await box.click({ count: 3 });
  await box.type(prompt);
  const field = await el(`${dialog} >>> generate-panel >>> #max`);
  await field.click({ count: 3 });
  await field.type(String(max));
  await field.press('Tab'); // 'change' fires as the field loses focus
  await (await el(`${dialog} >>> generate-panel >>> [data-generate]`)).click();
  const output = `${dialog} >>> generate-panel >>> [data-generate-output]`;
  if (stop) {
    await until('the first token', async () => /^\d+ tokens/.test(await text(`${dialog} >>> generate-panel >>> [data-rate]`)), 20_000);
    await (await el(`${dialog} >>> generate-panel >>> [data-stop]`)).click();
  }
  await until('generation to finish', async () => {
    const o = await el(output);
    return (await o.evaluate((e) => e.getAttribute('data-running'))) === 'false' && (await o.evaluate((e) => e.textContent ?? '')).length > prompt.length;
  }, 20_000);
  const failed = await pg.page.$(`>>> ${dialog} >>> [data-generate-error]`);
  if (failed) throw new Error(`Generation failed: ${await failed.evaluate((e) => e.textContent)}${context()}`);
  return (await el(output)).evaluate((e) => e.textContent ?? '');
}

/** Presses the fill-mask panel's button and returns what it shows (`shown`), failing with the panel's error instead. */
async function fill(shown: string): Promise<ElementHandle<Element>> {
  const panel = `${dialog} >>> fill-mask-panel >>> `;
  await (await el(`${panel}[data-fill]`)).click();
  let found: ElementHandle<Element> | null = null;
  let failed: ElementHandle<Element> | null = null;
  await until(`the fill-mask panel to show ${shown}`, async () => {
    [found, failed] = await Promise.all([pg.page.$(`>>> ${panel}${shown}`), pg.page.$(`>>> ${panel}[data-fill-error]`)]);
    return found !== null || failed !== null;
  }, 10_000);
  if (failed) throw new Error(`The fill-mask panel failed: ${await (failed as ElementHandle<Element>).evaluate((e) => e.textContent)}`);
  return found!;
}

test('tiny GPT-2 and BERT checkpoints load through the dialog by URL and from files and run, and broken ones get clear errors', async () => {
  await openOnWebGPU();
  await until('the first example to open', async () => (await nodeIds()).length > 0, 15_000);
  const graphBefore = await nodeIds();

  // 1. By URL (cross-origin, with CORS headers).
  const openButton = await el('editor-toolbar >>> [data-action="load-model"]');
  await openButton.click();
  if ((await loadUrl(`${base}/good/`)) !== 'ready') throw new Error(`The good checkpoint should load, but: ${await errorText()}${context()}`);
  expect(await text(`${dialog} >>> [data-model-summary]`)).toMatch(/GPT-2-style model: .* 1 layer, 2 heads, width 8, vocabulary 50257/);
  const out = await generate('Hello world');
  expect(out.startsWith('Hello world'), out).toBe(true);
  expect(out.length).toBeGreaterThan('Hello world'.length);
  expect(await text(`${dialog} >>> generate-panel >>> [data-rate]`)).toMatch(/^6 tokens, [\d.]+ tokens\/s$/);

  // 2. Broken checkpoints: each message names the file and the problem; the panel of the last model is gone.
  const broken: Array<[string, RegExp]> = [
    ['not-json', /config\.json is not valid JSON/],
    ['llama', /config\.json: model_type "llama" is not supported/],
    ['truncated', /model\.safetensors: .*beyond the \d+-byte data section/],
    ['no-weights', /neither model\.safetensors nor model\.safetensors\.index\.json/],
    ['http-error', /config\.json: the server answered HTTP 500/],
    ['no-cors', /config\.json: the browser could not fetch .*CORS/],
    ['missing', /config\.json is missing/],
  ];
  for (const [path, message] of broken) {
    expect(await loadUrl(`${base}/${path}/`), `${path} should fail to load${context()}`).toBe('error');
    expect(await errorText(), path).toMatch(message);
    expect(await pg.page.$(`>>> ${dialog} >>> generate-panel`), `${path}: no model panel after a failed load`).toBeNull();
  }

  // Cancel: a server that stalls mid-file keeps the progress bar up; Cancel ends the load, with no error.
  const cancelled = await loadUrl(`${base}/stalled/`, async () => {
    await until('the progress bar', async () => /config\.json/.test(await text(`${dialog} >>> [data-load-stage]`)), 10_000);
    await (await el(`${dialog} >>> [data-cancel]`)).click();
  });
  expect(cancelled).toBe('idle');
  expect(await pg.page.$(`>>> ${dialog} >>> [data-load-error]`), 'a cancel is no error').toBeNull();

  // 3. BERT: the fill-the-mask panel, and for a checkpoint without the masked-LM head, the hidden states.
  expect(await loadUrl(`${base}/bert/`), `the BERT should load${context()}`).toBe('ready');
  expect(await text(`${dialog} >>> [data-model-summary]`)).toMatch(/BERT-style model: .* 1 layer, 2 heads, width 8, vocabulary 15/);
  const sentence = await el(`${dialog} >>> fill-mask-panel >>> [data-sentence]`);
  await sentence.click({ count: 3 });
  await sentence.type('the cat [MASK] on the mat.');
  const predictions = await (await fill('[data-fill-results]')).evaluate((e) =>
    [...e.querySelectorAll('tr')].slice(1).map((r) => [...r.querySelectorAll('td')].map((d) => d.textContent?.trim()).join(' ')),
  );
  expect(predictions, 'five guesses for the one mask, each a vocabulary token with its probability').toHaveLength(5);
  for (const p of predictions) expect(p).toMatch(/^\S+ \d+\.\d%$/);
  expect(await loadUrl(`${base}/bert-bare/`)).toBe('ready');
  expect(await text(`${dialog} >>> fill-mask-panel >>> [data-no-mlm]`)).toMatch(/no masked-LM head/);
  const hidden = await (await fill('[data-hidden-state]')).evaluate((e) => e.querySelectorAll('tr').length - 1);
  expect(hidden, 'one row per token of the sentence kept from before: [CLS] the cat [MASK] on the mat . [SEP]').toBe(9);

  // 4. The GPT-2 checkpoint from disk, through the file picker.
  const picker = (await el(`${dialog} >>> [data-model-files]`)) as ElementHandle<HTMLInputElement>;
  const picked = await load('the picked files', () => picker.uploadFile(join(dir, 'config.json'), join(dir, 'model.safetensors')));
  if (picked !== 'ready') throw new Error(`The picked files should load, but: ${await errorText()}${context()}`);
  expect(await pg.page.$(`>>> ${dialog} >>> [data-load-error]`), 'the last error is cleared').toBeNull();
  const again = await generate('The', 1000, true);
  expect(again.startsWith('The') && again.length > 3, again).toBe(true);
  const made = Number((await text(`${dialog} >>> generate-panel >>> [data-rate]`)).split(' ')[0]);
  expect(made, 'Stop ends a 1000-token run early, keeping what it wrote').toBeLessThan(1000);

  // 5. Escape closes the dialog and gives focus back to the toolbar; the graph is as it was, and still editable.
  await pg.page.keyboard.press('Escape');
  await until('the dialog to close', async () => !(await (await el(dialog)).evaluate((e) => e.hasAttribute('open'))), 5_000);
  expect(await openButton.evaluate((b) => b.getRootNode() instanceof ShadowRoot && (b.getRootNode() as ShadowRoot).activeElement === b)).toBe(true);
  expect(await nodeIds()).toEqual(graphBefore);
  await selectNode(graphBefore[0]);
  await pg.page.keyboard.press('Delete');
  await until('the selected node to be deleted', async () => (await nodeIds()).length === graphBefore.length - 1, 5_000);
});
