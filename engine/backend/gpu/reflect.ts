// What a kernel's WGSL declares, read by parsing it: its compute entry point, its bindings by name (from
// wgsl_reflect), the layout of its uniform struct (from webgpu-utils) and its literal workgroup size. The result is
// plain data, so a worker can compute it and post it back (reflector.ts).
//
// Parsing is the expensive part of making a kernel: both libraries parse the whole source, and the attention
// kernels, unrolled at generation time, are 40 to 60 thousand characters, which takes 100 to 500 ms per parse on
// SwiftShader's machines. That is why warmup() has it done off the page's thread.

import { WgslReflect, ResourceType } from 'wgsl_reflect/wgsl_reflect.module.js';
import type { VariableDefinition } from 'webgpu-utils';

export type WebgpuUtils = typeof import('webgpu-utils');

/** webgpu-utils, which reads Float16Array when its module loads; Node 20 lacks it, so it is polyfilled first. */
export async function loadWebgpuUtils(): Promise<WebgpuUtils> {
  if (typeof (globalThis as { Float16Array?: unknown }).Float16Array === 'undefined') {
    const { Float16Array } = await import('@petamoriken/float16');
    Object.assign(globalThis, { Float16Array });
  }
  return import('webgpu-utils');
}

export type BindingKind = 'uniform' | 'read-only-storage' | 'storage';

export interface BindingInfo {
  binding: number;
  kind: BindingKind;
}

export interface Reflection {
  entryPoint: string;
  /** Every @group(0) binding the shader declares, by variable name. */
  bindings: Array<[string, BindingInfo]>;
  uniform: { name: string; def: VariableDefinition } | null;
  /** The entry point's @workgroup_size as wgsl_reflect reads it (sizes written as override constants it cannot resolve). */
  workgroupSize: number[] | null;
}

/** Reads `code` (the kernel `name`, for error messages). Throws on what context.ts cannot bind. */
export function reflectShader(name: string, code: string, utils: WebgpuUtils): Reflection {
  const reflect = new WgslReflect(code);
  const entry = reflect.entry.compute[0];
  if (!entry) throw new Error(`shader ${name} has no @compute entry point`);
  const bindings: Reflection['bindings'] = [];
  let uniform: Reflection['uniform'] = null;
  const defs = utils.makeShaderDataDefinitions(code);
  for (const group of reflect.getBindGroups()) {
    for (const v of group ?? []) {
      if (!v) continue;
      if (v.group !== 0) throw new Error(`shader ${name}: only @group(0) is supported (${v.name})`);
      if (v.resourceType !== ResourceType.Uniform && v.resourceType !== ResourceType.Storage) {
        throw new Error(`shader ${name}: binding ${v.name} is neither a uniform nor a storage buffer`);
      }
      const kind: BindingKind =
        v.resourceType === ResourceType.Uniform ? 'uniform' : v.access === 'read_write' ? 'storage' : 'read-only-storage';
      bindings.push([v.name, { binding: v.binding, kind }]);
      if (kind === 'uniform') {
        if (uniform) throw new Error(`shader ${name}: at most one uniform struct is supported`);
        uniform = { name: v.name, def: defs.uniforms[v.name] };
      }
    }
  }
  return { entryPoint: entry.name, bindings, uniform, workgroupSize: entry.workgroupSize ? [...entry.workgroupSize] : null };
}
