import { createHash } from 'node:crypto';
import { type Card, FitsError, type FitsFile, type Table } from '../../src/index.js';
import type { Ref } from './corpus.js';
import { compareBlock, type Flat, flatten, sameValue } from './encode.js';

/**
 * Where we knowingly differ from astropy, and why. Each entry is checked to still differ in exactly
 * the way described (the reader reports it as a plain primary with no data).
 */
export const DEVIATIONS: Record<string, string> = {
  // NAXIS = 0 with GROUPS = T: astropy counts an empty product as 1 and claims 1 data byte; FITS 4.0
  // says NAXIS = 0 means no data array, so we list a primary HDU with 0 bytes.
  'peer/astropy-io-fits/invalid/group_invalid.fits#0': 'primary',
  // astropy ignores BZERO on random-groups arrays (astropy issue #2751); we apply it, as FITS 4.0 §6 says.
  'gen/hand_random_groups_scaled.fits#0': 'groups-bzero',
};

export const KIND: Record<string, string> = {
  PrimaryHDU: 'primary',
  ImageHDU: 'image',
  BinTableHDU: 'bintable',
  TableHDU: 'table',
  CompImageHDU: 'compressed-image',
  GroupsHDU: 'random-groups',
  NonstandardExtHDU: 'unknown',
};

export function refCardValue(c: Ref[]): unknown {
  const [, v, , t] = c;
  if (t === 'int') return typeof v === 'string' ? BigInt(v) : v;
  if (t === 'float') return v === 'NaN' ? Number.NaN : v === 'Infinity' ? Infinity : v === '-Infinity' ? -Infinity : v;
  return v;
}

export function cardProblems(ours: Card[], ref: Ref[][]): string[] {
  const out: string[] = [];
  if (ours.length !== ref.length) out.push(`card count ${ours.length} ≠ ${ref.length}`);
  for (let i = 0; i < Math.min(ours.length, ref.length); i++) {
    const o = ours[i];
    const r = ref[i];
    const rv = refCardValue(r);
    const type = r[3] === 'unparsable' ? 'unparsed' : r[3];
    const same =
      o.keyword === r[0] &&
      o.type === type &&
      (Array.isArray(rv) ? JSON.stringify(o.value) === JSON.stringify(rv) : Object.is(o.value, rv) || o.value === rv) &&
      o.comment === r[2];
    if (!same) out.push(`card ${i}: ours ${JSON.stringify([o.keyword, String(o.value), o.comment, o.type])} ≠ ref ${JSON.stringify(r)}`);
  }
  return out;
}

export function nullIndices(mask: Uint8Array | undefined): number[] {
  const out: number[] = [];
  if (mask) for (let i = 0; i < mask.length; i++) if (mask[i]) out.push(i);
  return out;
}

export function compareImage(data: ArrayLike<unknown>, shape: number[], nulls: Uint8Array | undefined, ref: Ref): string[] {
  const out: string[] = [];
  if (ref.data === null) {
    if (data.length !== 0) out.push(`expected no data, got ${data.length}`);
    return out;
  }
  if (JSON.stringify(shape) !== JSON.stringify(ref.shape)) out.push(`shape ${shape} ≠ ${ref.shape}`);
  const flat = flatten(data, ref.dtype);
  const diff = compareBlock(flat, ref.data, ref.dtype);
  if (diff) {
    const alt = (ref.alternatives ?? []).some((a: Ref) => compareBlock(flat, a.data, ref.dtype) === undefined);
    if (!alt) out.push(`pixels: ${diff}`);
  }
  if (Array.isArray(ref.null_indices)) {
    const ours = nullIndices(nulls);
    if (JSON.stringify(ours) !== JSON.stringify(ref.null_indices))
      out.push(`null_indices ${ours.slice(0, 10)} ≠ ${ref.null_indices.slice(0, 10)}`);
  } else if (ref.null_indices?.count !== undefined) {
    const n = nullIndices(nulls).length;
    if (n !== ref.null_indices.count) out.push(`null count ${n} ≠ ${ref.null_indices.count}`);
  }
  return out;
}

