import { FitsError } from '../errors.js';
import type { HduContext } from '../hdu/context.js';
import { readExact } from '../source/byte-source.js';
import { permuteRows, planRows, type RowSelection } from '../util/rows.js';
import { type ColumnDef, selectColumns } from './columns.js';
import type { ColumnData } from './decode-binary.js';
import { columnInfo, type ReadTableOptions, type Table } from './read-binary.js';
import { fieldString } from './strings.js';

const NUMBER_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[EeDd]?[+-]?\d+)?$/;

/**
 * Parse one numeric field of an ASCII table. Blanks inside the field are ignored (Fortran rules);
 * a number without a decimal point takes the TFORM's implied decimals (`Fw.d`), as FITS 4.0 §7.2.5 says.
 */
function parseField(text: string, decimals: number): number | undefined {
  const t = text.replace(/ /g, '');
  if (t === '') return undefined;
  if (!NUMBER_RE.test(t)) return Number.NaN;
  let s = t.replace(/[Dd]/, 'E');
  // An exponent written without its letter (1.5-3) is legal Fortran.
  s = s.replace(/^([+-]?[\d.]+)([+-]\d+)$/, '$1E$2');
  let v = Number(s);
  if (decimals > 0 && !t.includes('.')) v /= 10 ** decimals;
  return v;
}

/** Read an ASCII TABLE extension into typed arrays. */
export async function readAsciiTable(ctx: HduContext, all: ColumnDef[], opts: ReadTableOptions = {}): Promise<Table> {
  const [rowBytes, nrows] = [ctx.layout.naxes[0] ?? 0, ctx.layout.naxes[1] ?? 0];
  const cols = selectColumns(all, opts.columns, ctx.index);
  const plan = planRows(opts.rows as RowSelection | undefined, nrows, ctx.index);
  const n = plan.unique ? plan.unique.length : plan.count;
  const rowAt = (i: number) => (plan.unique ? plan.unique[i] : plan.start + i);
  const span =
    n === 0
      ? new Uint8Array(0)
      : await readExact(ctx.src, ctx.dataOffset + plan.start * rowBytes, (plan.end - plan.start) * rowBytes, 'ASCII table rows', ctx.index);
  const columns: Record<string, ColumnData> = {};
  const info: Table['info'] = {};
  for (const c of cols) {
    const tf = c.ascii!;
    let out: Float64Array | Int32Array | string[] =
      c.dtype === 'str' ? new Array<string>(n) : c.dtype === 'int32' ? new Int32Array(n) : new Float64Array(n);
    let nulls: Uint8Array | undefined = c.dtype === 'str' ? undefined : new Uint8Array(n);
    const tnull = c.tnull === undefined ? undefined : String(c.tnull).trim();
    for (let i = 0; i < n; i++) {
      const at = (rowAt(i) - plan.start) * rowBytes + c.offset;
      if (c.dtype === 'str') {
        (out as string[])[i] = fieldString(span, at, c.width);
        continue;
      }
      const text = String.fromCharCode.apply(null, span.subarray(at, at + c.width) as unknown as number[]);
      if (tnull !== undefined && text.trim() === tnull) {
        nulls![i] = 1;
        if (!(out instanceof Int32Array)) (out as Float64Array)[i] = Number.NaN;
        continue;
      }
      // An all-blank field is zero (astropy's reading); it is null only when TNULLn is blank too (above).
      const v = parseField(text, tf.code === 'I' ? 0 : tf.decimals) ?? 0;
      if (Number.isNaN(v) || (tf.code === 'I' && !Number.isInteger(v))) {
        throw new FitsError('bad-table-value', `cannot parse ${JSON.stringify(text)} as a number (TFORM ${c.tform}; invalid number)`, {
          hdu: ctx.index,
          column: c.key,
          row: rowAt(i),
        });
      }
      (out as Float64Array)[i] = c.scaling === 'float' ? v * c.tscal + Number(c.tzero) : v;
    }
    if (nulls && !nulls.includes(1) && c.tnull === undefined) nulls = undefined;
    if (plan.order) {
      const o = out;
      out = permuteRows(o as never, plan.order, 1, (len) =>
        Array.isArray(o) ? new Array(len) : new (o.constructor as new (n: number) => never)(len),
      );
      if (nulls) nulls = permuteRows(nulls, plan.order, 1, (len) => new Uint8Array(len));
    }
    columns[c.key] = out;
    info[c.key] = columnInfo(c, nulls);
  }
  return { numRows: plan.count, columns, info };
}
