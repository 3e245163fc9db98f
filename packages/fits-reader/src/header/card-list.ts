import { cardKeyword, parseCard } from './card.js';

/** A card image with the CONTINUE images that belong to it. */
interface Entry {
  keyword: string;
  images: string[];
}

const COMMENTARY = new Set(['', 'COMMENT', 'HISTORY']);

/** Position of an insert: before or after a card index or the first card with a keyword. */
export type Where = { before: number | string } | { after: number | string };

/**
 * An editable list of header cards that places cards the way astropy's `Header.set` does, so a header
 * rebuilt from another one (a compressed HDU's image header) comes out card for card as astropy shows
 * it: `set` on an existing keyword changes it in place (or moves it when told where), a new keyword
 * goes after the last non-blank, non-commentary card and uses up one trailing blank card.
 */
export class CardList {
  private entries: Entry[] = [];

  constructor(images: readonly string[]) {
    for (const image of images) {
      // Keywords match case-insensitively, as the header's own lookups (and astropy's) do.
      const keyword = cardKeyword(image).toUpperCase();
      const last = this.entries[this.entries.length - 1];
      if (keyword === 'CONTINUE' && last) last.images.push(image);
      else this.entries.push({ keyword, images: [image] });
    }
  }

  get images(): string[] {
    return this.entries.flatMap((e) => e.images);
  }

  keywords(): string[] {
    return this.entries.map((e) => e.keyword);
  }

  indexOf(keyword: string): number {
    return this.entries.findIndex((e) => e.keyword === keyword);
  }

  has(keyword: string): boolean {
    return this.indexOf(keyword) >= 0;
  }

  /** The first card image of `keyword`. */
  image(keyword: string): string | undefined {
    return this.entries[this.indexOf(keyword)]?.images[0];
  }

  /** Delete every card with this keyword. */
  delete(keyword: string): void {
    this.entries = this.entries.filter((e) => e.keyword !== keyword);
  }

  /** Keep only the cards for which `keep(keyword, index)` is true. */
  filter(keep: (keyword: string, image: string, index: number) => boolean): void {
    this.entries = this.entries.filter((e, i) => keep(e.keyword, e.images[0], i));
  }

  /** Number of blank cards at the end. */
  trailingBlanks(): number {
    let n = 0;
    for (let i = this.entries.length - 1; i > 0 && isBlank(this.entries[i]); i--) n++;
    return n;
  }

  /** Append a blank card at the very end. */
  appendBlank(): void {
    this.entries.push({ keyword: '', images: [''.padEnd(80)] });
  }

  /**
   * Set `keyword` to the value and comment of `source` (a whole card image, e.g. ZBITPIX's for
   * BITPIX), or to a value text with a comment (the card's own comment when none is given); `where`
   * moves or places it.
   */
  set(keyword: string, source: { image: string } | { value: string; comment?: string }, where?: Where): void {
    const at = this.indexOf(keyword);
    const image =
      'image' in source
        ? `${keyword.padEnd(8)}${source.image.slice(8)}`
        : withValue(keyword, source.value, source.comment ?? (this.entries[at] ? parseCard(this.entries[at].images[0]).comment : ''));
    const entry: Entry = { keyword, images: [image] };
    if (at >= 0) {
      this.entries[at] = entry;
      if (where) this.relativeInsert(entry, where, true);
    } else if (where) this.relativeInsert(entry, where, false);
    else this.append(entry);
  }

  private insertionIndex(where: Where): number {
    const key = 'before' in where ? where.before : where.after;
    let idx = typeof key === 'number' ? key : this.indexOf(key);
    if (typeof key === 'number' && key >= this.entries.length) idx = key;
    if (!('before' in where)) idx += 1;
    return idx;
  }

  private relativeInsert(entry: Entry, where: Where, replace: boolean): void {
    if (replace) {
      const old = this.entries.indexOf(entry);
      const target = this.insertionIndex(where);
      if (target >= this.entries.length && old === this.entries.length - 1) return;
      if ('before' in where ? old === target - 1 : old === target) return;
      this.entries.splice(old, 1);
    }
    const idx = this.insertionIndex(where);
    if (idx >= this.entries.length) this.entries.push(entry);
    else this.entries.splice(Math.max(0, idx), 0, entry);
  }

  private append(entry: Entry): void {
    let idx = this.entries.length - 1;
    while (idx >= 0 && isBlank(this.entries[idx])) idx--;
    if (!COMMENTARY.has(entry.keyword)) while (idx >= 0 && COMMENTARY.has(this.entries[idx].keyword)) idx--;
    this.entries.splice(idx + 1, 0, entry);
    // A trailing blank card gives its place to the new one, so the header does not grow.
    if (this.trailingBlanks() > 0) this.entries.pop();
  }
}

function isBlank(e: Entry): boolean {
  return e.keyword === '' && e.images[0].trim() === '';
}

/** A fixed-format card image. */
function withValue(keyword: string, value: string, comment: string): string {
  const field = value.startsWith("'") ? value.padEnd(20) : value.padStart(20);
  return `${keyword.padEnd(8)}= ${field}${comment ? ` / ${comment}` : ''}`.slice(0, 80).padEnd(80);
}
