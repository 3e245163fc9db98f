/**
 * Output stores: where a pixel's file goes once encoded, whole or not at all. A local folder gets an
 * atomic file; an S3 prefix gets an upload (S3 makes an object visible only when it is complete).
 */
import { join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { writeAtomic } from './atomic.js';
import { removeIfUnchanged } from './provenance.js';

export interface OutputStore {
  /** Store `parts` at `rel` (relative to the store's root). */
  put(rel: string, parts: Uint8Array[]): Promise<void>;
  /** Remove an earlier output of this pipeline at `rel` if it is still exactly what was recorded. */
  replaced(rel: string, sha256: string | undefined): Promise<void>;
}

/** A local output folder. `tag` names temporary files so a run removes only its own leftovers. */
export class LocalStore implements OutputStore {
  constructor(
    private readonly root: string,
    private readonly tag: string,
  ) {}

  put(rel: string, parts: Uint8Array[]): Promise<void> {
    return writeAtomic(join(this.root, rel), parts, this.tag);
  }

  replaced(rel: string, sha256: string | undefined): Promise<void> {
    return removeIfUnchanged(join(this.root, rel), sha256);
  }
}

/** An S3 prefix (written with the caller's credentials). */
export class S3Store implements OutputStore {
  constructor(
    private readonly client: S3Client,
    private readonly at: { bucket: string; key: string },
  ) {}

  async put(rel: string, parts: Uint8Array[]): Promise<void> {
    const { Upload } = await import('@aws-sdk/lib-storage');
    const key = `${this.at.key.replace(/\/?$/, '/')}${rel}`;
    await new Upload({
      client: this.client,
      params: { Bucket: this.at.bucket, Key: key, Body: Buffer.concat(parts) },
      partSize: 8 << 20,
    }).done();
  }

  async replaced(): Promise<void> {
    // Objects of other names under the prefix are left alone: S3 has no rename to make it safe.
  }
}
