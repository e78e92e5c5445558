// The extrapolation comparison (engine/train/extrapolation.ts) at a test's size: trained at T = 16 for 40 steps on
// the CPU, scored at 16, 32 and 64, so the same 1×, 2× and 4× ratios as the recipe's 64 → 128 → 256.
//
// Measured at seeds 0, 1, 2 before the thresholds were chosen (accuracy at T = 16 / 32 / 64, chance 12.5%):
//   learned    85.7 / 78.6 / 58.9 at T = 16, n/a beyond
//   sinusoidal 28.3 / 27.9 / 29.6 at T = 32      rope  99.6 / 95.8 / 96.3 at T = 32
//   at T = 64: rope 58.9 / 64.9 / 63.9, alibi 27.0 / 25.2 / 23.8, t5 42.9 / 48.8 / 43.5
// Hence: RoPE above 90% at twice the training length where sinusoidal stays below 50%, and every relative encoding
// above chance + 5 points at four times the training length.
import { beforeAll, describe, expect, test } from 'vitest';
import { init } from '../engine/index';
import { extrapolationTable, formatExtrapolation, POSITION_ENCODINGS } from '../engine/train/index';

beforeAll(async () => {
  await init({ backend: 'cpu' });
});

describe('extrapolationTable', () => {
  test('a shift task trained at T = 16: relative encodings carry past the training length, absolute ones do not', async () => {
    const r = await extrapolationTable({ trainLength: 16, evalLengths: [16, 32, 64], steps: 40, batch: 8, evalBatch: 8, device: 'cpu', seed: 0 });
    expect(r.rows.map((row) => row.encoding)).toEqual([...POSITION_ENCODINGS]);
    expect(r.chance).toBe(1 / 8);
    const at = (encoding: string, T: number): number | null => r.rows.find((row) => row.encoding === encoding)!.accuracy[r.evalLengths.indexOf(T)];
    for (const row of r.rows) {
      expect(row.accuracy).toHaveLength(3);
      for (const a of row.accuracy) if (a !== null) expect(a).toBeGreaterThanOrEqual(0), expect(a).toBeLessThanOrEqual(1);
    }
    // The learned table has 16 rows: scored at 16, not applicable (null, never clamped) beyond.
    expect(at('learned', 16)).not.toBeNull();
    expect([at('learned', 32), at('learned', 64)]).toEqual([null, null]);
    expect(r.rows.filter((row) => row.encoding !== 'learned').every((row) => row.accuracy.every((a) => a !== null))).toBe(true);

    expect(at('rope', 32), 'RoPE at twice the training length').toBeGreaterThan(0.9);
    expect(at('sinusoidal', 32), 'sinusoidal at twice the training length').toBeLessThan(0.5);
    for (const e of ['rope', 'alibi', 't5']) expect(at(e, 64), `${e} at four times the training length`).toBeGreaterThan(r.chance + 0.05);

    const text = formatExtrapolation(r);
    expect(text).toContain('n/a');
    expect(text.split('\n')).toHaveLength(2 + POSITION_ENCODINGS.length + 1);
  });

  test('bad options are refused with the reason', async () => {
    await expect(extrapolationTable({ encodings: ['nope' as 'rope'], device: 'cpu' })).rejects.toThrow(/unknown encoding "nope"/);
    await expect(extrapolationTable({ evalLengths: [2], shift: 2, device: 'cpu' })).rejects.toThrow(/above the shift 2, got 2/);
  });
});
