/** One benchmark task with @desi/fits-reader; prints JSON {seconds, bytes, rss_mib}. usage: task.ts <task> <dir> */
import { join } from 'node:path';
import { openFits } from '../src/index.js';

const [task, dir] = process.argv.slice(2);
// Same 150 rows as task.py: numpy's choice with seed 7, passed in by the runner.
const ROWS: number[] = JSON.parse(process.env.BENCH_ROWS ?? '[]');
const HDUS = ['B', 'R', 'Z'].flatMap((c) => ['FLUX', 'IVAR', 'MASK'].map((k) => `${c}_${k}`));

function size(x: unknown): number {
  if (ArrayBuffer.isView(x)) return x.byteLength;
  if (Array.isArray(x)) return x.reduce((a: number, s) => a + (typeof s === 'string' ? s.length : 0), 0);
  return 0;
}

const t0 = performance.now();
let bytes = 0;
if (task === 'table-all' || task === 'table-3col' || task === 'gzip-table') {
  const fits = await openFits(join(dir, task === 'gzip-table' ? 'table1m.fits.gz' : 'table4m.fits'));
  const t = await fits.readTable(1, task === 'table-3col' ? { columns: ['TARGETID', 'Z', 'RA'] } : {});
  for (const v of Object.values(t.columns)) bytes += size(v);
  await fits.close();
} else if (task === 'image-f32') {
  const fits = await openFits(join(dir, 'coadd.fits'));
  bytes = (await fits.readImage('R_RESOLUTION')).data.byteLength;
  await fits.close();
} else if (task === 'rows-150') {
  const fits = await openFits(join(dir, 'coadd.fits'));
  for (const h of HDUS) bytes += (await fits.readImage(h, { rows: ROWS })).data.byteLength;
  await fits.close();
}
const seconds = (performance.now() - t0) / 1000;
console.log(JSON.stringify({ seconds, bytes, rss_mib: process.resourceUsage().maxRSS / 1024 }));
