import { isAbsolute, join, normalize, resolve, sep } from 'node:path';

/** An object in a bucket. */
export interface S3Location {
  bucket: string;
  key: string;
}

/** Known HTTPS mirrors of public buckets: URL prefix → bucket and key prefix. */
export const HTTPS_MIRRORS: Array<{ prefix: string; bucket: string; keyPrefix: string }> = [
  { prefix: 'https://data.desi.lbl.gov/public/', bucket: 'desidata', keyPrefix: '' },
];

function cleanKey(key: string): string {
  return key.replace(/^\/+/, '').replace(/\/{2,}/g, '/');
}

/**
 * Parse `s3://bucket/key`, `https://bucket.s3[.region].amazonaws.com/key`,
 * `https://s3[.region].amazonaws.com/bucket/key`, a known HTTPS mirror such as
 * `https://data.desi.lbl.gov/public/…` (→ `desidata`), or a bare key with a default bucket.
 *
 * @example
 * parseLocation('https://data.desi.lbl.gov/public/dr1/spectro/redux/iron/healpix/main/dark/100/10016/');
 * // { bucket: 'desidata', key: 'dr1/spectro/redux/iron/healpix/main/dark/100/10016/' }
 */
export function parseLocation(text: string, defaultBucket?: string): S3Location {
  const t = text.trim();
  let m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(t);
  if (m) return { bucket: m[1], key: cleanKey(decodeURIComponent(m[2])) };
  for (const mirror of HTTPS_MIRRORS) {
    if (t.startsWith(mirror.prefix))
      return {
        bucket: mirror.bucket,
        key: cleanKey(mirror.keyPrefix + decodeURIComponent(t.slice(mirror.prefix.length).split(/[?#]/)[0])),
      };
  }
  if (/^https?:\/\//.test(t)) {
    const u = new URL(t);
    const path = decodeURIComponent(u.pathname);
    m = /^([^.]+(?:\.[^.]+)*?)\.s3(?:[.-][a-z0-9-]+)?\.amazonaws\.com$/.exec(u.hostname);
    if (m) return { bucket: m[1], key: cleanKey(path) };
    if (/^s3(?:[.-][a-z0-9-]+)?\.amazonaws\.com$/.test(u.hostname)) {
      const [, bucket, ...rest] = path.split('/');
      return { bucket, key: cleanKey(rest.join('/')) };
    }
    throw new Error(`not an S3 location: ${t}`);
  }
  if (!defaultBucket) throw new Error(`no bucket in ${JSON.stringify(t)} and no default bucket`);
  return { bucket: defaultBucket, key: cleanKey(t) };
}

/** `s3://bucket/key`. */
export function formatLocation(l: S3Location): string {
  return `s3://${l.bucket}/${l.key}`;
}

/**
 * The local path of `key` below `root`, refusing keys that would escape it (`..`, absolute paths,
 * NUL bytes): a hostile manifest must never write outside the output folder.
 */
export function safeJoin(root: string, key: string): string {
  if (key.includes('\0')) throw new Error(`refusing key with a NUL byte: ${JSON.stringify(key)}`);
  if (isAbsolute(key) || /^[a-zA-Z]:[\\/]/.test(key)) throw new Error(`refusing absolute key ${JSON.stringify(key)}`);
  if (key.split(/[\\/]/).includes('..')) throw new Error(`refusing key with '..': ${JSON.stringify(key)}`);
  const base = resolve(root);
  const path = resolve(base, normalize(key));
  if (path !== base && !path.startsWith(base + sep)) throw new Error(`refusing key outside ${root}: ${JSON.stringify(key)}`);
  return join(base, normalize(key));
}

/** One entry of a manifest: the location as written, and the bucket a JSON line names for it. */
export interface ManifestEntry {
  location: string;
  bucket?: string;
  /** A JSON line that names no location (or does not parse): `location` is then the line itself. */
  unreadable?: boolean;
}

const MANIFEST_FIELDS = ['s3_uri', 'url', 'key', 'path', 'location'];

/**
 * The entries of a manifest as written, one per location: a column of a CSV (`key`, `path`, `url`,
 * `s3_uri` or `location`), a field of JSON lines (with an optional `bucket`), or whole lines; blank
 * lines and `#` comments are skipped. Nothing is validated here: see {@link parseManifest}.
 */
export function manifestEntries(text: string): ManifestEntry[] {
  const lines = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  if (lines.length === 0) return [];
  if (lines[0].startsWith('{')) {
    return lines.map((l) => {
      try {
        const o = JSON.parse(l) as Record<string, unknown>;
        const f = MANIFEST_FIELDS.find((k) => typeof o[k] === 'string');
        if (!f) return { location: l, unreadable: true };
        return { location: String(o[f]), bucket: typeof o.bucket === 'string' ? o.bucket : undefined };
      } catch {
        return { location: l, unreadable: true };
      }
    });
  }
  const header = lines[0].split(',').map((h) => h.trim().toLowerCase());
  const col = header.findIndex((h) => MANIFEST_FIELDS.includes(h));
  if (col >= 0) return lines.slice(1).map((l) => ({ location: (l.split(',')[col] ?? '').trim() }));
  return lines.map((l) => ({ location: l }));
}

/**
 * Lines of a manifest (CSV with a `key`, `path`, `url` or `s3_uri` column, JSON lines with one of
 * those fields, or one location per line) as canonical locations.
 */
export function parseManifest(text: string, defaultBucket?: string): S3Location[] {
  return manifestEntries(text).map((e) => {
    if (e.unreadable) {
      JSON.parse(e.location); // a line that does not parse says so
      throw new Error(`manifest line has none of ${MANIFEST_FIELDS.join(', ')}: ${e.location}`);
    }
    return parseLocation(e.location, e.bucket ?? defaultBucket);
  });
}
