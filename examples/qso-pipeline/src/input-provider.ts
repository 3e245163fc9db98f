/**
 * Input providers: where a pixel's fusion reads its files from, and how many bytes that cost. Direct
 * mode reads ranges straight from the archive; download mode stages whole files and checks them. A
 * provider reports its own bytes, so the pixel step never asks what kind of source it holds.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import type { ChecksumTally, FusedPixel, PixelSources, Product } from '@desi/tile-fusion';
import type { ConvertOptions } from './convert.js';
import { rangeSources, stageDownloads } from './inputs.js';
import type { PixelTask } from './tasks.js';

/** One pixel's opened inputs. */
export interface PixelInputs {
  sources: PixelSources;
  /** Bytes over the wire (merged gaps and read-ahead included) or read from disk, once fused. */
  bytesRead(fused: FusedPixel): number;
  /** Whole-file checksum tallies when the provider checked every HDU itself (then the fusion need not). */
  checkedWhole?: ChecksumTally[];
  /** Bytes spent before the fusion ran (a download), counted even if the pixel fails. */
  spent: number;
  dispose(): Promise<void>;
}

export interface InputProvider {
  open(task: PixelTask, wanted: readonly Product[]): Promise<PixelInputs>;
}

type S3Package = typeof import('@desi/s3-fetch');

/** Direct mode: a range source per remote file, local files by path. */
export class DirectInputs implements InputProvider {
  constructor(
    private readonly o: Pick<ConvertOptions, 'endpoint' | 'rangeTransport' | 'retry' | 'timeouts'>,
    private readonly s3: S3Package | undefined,
    private readonly client: S3Client | undefined,
  ) {}

  async open(task: PixelTask, wanted: readonly Product[]): Promise<PixelInputs> {
    const sources = await rangeSources(task, wanted, this.o, this.s3, this.client);
    return {
      sources,
      spent: 0,
      bytesRead: (fused) =>
        Object.entries(fused.io).reduce((a, [p, io]) => {
          const src = sources[p as Product] as { stats?: { bytesFetched: number } } | undefined;
          return a + (src?.stats?.bytesFetched ?? io?.bytes ?? 0);
        }, 0),
      dispose: async () => {},
    };
  }
}

/** Download mode: remote files staged whole under `workDir/<pixel>`, checked, and removed after. */
export class StagedInputs implements InputProvider {
  private readonly direct: DirectInputs;

  constructor(
    private readonly o: Pick<ConvertOptions, 'endpoint' | 'rangeTransport' | 'retry' | 'timeouts'>,
    private readonly s3: S3Package,
    private readonly client: S3Client,
    private readonly workDir: string,
  ) {
    this.direct = new DirectInputs(o, s3, client);
  }

  async open(task: PixelTask, wanted: readonly Product[]): Promise<PixelInputs> {
    // A pixel with no remote file has nothing to stage.
    if (!Object.values(task.files).some((f) => f?.kind === 's3')) return this.direct.open(task, wanted);
    const dir = join(this.workDir, task.id.replace(/\//g, '_'));
    const dispose = () => rm(dir, { recursive: true, force: true });
    try {
      const d = await stageDownloads(task, wanted, this.o, this.s3, this.client, dir);
      return { sources: d.sources, spent: d.downloaded, bytesRead: () => d.downloaded, checkedWhole: d.checksums, dispose };
    } catch (e) {
      await dispose();
      throw e;
    }
  }
}