export function compareVla(rows: ArrayLike<unknown>[], ref: Ref, dtype: string): string | undefined {
  if (rows.length !== ref.n_rows) return `rows ${rows.length} ≠ ${ref.n_rows}`;
  if (ref.rows) {
    for (let r = 0; r < rows.length; r++) {
      const row = rows[r];
      const refRow = ref.rows[r];
      if (dtype === 'str') {
        if (row !== refRow) return `row ${r}: ${JSON.stringify(row)} ≠ ${JSON.stringify(refRow)}`;
        continue;
      }
      const flat = flatten(row as ArrayLike<unknown>, dtype);
      if (flat.length !== refRow.length) return `row ${r}: length ${flat.length} ≠ ${refRow.length}`;
      for (let i = 0; i < flat.length; i++)
        if (!sameValue(flat[i], refRow[i], dtype)) return `row ${r}[${i}]: ${String(flat[i])} ≠ ${JSON.stringify(refRow[i])}`;
    }
    return undefined;
  }
  const all: Flat = [];
  for (const row of rows) {
    if (dtype === 'str') all.push(row as unknown as string);
    else all.push(...flatten(row as ArrayLike<unknown>, dtype));
  }
  return compareBlock(all, { n: all.length, sha256: ref.sha256 }, dtype);
}

export function compareTable(table: Table, ref: Ref, ascii: boolean): string[] {
  const out: string[] = [];
  if (table.numRows !== ref.nrows) out.push(`rows ${table.numRows} ≠ ${ref.nrows}`);
  const byIndex = new Map(Object.values(table.info).map((i) => [i.index, i]));
  for (const col of ref.columns) {
    const info = byIndex.get(col.index);
    if (!info) {
      out.push(`column ${col.index} missing`);
      continue;
    }
    const data = table.columns[info.name];
    const where = `column ${col.index} ${col.name}`;
    if (col.vla) {
      const d = compareVla(data as ArrayLike<unknown>[], col.data, col.dtype);
      if (d) out.push(`${where}: ${d}`);
      continue;
    }
    if (!ascii && JSON.stringify(info.cellShape) !== JSON.stringify(col.cell_shape))
      out.push(`${where}: cell shape ${info.cellShape} ≠ ${col.cell_shape}`);
    let flat = flatten(data as ArrayLike<unknown>, col.dtype);
    if (ascii && col.null_rows?.length) {
      // astropy writes 0 for TNULL fields; we return NaN (or 0) and mark them.
      const ours = nullIndices(info.nulls);
      if (JSON.stringify(ours) !== JSON.stringify(col.null_rows)) out.push(`${where}: null rows ${ours} ≠ ${col.null_rows}`);
      flat = flat.map((v, i) => (col.null_rows.includes(i) ? 0 : v));
    }
    // ASCII I fields wider than 9 digits come back as Float64Array (the fixed API contract), so
    // 19-digit integers are compared at float64 precision.
    if (ascii && col.dtype === 'int64') {
      col.data.values = col.data.values.map((v: string) => Number(v));
      col.dtype = 'float64';
    }
    // ASCII '-0.000' is -0 for us; astropy's text parse writes +0. Compare zeros without sign there.
    if (ascii) flat = flat.map((v) => (Object.is(v, -0) ? 0 : v));
    let diff = compareBlock(flat, col.data, col.dtype);
    if (diff && col.alternatives) {
      if (col.alternatives.some((a: Ref) => compareBlock(flat, a.data, col.dtype) === undefined)) diff = undefined;
    }
    if (diff) out.push(`${where}: ${diff}`);
    if (!ascii && Array.isArray(col.null_indices)) {
      const ours = nullIndices(info.nulls);
      if (JSON.stringify(ours) !== JSON.stringify(col.null_indices)) out.push(`${where}: null indices ${ours} ≠ ${col.null_indices}`);
    }
  }
  return out;
}

/**
 * Compare an open file with its corpus reference: the HDU list, every header card, every value.
 * Returns the problems found and the HDUs whose reading failed as `unsupported`.
 */
