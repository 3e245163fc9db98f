#!/usr/bin/env node
// Build the workspace packages whose dist/ is missing or older than their sources, in dependency
// order, so `pnpm desi-qso` and `pnpm demo` run the compiled CLI (what users run) on a fresh clone
// and after every edit, and cost nothing when everything is built.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
/**
 * The workspace's built packages (those with a build script), each after the workspace packages it
 * depends on: read from their package.json files, so a new package needs no edit here.
 */
function buildOrder() {
  const pkgs = new Map();
  for (const group of ['packages', 'examples']) {
    for (const name of readdirSync(join(root, group)).sort()) {
      const file = join(root, group, name, 'package.json');
      if (!existsSync(file)) continue;
      const json = JSON.parse(readFileSync(file, 'utf8'));
      if (json.scripts?.build) pkgs.set(json.name, { dir: `${group}/${name}`, json });
    }
  }
  const order = [];
  const seen = new Set();
  const visit = (name) => {
    if (seen.has(name) || !pkgs.has(name)) return;
    seen.add(name);
    const { dir, json } = pkgs.get(name);
    for (const dep of Object.keys({ ...json.dependencies, ...json.devDependencies, ...json.peerDependencies })) visit(dep);
    order.push(dir);
  };
  for (const name of pkgs.keys()) visit(name);
  return order;
}
const ORDER = buildOrder();

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
