import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openFits } from '../src/index.js';
import { CORPUS } from './harness/corpus.js';

/**
 * The core entry point must run in a browser as published: the built package (dist, built first if
 * its sources changed) is bundled with esbuild's browser defaults (no externals: a Node built-in in
 * the graph fails the build), the bundle is checked for Node imports, and a page in headless Chromium
 * reads FITS bytes, a Blob, an HTTP URL (range requests through fetch), a .fits.gz
 * (DecompressionStream) and a tile-compressed image. The values must equal what Node reads.
 */
const CHROMIUM = '/usr/bin/chromium';
const SAMPLE = join(import.meta.dirname, 'fixtures', 'sample', 'desi-like-coadd.fits');
const RICE = join(CORPUS, 'gen', 'fp_rice_i16_tiles.fits.fz');

const PAGE = `<!doctype html><html><body>pending<script type="module">
import { openFits } from './bundle/index.js';
const out = {};
try {
  const bytes = new Uint8Array(await (await fetch('/sample.fits')).arrayBuffer());
  const a = await openFits(bytes);
  const t = await a.readTable('FIBERMAP', { columns: ['TARGETID', 'OBJTYPE'] });
  out.ids = Array.from(t.columns.TARGETID, String);
  out.objtype = t.columns.OBJTYPE;
  const blob = await openFits(new Blob([bytes]));
  out.flux = Array.from((await blob.readImage('B_FLUX', { rows: [2] })).data.slice(0, 5));
  const url = await openFits(location.origin + '/sample.fits');
  out.mask = Array.from((await url.readImage('Z_MASK', { rows: [5, 0] })).data.slice(0, 5));
  out.checksum = await url.verifyChecksum('R_IVAR');
  const gz = await openFits(new Uint8Array(await (await fetch('/sample.fits.gz')).arrayBuffer()));
  out.gzHdus = (await gz.hdus()).length;
  const rice = await openFits(new Uint8Array(await (await fetch('/rice.fits.fz')).arrayBuffer()));
  out.rice = Array.from((await rice.readImage(1)).data.slice(0, 10));
} catch (e) {
  out.error = String(e && e.stack || e);
}
await fetch('/result', { method: 'POST', body: JSON.stringify(out) });
</script></body></html>`;

describe.runIf(existsSync(CHROMIUM))('in a browser (headless Chromium)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fits-browser-'));
  let server: Server;
  let origin = '';
  let report: (body: string) => void = () => {};
  const result = new Promise<string>((r) => {
    report = r;
  });

  beforeAll(async () => {
    const root = join(import.meta.dirname, '..', '..', '..');
    execFileSync(process.execPath, [join(root, 'scripts', 'ensure-built.mjs')], { stdio: 'ignore' });
    await build({
      entryPoints: { index: join(import.meta.dirname, '..', 'dist', 'index.js') },
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      outdir: join(dir, 'bundle'),
      logLevel: 'silent',
    });
    writeFileSync(join(dir, 'index.html'), PAGE);
    const files: Record<string, Uint8Array> = {
      '/sample.fits': readFileSync(SAMPLE),
      '/sample.fits.gz': gzipSync(readFileSync(SAMPLE)),
      '/rice.fits.fz': readFileSync(RICE),
    };
    server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      if (path === '/result') {
        let body = '';
        req.on('data', (c) => (body += c));
        req.on('end', () => {
          res.writeHead(204).end();
          report(body);
        });
        return;
      }
      const body =
        files[path] ??
        (existsSync(join(dir, path)) && path !== '/'
          ? readFileSync(join(dir, path))
          : path === '/'
            ? readFileSync(join(dir, 'index.html'))
            : undefined);
      if (!body) return res.writeHead(404).end();
      const type = extname(path) === '.js' ? 'text/javascript' : path === '/' ? 'text/html' : 'application/octet-stream';
      const m = /bytes=(\d+)-(\d+)/.exec(req.headers.range ?? '');
      if (m) {
        const start = Number(m[1]);
        const end = Math.min(Number(m[2]), body.length - 1);
        res.writeHead(206, { 'content-type': type, 'content-range': `bytes ${start}-${end}/${body.length}` });
        return res.end(Buffer.from(body.subarray(start, end + 1)));
      }
      res.writeHead(200, { 'content-type': type }).end(Buffer.from(body));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }, 60_000);
  afterAll(() => new Promise<void>((r) => server?.close(() => r())));

  it('the bundle of the published package has no Node imports in any chunk', () => {
    for (const f of readdirSync(join(dir, 'bundle')).filter((n) => n.endsWith('.js'))) {
      const code = readFileSync(join(dir, 'bundle', f), 'utf8');
      expect(code, f).not.toMatch(/from\s*["'](node:)?(fs|fs\/promises|zlib|path|os)["']/);
      expect(code, f).not.toMatch(/^import\s*["']node:/m);
    }
  });

  it('reads bytes, a Blob, a URL, gzip and tile compression, equal to Node', async () => {
    const browser = spawn(
      CHROMIUM,
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        `--user-data-dir=${mkdtempSync(join(tmpdir(), 'chromium-'))}`,
        `${origin}/`,
      ],
      { stdio: 'ignore' },
    );
    let body: string;
    try {
      body = await Promise.race([
        result,
        new Promise<string>((_, no) => setTimeout(() => no(new Error('no result from the page within 60 s')), 60_000)),
      ]);
    } finally {
      browser.kill('SIGKILL');
    }
    const got = JSON.parse(body);
    expect(got.error).toBeUndefined();
    const node = await openFits(SAMPLE);
    const t = await node.readTable('FIBERMAP', { columns: ['TARGETID', 'OBJTYPE'] });
    expect(got.ids).toEqual(Array.from(t.columns.TARGETID as BigInt64Array, String));
    expect(got.objtype).toEqual(t.columns.OBJTYPE);
    expect(got.flux).toEqual(Array.from(((await node.readImage('B_FLUX', { rows: [2] })).data as Float32Array).slice(0, 5)));
    expect(got.mask).toEqual(Array.from(((await node.readImage('Z_MASK', { rows: [5, 0] })).data as Uint32Array).slice(0, 5)));
    expect(got.checksum).toEqual({ checksum: 'ok', datasum: 'ok' });
    expect(got.gzHdus).toBe(14);
    const rice = await openFits(RICE);
    expect(got.rice).toEqual(Array.from(((await rice.readImage(1)).data as Int16Array).slice(0, 10)));
  }, 90_000);
});
