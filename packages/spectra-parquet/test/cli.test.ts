import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { main } from '../src/cli.js';
import { parquetFileName, writeSpectraParquet } from '../src/index.js';
import { sampleBatch } from './sample.js';

describe('spectra-parquet analyze', () => {
  it('prints JSON, writes the report, and exits non-zero on a broken file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-'));
    const b = sampleBatch({ count: 3, camera: 'concat', healpix: 40000 });
    await writeSpectraParquet(join(dir, parquetFileName(40000, 3)), b);
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      expect(await main(['analyze', dir, '--json'])).toBe(0);
      const json = JSON.parse(log.mock.calls.map((c) => c.join(' ')).join('\n'));
      expect(json.totals.rows).toBe(3);
      expect(await main(['analyze', dir, '--report', join(dir, 'r.html')])).toBe(0);
      expect(readFileSync(join(dir, 'r.html'), 'utf8')).toContain('All files valid.');
      writeFileSync(join(dir, parquetFileName(40001, 2)), 'not parquet');
      expect(await main(['analyze', dir])).toBe(1);
      expect(await main(['nonsense'])).toBe(2);
    } finally {
      log.mockRestore();
    }
  });
});
