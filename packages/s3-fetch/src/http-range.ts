import type { Dispatcher } from 'undici';

/** The answer to one ranged GET: its status and, for 200/206, the body. */
export interface RangeResponse {
  status: number;
  body?: Uint8Array;
}

/**
 * One GET through undici's low-level `dispatch`: the body goes straight into one buffer sized by the
 * response's Content-Length, refused before allocation when it exceeds `limit`, with no stream or
 * chunk list in between. A pixel is read as ~1,000 small ranges, so this per-request cost is
 * what bounds a direct conversion. Other statuses' bodies are discarded; a 200 (the whole object,
 * from a server that ignored Range) is answered at once, its body left unread.
 */
export function rangeGet(
  dispatcher: Dispatcher,
  target: { origin: string; path: string },
  headers: Record<string, string>,
  limit: number,
): Promise<RangeResponse> {
  return new Promise((resolve, reject) => {
    let status = 0;
    let body: Uint8Array | undefined;
    let at = 0;
    let failed = false;
    let abort: ((e?: Error) => void) | undefined;
    const fail = (e: Error) => {
      if (failed) return;
      failed = true;
      reject(e);
      abort?.(e); // drops the connection rather than leaving it paused mid-body
    };
    dispatcher.dispatch(
      { origin: target.origin, path: target.path, method: 'GET', headers },
      {
        onConnect(a) {
          abort = a;
        },
        onHeaders(statusCode, raw) {
          status = statusCode;
          if (statusCode === 200) {
            // A server that ignored Range: its body is the whole object, never read (the caller refuses it).
            failed = true;
            resolve({ status });
            abort?.();
            return false;
          }
          if (statusCode !== 206) return true;
          const length = contentLength(raw);
          if (length === undefined || length > limit) {
            fail(new Error(`response of ${length ?? 'unknown'} bytes where at most ${limit} were expected`));
            return false;
          }
          body = new Uint8Array(length);
          return true;
        },
        onData(chunk) {
          if (!body) return true;
          if (at + chunk.length > body.length) {
            fail(new Error(`body longer than its Content-Length (${body.length})`));
            return false;
          }
          body.set(chunk, at);
          at += chunk.length;
          return true;
        },
        onComplete() {
          if (failed) return;
          if (body && at !== body.length) fail(new Error(`body ended after ${at} of ${body.length} bytes`));
          else resolve({ status, body });
        },
        onError: fail,
      },
    );
  });
}

/** Content-Length from undici's raw header list (name, value, name, value, …). */
function contentLength(raw: Buffer[] | string[] | null): number | undefined {
  if (!raw) return undefined;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i].toString();
    if (name.length === 14 && name.toLowerCase() === 'content-length') {
      const n = Number(raw[i + 1].toString());
      return Number.isSafeInteger(n) && n >= 0 ? n : undefined;
    }
  }
  return undefined;
}
