import type { TopLevelSpec } from 'vega-lite';
import { type AnalyzeReport, analyzeParquet, parquetFiles } from './analyze.js';
import { optionalImport } from './optional.js';

/** Options of {@link writeReport}. */
export interface ReportOptions {
  /** Spectra plotted (default 3). */
  spectra?: number;
  /** Plot every n-th pixel of a spectrum (default 4). */
  stride?: number;
  /** Rows drawn on the sky map at most (default 20 000). */
  maxPoints?: number;
  title?: string;
}

/** What went into the report (counts the tests check against the drawing). */
export interface ReportSummary {
  path: string;
  analysis: AnalyzeReport;
  histogramValues: number;
  skyPoints: number;
  spectra: Array<{ targetId: string; points: number }>;
}

/** Vega and Vega-Lite (large) load on the first chart, not when the package is imported. */
async function svgOf(spec: TopLevelSpec): Promise<string> {
  const [vega, { compile }] = await Promise.all([
    optionalImport('vega', 'writeReport', () => import('vega')),
    optionalImport('vega-lite', 'writeReport', () => import('vega-lite')),
  ]);
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}

function esc(s: unknown): string {
  return String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] as string);
}

function q(path: string): string {
  return `'${path.replace(/'/g, "''")}'`;
}

const MB = (n: number) => `${(n / 1e6).toFixed(2)} MB`;

type ReportData = {
  zs: number[];
  sky: Array<{ ra: number; dec: number; healpix: number }>;
  spectra: Array<{ id: string; rows: Array<{ wavelength: number; flux: number; lo: number; hi: number }> }>;
};

/** What the charts plot, queried with DuckDB: redshifts, a sample of positions, a few spectra (every `stride`-th pixel). */
async function reportData(files: string[], o: ReportOptions): Promise<ReportData> {
  const data: ReportData = { zs: [], sky: [], spectra: [] };
  if (!files.length) return data;
  const { DuckDBInstance } = await optionalImport('@duckdb/node-api', 'writeReport', () => import('@duckdb/node-api'));
  const c = await (await DuckDBInstance.create(':memory:')).connect();
  try {
    const src = `read_parquet([${files.map(q).join(',')}], union_by_name = true)`;
    data.zs = (await c.runAndReadAll(`select z from ${src} where isfinite(z)`)).getRowObjectsJS().map((r) => Number(r.z));
    data.sky = (await c.runAndReadAll(`select ra, dec, healpix from ${src} using sample ${o.maxPoints ?? 20000} rows`))
      .getRowObjectsJS()
      .map((r) => ({ ra: Number(r.ra), dec: Number(r.dec), healpix: Number(r.healpix) }));
    const stride = o.stride ?? 4;
    const picked = (
      await c.runAndReadAll(`select target_id::varchar id, wavelength, flux, ivar from ${src} limit ${o.spectra ?? 3}`)
    ).getRowObjectsJS();
    for (const p of picked) {
      const [w, f, iv] = [p.wavelength as number[], p.flux as number[], p.ivar as number[]];
      const rows = [];
      for (let i = 0; i < w.length; i += stride) {
        const sigma = iv[i] > 0 ? 1 / Math.sqrt(iv[i]) : 0;
        rows.push({ wavelength: Number(w[i]), flux: Number(f[i]), lo: Number(f[i]) - sigma, hi: Number(f[i]) + sigma });
      }
      data.spectra.push({ id: String(p.id), rows });
    }
  } finally {
    c.closeSync();
  }
  return data;
}

/** The three kinds of chart, as SVG: redshift histogram, sky map by pixel, spectra with their ±1σ band. */
async function charts(d: ReportData): Promise<{ hist: string; skymap: string; plots: string[] }> {
  const hist = await svgOf({
    width: 420,
    height: 220,
    data: { values: d.zs.map((z) => ({ z })) },
    mark: { type: 'bar', tooltip: true },
    encoding: { x: { field: 'z', bin: { maxbins: 40 }, title: 'redshift z' }, y: { aggregate: 'count', title: 'targets' } },
  });
  const skymap = await svgOf({
    width: 420,
    height: 260,
    data: { values: d.sky },
    mark: { type: 'point', filled: true, size: 12 },
    encoding: {
      x: { field: 'ra', type: 'quantitative', title: 'RA (deg)', scale: { zero: false } },
      y: { field: 'dec', type: 'quantitative', title: 'Dec (deg)', scale: { zero: false } },
      color: {
        field: 'healpix',
        type: 'nominal',
        title: 'HEALPix',
        legend: d.sky.length && new Set(d.sky.map((s) => s.healpix)).size <= 20 ? {} : null,
      },
    },
  });
  const plots: string[] = [];
  for (const s of d.spectra) {
    const svg = await svgOf({
      width: 860,
      height: 200,
      data: { values: s.rows },
      encoding: { x: { field: 'wavelength', type: 'quantitative', title: 'wavelength (Å)', scale: { zero: false } } },
      layer: [
        {
          mark: { type: 'area', opacity: 0.3, color: '#9ecae1' },
          encoding: { y: { field: 'lo', type: 'quantitative', title: 'flux' }, y2: { field: 'hi' } },
        },
        { mark: { type: 'line', strokeWidth: 0.7, color: '#08519c' }, encoding: { y: { field: 'flux', type: 'quantitative' } } },
      ],
    });
    plots.push(`<h3>TARGETID ${esc(s.id)}</h3>${svg}`);
  }
  return { hist, skymap, plots };
}

