/** What a failed pixel records: the error's code, message and where it happened, kept from its causes. */
export interface FailureDetail {
  /** A FusionError's or FitsError's code, or a system error's (ENOSPC, ENOENT…). */
  code?: string;
  message: string;
  /** The HDU (index) and keyword a FITS error named. */
  hdu?: number;
  keyword?: string;
  /** The file the error was about. */
  file?: string;
}

/**
 * The details of an error, looked for along its `cause` chain: the outermost message, the first code,
 * HDU, keyword and file any link carries (a FusionError wrapping a FitsError keeps both).
 */
export function failureOf(e: unknown): FailureDetail {
  const out: FailureDetail = { message: e instanceof Error ? e.message : String(e) };
  const seen = new Set<unknown>();
  for (let link: unknown = e; link && typeof link === 'object' && !seen.has(link); link = (link as { cause?: unknown }).cause) {
    seen.add(link);
    const l = link as { code?: unknown; hdu?: unknown; keyword?: unknown; file?: unknown; path?: unknown };
    if (out.code === undefined && typeof l.code === 'string') out.code = l.code;
    if (out.hdu === undefined && typeof l.hdu === 'number') out.hdu = l.hdu;
    if (out.keyword === undefined && typeof l.keyword === 'string') out.keyword = l.keyword;
    const file = typeof l.file === 'string' ? l.file : typeof l.path === 'string' ? l.path : undefined;
    if (out.file === undefined && file) out.file = file;
  }
  return out;
}
