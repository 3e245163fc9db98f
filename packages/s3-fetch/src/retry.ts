/**
 * When a request to the archive is worth another try, and for how long: one policy for ranged reads,
 * listings and downloads. Transient: HTTP 408, 429 and 5xx, connections refused, reset or cut short,
 * and timeouts. Everything else (403, 404, a full local disk, a programming error) fails at once.
 * Retries back off exponentially with full jitter and go on for a time window rather than a count,
 * so a run rides out an archive that is away for a minute instead of failing every pixel in it.
 */

/** How long and how fast to retry. */
export interface RetryPolicy {
  /** Keep retrying one request for this long (default 120 s: a minute-long outage and then some). */
  windowMs?: number;
  /** First backoff (default 200 ms); doubles each attempt, full jitter, capped at {@link maxDelayMs}. */
  baseMs?: number;
  /** Longest wait between attempts (default 5 s): during an outage every request probes this often. */
  maxDelayMs?: number;
  /** Random source for the jitter (tests pass a seeded one). */
  random?: () => number;
}

/** Timeouts of one request: connecting, waiting for the response's head, and silence within the body. */
export interface RequestTimeouts {
  /** Default 10 s. */
  connectMs?: number;
  /** Until the status line and headers arrive (default 30 s). */
  firstByteMs?: number;
  /** Longest silence between body chunks (default 30 s). */
  idleMs?: number;
}

export const DEFAULT_TIMEOUTS: Required<RequestTimeouts> = { connectMs: 10_000, firstByteMs: 30_000, idleMs: 30_000 };

/** The policy's defaults, shared by {@link withRetry} and the downloader's own loop. */
export const DEFAULT_RETRY = { windowMs: 120_000, baseMs: 200, maxDelayMs: 5_000 } as const;

/** The wait before attempt `n + 1`: exponential from `baseMs`, capped, with full jitter. */
export function backoffMs(n: number, policy: RetryPolicy = {}): number {
  const base = policy.baseMs ?? DEFAULT_RETRY.baseMs;
  const cap = policy.maxDelayMs ?? DEFAULT_RETRY.maxDelayMs;
  return (policy.random ?? Math.random)() * Math.min(cap, base * 2 ** (n - 1));
}

/** HTTP statuses worth another try. */
export function isTransientStatus(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status <= 599);
}

/** System and undici error codes of a network that failed, not of a request that is wrong. */
const TRANSIENT_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'EAI_AGAIN',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_ABORTED',
]);

/** Error names the AWS SDK gives to timeouts and throttling. */
const TRANSIENT_NAMES = new Set([
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'SlowDown',
  'ThrottlingException',
  'InternalError',
]);

/** The HTTP status an error carries (SDK errors), if any. */
export function statusOf(e: unknown): number | undefined {
  return (e as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
}

/** True when an error (or one of its causes) is a transient failure of the network or the server. */
export function isTransientError(e: unknown): boolean {
  for (let c: unknown = e, depth = 0; c && depth < 5; c = (c as { cause?: unknown }).cause, depth++) {
    const err = c as { code?: string; name?: string; message?: string };
    const status = statusOf(c);
    if (status !== undefined) return isTransientStatus(status);
    if (err.code && TRANSIENT_CODES.has(err.code)) return true;
    if (err.name && TRANSIENT_NAMES.has(err.name)) return true;
    if (typeof err.message === 'string' && /body ended after|other side closed|socket hang up|terminated/i.test(err.message)) return true;
  }
  return false;
}

/** Thrown when a transient failure lasted longer than the policy's window. */
export class RetryWindowExceeded extends Error {
  override readonly name = 'RetryWindowExceeded';
}

/**
 * Run `attempt` until it succeeds, a failure is final, or the window is over. `attempt` throws on
 * failure; `transient` decides (default {@link isTransientError}); `retryAfterMs` may name the
 * server's own wait (Retry-After).
 *
 * @example
 * const page = await withRetry(() => client.send(new ListObjectsV2Command(input)));
 */
export async function withRetry<T>(
  attempt: (n: number) => Promise<T>,
  policy: RetryPolicy = {},
  o: {
    transient?: (e: unknown) => boolean;
    retryAfterMs?: (e: unknown) => number | undefined;
    onRetry?: (e: unknown, n: number) => void;
    /** Stop after this many attempts even inside the window (default: no limit). */
    maxAttempts?: number;
  } = {},
): Promise<T> {
  const window = policy.windowMs ?? DEFAULT_RETRY.windowMs;
  const start = performance.now();
  for (let n = 1; ; n++) {
    try {
      return await attempt(n);
    } catch (e) {
      if (!(o.transient ?? isTransientError)(e)) throw e;
      if (n >= (o.maxAttempts ?? Number.POSITIVE_INFINITY))
        throw new RetryWindowExceeded(`${(e as Error).message} (gave up after ${n} attempts)`, { cause: e });
      const elapsed = performance.now() - start;
      const wait = o.retryAfterMs?.(e) ?? backoffMs(n, policy);
      if (elapsed + wait > window) {
        throw new RetryWindowExceeded(`${(e as Error).message} (still failing after ${n} attempts over ${(elapsed / 1000).toFixed(1)} s)`, {
          cause: e,
        });
      }
      o.onRetry?.(e, n);
      await new Promise((r) => setTimeout(r, wait));
    }
  }
}
