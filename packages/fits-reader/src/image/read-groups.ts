import { FitsError } from '../errors.js';
import type { HduContext } from '../hdu/context.js';
import { readExact } from '../source/byte-source.js';
import type { NumericArray } from '../table/decode-binary.js';
import { swapInPlace } from '../util/swap.js';
import { rawArrayType } from './physical.js';
import { imageScaling } from './read-image.js';

/** One random-groups parameter (PTYPEn) across all groups. */
export interface GroupParameter {
  name: string;
  /** One value per group: physical (PSCALn/PZEROn applied in float64 when they are not 1/0). */
  data: NumericArray;
}

/** The data of a random-groups HDU (GROUPS = T, NAXIS1 = 0). */
export interface Groups {
  /** GCOUNT. */
  count: number;
  parameters: GroupParameter[];
  /** Shape of one group's array in numpy order (NAXISn … NAXIS2). */
  groupShape: number[];
  /** Every group's array, group after group, physical values (BSCALE/BZERO in float64 when set). */
  data: NumericArray;
}

function num(v: unknown, dflt: number): number {
  return typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : dflt;
}

function toFloat(raw: NumericArray, i: number): number {
  return typeof raw[i] === 'bigint' ? Number(raw[i]) : (raw[i] as number);
}

/** Read random groups: parameters per group and the group arrays, with their scalings. */
export async function readGroups(ctx: HduContext): Promise<Groups> {
  const { bitpix, naxes, pcount, gcount, dataSize } = ctx.layout;
  if (ctx.layout.kind !== 'random-groups') throw new FitsError('wrong-kind', 'not a random-groups HDU', { hdu: ctx.index });
  const per = naxes.slice(1).reduce((a, b) => a * b, 1);
  const width = Math.abs(bitpix) / 8;
  const bytes = new Uint8Array(dataSize);
  bytes.set(await readExact(ctx.src, ctx.dataOffset, dataSize, 'random-groups data', ctx.index));
  swapInPlace(bytes, width);
  const raw = new (rawArrayType(bitpix))(bytes.buffer, 0, dataSize / width) as NumericArray;
  const stride = pcount + per;
  const h = ctx.header;
  const parameters: GroupParameter[] = [];
  for (let p = 0; p < pcount; p++) {
    const scal = num(h.get(`PSCAL${p + 1}`), 1);
    const zero = num(h.get(`PZERO${p + 1}`), 0);
    const scaled = scal !== 1 || zero !== 0;
    const Ctor = scaled ? Float64Array : (raw.constructor as new (n: number) => NumericArray);
    const data = new Ctor(gcount);
    for (let g = 0; g < gcount; g++) {
      if (scaled) (data as Float64Array)[g] = toFloat(raw, g * stride + p) * scal + zero;
      else (data as Float64Array)[g] = raw[g * stride + p] as number;
    }
    parameters.push({ name: String(h.get(`PTYPE${p + 1}`) ?? `param${p + 1}`), data });
  }
  const { bscale, bzero } = imageScaling(h, bitpix);
  const z = Number(bzero);
  const scaled = bscale !== 1 || z !== 0;
  const Ctor = scaled ? Float64Array : (raw.constructor as new (n: number) => NumericArray);
  const data = new Ctor(gcount * per);
  for (let g = 0; g < gcount; g++) {
    const src = g * stride + pcount;
    for (let i = 0; i < per; i++) {
      if (scaled) (data as Float64Array)[g * per + i] = toFloat(raw, src + i) * bscale + z;
      else (data as Float64Array)[g * per + i] = raw[src + i] as number;
    }
  }
  return { count: gcount, parameters, groupShape: naxes.slice(1).reverse(), data };
}
