/** A header card to write: keyword, value, optional comment. `null` writes an undefined value. */
export interface CardInput {
  keyword: string;
  value?: string | number | bigint | boolean | null;
  comment?: string;
}

function fitsFloat(v: number, keyword: string): string {
  if (!Number.isFinite(v)) throw new Error(`${keyword}: FITS headers cannot hold ${v}`);
  if (Object.is(v, -0)) return '-0.0';
  let s = String(v).toUpperCase();
  if (!/[.E]/.test(s)) s += '.0';
  else if (s.includes('E') && !s.includes('.')) s = s.replace('E', '.0E');
  return s;
}

function pad80(s: string): string {
  if (s.length > 80) throw new Error(`card too long: ${s}`);
  return s.padEnd(80);
}

/**
 * Format one logical card as one or more 80-character images (FITS 4.0 §4.2). Strings longer than a
 * card continue on CONTINUE cards; numbers and logicals are fixed format (right-aligned to column 30).
 */
export function formatCard(c: CardInput): string[] {
  const key = c.keyword.toUpperCase();
  if (key === 'COMMENT' || key === 'HISTORY' || key === '') {
    const text = String(c.value ?? '');
    const out: string[] = [];
    for (let i = 0; i === 0 || i < text.length; i += 72) out.push(pad80(`${key.padEnd(8)}${text.slice(i, i + 72)}`));
    return out;
  }
  if (!/^[A-Z0-9_-]{1,8}$/.test(key)) throw new Error(`invalid keyword ${JSON.stringify(c.keyword)}`);
  const comment = c.comment ? ` / ${c.comment}` : '';
  const head = `${key.padEnd(8)}= `;
  const v = c.value;
  if (typeof v === 'string') return formatString(head, v, comment);
  let text: string;
  if (v === null || v === undefined) text = '';
  else if (typeof v === 'boolean') text = (v ? 'T' : 'F').padStart(20);
  else if (typeof v === 'bigint') text = v.toString().padStart(20);
  else if (Number.isInteger(v) && !Object.is(v, -0) && Math.abs(v) < 1e21) text = String(v).padStart(20);
  else text = fitsFloat(v, key).padStart(20);
  return [pad80(`${head}${text}${comment}`.slice(0, 80))];
}

function quote(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

function formatString(head: string, value: string, comment: string): string[] {
  const q = quote(value.length < 8 ? value.padEnd(8) : value);
  // Like astropy and CFITSIO, short values are padded to column 30 so comments line up.
  if (head.length + q.length <= 80) return [pad80(`${head}${q.padEnd(20)}${comment}`.slice(0, 80))];
  // Long-string convention: pieces end in '&' and continue on CONTINUE cards.
  const out: string[] = [];
  let rest = value;
  let prefix = head;
  for (;;) {
    const room = 80 - prefix.length;
    if (quote(rest).length <= room) {
      out.push(pad80(`${prefix}${quote(rest)}${comment}`.slice(0, 80)));
      return out;
    }
    // The longest piece that fits with its '&' (escaped quotes count twice).
    let n = Math.min(rest.length, room - 3);
    while (n > 1 && quote(`${rest.slice(0, n)}&`).length > room) n--;
    out.push(pad80(`${prefix}${quote(`${rest.slice(0, n)}&`)}`));
    rest = rest.slice(n);
    prefix = 'CONTINUE  ';
  }
}
