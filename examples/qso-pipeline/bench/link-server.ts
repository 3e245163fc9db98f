/**
 * The benchmark's S3 server (fauxqs on a Unix socket) behind a TCP delay proxy on 127.0.0.1: every
 * chunk waits `DELAY_MS` (default 25) in each direction, emulating a WAN round trip. Only the
 * client ↔ proxy leg crosses the (shaped) loopback; proxy ↔ server is a Unix socket, so the link is
 * shaped once. Prints `READY <endpoint>`, answers a `cpu` line on stdin with `CPU <ms>` (its own CPU
 * time so far, so the bench can split the machine's CPU between pipeline and server) and a `bytes`
 * line with `BYTES <n>` (payload bytes sent to clients so far), and runs until stdin closes.
 */
import { rmSync } from 'node:fs';
import { createConnection, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from 'fauxqs';

const delay = Number(process.env.DELAY_MS ?? 25);
const sock = join(tmpdir(), `desi-qso-bench-${process.pid}.sock`);
rmSync(sock, { force: true });
const app = buildApp({ logger: false });
await app.listen({ path: sock });

/** Bytes sent to clients so far (the link's payload direction), for the bench's timeline. */
let sent = 0;

/** Forward `from` to `to` with a fixed delay per chunk (timers of equal delay fire in order). */
function delayed(from: Socket, to: Socket, count = false): void {
  from.on('data', (chunk) =>
    setTimeout(() => {
      if (!to.writable) return;
      if (count) sent += chunk.length;
      to.write(chunk);
    }, delay),
  );
  from.on('end', () => setTimeout(() => to.end(), delay));
  from.on('error', () => to.destroy());
}

const proxy = createServer((client) => {
  client.setNoDelay(true);
  const upstream = createConnection(sock);
  delayed(client, upstream);
  delayed(upstream, client, true);
});
proxy.listen(0, '127.0.0.1', () => {
  const address = proxy.address();
  if (address && typeof address === 'object') process.stdout.write(`READY http://127.0.0.1:${address.port}\n`);
});
process.stdin.on('data', (d: Buffer) => {
  if (d.toString().includes('bytes')) process.stdout.write(`BYTES ${sent}\n`);
  else if (d.toString().includes('cpu')) {
    const u = process.cpuUsage();
    process.stdout.write(`CPU ${(u.user + u.system) / 1000}\n`);
  }
});
process.stdin.on('end', async () => {
  proxy.close();
  await app.close();
  rmSync(sock, { force: true });
  process.exit(0);
});
