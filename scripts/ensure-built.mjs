#!/usr/bin/env node
// Build the workspace packages whose dist/ is missing or older than their sources, in dependency
// order, so `pnpm desi-qso` and `pnpm demo` run the compiled CLI (what users run) on a fresh clone
// and after every edit, and cost nothing when everything is built.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const ORDER = ['packages/fits-reader', 'packages/s3-fetch', 'packages/tile-fusion', 'packages/spectra-parquet', 'examples/qso-pipeline'];

/** Newest (or oldest) modification time of the files below `dir`. */
function mtime(dir, pick) {
  let t;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!e.isFile()) continue;
    const m = statSync(join(e.parentPath, e.name)).mtimeMs;
    t = t === undefined ? m : pick(t, m);
  }
  return t;
}

let rebuilt = false;
for (const pkg of ORDER) {
  const dir = join(root, pkg);
  const dist = join(dir, 'dist');
  const inputs = [join(dir, 'src'), join(dir, 'package.json'), join(dir, 'tsup.config.ts')];
  const newest = Math.max(...inputs.filter(existsSync).map((p) => (statSync(p).isDirectory() ? mtime(p, Math.max) : statSync(p).mtimeMs)));
  // A package is rebuilt when it is stale, or when one it depends on was just rebuilt.
  const stale = rebuilt || !existsSync(dist) || !readdirSync(dist).length || mtime(dist, Math.min) < newest;
  if (!stale) continue;
  console.error(`building ${pkg} (${existsSync(dist) ? 'sources changed' : 'not built yet'})…`);
  execFileSync('pnpm', ['--filter', `./${pkg}`, 'build'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  rebuilt = true;
}
