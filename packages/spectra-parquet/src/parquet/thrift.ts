/**
 * A Thrift compact-protocol writer, just enough for Parquet's footer and page headers: structs of
 * i32/i64/binary/list/struct fields written in increasing field-id order.
 */

/** Compact-protocol type ids. */
const T = { TRUE: 1, FALSE: 2, I16: 4, I32: 5, I64: 6, BINARY: 8, LIST: 9, STRUCT: 12 } as const;

/** A field value: numbers are i32, bigints i64, strings and bytes binary, arrays lists, objects structs. */
export type ThriftValue = number | bigint | boolean | string | Uint8Array | ThriftStruct | ThriftValue[] | I64;
/** Struct fields by id; undefined fields are left out. */
export type ThriftStruct = { [id: number]: ThriftValue | undefined };

/** Marks a number that must be written as i64 (Parquet's sizes and offsets). */
export class I64 {
  constructor(readonly value: number | bigint) {}
}
/** Shorthand for an i64 field value. */
export const i64 = (v: number | bigint): I64 => new I64(v);

const utf8 = new TextEncoder();

/** Growable byte buffer for small structures (headers, footers). */
export class ByteSink {
  private buf = new Uint8Array(256);
  length = 0;

  private reserve(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.length + n));
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }
  byte(b: number): void {
    this.reserve(1);
    this.buf[this.length++] = b;
  }
  bytes(b: Uint8Array): void {
    this.reserve(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }
  /** Unsigned LEB128 varint of a non-negative integer (up to 2^63). */
  varint(v: number | bigint): void {
    if (typeof v === 'number' && v < 2 ** 31) {
      let n = v;
      while (n >= 0x80) {
        this.byte((n & 0x7f) | 0x80);
        n >>>= 7;
      }
      this.byte(n);
      return;
    }
    let n = BigInt(v);
    while (n >= 0x80n) {
      this.byte(Number(n & 0x7fn) | 0x80);
      n >>= 7n;
    }
    this.byte(Number(n));
  }
  /** ZigZag varint of a signed integer. */
  zigzag(v: number | bigint): void {
    const n = BigInt(v);
    this.varint(n >= 0n ? n << 1n : (-n << 1n) - 1n);
  }
  uint32le(v: number): void {
    this.byte(v & 0xff);
    this.byte((v >>> 8) & 0xff);
    this.byte((v >>> 16) & 0xff);
    this.byte((v >>> 24) & 0xff);
  }
  /** The bytes written so far (a view; copy before reusing the sink). */
  view(): Uint8Array {
    return this.buf.subarray(0, this.length);
  }
}

function typeOf(v: ThriftValue): number {
  if (typeof v === 'boolean') return v ? T.TRUE : T.FALSE;
  if (typeof v === 'number') return T.I32;
  if (typeof v === 'bigint' || v instanceof I64) return T.I64;
  if (typeof v === 'string' || v instanceof Uint8Array) return T.BINARY;
  if (Array.isArray(v)) return T.LIST;
  return T.STRUCT;
}

function writeValue(out: ByteSink, v: ThriftValue): void {
  if (typeof v === 'boolean') out.byte(v ? 1 : 2);
  else if (typeof v === 'number') {
    if (!Number.isInteger(v)) throw new RangeError(`thrift: ${v} is not an integer`);
    out.zigzag(v);
  } else if (typeof v === 'bigint') out.zigzag(v);
  else if (v instanceof I64) out.zigzag(v.value);
  else if (typeof v === 'string' || v instanceof Uint8Array) {
    const b = typeof v === 'string' ? utf8.encode(v) : v;
    out.varint(b.length);
    out.bytes(b);
  } else if (Array.isArray(v)) {
    // An empty list still names an element type; every empty list Parquet writes here is of structs.
    const et = v.length ? typeOf(v[0]) : T.STRUCT;
    if (v.length < 15) out.byte((v.length << 4) | et);
    else {
      out.byte(0xf0 | et);
      out.varint(v.length);
    }
    for (const x of v) writeValue(out, x);
  } else writeStruct(out, v);
}

/** Append a struct (fields in increasing id order, then the stop byte). */
export function writeStruct(out: ByteSink, s: ThriftStruct): void {
  let last = 0;
  const ids = Object.keys(s)
    .map(Number)
    .sort((a, b) => a - b);
  for (const id of ids) {
    const v = s[id];
    if (v === undefined) continue;
    const t = typeOf(v);
    const delta = id - last;
    if (delta > 0 && delta <= 15) out.byte((delta << 4) | t);
    else {
      out.byte(t);
      out.zigzag(id);
    }
    // Booleans carry their value in the field header's type.
    if (typeof v !== 'boolean') writeValue(out, v);
    last = id;
  }
  out.byte(0);
}

/** A struct's compact-protocol bytes. */
export function serializeStruct(s: ThriftStruct): Uint8Array {
  const out = new ByteSink();
  writeStruct(out, s);
  return out.view().slice();
}
