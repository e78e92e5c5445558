// The Bench page's kernel share links (playground/bench/kernel-share.ts): a kernel round-trips through the hash,
// and each way a link can be malformed is refused with its own message (the page then keeps the editor's text).
import { describe, expect, it } from 'vitest';
import { STARTER_KERNELS } from '../engine/index';
import { KernelLinkError, MAX_SHARED_SOURCE_BYTES, hasKernelHash, kernelHash, readKernelHash } from '../playground/bench/kernel-share';
import { deflateRaw, toBase64Url } from '../playground/url-bytes';

/** A hash carrying these bytes, deflated, as a link would. */
async function hashOf(text: string): Promise<string> {
  return `#kernel=${toBase64Url(await deflateRaw(new TextEncoder().encode(text)))}`;
}

describe('kernel share links', () => {
  it('round-trip a kernel, and ignore a hash that carries none', async () => {
    const k = { family: 'matmul' as const, source: `${STARTER_KERNELS.matmul}\n// ünïcode ✓` };
    const hash = await kernelHash(k);
    expect(hash).toMatch(/^#kernel=[A-Za-z0-9_-]+$/);
    expect(hasKernelHash(hash)).toBe(true);
    expect(await readKernelHash(hash)).toEqual(k);
    expect(await readKernelHash('#graph=abc')).toBeNull();
    expect(await readKernelHash('')).toBeNull();
  });

  it('refuse each malformed link with what is wrong', async () => {
    const refuse = async (hash: string, message: RegExp): Promise<void> => {
      const e = await readKernelHash(hash).then(() => null, (x: unknown) => x);
      expect(e).toBeInstanceOf(KernelLinkError);
      expect((e as Error).message).toMatch(message);
    };
    await refuse('#kernel=', /not valid base64url/);
    await refuse('#kernel=ab$cd', /not valid base64url/);
    const good = await kernelHash({ family: 'attention', source: STARTER_KERNELS.attention });
    await refuse(good.slice(0, -12), /not valid deflate data/);
    await refuse(await hashOf('{"v":1,"family":"attention"'), /not valid JSON/);
    await refuse(await hashOf('[1]'), /format version undefined/);
    await refuse(await hashOf('{"v":2,"family":"attention","source":""}'), /format version 2; this page reads version 1/);
    await refuse(await hashOf('{"v":1,"family":"conv","source":""}'), /family is "conv"; use attention or matmul/);
    await refuse(await hashOf('{"v":1,"family":"matmul","source":7}'), /no WGSL source text/);
    await refuse(await hashOf(`{"v":1,"family":"matmul","source":"${'x'.repeat(MAX_SHARED_SOURCE_BYTES)}"}`), /inflates past 256 KiB/);
  });
});
