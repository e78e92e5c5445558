// Where a Hugging Face checkpoint's files come from: files the user picked (or dropped), or a base URL that the
// user's own browser fetches (e.g. https://huggingface.co/<model>/resolve/main/). Both read a file as a stream so
// that the dialog can show bytes as they arrive, and both say which file failed and why.
import { concatBytes } from '../../engine/index';

/** A problem with one of the checkpoint's files, said in words the dialog shows as they are. */
export class CheckpointFileError extends Error {
  override name = 'CheckpointFileError';
}

/** Bytes of one file read so far; `total` is null when the size is not known in advance (no Content-Length). */
export type BytesProgress = (loaded: number, total: number | null) => void;

export interface CheckpointSource {
  /** Where the files are, for messages: "the chosen files" or the base URL. */
  readonly where: string;
  /**
   * The bytes of the file called `name`, or null when the source has none (not among the picked files, or a 404).
   * Any other failure (an HTTP error, a network or CORS failure) throws a CheckpointFileError naming the file.
   */
  read(name: string, onBytes?: BytesProgress): Promise<Uint8Array | null>;
}

/** Reads a stream to its end into one buffer, reporting the bytes so far; `total` sizes the buffer when known. */
async function readAll(stream: ReadableStream<Uint8Array>, total: number | null, onBytes?: BytesProgress, signal?: AbortSignal): Promise<Uint8Array> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let loaded = 0;
  onBytes?.(0, total);
  try {
    for (;;) {
      signal?.throwIfAborted();
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      loaded += value.length;
      onBytes?.(loaded, total);
    }
  } finally {
    reader.releaseLock();
  }
  // One copy at the end rather than a growing buffer: the chunks are views the stream handed over.
  return concatBytes(chunks);
}

/** The files the user picked or dropped, found by their names (folders are ignored: shards are named in the index). */
export function filesSource(files: readonly File[], signal?: AbortSignal): CheckpointSource {
  const byName = new Map(files.map((f) => [f.name, f]));
  return {
    where: 'the chosen files',
    async read(name, onBytes) {
      const file = byName.get(name);
      if (!file) return null;
      try {
        return await readAll(file.stream(), file.size, onBytes, signal);
      } catch (e) {
        if (signal?.aborted) throw e;
        throw new CheckpointFileError(`${name}: the browser could not read the file (${e instanceof Error ? e.message : String(e)}).`);
      }
    },
  };
}

/**
 * A base URL whose files the browser fetches. A relative or a missing trailing slash is allowed: "…/resolve/main"
 * means the folder, so config.json is "…/resolve/main/config.json".
 */
export function urlSource(base: string, signal?: AbortSignal): CheckpointSource {
  let root: URL;
  try {
    root = new URL(base.trim().replace(/\/?$/, '/'), location.href);
  } catch {
    throw new CheckpointFileError(`"${base}" is not a URL. Give the folder that holds config.json, e.g. https://huggingface.co/gpt2/resolve/main/`);
  }
  if (root.protocol !== 'http:' && root.protocol !== 'https:') {
    throw new CheckpointFileError(`"${base}" is not an http(s) URL. Give the folder that holds config.json, e.g. https://huggingface.co/gpt2/resolve/main/`);
  }
  return {
    where: root.href,
    async read(name, onBytes) {
      const url = new URL(name, root).href;
      let response: Response;
      try {
        response = await fetch(url, { signal });
      } catch (e) {
        if (signal?.aborted) throw e;
        // The browser gives no detail on purpose: a refused connection and a CORS refusal look the same to a page.
        throw new CheckpointFileError(
          `${name}: the browser could not fetch ${url} (${e instanceof Error ? e.message : String(e)}). ` +
            'The server may be unreachable, or may not allow pages from other sites to read its files (CORS).',
        );
      }
      if (response.status === 404) return null;
      if (!response.ok) throw new CheckpointFileError(`${name}: the server answered HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''} for ${url}.`);
      const length = Number(response.headers.get('content-length'));
      // A compressed response's Content-Length counts compressed bytes, which would overshoot the bar: then no total.
      const total = Number.isFinite(length) && length > 0 && !response.headers.get('content-encoding') ? length : null;
      try {
        return response.body ? await readAll(response.body, total, onBytes, signal) : new Uint8Array(await response.arrayBuffer());
      } catch (e) {
        if (signal?.aborted) throw e;
        throw new CheckpointFileError(`${name}: the download from ${url} broke off (${e instanceof Error ? e.message : String(e)}).`);
      }
    },
  };
}
