// Share links for the Bench page's "Your kernel" tab: the kernel's family and WGSL in the URL's hash, as
// bench.html#kernel=<base64url of the raw-deflated JSON {"v":1,"family":…,"source":…}>. Opening such a link only
// puts the code in the editor; nothing is compiled or run until the user presses Run. A malformed link is
// refused with a KernelLinkError that says what is wrong, and the editor keeps what it had.
import { KERNEL_FAMILIES, type KernelFamily } from '../../engine/index';
import { canCompress, deflateRaw, fromBase64Url, inflateRaw, toBase64Url } from '../url-bytes';

export const KERNEL_HASH_KEY = 'kernel';
/** The largest kernel a link may carry once inflated (a guard against deflate bombs). */
export const MAX_SHARED_SOURCE_BYTES = 256 * 1024;

export interface SharedKernel {
  family: KernelFamily;
  source: string;
}

export class KernelLinkError extends Error {
  override name = 'KernelLinkError';
}

/** The hash (with its '#') that carries this kernel. */
export async function kernelHash(k: SharedKernel): Promise<string> {
  if (!canCompress()) throw new KernelLinkError('this browser cannot compress (no CompressionStream), so it cannot make a share link');
  const json = JSON.stringify({ v: 1, family: k.family, source: k.source });
  return `#${KERNEL_HASH_KEY}=${toBase64Url(await deflateRaw(new TextEncoder().encode(json)))}`;
}

/** True when the hash claims to carry a kernel (well formed or not). */
export function hasKernelHash(hash: string): boolean {
  return hash.startsWith(`#${KERNEL_HASH_KEY}=`);
}

/** The kernel a hash carries; null when it carries none; a KernelLinkError naming the problem when it is malformed. */
export async function readKernelHash(hash: string): Promise<SharedKernel | null> {
  if (!hasKernelHash(hash)) return null;
  const payload = hash.slice(KERNEL_HASH_KEY.length + 2);
  const bytes = fromBase64Url(payload);
  if (!bytes || bytes.length === 0) throw new KernelLinkError('the link\'s kernel is not valid base64url text (was it cut short or edited?)');
  if (!canCompress()) throw new KernelLinkError('this browser cannot decompress (no DecompressionStream), so it cannot open kernel links');
  const inflated = await inflateRaw(bytes, MAX_SHARED_SOURCE_BYTES);
  if (!inflated) throw new KernelLinkError(`the link's kernel is not valid deflate data, or inflates past ${MAX_SHARED_SOURCE_BYTES / 1024} KiB`);
  let data: unknown;
  try {
    data = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(inflated));
  } catch (e) {
    throw new KernelLinkError(`the link's kernel is not valid JSON (${(e as Error).message})`);
  }
  const o = data as { v?: unknown; family?: unknown; source?: unknown } | null;
  if (typeof o !== 'object' || o === null) throw new KernelLinkError('the link\'s kernel is not a JSON object');
  if (o.v !== 1) throw new KernelLinkError(`the link's kernel has format version ${JSON.stringify(o.v)}; this page reads version 1`);
  if (!KERNEL_FAMILIES.includes(o.family as KernelFamily)) {
    throw new KernelLinkError(`the link's kernel family is ${JSON.stringify(o.family)}; use ${KERNEL_FAMILIES.join(' or ')}`);
  }
  if (typeof o.source !== 'string') throw new KernelLinkError('the link\'s kernel has no WGSL source text');
  return { family: o.family as KernelFamily, source: o.source };
}
