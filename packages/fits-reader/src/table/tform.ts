/** Element codes of binary-table TFORMs. */
export type BinaryCode = 'L' | 'X' | 'B' | 'I' | 'J' | 'K' | 'A' | 'E' | 'D' | 'C' | 'M' | 'P' | 'Q';

/** A parsed binary-table TFORM (`rTa`). */
export interface BinaryTform {
  repeat: number;
  code: BinaryCode;
  /** For P/Q: the element code of the heap array. */
  elemCode?: Exclude<BinaryCode, 'P' | 'Q'>;
  /** For P/Q: the maximum length from `(max)`, when written. */
  maxLen?: number;
  /** Bytes the field takes in the row. */
  width: number;
}

const SIZE: Record<string, number> = { L: 1, B: 1, I: 2, J: 4, K: 8, A: 1, E: 4, D: 8, C: 8, M: 16, P: 8, Q: 16 };

/** Parse a binary-table TFORM, or return a reason it is invalid. */
export function parseBinaryTform(text: string): BinaryTform | string {
  const m = /^\s*(\d*)([LXBIJKAEDCMPQ])(.*)$/.exec(text.toUpperCase());
  if (!m) return `TFORM ${JSON.stringify(text)} is not a valid binary-table format`;
  const repeat = m[1] === '' ? 1 : Number(m[1]);
  if (!Number.isSafeInteger(repeat)) return `TFORM ${JSON.stringify(text)} has an impossible repeat count`;
  const code = m[2] as BinaryCode;
  if (code === 'P' || code === 'Q') {
    const v = /^([LXBIJKAEDCM])(?:\((\d+)\))?/.exec(m[3].trim());
    if (!v) return `TFORM ${JSON.stringify(text)}: a variable-length array needs an element type (e.g. 1PJ)`;
    if (repeat > 1) return `TFORM ${JSON.stringify(text)}: a P/Q descriptor repeat must be 0 or 1`;
    return {
      repeat,
      code,
      elemCode: v[1] as BinaryTform['elemCode'],
      maxLen: v[2] === undefined ? undefined : Number(v[2]),
      width: repeat * SIZE[code],
    };
  }
  const width = code === 'X' ? Math.ceil(repeat / 8) : repeat * SIZE[code];
  return { repeat, code, width };
}

/** A parsed ASCII-table TFORM (`Aw`, `Iw`, `Fw.d`, `Ew.d`, `Dw.d`). */
export interface AsciiTform {
  code: 'A' | 'I' | 'F' | 'E' | 'D';
  width: number;
  decimals: number;
}

export function parseAsciiTform(text: string): AsciiTform | string {
  const m = /^\s*([AIFED])(\d+)(?:\.(\d+))?\s*$/.exec(text.toUpperCase());
  if (!m) return `TFORM ${JSON.stringify(text)} is not a valid ASCII-table format`;
  return { code: m[1] as AsciiTform['code'], width: Number(m[2]), decimals: m[3] === undefined ? 0 : Number(m[3]) };
}
