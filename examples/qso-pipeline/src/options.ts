import type { Precision, Selection } from '@desi/tile-fusion';

/** A usage error: the CLI prints it with the usage line and exits 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** `lossless`, `decimals`, `decimals:F[,W]` or `keepbits:N`. */
export function parsePrecision(text: string): Precision {
  if (text === 'lossless') return { mode: 'lossless' };
  const d = /^decimals(?::(\d+)(?:,(\d+))?)?$/.exec(text);
  if (d) return { mode: 'decimals', flux: d[1] ? Number(d[1]) : undefined, wavelength: d[2] ? Number(d[2]) : undefined };
  const k = /^keepbits:(\d+)$/.exec(text);
  if (k && Number(k[1]) >= 1 && Number(k[1]) <= 23) return { mode: 'keepbits', bits: Number(k[1]) };
  throw new UsageError(`--precision takes lossless, decimals or keepbits:N (1 ≤ N ≤ 23), got ${text}`);
}

/** Comma-separated list, or undefined. */
export function list(text: string | undefined): string[] | undefined {
  return text === undefined
    ? undefined
    : text
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
}

/** `--pixels 100,101,200-205`. */
export function parsePixels(text: string | undefined): number[] | undefined {
  if (text === undefined) return undefined;
  const out: number[] = [];
  for (const part of list(text) ?? []) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!m) throw new UsageError(`--pixels takes numbers and ranges like 100,200-205, got ${part}`);
    const [a, b] = [Number(m[1]), Number(m[2] ?? m[1])];
    if (b < a || b - a > 1 << 20) throw new UsageError(`--pixels range ${part} is reversed or too long`);
    for (let p = a; p <= b; p++) out.push(p);
  }
  return out;
}

/** The target selection from `--spectypes`, `--zwarn-mask`, `--z-min/--z-max`, `--selection`. */
export function parseSelection(v: {
  selection?: string;
  spectypes?: string;
  'zwarn-mask'?: string;
  'z-min'?: string;
  'z-max'?: string;
  'fiberstatus-zero'?: boolean;
  'positive-targetid'?: boolean;
}): Selection {
  const num = (flag: string, t: string | undefined) => {
    if (t === undefined) return undefined;
    const n = Number(t);
    if (!Number.isFinite(n)) throw new UsageError(`${flag} takes a number, got ${t}`);
    return n;
  };
  if (v.selection && v.selection !== 'redrock' && v.selection !== 'desi-qso-catalog') {
    throw new UsageError(`--selection takes redrock or desi-qso-catalog, got ${v.selection}`);
  }
  const zMin = num('--z-min', v['z-min']);
  const zMax = num('--z-max', v['z-max']);
  return {
    method: v.selection as Selection['method'],
    spectypes: list(v.spectypes),
    zwarnMask: v['zwarn-mask'] === undefined ? undefined : BigInt(v['zwarn-mask']),
    fiberstatusZero: v['fiberstatus-zero'],
    positiveTargetId: v['positive-targetid'],
    z: zMin === undefined && zMax === undefined ? undefined : { min: zMin, max: zMax },
  };
}
