import { SummingSource } from './checksum/summing-source.js';
import { type ChecksumOptions, type ChecksumResult, verifyChecksum } from './checksum/verify-checksum.js';
import { readCompressedImage } from './compress/read-tiled-image.js';
import { readCompressedTable } from './compress/read-tiled-table.js';
import { FitsError, type FitsWarning } from './errors.js';
import type { HduContext } from './hdu/context.js';
import { describeHdu, type HduEntry, type HduInfo } from './hdu/describe.js';
import { type HduLayout, layoutOf } from './hdu/layout.js';
import { BLOCK, looksLikeExtension, readHeader } from './hdu/read-header.js';
import { Header } from './header/header.js';
import { type Groups, readGroups } from './image/read-groups.js';
import { type Image, type ReadImageOptions, readPlainImage } from './image/read-image.js';
import type { ByteSource } from './source/byte-source.js';
import { readAsciiTable } from './table/read-ascii.js';
import { type ReadTableOptions, readBinaryTable, type Table } from './table/read-binary.js';

export type { HduInfo } from './hdu/describe.js';

/** Selects an HDU: index, case-insensitive EXTNAME, or EXTNAME with EXTVER. */
export type HduSelector = number | string | { name: string; ver?: number };

/** Options of {@link openFits}. */
export interface OpenOptions {
  /** Called with each warning as it is found (they are also kept in `FitsFile.warnings`). */
  onWarning?: (w: FitsWarning) => void;
}

/**
 * An open FITS file. HDUs are found lazily: opening reads only the primary header, and each access
 * walks headers only as far as it needs.
 *
 * @example
 * const fits = await openFits('coadd-main-dark-10016.fits');
 * const fm = await fits.readTable('FIBERMAP', { columns: ['TARGETID', 'TARGET_RA'] });
 * const flux = await fits.readImage('B_FLUX', { rows: [3, 17, 42] });
 * await fits.close();
 */
export class FitsFile {
  /** Warnings found so far (lenient parses, padding, trailing bytes…). */
  readonly warnings: FitsWarning[] = [];
  private readonly entries: HduEntry[] = [];
  private walkDone = false;
  private walkError?: FitsError;
  private closed = false;

  private constructor(
    readonly source: ByteSource,
    private readonly opts: OpenOptions,
  ) {}

  /** @internal Use {@link openFits}. */
  static async fromSource(source: ByteSource, opts: OpenOptions = {}): Promise<FitsFile> {
    const f = new FitsFile(source, opts);
    await f.entry(0);
    return f;
  }

  private warn = (w: FitsWarning) => {
    this.warnings.push(w);
    this.opts.onWarning?.(w);
  };

  private fail(e: unknown): never {
    if (e instanceof FitsError) throw e.withFile(this.source.name);
    throw e;
  }

  private async parseNext(): Promise<void> {
    const index = this.entries.length;
    let offset = 0;
    if (index > 0) {
      const prev = this.entries[index - 1].ctx;
      const dataEnd = prev.dataOffset + prev.layout.dataSize;
      offset = prev.dataOffset + Math.ceil(prev.layout.dataSize / BLOCK) * BLOCK;
      if (dataEnd > this.source.size) {
        this.warn({
          code: 'truncated-data',
          hdu: index - 1,
          message: `HDU ${index - 1}: the data unit extends past the end of the file (truncated)`,
        });
        this.walkDone = true;
        return;
      }
      if (offset >= this.source.size) {
        if (offset > this.source.size) {
          this.warn({
            code: 'missing-padding',
            hdu: index - 1,
            message: `HDU ${index - 1}: the last data block is not padded to 2880 bytes`,
          });
        }
        this.walkDone = true;
        return;
      }
      const head = await this.source.read(offset, 8);
      if (!looksLikeExtension(head)) {
        this.warn({
          code: 'trailing-bytes',
          hdu: index,
          message: `${this.source.size - offset} trailing bytes after the last HDU are not an XTENSION header; ignored`,
        });
        this.walkDone = true;
        return;
      }
    }
    const raw = await readHeader(this.source, offset, index, this.warn);
    const header = new Header(raw.images, (issue) =>
      this.warn({ code: 'card', hdu: index, keyword: issue.keyword, message: `HDU ${index} ${issue.keyword}: ${issue.message}` }),
    );
    const layout = layoutOf(header, index, this.warn);
    const ctx: HduContext = {
      src: this.source,
      index,
      header,
      layout,
      headerOffset: raw.headerOffset,
      dataOffset: raw.dataOffset,
      headerSum: raw.sum,
      warn: this.warn,
    };
    this.entries.push(describeHdu(ctx, this.source.size));
  }

