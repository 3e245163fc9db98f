import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { type RetryPolicy, withRetry } from './retry.js';

/** One object of a listing. */
export interface S3Object {
  key: string;
  size: number;
  etag?: string;
}

/** Objects and sub-"directories" directly below a prefix (ListObjectsV2 with a delimiter, all pages). */
export async function listPrefix(
  client: S3Client,
  bucket: string,
  prefix: string,
  o: { delimiter?: string; pageSize?: number; retry?: RetryPolicy } = {},
): Promise<{ objects: S3Object[]; prefixes: string[] }> {
  const objects: S3Object[] = [];
  const prefixes: string[] = [];
  let token: string | undefined;
  do {
    // Each page is retried under the policy: a listing during a brief outage waits rather than fails.
    const input = {
      Bucket: bucket,
      Prefix: prefix,
      Delimiter: o.delimiter === '' ? undefined : (o.delimiter ?? '/'),
      ContinuationToken: token,
      MaxKeys: o.pageSize,
    };
    const page = await withRetry(() => client.send(new ListObjectsV2Command(input)), o.retry);
    for (const c of page.Contents ?? []) if (c.Key) objects.push({ key: c.Key, size: Number(c.Size ?? 0), etag: c.ETag });
    for (const p of page.CommonPrefixes ?? []) if (p.Prefix) prefixes.push(p.Prefix);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return { objects, prefixes };
}

/** Every object below a prefix (no delimiter), all pages. */
export async function listAll(client: S3Client, bucket: string, prefix: string, o: { pageSize?: number } = {}): Promise<S3Object[]> {
  return (await listPrefix(client, bucket, prefix, { delimiter: '', pageSize: o.pageSize })).objects;
}

/**
 * Leaf "directories" under a prefix, `levels` delimiter levels down, with their files: for DR1,
 * `…/healpix/main/dark/` and 2 levels give every `…/{group}/{pixel}/` and its files.
 */
export async function listLeafDirectories(
  client: S3Client,
  bucket: string,
  prefix: string,
  levels: number,
  o: { pageSize?: number; retry?: RetryPolicy } = {},
): Promise<Array<{ prefix: string; objects: S3Object[] }>> {
  let frontier = [prefix];
  for (let l = 0; l < levels; l++) {
    const next: string[] = [];
    for (const p of frontier) next.push(...(await listPrefix(client, bucket, p, { pageSize: o.pageSize, retry: o.retry })).prefixes);
    frontier = next.sort();
  }
  const out: Array<{ prefix: string; objects: S3Object[] }> = [];
  for (const p of frontier)
    out.push({ prefix: p, objects: (await listPrefix(client, bucket, p, { pageSize: o.pageSize, retry: o.retry })).objects });
  return out;
}