export async function compareFile(fits: FitsFile, ref: Ref, file: string): Promise<{ problems: string[]; unsupported: string[] }> {
  const problems: string[] = [];
  const unsupported: string[] = [];
  const hdus = await fits.hdus();
  if (hdus.length !== ref.n_hdus) problems.push(`HDU count ${hdus.length} ≠ ${ref.n_hdus}`);
  for (const h of ref.hdus) {
    const ours = hdus[h.index];
    if (!ours) continue;
    const at = (s: string) => problems.push(`HDU ${h.index}: ${s}`);
    const kind = KIND[h.type] ?? h.type;
    const kindOk =
      ours.kind === kind ||
      DEVIATIONS[`${file}#${h.index}`] === ours.kind ||
      (h.ztable_decompressed && ours.kind === 'compressed-table') ||
      // SIMPLE = F: astropy gives up on the HDU; we read it as a primary array with a warning.
      (h.type === '_NonstandardHDU' && h.index === 0 && ours.kind === 'primary');
    if (!kindOk) at(`kind ${ours.kind} ≠ ${kind}`);
    if ((ours.name ?? null) !== h.extname) at(`EXTNAME ${ours.name} ≠ ${h.extname}`);
    if (ours.ver !== (h.extver ?? 1)) at(`EXTVER ${ours.ver} ≠ ${h.extver}`);
    if (ours.headerOffset !== h.header_offset || ours.dataOffset !== h.data_offset) at('offsets differ');
    if (ours.dataSize !== h.data_bytes && !DEVIATIONS[`${file}#${h.index}`]) at(`data size ${ours.dataSize} ≠ ${h.data_bytes}`);
    for (const p of cardProblems((await fits.rawHeader(h.index)).cards, h.cards)) at(p);
    try {
      if (h.image) {
        const im = await fits.readImage(h.index);
        for (const p of compareImage(im.data, im.shape, im.nulls, h.image)) at(p);
        if (h.image.data !== null && im.dtype !== h.image.dtype) at(`dtype ${im.dtype} ≠ ${h.image.dtype}`);
      }
      if (h.table && ours.kind !== 'compressed-image' && ours.kind !== 'compressed-table') {
        const t = await fits.readTable(h.index);
        for (const p of compareTable(t, h.table, ours.kind === 'table')) at(p);
      }
      if (h.ztable_decompressed) {
        const t = await fits.readTable(h.index);
        for (const p of compareTable(t, h.ztable_decompressed.table, false)) at(p);
        // The reconstructed header is funpack's, except CHECKSUM/DATASUM, which funpack recomputes.
        const skip = (c: Ref[]) => c[0] === 'CHECKSUM' || c[0] === 'DATASUM';
        const cards = (await fits.header(h.index)).cards.filter((c) => c.keyword !== 'CHECKSUM' && c.keyword !== 'DATASUM');
        for (const p of cardProblems(
          cards,
          h.ztable_decompressed.cards.filter((c: Ref[]) => !skip(c)),
        ))
          at(`reconstructed header: ${p}`);
      }
      if (h.raw_data) {
        const raw = await fits.readRaw(h.index);
        if (createHash('sha256').update(raw).digest('hex') !== h.raw_data.sha256) at('raw data sha256 differs');
      }
      if (h.groups && ours.kind === 'random-groups') {
        const g = await fits.readGroups(h.index);
        if (g.count !== h.groups.gcount) at(`gcount ${g.count} ≠ ${h.groups.gcount}`);
        h.groups.parameters.forEach((p: Ref, i: number) => {
          const ours = g.parameters[i];
          if (ours?.name !== p.name) at(`parameter ${i} name ${ours?.name} ≠ ${p.name}`);
          const d = ours && compareBlock(flatten(ours.data, p.dtype), p.data, p.dtype);
          if (d) at(`parameter ${p.name}: ${d}`);
        });
        if (JSON.stringify(g.groupShape) !== JSON.stringify(h.groups.array.group_shape)) at(`group shape ${g.groupShape}`);
        let refBlock = h.groups.array.data;
        if (DEVIATIONS[`${file}#${h.index}`] === 'groups-bzero') {
          // astropy issue #2751: astropy drops BZERO on random-groups arrays; FITS 4.0 §6 applies it.
          const bzero = Number((await fits.header(h.index)).get('BZERO'));
          refBlock = { ...refBlock, values: refBlock.values.map((v: number) => v + bzero) };
        }
        const d = compareBlock(flatten(g.data, h.groups.array.dtype), refBlock, h.groups.array.dtype);
        if (d) at(`group data: ${d}`);
      }
    } catch (e) {
      if (e instanceof FitsError && e.code === 'unsupported') unsupported.push(`${file}#${h.index}`);
      else at(`read failed: ${(e as Error).message}`);
    }
    if (h.checksum) {
      const r = await fits.verifyChecksum(h.index);
      // astropy raises on a malformed value; the contract calls that 'bad'.
      const want = { checksum: h.checksum.CHECKSUM ?? 'bad', datasum: h.checksum.DATASUM ?? 'bad' };
      if (r.checksum !== want.checksum || r.datasum !== want.datasum) at(`checksum ${JSON.stringify(r)} ≠ ${JSON.stringify(h.checksum)}`);
    }
  }
  return { problems, unsupported };
}
