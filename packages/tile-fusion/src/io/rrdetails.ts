import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FusionError } from '../errors.js';

/** The redrock fits (`zfit`) of the selected targets: up to `nfit` per target, best first (znum order). */
export interface RedrockFits {
  /** Fits per target kept (columns of the arrays below). */
  nfit: number;
  /** count × nfit; NaN where a target has fewer fits. */
  z: Float64Array;
  chi2: Float64Array;
  deltachi2: Float64Array;
  /** count × nfit; '' where a target has fewer fits. */
  spectype: string[];
  subtype: string[];
  /** Targets that have no zfit group. */
  missing: bigint[];
}

interface H5Dataset {
  dtype: unknown;
  value: unknown;
}
interface H5File {
  get(path: string): H5Dataset | null;
  close(): void;
}

/**
 * Read `/zfit/<TARGETID>/zfit` of an rrdetails HDF5 file with h5wasm. `input` is a local path or the
 * file's bytes (remote files must be fetched whole first: HDF5 has no cheap range layout, so in
 * range-read mode this costs ~0.6× the coadd's size and is opt-in).
 */
export async function readRedrockFits(input: string | Uint8Array, targetIds: ArrayLike<bigint>, nfit = 9): Promise<RedrockFits> {
  type H5 = { ready: Promise<unknown>; File: new (path: string, mode: string) => H5File };
  // h5wasm is an optional peer dependency: only rrdetails needs it.
  const h5wasm = (await import('h5wasm/node').catch((e: { code?: string }) => {
    if (e?.code !== 'ERR_MODULE_NOT_FOUND' && e?.code !== 'MODULE_NOT_FOUND') throw e;
    throw new FusionError('bad-option', 'reading rrdetails needs the optional package h5wasm: install it (npm i h5wasm)', { cause: e });
  })) as unknown as H5;
  await h5wasm.ready;
  await checkSignature(input);
  let path = typeof input === 'string' ? input : '';
  let tmp: string | undefined;
  if (typeof input !== 'string') {
    tmp = await mkdtemp(join(tmpdir(), 'rrdetails-'));
    path = join(tmp, 'rrdetails.h5');
    await writeFile(path, input);
  }
  const n = targetIds.length;
  const out: RedrockFits = {
    nfit,
    z: new Float64Array(n * nfit).fill(Number.NaN),
    chi2: new Float64Array(n * nfit).fill(Number.NaN),
    deltachi2: new Float64Array(n * nfit).fill(Number.NaN),
    spectype: new Array<string>(n * nfit).fill(''),
    subtype: new Array<string>(n * nfit).fill(''),
    missing: [],
  };
  const f = new h5wasm.File(path, 'r');
  try {
    for (let t = 0; t < n; t++) {
      const ds = f.get(`zfit/${targetIds[t]}/zfit`);
      if (!ds) {
        out.missing.push(targetIds[t]);
        continue;
      }
      const fields = (ds.dtype as Array<[string, ...unknown[]]>).map((d) => d[0]);
      const col = (name: string) => fields.indexOf(name);
      const [iz, ichi2, idchi2, itype, isub, iznum] = ['z', 'chi2', 'deltachi2', 'spectype', 'subtype', 'znum'].map(col);
      for (const row of ds.value as unknown[][]) {
        const k = Number(row[iznum]);
        if (!(k >= 0 && k < nfit)) continue;
        const at = t * nfit + k;
        out.z[at] = Number(row[iz]);
        out.chi2[at] = Number(row[ichi2]);
        out.deltachi2[at] = Number(row[idchi2]);
        out.spectype[at] = String(row[itype] ?? '').replace(/[\0 ]+$/, '');
        out.subtype[at] = String(row[isub] ?? '').replace(/[\0 ]+$/, '');
      }
    }
  } finally {
    f.close();
    if (tmp) await rm(tmp, { recursive: true, force: true });
  }
  return out;
}

/** The HDF5 superblock signature, found at byte 0, 512, 1024, 2048… of an HDF5 file. */
const HDF5_SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

/**
 * Refuse a file that is not HDF5 before h5wasm sees it: h5wasm opens some non-HDF5 bytes without an
 * error and then finds no group at all, which would pass for "every target missing".
 */
async function checkSignature(input: string | Uint8Array): Promise<void> {
  let head: Uint8Array;
  if (typeof input === 'string') {
    const { open } = await import('node:fs/promises');
    const fh = await open(input, 'r');
    try {
      head = new Uint8Array(8200);
      const { bytesRead } = await fh.read(head, 0, head.length, 0);
      head = head.subarray(0, bytesRead);
    } finally {
      await fh.close();
    }
  } else head = input.subarray(0, 8200);
  for (let at = 0; at + 8 <= head.length; at = at === 0 ? 512 : at * 2) {
    if (HDF5_SIGNATURE.every((b, i) => head[at + i] === b)) return;
  }
  throw new FusionError('bad-file', `rrdetails is not an HDF5 file (no HDF5 signature)`, {
    product: 'rrdetails',
    file: typeof input === 'string' ? input : undefined,
  });
}