  /** Parse headers until HDU `i` is known; undefined when the file has fewer HDUs. */
  private async entry(i: number): Promise<HduEntry | undefined> {
    this.checkOpen();
    while (this.entries.length <= i && !this.walkDone) {
      if (this.walkError) throw this.walkError;
      try {
        await this.parseNext();
      } catch (e) {
        const err = e instanceof FitsError ? e.withFile(this.source.name) : e;
        if (err instanceof FitsError) this.walkError = err;
        throw err;
      }
    }
    return this.entries[i];
  }

  private checkOpen() {
    if (this.closed) throw new FitsError('closed', 'the file is closed', { file: this.source.name });
  }

  private async resolve(ext: HduSelector): Promise<HduEntry> {
    if (typeof ext === 'number') {
      if (!Number.isInteger(ext) || ext < 0)
        throw new FitsError('bad-argument', `HDU index ${ext} is not a non-negative integer`, { file: this.source.name });
      const e = await this.entry(ext);
      if (!e) throw new FitsError('not-found', `the file has only ${this.entries.length} HDUs`, { hdu: ext, file: this.source.name });
      return e;
    }
    const name = (typeof ext === 'string' ? ext : ext.name).trim().toUpperCase();
    const ver = typeof ext === 'string' ? undefined : ext.ver;
    for (let i = 0; ; i++) {
      const e = await this.entry(i);
      if (!e) break;
      if (e.info.name?.trim().toUpperCase() === name && (ver === undefined || e.info.ver === ver)) return e;
    }
    throw new FitsError(
      'not-found',
      `no HDU named ${JSON.stringify(typeof ext === 'string' ? ext : ext.name)}${ver === undefined ? '' : ` with EXTVER ${ver}`}`,
      {
        file: this.source.name,
      },
    );
  }

  /** Walk every header and list the HDUs. Throws a FitsError naming the first broken HDU. */
  async hdus(): Promise<HduInfo[]> {
    await this.entry(Number.MAX_SAFE_INTEGER);
    return this.entries.map((e) => e.info);
  }

  /** The header of an HDU (the reconstructed image header for compressed images). */
  async header(ext: HduSelector): Promise<Header> {
    return (await this.resolve(ext)).info.header;
  }

  /** The header as stored in the file (for compressed HDUs, the BINTABLE header). */
  async rawHeader(ext: HduSelector): Promise<Header> {
    return (await this.resolve(ext)).ctx.header;
  }

  /**
   * Refuse an HDU whose declared data runs past the end of the source, before anything is read or
   * allocated by its size: a cut-short file, or a size keyword (NAXISn, PCOUNT, GCOUNT) larger than
   * the bytes that exist, must never be read as whole, nor allocate or loop by the claim.
   */
  private whole(e: HduEntry): HduEntry {
    const { dataOffset, layout, index } = e.ctx;
    const end = dataOffset + layout.dataSize;
    if (end <= this.source.size) return e;
    const keyword = layout.kind === 'random-groups' ? 'GCOUNT' : layout.kind === 'primary' || layout.kind === 'image' ? 'NAXIS' : 'NAXIS2';
    this.fail(
      new FitsError(
        'truncated',
        `the header declares ${layout.dataSize} bytes of data from byte ${dataOffset}, but the file ends at ${this.source.size} (cut short, or ${keyword}/PCOUNT larger than the data)`,
        { hdu: index, keyword, offset: dataOffset },
      ),
    );
  }

  /**
   * Read an image (primary array, IMAGE extension or tile-compressed image), whole or by rows.
   *
   * @example
   * const { data, shape, checksums } = await fits.readImage('B_FLUX', { verify: true });
   */
  async readImage(ext: HduSelector, opts: ReadImageOptions = {}): Promise<Image> {
    const e = this.whole(await this.resolve(ext));
    try {
      return await this.readVerified(e, opts.verify, (ctx) => this.imageOf(e, ctx, opts));
    } catch (err) {
      this.fail(err);
    }
  }

