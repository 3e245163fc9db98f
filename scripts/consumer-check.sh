#!/usr/bin/env bash
# What a consumer installs is what is tested: pack every package, install the tarballs (with their
# declared dependencies only) into a fresh project, then run each README's example as ESM and as
# CommonJS, type-check a TypeScript consumer (node16), bundle fits-reader for browsers with esbuild's
# defaults, and run the desi-qso, fits-inspect and spectra-parquet bins through npx.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
fixtures="$repo/packages/tile-fusion/test/fixtures/dr1/spectro/redux/iron/healpix"

mkdir -p "$work/packs" "$work/app"
for d in packages/healpix packages/fits-reader packages/s3-fetch packages/tile-fusion packages/spectra-parquet examples/qso-pipeline; do
  (cd "$repo/$d" && pnpm pack --pack-destination "$work/packs" >/dev/null)
done
for t in "$work"/packs/*.tgz; do
  list="$(tar -tzf "$t")"
  grep -qx 'package/LICENSE' <<<"$list" || { echo "$(basename "$t") ships no LICENSE"; exit 1; }
done
cd "$work/app"
npm init -y >/dev/null
npm pkg set type=module >/dev/null
npm install --no-audit --no-fund --loglevel=error "$work"/packs/*.tgz
cp "$repo"/scripts/consumer/* .
export AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true

node esm.mjs "$fixtures"
# As on Node before 20.19, where require() cannot load an ES module: every CommonJS path must be CommonJS.
norequire=""
if node --no-experimental-require-module -e 0 2>/dev/null; then norequire="--no-experimental-require-module"; fi
node $norequire cjs.cjs "$fixtures"
cat > tsconfig.json <<'JSON'
{ "compilerOptions": { "module": "node16", "moduleResolution": "node16", "target": "es2022", "strict": true, "noEmit": true, "skipLibCheck": false, "types": [] }, "files": ["types.ts"] }
JSON
"$repo/node_modules/.bin/tsc" -p tsconfig.json
echo "typescript consumer ok"
"$repo/node_modules/.bin/esbuild" browser.mjs --bundle --platform=browser --format=esm --outfile=bundle.js --log-level=warning
if grep -Eq 'from "(node:)?(fs|fs/promises|zlib)"' bundle.js; then echo "browser bundle imports Node built-ins"; exit 1; fi
echo "browser bundle ok ($(wc -c < bundle.js) bytes)"
npx --no-install desi-qso --version
npx --no-install desi-qso convert --source "$fixtures" --out "$work/out" --summary-json "$work/summary.json" >/dev/null
grep -q '"pixels_ok": 3' "$work/summary.json"
inspect="$(npx --no-install fits-inspect "$fixtures/main/dark/100/10016/coadd-main-dark-10016.fits" --verify 2>&1)"
grep -q 'DATASUM ok' <<<"$inspect"
analysis="$(npx --no-install spectra-parquet analyze "$work/out")" # exits 1 when a check fails
grep -q '^3 files, 19 spectra' <<<"$analysis"
echo "bins ok"

# A writer-only consumer: @desi/spectra-parquet alone installs no DuckDB, Vega or h5wasm, writes a
# file, and says what to install when asked for the validator.
mkdir -p "$work/writer-only" && cd "$work/writer-only"
npm init -y >/dev/null && npm pkg set type=module >/dev/null
npm install --no-audit --no-fund --loglevel=error "$work"/packs/desi-spectra-parquet-*.tgz "$work"/packs/desi-healpix-*.tgz
for heavy in @duckdb/node-api vega vega-lite h5wasm; do
  if [ -e "node_modules/$heavy" ]; then echo "writer-only install pulled $heavy"; exit 1; fi
done
echo "writer-only install: $(du -sm node_modules | cut -f1) MB"
node --input-type=module -e "
import { encodeSpectraParquet, analyzeParquet } from '@desi/spectra-parquet';
const n = 2, np = 3;
const b = { pixel: { survey: 'main', program: 'dark', healpix: 1 }, specprod: 'iron', camera: 'brz', precision: { mode: 'lossless' }, count: n,
  targetId: new BigInt64Array(n), ra: new Float64Array(n), dec: new Float64Array(n), z: new Float64Array(n),
  wavelength: new Float64Array(np), flux: new Float32Array(n * np), ivar: new Float32Array(n * np), mask: new Int32Array(n * np) };
if (encodeSpectraParquet(b).length < 100) throw new Error('no file');
await analyzeParquet(['.']).then(() => { throw new Error('analyze ran without DuckDB'); }, (e) => {
  if (!/needs the optional package @duckdb\/node-api/.test(e.message)) throw e;
});
console.log('writer-only consumer ok');
"
echo "consumer check: all passed"
