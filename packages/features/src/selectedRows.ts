import { InvalidParameterError } from '@candlelab/core';

/** Rows a scaler or selector is fitted on: a half-open range `[start, end)` or explicit row indices (default: all rows). */
export type RowSelection = { start: number; end: number } | ArrayLike<number>;

/** Row indices of a selection, checked against `rows`. */
export function selectedRows(selection: RowSelection | undefined, rows: number): ArrayLike<number> {
  if (rows === 0) throw new InvalidParameterError('rows', rows, 'cannot fit on an empty matrix');
  if (selection === undefined) return rangeIndices(0, rows);
  if ('start' in selection && 'end' in selection && !ArrayBuffer.isView(selection) && !Array.isArray(selection)) {
    const { start, end } = selection as { start: number; end: number };
    if (!(Number.isInteger(start) && Number.isInteger(end) && 0 <= start && start < end && end <= rows)) {
      throw new InvalidParameterError('rows', selection, `expected 0 <= start < end <= ${rows}`);
    }
    return rangeIndices(start, end);
  }
  const indices = selection as ArrayLike<number>;
  if (indices.length === 0) throw new InvalidParameterError('rows', selection, 'selects no rows');
  for (let j = 0; j < indices.length; j++) {
    const row = indices[j]!;
    if (!(Number.isInteger(row) && row >= 0 && row < rows))
      throw new InvalidParameterError(`rows[${j}]`, row, `expected a row index in [0, ${rows})`);
  }
  return indices;
}

function rangeIndices(start: number, end: number): Uint32Array {
  const out = new Uint32Array(end - start);
  for (let j = 0; j < out.length; j++) out[j] = start + j;
  return out;
}