  private imageOf(e: HduEntry, ctx: HduContext, opts: ReadImageOptions): Promise<Image> {
    switch (e.info.kind) {
      case 'primary':
      case 'image':
        return readPlainImage(ctx, opts);
      case 'compressed-image':
        return readCompressedImage(ctx, e.columns!, e.imageHeader!, opts);
      case 'random-groups':
        throw new FitsError('unsupported', 'random-groups data cannot be read as an image; use readGroups (or readRaw)', {
          hdu: ctx.index,
        });
      case 'unknown':
        throw new FitsError(
          'unsupported',
          `XTENSION = ${JSON.stringify(ctx.layout.xtension)} is not a standard extension; use readRaw for its bytes`,
          {
            hdu: ctx.index,
            keyword: 'XTENSION',
          },
        );
      default:
        throw new FitsError('wrong-kind', `HDU is a ${e.info.kind}, not an image (use readTable)`, { hdu: ctx.index });
    }
  }

  /**
   * Read a binary, ASCII or tile-compressed table: all or some columns, all or some rows.
   *
   * @example
   * const t = await fits.readTable('REDSHIFTS', { columns: ['TARGETID', 'Z'], verify: true });
   */
  async readTable(ext: HduSelector, opts: ReadTableOptions = {}): Promise<Table> {
    const e = this.whole(await this.resolve(ext));
    try {
      return await this.readVerified(e, opts.verify, (ctx) => this.tableOf(e, ctx, opts));
    } catch (err) {
      this.fail(err);
    }
  }

  private tableOf(e: HduEntry, ctx: HduContext, opts: ReadTableOptions): Promise<Table> {
    switch (e.info.kind) {
      case 'bintable':
      case 'compressed-image':
        return readBinaryTable(ctx, e.columns!, opts);
      case 'table':
        return readAsciiTable(ctx, e.columns!, opts);
      case 'compressed-table':
        return readCompressedTable(ctx, e.columns!, e.imageHeader!, opts);
      case 'unknown':
        throw new FitsError('unsupported', `HDU is a non-standard XTENSION = ${JSON.stringify(ctx.layout.xtension)}; use readRaw`, {
          hdu: ctx.index,
        });
      case 'random-groups':
        throw new FitsError('unsupported', 'HDU is random groups; use readGroups', { hdu: ctx.index });
      default:
        throw new FitsError('wrong-kind', `HDU is a ${e.info.kind}, not a table (use readImage)`, { hdu: ctx.index });
    }
  }

  /**
   * Run a read, and with `verify` sum the data unit on the way (no extra I/O for what the read
   * fetched) and judge CHECKSUM/DATASUM; a mismatch is a FitsError `bad-checksum`.
   */
  private async readVerified<T extends { checksums?: ChecksumResult }>(
    e: HduEntry,
    verify: boolean | undefined,
    read: (ctx: HduContext) => Promise<T>,
  ): Promise<T> {
    if (!verify) return read(e.ctx);
    const summing = new SummingSource(e.ctx);
    const out = await read(summing.context);
    const checksums = await summing.finish();
    if (checksums.datasum === 'bad' || checksums.checksum === 'bad') {
      const keyword = checksums.datasum === 'bad' ? 'DATASUM' : 'CHECKSUM';
      throw new FitsError(
        'bad-checksum',
        `${keyword} does not match the HDU's bytes (the file is corrupt or was changed after it was written)`,
        {
          hdu: e.ctx.index,
          keyword,
        },
      );
    }
    out.checksums = checksums;
    return out;
  }

  /** Read a random-groups HDU: the parameters of every group and the group arrays. */
  async readGroups(ext: HduSelector): Promise<Groups> {
    const e = this.whole(await this.resolve(ext));
    try {
      return await readGroups(e.ctx);
    } catch (err) {
      this.fail(err);
    }
  }

  /** The data unit's bytes exactly as stored (without padding), for HDU kinds this reader does not decode. */
  async readRaw(ext: HduSelector): Promise<Uint8Array> {
    const { dataOffset, layout } = this.whole(await this.resolve(ext)).ctx;
    return this.source.read(dataOffset, layout.dataSize);
  }

  /**
   * Check CHECKSUM and DATASUM of an HDU.
   *
   * @example
   * const { datasum } = await fits.verifyChecksum('REDSHIFTS', { standardPadding: true });
   */
  async verifyChecksum(ext: HduSelector, o: ChecksumOptions = {}): Promise<ChecksumResult> {
    // A cut-short data unit is never "ok": its missing bytes are not zeros.
    const e = this.whole(await this.resolve(ext));
    return verifyChecksum(e.ctx, o);
  }

  /** The structural layout of an HDU (BITPIX, NAXISn, PCOUNT, GCOUNT, exact data size). */
  async layout(ext: HduSelector): Promise<HduLayout> {
    return (await this.resolve(ext)).ctx.layout;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.source.close?.();
  }
}
