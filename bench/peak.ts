// Known float32 peaks of hardware GPUs, so that a benchmark can print what fraction of the chip it reached.
//
// The numbers are the vendors' datasheet figures for plain FP32 (FMA counted as two FLOPs, boost clock, no tensor
// cores: WebGPU's f32 arithmetic cannot reach those). They are ceilings, not measurements:
//   NVIDIA H100 and H200: "NVIDIA H100 Tensor Core GPU" and "NVIDIA H200 Tensor Core GPU" datasheets (FP32 row:
//     SXM 67 TFLOPS, PCIe 51, NVL 60; the H200 is the H100's chip with more memory, so the same FP32 rates).
//   NVIDIA A100: "NVIDIA A100 Tensor Core GPU" datasheet (FP32 19.5 TFLOPS, SXM and PCIe alike).
//   NVIDIA L4, L40S, A10, T4: their product datasheets (30.3, 91.6, 31.2, 8.1 TFLOPS).
// An adapter matches by its description (Vulkan's deviceName as Dawn reports it, e.g. "NVIDIA H100 80GB HBM3"),
// most specific pattern first. Anything else, SwiftShader included, is "unknown": no fraction is printed for it.

export interface Peak {
  chip: string; // the part the figure belongs to
  tflops: number; // FP32 TFLOPS from the datasheet
}

const PEAKS: ReadonlyArray<readonly [RegExp, Peak]> = [
  [/\bH200\b.*\bNVL\b/i, { chip: 'NVIDIA H200 NVL', tflops: 60 }],
  [/\bH200\b/i, { chip: 'NVIDIA H200 SXM', tflops: 67 }],
  [/\bH100\b.*\bPCIe\b/i, { chip: 'NVIDIA H100 PCIe', tflops: 51 }],
  [/\bH100\b.*\bNVL\b/i, { chip: 'NVIDIA H100 NVL', tflops: 60 }],
  [/\bH100\b/i, { chip: 'NVIDIA H100 SXM', tflops: 67 }],
  [/\bA100\b/i, { chip: 'NVIDIA A100', tflops: 19.5 }],
  [/\bL40S\b/i, { chip: 'NVIDIA L40S', tflops: 91.6 }],
  [/\bL4\b/i, { chip: 'NVIDIA L4', tflops: 30.3 }],
  [/\bA10\b/i, { chip: 'NVIDIA A10', tflops: 31.2 }],
  [/\bTesla T4\b|\bT4\b/i, { chip: 'NVIDIA T4', tflops: 8.1 }],
];

/** The known FP32 peak of the adapter named (the engine's adapterName, description first), or null if unknown. */
export function knownPeak(adapterName: string): Peak | null {
  // Software rasterisers can carry a GPU's name in their device string; their peak is the CPU's, not the chip's.
  if (/swiftshader|llvmpipe|lavapipe/i.test(adapterName)) return null;
  for (const [pattern, peak] of PEAKS) if (pattern.test(adapterName)) return peak;
  return null;
}

/** GFLOPS as a fraction of the peak, for a table cell: "12.3%", or "unknown" where the peak is not known. */
export function fractionOfPeak(gflops: number, peak: Peak | null): string {
  if (!peak) return 'unknown';
  return `${((100 * gflops) / (peak.tflops * 1000)).toFixed(1)}%`;
}

/** The line a benchmark prints under its table: which peak the fractions are of, or why there are none. */
export function peakNote(adapterName: string): string {
  const peak = knownPeak(adapterName);
  return peak
    ? `% of peak: of ${peak.chip}'s datasheet FP32 peak, ${peak.tflops} TFLOPS (bench/peak.ts)`
    : `% of peak: unknown for this adapter (no datasheet FP32 peak in bench/peak.ts)`;
}
