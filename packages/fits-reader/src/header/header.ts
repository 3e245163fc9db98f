import { type Card, type CardIssue, type CardValue, cardKeyword, parseCard, parseCards } from './card.js';

/**
 * One HDU's header. Cards are parsed on first use; structural keywords can be looked up without a
 * full parse through {@link Header.raw}.
 *
 * @example
 * const h = await fits.header('FIBERMAP');
 * h.get('NAXIS2'); // 500
 * h.cards.filter((c) => c.keyword === 'HISTORY');
 */
export class Header {
  private parsed?: Card[];
  private index?: Map<string, Card>;

  /** @param images the 80-character card images before END, in file order */
  constructor(
    readonly images: readonly string[],
    private readonly onIssue?: (issue: CardIssue) => void,
  ) {}

  /** Logical cards in file order (CONTINUE chains joined; END not included). */
  get cards(): Card[] {
    if (!this.parsed) this.parsed = parseCards(this.images, this.onIssue);
    return this.parsed;
  }

  /** The first card with this keyword. HIERARCH keywords match with or without the prefix. */
  card(keyword: string): Card | undefined {
    if (!this.index) {
      const idx = new Map<string, Card>();
      for (const c of this.cards) {
        const k = c.keyword.toUpperCase();
        if (!idx.has(k)) idx.set(k, c);
        if (k.startsWith('HIERARCH ')) {
          const short = k.slice(9);
          if (!idx.has(short)) idx.set(short, c);
        }
      }
      this.index = idx;
    }
    return this.index.get(keyword.toUpperCase());
  }

  /** The value of the first card with this keyword, or undefined when absent. */
  get(keyword: string): CardValue | undefined {
    return this.card(keyword)?.value;
  }

  has(keyword: string): boolean {
    return this.card(keyword) !== undefined;
  }

  /**
   * Fast structural lookup: parses only the first card whose columns 1–8 equal `keyword`. Used while
   * walking HDUs so that large headers are not fully parsed until asked.
   */
  raw(keyword: string): Card | undefined {
    if (this.parsed) return this.card(keyword);
    for (const img of this.images) {
      if (img.startsWith(keyword) && cardKeyword(img) === keyword) {
        const c = parseCard(img);
        return { keyword: c.keyword, value: c.value, comment: c.comment, type: c.type };
      }
    }
    return undefined;
  }

  /** Number of card images (80-byte records) before END. */
  get length(): number {
    return this.images.length;
  }
}
