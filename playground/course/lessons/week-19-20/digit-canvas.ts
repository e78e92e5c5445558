// Drawing a 28×28 digit on a canvas for the vision widgets: ink dark on white, optionally cut into its patch grid,
// and optionally with a heat map over the patches (one value per patch, strongest = most opaque orange).
const SIDE = 28;

export interface DigitDrawing {
  /** 784 intensities in [0, 1] (1 = ink). */
  pixels: ArrayLike<number>;
  /** Draw the grid of P × P patches. */
  patch?: number;
  /** One weight per patch, [gy][gx]; scaled by the largest, so each map uses the full range. */
  heat?: readonly (readonly number[])[];
}

export function drawDigit(canvas: HTMLCanvasElement, d: DigitDrawing): void {
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const s = canvas.width / SIDE; // canvas pixels per image pixel
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  for (let y = 0; y < SIDE; y++) {
    for (let x = 0; x < SIDE; x++) {
      const v = d.pixels[y * SIDE + x];
      if (v <= 0) continue;
      const g = Math.round(255 * (1 - Math.min(1, v)));
      ctx.fillStyle = `rgb(${g}, ${g}, ${g})`;
      ctx.fillRect(x * s, y * s, s, s);
    }
  }
  if (d.heat) {
    const max = Math.max(1e-12, ...d.heat.flat());
    const P = SIDE / d.heat.length;
    d.heat.forEach((row, gy) => row.forEach((w, gx) => {
      ctx.fillStyle = `rgba(234, 88, 12, ${(0.75 * w) / max})`;
      ctx.fillRect(gx * P * s, gy * P * s, P * s, P * s);
    }));
  }
  if (d.patch) {
    ctx.strokeStyle = '#2563eb';
    ctx.lineWidth = 1;
    for (let k = d.patch; k < SIDE; k += d.patch) {
      ctx.beginPath();
      ctx.moveTo(k * s + 0.5, 0);
      ctx.lineTo(k * s + 0.5, canvas.height);
      ctx.moveTo(0, k * s + 0.5);
      ctx.lineTo(canvas.width, k * s + 0.5);
      ctx.stroke();
    }
  }
}
