import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** Faults the proxy can inject into object GETs. */
export type Fault = 'slowdown' | 'server-error' | 'reset' | 'truncate' | 'stall';

/** Counts of what was injected, for comparing with the client's retry counts. */
export type FaultCounts = Record<Fault, number>;

/**
 * A fault-injecting HTTP proxy in front of an S3 server, on 127.0.0.1. For each object GET it draws
 * (from a seeded generator) whether to answer 503 SlowDown with Retry-After, 500, reset the connection
 * after some bytes, end the body early, or stall it; at most `maxFaults` faults in all, and a stalled
 * response is torn down after `stallMs` × 4 so nothing outlives the test.
 */
export async function startFaultProxy(
  target: string,
  o: { seed: number; rate: number; maxFaults: number; faults?: Fault[]; stallMs?: number },
): Promise<{ url: string; counts: FaultCounts; close: () => Promise<void> }> {
  let s = o.seed >>> 0;
  const rnd = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  const faults = o.faults ?? ['slowdown', 'server-error', 'reset', 'truncate', 'stall'];
  const counts: FaultCounts = { slowdown: 0, 'server-error': 0, reset: 0, truncate: 0, stall: 0 };
  let injected = 0;
  const sockets = new Set<Socket>();
  const t = new URL(target);

  const forward = (req: IncomingMessage, res: ServerResponse, fault?: Fault) => {
    const up = request({ host: t.hostname, port: t.port, method: req.method, path: req.url, headers: req.headers }, (upRes) => {
      res.writeHead(upRes.statusCode ?? 502, upRes.headers);
      if (!fault || (upRes.statusCode ?? 0) >= 300) {
        upRes.pipe(res);
        return;
      }
      const total = Number(upRes.headers['content-length'] ?? 0);
      const cut = Math.max(1, Math.floor(total * (0.1 + 0.6 * rnd())));
      let sent = 0;
      upRes.on('data', (chunk: Buffer) => {
        if (sent >= cut) return;
        const part = chunk.subarray(0, cut - sent);
        sent += part.length;
        res.write(part);
        if (sent >= cut) {
          upRes.destroy();
          if (fault === 'reset') res.socket?.destroy();
          else if (fault === 'truncate') res.socket?.end();
          else setTimeout(() => res.socket?.destroy(), (o.stallMs ?? 300) * 4); // stall: silence, then tear down
        }
      });
      upRes.on('end', () => {
        if (sent < cut) res.end();
      });
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  };

  const server: Server = createServer((req, res) => {
    const isObjectGet =
      req.method === 'GET' && !/[?&](list-type|location|delimiter)=/.test(req.url ?? '') && (req.url ?? '').split('/').length > 2;
    let fault: Fault | undefined;
    if (isObjectGet && injected < o.maxFaults && rnd() < o.rate) {
      fault = faults[Math.floor(rnd() * faults.length)];
      injected++;
      counts[fault]++;
    }
    if (fault === 'slowdown') {
      res.writeHead(503, { 'content-type': 'application/xml', 'retry-after': '0' });
      res.end(
        '<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>',
      );
      return;
    }
    if (fault === 'server-error') {
      res.writeHead(500, { 'content-type': 'application/xml' });
      res.end(
        '<?xml version="1.0" encoding="UTF-8"?><Error><Code>InternalError</Code><Message>We encountered an internal error.</Message></Error>',
      );
      return;
    }
    forward(req, res, fault);
  });
  server.on('connection', (sock) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    counts,
    close: () =>
      new Promise<void>((r) => {
        for (const sock of sockets) sock.destroy();
        server.close(() => r());
      }),
  };
}
