// Matrices as the lesson pages hold them (number[][], one array per row) to and from the flat row-major data that
// tensors take, with errors that name the argument and the row or entry at fault.

/** A rectangular, finite number[][] as flat float32 data (rows, cols). */
export function flat2(name: string, m: readonly (readonly number[])[]): { data: Float32Array; rows: number; cols: number } {
  if (!Array.isArray(m)) throw new TypeError(`${name} must be an array of rows, got ${typeof m}`);
  const rows = m.length;
  const cols = rows ? m[0].length : 0;
  if (!rows || !cols) throw new RangeError(`${name} must be a non-empty matrix, got ${rows} rows of ${cols}`);
  const data = new Float32Array(rows * cols);
  m.forEach((row, r) => {
    if (row.length !== cols) throw new RangeError(`${name}: row ${r} has ${row.length} entries, row 0 has ${cols}`);
    for (let c = 0; c < cols; c++) {
      if (!Number.isFinite(row[c])) throw new RangeError(`${name}[${r}][${c}] is ${row[c]}; entries must be finite`);
      data[r * cols + c] = row[c];
    }
  });
  return { data, rows, cols };
}

/** Rows of a flat row-major (rows, cols) array. */
export function toRows(data: ArrayLike<number>, rows: number, cols: number): number[][] {
  return Array.from({ length: rows }, (_, r) => Array.from({ length: cols }, (_, c) => data[r * cols + c]));
}
