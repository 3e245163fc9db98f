import { createHash } from 'node:crypto';

/** A value as the corpus reference writes it (REFERENCE-FORMAT §4). */
export type RefValue = number | string | boolean | null | RefValue[];

/** Flat values read by us, one entry per element (complex as [re, im]). */
export type Flat = Array<number | bigint | string | boolean | null | [number, number]>;

const INT_DTYPES = new Set(['uint8', 'int8', 'int16', 'uint16', 'int32', 'uint32']);

/** Our column or image values as one flat list, by the reference dtype. */
export function flatten(data: ArrayLike<unknown>, dtype: string): Flat {
  const out: Flat = [];
  if (dtype.startsWith('complex')) {
    for (let i = 0; i < data.length; i += 2) out.push([data[i] as number, data[i + 1] as number]);
    return out;
  }
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (dtype === 'bool' && typeof v === 'number') out.push(v === 1);
    else out.push(v as Flat[number]);
  }
  return out;
}

function refNumber(v: RefValue): number {
  if (v === 'NaN') return Number.NaN;
  if (v === 'Infinity') return Number.POSITIVE_INFINITY;
  if (v === '-Infinity') return Number.NEGATIVE_INFINITY;
  return v as number;
}

/** Compare one element with the reference's encoding of it; returns a reason when they differ. */
export function sameValue(ours: Flat[number], ref: RefValue, dtype: string): boolean {
  if (dtype === 'int64' || dtype === 'uint64') {
    if (typeof ours === 'number' && !Number.isInteger(ours)) return false;
    return BigInt(ours as number | bigint) === BigInt(ref as string);
  }
  if (dtype.startsWith('complex')) {
    const [re, im] = ours as [number, number];
    const [rr, ri] = ref as RefValue[];
    return sameFloat(re, refNumber(rr)) && sameFloat(im, refNumber(ri));
  }
  if (dtype === 'float32' || dtype === 'float64') return sameFloat(Number(ours), refNumber(ref));
  if (INT_DTYPES.has(dtype)) return Number(ours) === ref;
  return ours === ref;
}

function sameFloat(a: number, b: number): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
  return Object.is(a, b);
}

/** sha256 of the elements with the reference's per-dtype byte rules. */
export function hashValues(values: Flat, dtype: string): string {
  const h = createHash('sha256');
  const buf = Buffer.alloc(16);
  for (const v of values) {
    switch (dtype) {
      case 'uint8':
        buf.writeUInt8(Number(v));
        h.update(buf.subarray(0, 1));
        break;
      case 'int8':
        buf.writeInt8(Number(v));
        h.update(buf.subarray(0, 1));
        break;
      case 'int16':
        buf.writeInt16LE(Number(v));
        h.update(buf.subarray(0, 2));
        break;
      case 'uint16':
        buf.writeUInt16LE(Number(v));
        h.update(buf.subarray(0, 2));
        break;
      case 'int32':
        buf.writeInt32LE(Number(v));
        h.update(buf.subarray(0, 4));
        break;
      case 'uint32':
        buf.writeUInt32LE(Number(v));
        h.update(buf.subarray(0, 4));
        break;
      case 'int64':
        buf.writeBigInt64LE(BigInt(v as bigint));
        h.update(buf.subarray(0, 8));
        break;
      case 'uint64':
        buf.writeBigUInt64LE(BigInt(v as bigint));
        h.update(buf.subarray(0, 8));
        break;
      case 'float32':
        writeF32(buf, 0, Number(v));
        h.update(buf.subarray(0, 4));
        break;
      case 'float64':
        writeF64(buf, 0, Number(v));
        h.update(buf.subarray(0, 8));
        break;
      case 'complex64': {
        const [re, im] = v as [number, number];
        writeF32(buf, 0, re);
        writeF32(buf, 4, im);
        h.update(buf.subarray(0, 8));
        break;
      }
      case 'complex128': {
        const [re, im] = v as [number, number];
        writeF64(buf, 0, re);
        writeF64(buf, 8, im);
        h.update(buf.subarray(0, 16));
        break;
      }
      case 'bool':
        buf.writeUInt8(v === null ? 2 : v ? 1 : 0);
        h.update(buf.subarray(0, 1));
        break;
      case 'str':
        h.update(Buffer.from(`${v as string}\n`, 'latin1'));
        break;
      default:
        throw new Error(`no hash rule for ${dtype}`);
    }
  }
  return h.digest('hex');
}

function writeF32(buf: Buffer, at: number, v: number) {
  if (Number.isNaN(v)) buf.writeUInt32LE(0x7fc00000, at);
  else buf.writeFloatLE(v, at);
}
function writeF64(buf: Buffer, at: number, v: number) {
  if (Number.isNaN(v)) {
    buf.writeUInt32LE(0, at);
    buf.writeUInt32LE(0x7ff80000, at + 4);
  } else buf.writeDoubleLE(v, at);
}

/** A reference data block: full `{n, values}` or summary `{n, sha256, first, last, …}`. */
export interface RefBlock {
  n: number;
  values?: RefValue[];
  sha256?: string;
  first?: RefValue[];
  last?: RefValue[];
}

/** Compare flat values with a data block; returns undefined when equal, else a description. */
export function compareBlock(ours: Flat, block: RefBlock, dtype: string): string | undefined {
  if (ours.length !== block.n) return `length ${ours.length} ≠ ${block.n}`;
  if (block.values) {
    for (let i = 0; i < block.n; i++) {
      if (!sameValue(ours[i], block.values[i], dtype))
        return `element ${i}: ours ${String(ours[i])} ≠ ref ${JSON.stringify(block.values[i])}`;
    }
    return undefined;
  }
  const first = block.first ?? [];
  for (let i = 0; i < first.length; i++) if (!sameValue(ours[i], first[i], dtype)) return `first[${i}] differs`;
  const got = hashValues(ours, dtype);
  return got === block.sha256 ? undefined : `sha256 ${got} ≠ ${block.sha256}`;
}
