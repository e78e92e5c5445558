// Reductions of one axis of a strided input: sum, max, min, argmax, argmin (shaders/reduce.wgsl).
//
// Each pass reduces chunks of the axis, (kept, len) → (kept, ceil(len / chunk)), and passes repeat until one
// chunk covers the axis. A sum over a million elements is then two tree passes (1024 → 1, then 1025 → 1) whose
// rounding error grows with log(len) rather than len. Arg ops carry (value, index) pairs between passes. The
// first pass reads the input through its strides; later passes read their contiguous temporaries.
import type { ReduceLayout, ReduceOp, Storage } from '../backend';
import type { GpuContext } from './context';
import { allocStorage, gpu, groups, type GpuStorage } from './storage';
import { stridedUniforms } from './strided';
import { wgslConsts } from './shader';

// The shader's OP override numbering, which it reads as OP_<NAME> consts. A Record makes the compiler flag an op
// that lacks a number.
export const REDUCE_OPS: Record<ReduceOp, number> = { sum: 0, max: 1, min: 2, argmax: 3, argmin: 4 };
const OP_CONSTS = wgslConsts('OP_', REDUCE_OPS);

// 64 threads: a tree of depth 6. On SwiftShader each workgroup barrier costs roughly in proportion to the
// workgroup's size (256-thread trees measured ~6× slower per element than 64-thread ones), and on GPUs 64 threads
// with 16 elements each still hide memory latency.
const WG = 64;
/** Elements of the axis one workgroup reduces in the tree layout: 16 per thread, read in strides of WG. */
const TREE_CHUNK = WG * 16;
/** Elements one thread reduces serially in the per-thread layout: short, so float32 rounding stays small. */
const SERIAL_CHUNK = 64;
/**
 * With at least this many outputs, one thread per (output, chunk) already fills the device and the tree layout's
 * barriers are pure cost (on SwiftShader, 1089 outputs × 1000 took 220 ms as trees and ~15 ms as serial chunks).
 */
const MANY_OUTPUTS = 256;

export function reduce(ctx: GpuContext, op: ReduceOp, xs: Storage, layout: ReduceLayout): GpuStorage {
  const x = gpu(xs);
  const arg = op === 'argmax' || op === 'argmin';
  const { len } = layout;
  const nOut = layout.outShape.reduce((a, b) => a * b, 1);
  const out = allocStorage(ctx, nOut, arg ? 'int32' : 'float32');
  // Every binding must be bound; a pass that writes no indices (sum/max/min) gets this 4-byte stand-in.
  const dummy = ctx.pool.acquire(4);
  const temps = new Set<GPUBuffer>();
  const temp = (n: number): GPUBuffer => {
    const b = ctx.pool.acquire(Math.max(4, n * 4));
    temps.add(b);
    return b;
  };
  const releaseTemp = (b: GPUBuffer | null): void => {
    if (b && temps.delete(b)) ctx.pool.release(b);
  };

  try {
    let srcVal = x.buffer;
    let srcIdx: GPUBuffer | null = null; // indices of the previous pass (arg ops only)
    let curLen = len;
    // The kept positions' layout in the current source: the input's own, then the temporaries' (nOut, chunks).
    let kept = stridedUniforms(layout.outShape, [layout.outStrides], [layout.offset]);
    let lenStride = layout.lenStride;
    for (;;) {
      const tree = curLen > SERIAL_CHUNK && nOut < MANY_OUTPUTS;
      const chunk = tree ? TREE_CHUNK : SERIAL_CHUNK;
      const chunks = Math.max(1, Math.ceil(curLen / chunk));
      const last = chunks === 1;
      const n = nOut * chunks; // outputs of this pass, (nOut, chunks)
      let dstVal: GPUBuffer;
      let dstIdx: GPUBuffer;
      if (last) {
        dstVal = arg ? temp(n) : out.buffer;
        dstIdx = arg ? out.buffer : dummy;
      } else {
        dstVal = temp(n);
        dstIdx = arg ? temp(n) : dummy;
      }
      const shader = { file: 'reduce', vars: { INNER: kept.inner }, consts: OP_CONSTS };
      const k = ctx.kernel(`reduce|INNER=${kept.inner}`, shader, { OP: REDUCE_OPS[op], TREE: tree ? 1 : 0, WG });
      ctx.dispatch(
        k,
        // On the first pass xIdx is never read (hasIdx = 0); x stands in for it.
        { x: srcVal, xIdx: srcIdx ?? srcVal, outVal: dstVal, outIdx: dstIdx },
        { len: curLen, lenStride, chunk, chunks, total: n, hasIdx: srcIdx ? 1 : 0, offsets: kept.offsets, dims: kept.dims },
        ctx.grid1d(tree ? n : groups(n, WG)),
      );
      // The inputs of this pass can go back to the pool now: later dispatches that reuse them are encoded after it.
      releaseTemp(srcVal);
      releaseTemp(srcIdx);
      if (last) break;
      srcVal = dstVal;
      srcIdx = arg ? dstIdx : null;
      curLen = chunks;
      kept = stridedUniforms([nOut], [[chunks]], [0]);
      lenStride = 1;
    }
  } finally {
    // Also on a throw (an over-limit dispatch), so no pooled buffer is lost.
    for (const b of temps) ctx.pool.release(b);
    ctx.pool.release(dummy);
  }
  return out;
}
