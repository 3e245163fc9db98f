/**
 * `fits-inspect`: list the HDUs of a FITS file (path, http(s) URL, .fits.gz), show headers, read
 * rows of tables and images, and verify checksums.
 */
import { parseArgs } from 'node:util';
import { FitsError, type FitsFile, type HduInfo, openFits } from './index.js';

const USAGE = `usage: fits-inspect <file|url> [options]
  --hdu <n|name>       show this HDU in detail (default: list all HDUs)
  --header             print the header cards of --hdu
  --rows <a:b|i,j,…>   rows to print (default 0:5)
  --columns <A,B,…>    table columns to print
  --verify             check CHECKSUM/DATASUM of every HDU
  --json               machine-readable output`;

function fmtValue(v: unknown): string {
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : v.toPrecision(8);
  if (ArrayBuffer.isView(v)) return `[${Array.from(v as unknown as ArrayLike<number | bigint>, fmtValue).join(', ')}]`;
  return JSON.stringify(v);
}

function parseRows(text: string): number[] | { start: number; end: number } {
  const m = /^(\d+):(\d+)$/.exec(text);
  if (m) return { start: Number(m[1]), end: Number(m[2]) };
  return text.split(',').map(Number);
}

function describe(h: HduInfo): string {
  const what =
    h.shape !== undefined
      ? `${h.kind} ${h.shape.length ? h.shape.join('×') : '(no data)'} BITPIX=${h.bitpix}`
      : `${h.kind} ${h.numRows} rows × ${h.columns?.length ?? 0} columns`;
  return `${String(h.index).padStart(3)}  ${(h.name ?? '').padEnd(16)} ${what}`;
}

async function showHdu(fits: FitsFile, ext: string, opts: { rows?: string; columns?: string; header?: boolean; json?: boolean }) {
  const sel = /^\d+$/.test(ext) ? Number(ext) : ext;
  const h = (await fits.hdus()).find((x) => x.index === sel || x.name?.toUpperCase() === String(sel).toUpperCase());
  if (!h) throw new FitsError('not-found', `no HDU ${ext}`);
  if (opts.header)
    for (const c of h.header.cards) console.log(`${c.keyword.padEnd(8)} = ${fmtValue(c.value)}${c.comment ? ` / ${c.comment}` : ''}`);
  const rows = parseRows(opts.rows ?? `0:${Math.min(5, h.numRows ?? h.shape?.[0] ?? 0)}`);
  if (h.columns) {
    const t = await fits.readTable(h.index, { rows, columns: opts.columns?.split(',') });
    if (opts.json) {
      console.log(
        JSON.stringify(t.columns, (_, v) =>
          typeof v === 'bigint' ? v.toString() : ArrayBuffer.isView(v) ? Array.from(v as Uint8Array) : v,
        ),
      );
      return;
    }
    for (const [name, info] of Object.entries(t.info)) {
      const data = t.columns[name] as ArrayLike<unknown>;
      const per = info.cellShape.reduce((a, b) => a * b, 1) * (info.dtype.startsWith('complex') ? 2 : 1);
      const cells = Array.from({ length: t.numRows }, (_, r) =>
        info.vla || per === 1
          ? fmtValue(data[r])
          : `[${Array.from({ length: Math.min(per, 4) }, (_, j) => fmtValue(data[r * per + j])).join(', ')}${per > 4 ? ', …' : ''}]`,
      );
      console.log(`${name.padEnd(18)} ${info.tform.padEnd(8)} ${cells.join('  ')}`);
    }
  } else if (h.shape?.length) {
    const im = await fits.readImage(h.index, { rows });
    const per = im.shape.slice(1).reduce((a, b) => a * b, 1);
    console.log(`${im.dtype} ${im.shape.join('×')}`);
    for (let r = 0; r < im.shape[0]; r++) {
      const row = Array.from({ length: Math.min(per, 8) }, (_, j) => fmtValue(im.data[r * per + j]));
      console.log(`  row ${r}: ${row.join(' ')}${per > 8 ? ' …' : ''}`);
    }
  }
}

export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      hdu: { type: 'string' },
      header: { type: 'boolean' },
      rows: { type: 'string' },
      columns: { type: 'string' },
      verify: { type: 'boolean' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help || positionals.length !== 1) {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }
  const started = performance.now();
  const fits = await openFits(positionals[0]);
  try {
    const hdus = await fits.hdus();
    if (values.hdu !== undefined) await showHdu(fits, values.hdu, values);
    else if (values.json)
      console.log(
        JSON.stringify(
          hdus.map(({ header, ...h }) => ({ ...h, cards: header.length })),
          (_, v) => (typeof v === 'bigint' ? v.toString() : v),
        ),
      );
    else {
      console.log(`${positionals[0]}: ${fits.source.size} bytes, ${hdus.length} HDUs`);
      for (const h of hdus) console.log(describe(h));
    }
    let bad = 0;
    if (values.verify) {
      for (const h of hdus) {
        const r = await fits.verifyChecksum(h.index);
        if (r.checksum === 'bad' || r.datasum === 'bad') bad++;
        console.log(`  HDU ${h.index}: CHECKSUM ${r.checksum}, DATASUM ${r.datasum}`);
      }
    }
    for (const w of fits.warnings) console.error(`warning: ${w.message}`);
    if (!values.json) console.error(`(${(performance.now() - started).toFixed(1)} ms)`);
    return bad ? 1 : 0;
  } finally {
    await fits.close();
  }
}
