// Share links: the graph in the URL hash, compact and validated on the way in exactly like a file.
//
//   #graph=1.<base64url(deflate-raw(json))>   where CompressionStream exists (Chrome 103+, Node 18+)
//   #graph=0.<base64url(json)>                 elsewhere; both forms are always readable where decoding allows
//
// The JSON leaves out parameters at their default and rounds positions, so a small network fits in a short link.
// Decoding caps both the link length and the inflated size, so a "zip bomb" link can't exhaust memory.
import { MAX_JSON_CHARS, parseGraph, serializeGraph, type LoadResult, type TrainSettings } from './schema';
import type { GraphState } from './types';
import { canCompress, deflateRaw, fromBase64Url, inflateRaw, toBase64Url } from '../url-bytes';

const PREFIX = '#graph=';
export const MAX_HASH_CHARS = 500_000;

/** The hash for a share link, e.g. "#graph=1.eJyr…". */
export async function encodeGraphHash(state: GraphState, opts: { name?: string; train?: TrainSettings; compress?: boolean } = {}): Promise<string> {
  const json = JSON.stringify(JSON.parse(serializeGraph(state, { name: opts.name, train: opts.train, omitDefaults: true, roundPositions: true })));
  const bytes = new TextEncoder().encode(json);
  if ((opts.compress ?? true) && canCompress()) {
    return `${PREFIX}1.${toBase64Url(await deflateRaw(bytes))}`;
  }
  return `${PREFIX}0.${toBase64Url(bytes)}`;
}

/** Whether a location hash holds a graph (so the app knows to try loading it). */
export function isGraphHash(hash: string): boolean {
  return hash.startsWith(PREFIX);
}

/** Reads a share-link hash back into a graph, with the same validation as opening a file. */
export async function decodeGraphHash(hash: string): Promise<LoadResult> {
  if (!isGraphHash(hash)) return { ok: false, error: 'This link holds no graph (its hash should start with "#graph=").' };
  if (hash.length > MAX_HASH_CHARS) return { ok: false, error: 'This link is too long to hold a graph.' };
  const body = hash.slice(PREFIX.length);
  const dot = body.indexOf('.');
  const kind = body.slice(0, dot);
  const bytes = dot > 0 ? fromBase64Url(body.slice(dot + 1)) : null;
  if (!bytes) return { ok: false, error: 'This link is damaged: its graph data is not valid base64url.' };
  let json: Uint8Array | null;
  if (kind === '0') json = bytes;
  else if (kind === '1') {
    if (!canCompress()) return { ok: false, error: 'This browser cannot read compressed links (it lacks DecompressionStream).' };
    json = await inflateRaw(bytes, MAX_JSON_CHARS * 4);
    if (!json) return { ok: false, error: 'This link is damaged or too large: its compressed graph could not be read.' };
  } else {
    return { ok: false, error: `This link uses an unknown encoding ("${kind.slice(0, 10)}"); it may come from a newer version of the playground.` };
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(json);
  } catch {
    return { ok: false, error: 'This link is damaged: its graph is not valid text.' };
  }
  return parseGraph(text);
}
