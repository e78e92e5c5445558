// bench/peak.ts: the adapter-name lookup behind the benchmarks' "% peak" column. A wrong match would print a
// fraction of the wrong chip's peak, so the specific parts must win over the plain name.
import { describe, expect, it } from 'vitest';
import { fractionOfPeak, knownPeak, peakNote } from '../bench/peak';

describe('knownPeak', () => {
  it('names the datasheet FP32 peak of the parts Dawn reports, most specific first', () => {
    expect(knownPeak('NVIDIA H100 80GB HBM3 / nvidia / hopper / 0x2330')).toEqual({ chip: 'NVIDIA H100 SXM', tflops: 67 });
    expect(knownPeak('NVIDIA H100 PCIe / nvidia / hopper')?.tflops).toBe(51);
    expect(knownPeak('NVIDIA H100 NVL / nvidia')?.tflops).toBe(60);
    expect(knownPeak('NVIDIA H200 / nvidia / hopper')).toEqual({ chip: 'NVIDIA H200 SXM', tflops: 67 });
    expect(knownPeak('NVIDIA H200 NVL')?.chip).toBe('NVIDIA H200 NVL');
    expect(knownPeak('NVIDIA A100-SXM4-80GB / nvidia / ampere')?.tflops).toBe(19.5);
    expect(knownPeak('NVIDIA L40S')?.chip).toBe('NVIDIA L40S');
    expect(knownPeak('NVIDIA L4')?.chip).toBe('NVIDIA L4');
  });

  it('knows no peak for software adapters or unlisted chips', () => {
    expect(knownPeak('SwiftShader driver 5.0.0 / google / swiftshader / swiftshader-device-subzero-')).toBeNull();
    expect(knownPeak('llvmpipe (LLVM 15.0.6, 256 bits) / mesa')).toBeNull();
    expect(knownPeak('AMD Radeon RX 7900 XTX / amd / rdna-3')).toBeNull();
    expect(knownPeak('NVIDIA GeForce RTX 4090 / nvidia / lovelace')).toBeNull();
    // "H1000" or "A1000" are other parts: the match is on whole words
    expect(knownPeak('NVIDIA RTX A1000')).toBeNull();
  });
});

describe('fractionOfPeak', () => {
  it('prints GFLOPS as a percentage of the peak, or unknown', () => {
    expect(fractionOfPeak(6700, { chip: 'x', tflops: 67 })).toBe('10.0%');
    expect(fractionOfPeak(259, { chip: 'x', tflops: 67 })).toBe('0.4%');
    expect(fractionOfPeak(259, null)).toBe('unknown');
    expect(peakNote('NVIDIA H200')).toMatch(/67 TFLOPS/);
    expect(peakNote('SwiftShader')).toMatch(/unknown/);
  });
});
