import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parquetFileName, writeReport, writeSpectraParquet } from '../src/index.js';
import { sampleBatch } from './sample.js';

const CHROMIUM = '/usr/bin/chromium';
const run = promisify(execFile);

/** The `<g class="mark-… role-mark …">` group of a figure and its drawn paths. */
function marks(dom: string, figure: string, mark: string): string[] {
  const fig = dom.slice(dom.indexOf(`id="${figure}"`));
  const start = fig.indexOf(`class="mark-${mark} role-mark`);
  if (start < 0) return [];
  const group = fig.slice(start, fig.indexOf('</g>', start));
  return group.match(/<path[^>]*>/g) ?? [];
}

describe.runIf(existsSync(CHROMIUM))('HTML report in headless Chromium', () => {
  it('renders the tables, the histogram, the sky map and the spectra with the expected points', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'report-'));
    const sizes = [4, 6, 5];
    for (const [i, n] of sizes.entries()) {
      const b = sampleBatch({ count: n, camera: 'concat', healpix: 30000 + i });
      await writeSpectraParquet(join(dir, parquetFileName(b.pixel.healpix, n)), b);
    }
    const out = join(dir, 'report.html');
    const summary = await writeReport([dir], out, { spectra: 3, stride: 8 });
    expect(summary.analysis.ok).toBe(true);
    expect(summary.skyPoints).toBe(15);
    expect(summary.spectra.map((s) => s.points)).toEqual([991, 991, 991]); // ceil(7927 / 8)
    const { stdout: dom } = await run(
      CHROMIUM,
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--no-first-run',
        '--disable-background-networking',
        `--user-data-dir=${mkdtempSync(join(tmpdir(), 'chr-'))}`,
        '--dump-dom',
        `file://${out}`,
      ],
      { timeout: 60_000, maxBuffer: 1 << 26 },
    );
    expect(dom).toContain('All files valid.');
    // The files table: one row per file, plus the header.
    const filesTable = dom.slice(dom.indexOf('id="files"'), dom.indexOf('</table>', dom.indexOf('id="files"')));
    expect((filesTable.match(/<tr/g) ?? []).length).toBe(1 + sizes.length);
    // One symbol per target on the sky map.
    expect(marks(dom, 'sky', 'symbol').length).toBe(15);
    // Histogram bars hold every target.
    expect(marks(dom, 'redshift', 'rect').length).toBeGreaterThan(1);
    // Each spectrum: one line through every plotted point (M + 990 L commands) and its band.
    const spectraSection = dom.slice(dom.indexOf('id="spectra"'));
    const lines = spectraSection.match(/class="mark-line role-mark[\s\S]*?<path[^>]*d="([^"]*)"/g) ?? [];
    expect(lines.length).toBe(3);
    for (const l of lines) expect((l.match(/L/g) ?? []).length + 1).toBe(991);
    expect((spectraSection.match(/class="mark-area role-mark/g) ?? []).length).toBe(3);
  }, 90_000);
});
