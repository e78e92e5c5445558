// What kind of machine an adapter is, for kernels whose best tiling differs between real GPUs and the CPU
// implementations of Vulkan that CI and GPU-less machines run on.

/**
 * True for CPU implementations of Vulkan (SwiftShader, llvmpipe / lavapipe), where the tilings measured on
 * SwiftShader apply: few, small workgroups with big per-invocation register blocks and no workgroup memory.
 * On a hardware GPU those tilings leave most of the chip idle (or spill registers), so kernels switch to
 * GPU-shaped variants (see matmul.ts and attention.ts).
 */
export function softwareAdapter(ctx: { readonly adapterName: string }): boolean {
  return /swiftshader|llvmpipe|lavapipe/i.test(ctx.adapterName);
}
