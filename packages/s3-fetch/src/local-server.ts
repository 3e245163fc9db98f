import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * A local S3 server (fauxqs, a dev tool) in a child process on 127.0.0.1, holding `files` synthetic
 * objects of `size` bytes under `prefix`: for demos and for benchmarking without network. A separate
 * process, so the server does not share the client's event loop.
 */
export async function startLocalArchive(
  bucket: string,
  prefix: string,
  files: number,
  size: number,
): Promise<{ endpoint: string; stop: () => Promise<void> }> {
  return startLocalS3Server({ bucket, synthetic: { prefix, files, size } });
}

/**
 * A local S3-compatible server (fauxqs) in a child process on 127.0.0.1 with an empty bucket (or,
 * for benchmarks, synthetic objects). Needs the optional `fauxqs` package.
 *
 * @example
 * const { endpoint, stop } = await startLocalS3Server({ bucket: 'desidata' });
 */
export async function startLocalS3Server(o: {
  bucket: string;
  synthetic?: { prefix: string; files: number; size: number };
}): Promise<{ endpoint: string; stop: () => Promise<void> }> {
  const { bucket } = o;
  const { prefix, files, size } = o.synthetic ?? { prefix: '', files: 0, size: 0 };
  // The child resolves fauxqs and the SDK from this package's folder (its cwd): that works from the ES
  // module and the CommonJS build alike (import.meta.resolve does not exist in CommonJS, and fauxqs
  // has no CommonJS export for require.resolve).
  const here = fileURLToPath(new URL('.', import.meta.url));
  const script = `
    const { startFauxqs } = await import('fauxqs');
    const { S3Client, PutObjectCommand } = await import('@aws-sdk/client-s3');
    const server = await startFauxqs({ port: 0, host: '127.0.0.1', logger: false });
    server.createBucket(${JSON.stringify(bucket)});
    const endpoint = 'http://127.0.0.1:' + server.port;
    const s3 = new S3Client({ endpoint, region: 'us-west-2', forcePathStyle: true, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    const body = new Uint8Array(${size}).map((_, i) => (i * 2654435761) >>> 24);
    for (let i = 0; i < ${files}; i++) await s3.send(new PutObjectCommand({ Bucket: ${JSON.stringify(bucket)}, Key: ${JSON.stringify(prefix)} + 'object-' + i + '.bin', Body: body }));
    process.stdout.write('READY ' + endpoint + '\\n');
    process.stdin.resume();
    process.stdin.on('end', () => server.stop().then(() => process.exit(0)));
  `;
  const child = spawn(process.execPath, ['--no-warnings', '--input-type=module', '-e', script], {
    cwd: here,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const endpoint = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /READY (\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    child.on('exit', (code) => reject(new Error(`local S3 server exited (${code})`)));
  });
  return {
    endpoint,
    stop: () =>
      new Promise<void>((r) => {
        child.once('exit', () => r());
        child.stdin.end();
        setTimeout(() => child.kill('SIGKILL'), 5000).unref();
      }),
  };
}
