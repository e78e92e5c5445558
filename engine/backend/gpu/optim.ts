// Optimizer updates (shaders/sgd.wgsl, shaders/adam.wgsl): one fused kernel updating several parameter tensors
// and their state buffers in place, one thread per vec4 of elements, so a step costs one dispatch per group of
// parameters (as many as the adapter's maxStorageBuffersPerShaderStage binds: 3 Adam slots on SwiftShader's 12,
// 2 on the common limit of 8) and no temporaries. The kernels are templates by slot count (template.ts).
// Only small tensors share a dispatch: SwiftShader runs every slot's code for every thread under a mask, so one
// 100,352-element weight grouped with three small ones took 2.5 ms against 1.4 ms alone (and 1.6 ms for all four
// one by one); small ones grouped cost next to nothing.
import type { AdamParams, AdamSlot, SgdParams, SgdSlot, Storage } from '../backend';
import type { GpuContext, Kernel } from './context';
import { gpu, groups } from './storage';

const WG = 64;
/** The most slots the kernels' uniforms describe (begins/ends: two vec4s). */
const MAX_SLOTS = 8;
/** Tensors with more elements than this get a dispatch of their own. */
const SHARED_MAX_NUMEL = 16384;

function sameNumel(op: string, a: Storage, b: Storage): void {
  // The kernel walks the storages in step, so a shorter one would be read or written out of bounds.
  if (a.numel !== b.numel) throw new Error(`internal: ${op} needs storages of equal size, got ${a.numel} and ${b.numel}`);
}

function compile(ctx: GpuContext, name: string, file: string, vars: Record<string, number>, constants: Record<string, number>): Kernel {
  const key = `${name}|${Object.entries(vars).map(([k, v]) => `${k}=${v}`).join(',')}`;
  return ctx.kernel(key, { file, vars }, constants);
}

/**
 * Runs `dispatchGroup` over consecutive groups of at most `perGroup` slots, each with the uniforms that say which
 * threads update which slot: slot S of a group covers threads [begins[S], ends[S]), one per vec4 of its numels[S]
 * elements.
 */
function inGroups<T extends { param: Storage }>(
  ctx: GpuContext, slots: readonly T[], buffersPerSlot: number,
  dispatchGroup: (group: readonly T[], ranges: { total: number; begins: number[]; ends: number[]; numels: number[] }) => void,
): void {
  const perGroup = Math.max(1, Math.min(MAX_SLOTS, Math.floor(ctx.limits.maxStorageBuffersPerShaderStage / buffersPerSlot)));
  const groupsOf: T[][] = slots.filter((s) => s.param.numel > SHARED_MAX_NUMEL).map((s) => [s]);
  const small = slots.filter((s) => s.param.numel <= SHARED_MAX_NUMEL);
  for (let at = 0; at < small.length; at += perGroup) groupsOf.push(small.slice(at, at + perGroup));
  for (const group of groupsOf) {
    const begins = new Array<number>(MAX_SLOTS).fill(0);
    const ends = new Array<number>(MAX_SLOTS).fill(0);
    const numels = new Array<number>(MAX_SLOTS).fill(0);
    let total = 0;
    group.forEach((s, i) => {
      begins[i] = total;
      total += Math.ceil(s.param.numel / 4); // one thread per vec4
      ends[i] = total;
      numels[i] = s.param.numel;
    });
    dispatchGroup(group, { total, begins, ends, numels });
  }
}

/** g' = g + wd·p; buf = momentum·buf + (1−dampening)·g' (g' on the first step); d = nesterov ? g' + momentum·buf : buf. */
export function sgdStep(ctx: GpuContext, slots: readonly SgdSlot[], p: SgdParams): void {
  const momentum = p.momentum !== 0;
  for (const s of slots) {
    sameNumel('sgdStep', s.param, s.grad);
    if (momentum && s.momentumBuf === null) throw new Error('internal: sgdStep with momentum needs a momentum buffer');
    if (momentum) sameNumel('sgdStep', s.param, s.momentumBuf!);
  }
  inGroups(ctx, slots, momentum ? 3 : 2, (group, ranges) => {
    const k = compile(ctx, 'sgdStep', 'sgd', { SLOTS: group.length, MOMENTUM: momentum ? 1 : 0 }, { WG });
    const buffers: Record<string, GPUBuffer> = {};
    group.forEach((s, i) => {
      buffers[`p${i}`] = gpu(s.param).buffer;
      buffers[`g${i}`] = gpu(s.grad).buffer;
      if (momentum) buffers[`buf${i}`] = gpu(s.momentumBuf!).buffer;
    });
    ctx.dispatch(k, buffers, {
      ...ranges, lr: p.lr, momentum: p.momentum, dampening: p.dampening, weightDecay: p.weightDecay,
      nesterov: p.nesterov ? 1 : 0, firstStep: p.firstStep ? 1 : 0,
    }, ctx.grid1d(groups(ranges.total, WG)));
  });
}

/** m = β1·m + (1−β1)·g; v = β2·v + (1−β2)·g²; p -= lr·m̂/(√v̂ + eps), with L2 (Adam) or decoupled (AdamW) decay. */
export function adamStep(ctx: GpuContext, slots: readonly AdamSlot[], p: AdamParams): void {
  for (const s of slots) for (const other of [s.grad, s.m, s.v]) sameNumel('adamStep', s.param, other);
  inGroups(ctx, slots, 4, (group, ranges) => {
    const k = compile(ctx, 'adamStep', 'adam', { SLOTS: group.length }, { DECOUPLED: p.decoupled ? 1 : 0, WG });
    const buffers: Record<string, GPUBuffer> = {};
    group.forEach((s, i) => {
      buffers[`p${i}`] = gpu(s.param).buffer;
      buffers[`g${i}`] = gpu(s.grad).buffer;
      buffers[`m${i}`] = gpu(s.m).buffer;
      buffers[`v${i}`] = gpu(s.v).buffer;
    });
    ctx.dispatch(k, buffers, {
      ...ranges, lr: p.lr, beta1: p.beta1, beta2: p.beta2, eps: p.eps, weightDecay: p.weightDecay,
      // Bias corrections in float64 here, rounded once to float32 in the uniform.
      bc1: 1 - Math.pow(p.beta1, p.step),
      bc2: 1 - Math.pow(p.beta2, p.step),
    }, ctx.grid1d(groups(ranges.total, WG)));
  });
}
