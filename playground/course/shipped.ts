// The shipped checkpoints (playground/public/models/<name>/) as lessons read them: fetched from the site in a
// browser (Vite serves playground/public/ at its base URL), read from the same committed files in Node, where the
// unit tests import the lessons. Each model and file is read once per page; a failed read is forgotten, so the next
// call tries again.
import { fetchModel, readModel, type ModelFiles } from '../../engine/index';

const inNode = (): boolean => typeof process !== 'undefined' && !!process.versions?.node;

/** The folder of playground/public/models/ as a path (Node) or a URL (browser). */
async function modelsDir(name: string): Promise<string> {
  if (inNode()) {
    // Variable specifiers keep bundlers from pulling node: modules into the page, and keep Vite from taking
    // `new URL(literal, import.meta.url)` for an asset import.
    const urlName = 'node:url';
    const { fileURLToPath } = (await import(/* @vite-ignore */ urlName)) as typeof import('node:url');
    const folder = '../public/models/';
    return fileURLToPath(new URL(folder + name, import.meta.url));
  }
  return new URL(`${import.meta.env.BASE_URL}models/${name}`, globalThis.location.href).href;
}

/** Remembers a promise, and forgets it when it fails so that the next call tries again. */
export function once<T>(make: () => Promise<T>): () => Promise<T> {
  let p: Promise<T> | null = null;
  return () => {
    if (!p) {
      p = make();
      p.catch(() => (p = null));
    }
    return p;
  };
}

const cards = new Map<string, () => Promise<ModelFiles>>();

/** A checkpoint with a model card (gpt, bert, icl, bert-qa): its card, weights and tokenizer text, read once. */
export function shippedModel(name: string): Promise<ModelFiles> {
  let read = cards.get(name);
  if (!read) {
    read = once(async () => (inNode() ? readModel(await modelsDir(name)) : fetchModel(await modelsDir(name))));
    cards.set(name, read);
  }
  return read();
}

/** One file of a checkpoint folder as bytes (the ViT's and CLIP's model.safetensors and run.json). */
export async function shippedFile(name: string, file: string, hint: string): Promise<Uint8Array> {
  const dir = await modelsDir(name);
  if (inNode()) {
    const fsName = 'node:fs/promises';
    const { readFile } = (await import(/* @vite-ignore */ fsName)) as typeof import('node:fs/promises');
    return new Uint8Array(await readFile(`${dir}/${file}`));
  }
  const r = await fetch(`${dir}/${file}`);
  if (!r.ok) throw new Error(`${dir}/${file}: HTTP ${r.status}; ${hint}`);
  return new Uint8Array(await r.arrayBuffer());
}
