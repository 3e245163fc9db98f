/**
 * The output sink: the format of a pixel's file and its name. The only module of the conversion that
 * knows the output is Parquet (its encoder threads are behind it): a new format is a new sink.
 */
import { join } from 'node:path';
import { hatsPixelDir, parquetFileName, type SpectraBatch } from '@desi/spectra-parquet/writer';
import type { FusedPixel } from '@desi/tile-fusion';
import { defaultEncodeThreads, EncodePool } from './encode-pool.js';
import type { PixelTask } from './tasks.js';

/**
 * The writer's batch mirrors the fused pixel without importing it, with optional fields for producers
 * that lack some: so a field renamed on either side would still compile and write an all-null column.
 * This fails to compile instead, naming the batch fields a fused pixel does not have.
 */
type BatchFieldsNotFused = Exclude<keyof SpectraBatch, keyof FusedPixel>;
export const EVERY_BATCH_FIELD_IS_FUSED: [BatchFieldsNotFused] extends [never] ? true : BatchFieldsNotFused = true;

export interface OutputSink {
  /** The output's path relative to the output root. */
  name(task: PixelTask, count: number): string;
  /** The file's bytes, in pieces (the fused pixel's buffers may be moved: do not use it after). */
  encode(fused: FusedPixel): Promise<Uint8Array[]>;
}

/** The relative output path of a pixel's Parquet file, flat or in a HATS layout. */
export function outputPath(task: PixelTask, count: number, layout: 'flat' | 'hats'): string {
  const name = parquetFileName(task.pixel.healpix, count);
  if (layout === 'hats') return join(hatsPixelDir(`${task.pixel.survey}_${task.pixel.program}`, task.pixel.healpix), name);
  return join(task.pixel.survey, task.pixel.program, name);
}

/** Parquet files (zstd), encoded on worker threads while the main thread reads the next pixels. */
export class ParquetSink implements OutputSink {
  private readonly pool: EncodePool;

  /** @param threads encoder threads (default: the cores less one, at most 4; none for a single pixel) */
  constructor(
    private readonly layout: 'flat' | 'hats',
    threads: number | undefined,
    pixels: number,
  ) {
    this.pool = EncodePool.shared(threads ?? (pixels > 1 ? defaultEncodeThreads() : 0));
  }

  name(task: PixelTask, count: number): string {
    return outputPath(task, count, this.layout);
  }

  encode(fused: FusedPixel): Promise<Uint8Array[]> {
    return this.pool.encode(fused);
  }
}
