// Bytes in a URL: base64url text and raw deflate with a cap on what inflating may produce, shared by the
// playground's share links (graph/share.ts) and the course's lesson links (course/progress.ts).
import { concatBytes } from '../engine/index';

export function toBase64Url(bytes: Uint8Array): string {
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function fromBase64Url(text: string): Uint8Array | null {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return null;
  try {
    const bin = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
    return Uint8Array.from(bin, (c) => c.charCodeAt(0));
  } catch {
    return null;
  }
}

async function pipe(bytes: Uint8Array, stream: CompressionStream | DecompressionStream, limit: number): Promise<Uint8Array | null> {
  const writer = stream.writable.getWriter();
  // Write and close without awaiting: the readable side must be drained concurrently or large inputs stall.
  const writing = writer.write(bytes as Uint8Array<ArrayBuffer>).then(() => writer.close()).catch(() => undefined);
  const reader = stream.readable.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.length;
      if (total > limit) {
        await reader.cancel();
        return null;
      }
      chunks.push(value);
    }
  } catch {
    return null; // corrupt deflate data
  }
  await writing;
  return concatBytes(chunks);
}

/** Whether this runtime can deflate and inflate (Chrome 103+, Node 18+). */
export const canCompress = (): boolean => typeof CompressionStream === 'function' && typeof DecompressionStream === 'function';

/** Raw deflate (RFC 1951) of `bytes`. */
export async function deflateRaw(bytes: Uint8Array): Promise<Uint8Array> {
  return (await pipe(bytes, new CompressionStream('deflate-raw'), Infinity))!;
}

/** Inflates raw deflate data; null on corrupt data or when the result would pass `limit` bytes (a "zip bomb"). */
export function inflateRaw(bytes: Uint8Array, limit: number): Promise<Uint8Array | null> {
  return pipe(bytes, new DecompressionStream('deflate-raw'), limit);
}