/** The page: the validator's tables, then the charts. */
function reportHtml(analysis: AnalyzeReport, c: { hist: string; skymap: string; plots: string[] }, title: string): string {
  const t = analysis.totals;
  const rows = analysis.files
    .map(
      (f) =>
        `<tr class="${f.ok ? 'ok' : 'bad'}"><td>${esc(f.path.split('/').pop())}</td><td>${f.healpix ?? ''}</td><td>${f.rows ?? ''}</td><td>${f.npix ?? ''}</td><td>${MB(f.bytes)}</td><td>${f.compressionRatio?.toFixed(2) ?? ''}</td><td>${f.bytesPerSpectrum ? (f.bytesPerSpectrum / 1024).toFixed(1) : ''}</td><td>${esc(f.problems.join('; ') || 'ok')}</td></tr>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>body{font-family:system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:.25em .6em;text-align:right}td:first-child,td:last-child{text-align:left}tr.bad{background:#fde0dc}.grid{display:flex;gap:2em;flex-wrap:wrap}</style>
</head><body>
<h1>${esc(title)}</h1>
<p id="verdict">${analysis.ok ? 'All files valid.' : 'Problems found.'}</p>
<table id="totals"><tr><th>files</th><th>spectra</th><th>bytes</th><th>uncompressed</th><th>ratio</th><th>bytes / spectrum</th></tr>
<tr><td>${t.files}</td><td>${t.rows}</td><td>${MB(t.bytes)}</td><td>${MB(t.uncompressedBytes)}</td><td>${t.bytes ? (t.uncompressedBytes / t.bytes).toFixed(2) : ''}</td><td>${t.rows ? (t.bytes / t.rows / 1024).toFixed(1) : ''} KiB</td></tr></table>
${analysis.problems.length ? `<ul id="problems">${analysis.problems.map((p) => `<li>${esc(p)}</li>`).join('')}</ul>` : ''}
<table id="files"><tr><th>file</th><th>HEALPix</th><th>rows</th><th>pixels</th><th>size</th><th>ratio</th><th>KiB / spectrum</th><th>checks</th></tr>
${rows}</table>
<div class="grid"><figure id="redshift"><figcaption>Redshift histogram</figcaption>${c.hist}</figure>
<figure id="sky"><figcaption>Sky map (targets by pixel)</figcaption>${c.skymap}</figure></div>
<section id="spectra"><h2>Spectra (flux with ±1σ band)</h2>${c.plots.join('\n')}</section>
</body></html>`;
}

/**
 * Write a self-contained HTML report (no server, no scripts: the charts are SVG drawn by Vega-Lite)
 * for spectra Parquet files: the validator's summary tables, a redshift histogram, a sky map of the
 * targets coloured by pixel, and a few spectra with their ±1σ band (σ = 1/√ivar).
 *
 * @example
 * await writeReport(['out/'], 'out/report.html');
 */
export async function writeReport(paths: string[], out: string, o: ReportOptions = {}): Promise<ReportSummary> {
  const analysis = await analyzeParquet(paths);
  const files = (await parquetFiles(paths)).filter((f) =>
    analysis.files.find((r) => r.path === f)?.problems.every((p) => !p.startsWith('unreadable')),
  );
  const data = await reportData(files, o);
  const html = reportHtml(analysis, await charts(data), o.title ?? 'DESI spectra report');
  // Whole or not at all: a temporary file, flushed to the disk, renamed into place.
  const { default: writeFileAtomic } = await import('write-file-atomic');
  await writeFileAtomic(out, html);
  return {
    path: out,
    analysis,
    histogramValues: data.zs.length,
    skyPoints: data.sky.length,
    spectra: data.spectra.map((s) => ({ targetId: s.id, points: s.rows.length })),
  };
}
