import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { DEFAULT_TIMEOUTS, type RequestTimeouts } from './retry.js';

/** Options of {@link createPublicClient}. */
export interface PublicClientOptions {
  /** Default `us-west-2` (where DESI DR1 lives). */
  region?: string;
  /** Another S3-compatible server (MinIO, a local test server, another archive). */
  endpoint?: string;
  /** Path-style URLs (`endpoint/bucket/key`); default true with a custom endpoint. */
  forcePathStyle?: boolean;
  /**
   * `'anonymous'` (default): unsigned requests, no credentials looked up anywhere. `'default'`: the
   * SDK's usual chain (environment, profile, instance role), for private buckets.
   */
  credentials?: 'anonymous' | 'default' | { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Attempts the SDK makes itself (default 1: this package's retry policy owns retries). */
  maxAttempts?: number;
  /** Connect and idle timeouts of every request (default 10 s and 30 s): nothing waits forever. */
  timeouts?: RequestTimeouts;
  /** Extra SDK settings. */
  config?: Partial<S3ClientConfig>;
}

/**
 * An S3 client for public archives. Anonymous by default: the SDK still wants credentials before it
 * signs, so it gets placeholders and a signer that leaves the request unsigned, and nothing is read
 * from the environment.
 *
 * @example
 * const s3 = createPublicClient(); // s3://desidata, us-west-2, anonymous
 */
export function createPublicClient(o: PublicClientOptions = {}): S3Client {
  const anonymous = (o.credentials ?? 'anonymous') === 'anonymous';
  const config: S3ClientConfig = {
    region: o.region ?? 'us-west-2',
    endpoint: o.endpoint,
    forcePathStyle: o.forcePathStyle ?? o.endpoint !== undefined,
    maxAttempts: o.maxAttempts ?? 1,
    requestHandler: {
      connectionTimeout: o.timeouts?.connectMs ?? DEFAULT_TIMEOUTS.connectMs,
      requestTimeout: o.timeouts?.idleMs ?? DEFAULT_TIMEOUTS.idleMs,
      // Without it the handler only warns, and a silent server holds the request forever.
      throwOnRequestTimeout: true,
    } as S3ClientConfig['requestHandler'],
    ...o.config,
  };
  if (anonymous) {
    config.credentials = { accessKeyId: 'anonymous', secretAccessKey: 'anonymous' };
    config.signer = { sign: async (request) => request };
  } else if (typeof o.credentials === 'object') config.credentials = o.credentials;
  return new S3Client(config);
}
