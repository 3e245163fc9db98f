/**
 * Column-chunk statistics for top-level columns (null count, min and max as PLAIN bytes), so that
 * DuckDB and other engines can skip row groups on filters such as `target_id = …` or `z > 2`. Floats
 * follow the format's rules: NaN never enters min/max, and a zero bound is written as -0.0 (min) or
 * +0.0 (max).
 */
import type { ColumnValues } from './format.js';
import { i64, type ThriftStruct } from './thrift.js';
import { plainValue } from './values.js';

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

/** The thrift Statistics struct of a top-level column's values in one row group. */
export function columnStatistics(data: ColumnValues, rows: number, encodedStrings?: Uint8Array[]): ThriftStruct {
  if ('strings' in data) {
    let nulls = 0;
    for (let i = 0; i < rows; i++) if (data.strings[i] === null || data.strings[i] === undefined) nulls++;
    let min: Uint8Array | undefined;
    let max: Uint8Array | undefined;
    for (const b of encodedStrings ?? []) {
      if (!min || compareBytes(b, min) < 0) min = b;
      if (!max || compareBytes(b, max) > 0) max = b;
    }
    return { 3: i64(nulls), 5: max, 6: min };
  }
  if ('per' in data) return {};
  const { values, valid } = data;
  let nulls = 0;
  let lo = -1;
  let hi = -1;
  const float = values instanceof Float32Array || values instanceof Float64Array;
  for (let i = 0; i < rows; i++) {
    if (valid && !valid[i]) {
      nulls++;
      continue;
    }
    const v = values[i];
    if (float && Number.isNaN(v)) continue;
    if (lo < 0 || v < values[lo]) lo = i;
    if (hi < 0 || v > values[hi]) hi = i;
  }
  if (lo < 0) return { 3: i64(nulls) };
  let min = plainValue(values, lo);
  let max = plainValue(values, hi);
  if (float && values[lo] === 0) min = plainValue(values instanceof Float32Array ? new Float32Array([-0]) : new Float64Array([-0]), 0);
  if (float && values[hi] === 0) max = plainValue(values instanceof Float32Array ? new Float32Array([0]) : new Float64Array([0]), 0);
  return { 3: i64(nulls), 5: max, 6: min };
}
