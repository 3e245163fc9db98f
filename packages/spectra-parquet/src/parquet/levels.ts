/**
 * Repetition and definition levels as Parquet's RLE/bit-packed hybrid, RLE runs only (a valid
 * encoding any reader takes). Levels here are 0 or 1 (bit width 1, one byte per run value), and the
 * fixed-length lists this writer handles have a fixed pattern per row, so runs are few.
 */
import { ByteSink } from './thrift.js';

function run(out: ByteSink, count: number, value: number): void {
  if (count <= 0) return;
  out.varint(count * 2);
  out.byte(value);
}

/** A level block as data page V1 stores it: 4-byte little-endian length, then the runs. */
function block(fill: (out: ByteSink) => void): Uint8Array {
  const out = new ByteSink();
  out.uint32le(0);
  fill(out);
  const b = out.view().slice();
  new DataView(b.buffer).setUint32(0, b.length - 4, true);
  return b;
}

/** Repetition levels of `rows` lists of `per` elements (an empty list is one level 0). */
export function listRepetition(rows: number, per: number): Uint8Array {
  return block((out) => {
    if (per <= 1) return run(out, rows, 0);
    for (let r = 0; r < rows; r++) {
      run(out, 1, 0);
      run(out, per - 1, 1);
    }
  });
}

/** Definition levels of `rows` required lists of `per` required elements: 1 per element, or 0 per empty list. */
export function listDefinition(rows: number, per: number): Uint8Array {
  return block((out) => (per === 0 ? run(out, rows, 0) : run(out, rows * per, 1)));
}

/** Definition levels of an optional column: 1 where `present(i)`, else 0. */
export function optionalDefinition(rows: number, present: (i: number) => boolean): Uint8Array {
  return block((out) => {
    let i = 0;
    while (i < rows) {
      const v = present(i);
      let j = i + 1;
      while (j < rows && present(j) === v) j++;
      run(out, j - i, v ? 1 : 0);
      i = j;
    }
  });
}
