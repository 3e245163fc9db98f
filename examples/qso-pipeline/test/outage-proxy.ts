/**
 * A TCP proxy on 127.0.0.1 in front of the local S3 server that can play an archive that is away:
 * `refuse` drops every new and open connection, `hang` accepts and never answers, `status` answers every
 * request with one HTTP status (408, 503…); `up` restores plain forwarding.
 */
import { createConnection, createServer, type Socket } from 'node:net';

export type Outage = { kind: 'refuse' } | { kind: 'hang' } | { kind: 'status'; status: number };

export async function startOutageProxy(target: string): Promise<{
  url: string;
  down: (o: Outage) => void;
  up: () => void;
  /** Connections accepted while down. */
  refused: () => number;
  close: () => Promise<void>;
}> {
  const t = new URL(target);
  let outage: Outage | undefined;
  let refused = 0;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => {});
    if (outage?.kind === 'refuse') {
      refused++;
      client.destroy();
      return;
    }
    if (outage?.kind === 'hang') {
      refused++;
      return; // silence until the client gives up
    }
    if (outage?.kind === 'status') {
      refused++;
      const status = outage.status;
      client.once('data', () => client.end(`HTTP/1.1 ${status} Outage\r\ncontent-length: 0\r\nconnection: close\r\n\r\n`));
      return;
    }
    const upstream = createConnection(Number(t.port), t.hostname);
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
    client.pipe(upstream).pipe(client);
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    down: (o) => {
      outage = o;
      // Open keep-alive connections go down with the archive.
      for (const s of sockets) s.destroy();
    },
    up: () => {
      outage = undefined;
    },
    refused: () => refused,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}
