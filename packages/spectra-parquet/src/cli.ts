/**
 * `spectra-parquet analyze <files or folders…> [--json] [--report report.html]`: validate spectra
 * Parquet files, optionally write the HTML report; exits 1 when a check fails.
 */
import { parseArgs } from 'node:util';
import { analyzeParquet } from './analyze.js';
import { writeReport } from './report.js';

export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { json: { type: 'boolean' }, report: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  const [command, ...paths] = positionals;
  if (values.help || command !== 'analyze' || paths.length === 0) {
    console.log('usage: spectra-parquet analyze <files or folders…> [--json] [--report report.html]');
    return values.help ? 0 : 2;
  }
  const report = values.report ? (await writeReport(paths, values.report)).analysis : await analyzeParquet(paths);
  if (values.json) console.log(JSON.stringify(report, null, 2));
  else {
    const t = report.totals;
    console.log(
      `${t.files} files, ${t.rows} spectra, ${(t.bytes / 1e6).toFixed(2)} MB (${t.bytes ? (t.uncompressedBytes / t.bytes).toFixed(2) : '–'}× compression)`,
    );
    for (const f of report.files) console.log(`${f.ok ? 'ok  ' : 'FAIL'} ${f.path}${f.ok ? '' : `: ${f.problems.join('; ')}`}`);
    for (const p of report.problems) console.log(`FAIL ${p}`);
    if (values.report) console.log(`report: ${values.report}`);
  }
  return report.ok ? 0 : 1;
}
