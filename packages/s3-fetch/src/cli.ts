/**
 * `s3-fetch bench [--endpoint URL] [--bucket desidata] [--prefix dr1/…/] [--files 16] [--workers 1,2,4,8,16]
 * [--repeat 2] [--local]`: the worker-sweep throughput table, through the S3 SDK and plain HTTPS.
 * `--local` starts an in-process S3 server with synthetic 8 MB objects (no network needed).
 */
import { parseArgs } from 'node:util';
import { createPublicClient } from './client.js';
import { listAll } from './list.js';
import { publicObjectUrl } from './range-source.js';
import { sweepTable, workerSweep } from './sweep.js';

export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      endpoint: { type: 'string' },
      region: { type: 'string', default: 'us-west-2' },
      bucket: { type: 'string', default: 'desidata' },
      prefix: { type: 'string', default: 'dr1/spectro/redux/iron/healpix/main/dark/100/' },
      files: { type: 'string', default: '16' },
      workers: { type: 'string', default: '1,2,4,8,16' },
      repeat: { type: 'string', default: '2' },
      local: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help || positionals[0] !== 'bench') {
    console.log(
      'usage: s3-fetch bench [--endpoint URL] [--bucket B] [--prefix P] [--files N] [--workers 1,2,4,8,16] [--repeat R] [--local]',
    );
    return values.help ? 0 : 2;
  }
  let endpoint = values.endpoint;
  let stop: (() => Promise<void>) | undefined;
  if (values.local) {
    const { startLocalArchive } = await import('./local-server.js');
    const local = await startLocalArchive(values.bucket as string, values.prefix as string, Number(values.files), 8 << 20);
    endpoint = local.endpoint;
    stop = local.stop;
  }
  try {
    const client = createPublicClient({ endpoint, region: values.region });
    const objects = (await listAll(client, values.bucket as string, values.prefix as string)).slice(0, Number(values.files));
    if (!objects.length) throw new Error(`no objects under s3://${values.bucket}/${values.prefix}`);
    const mb = objects.reduce((a, o) => a + o.size, 0) / 1e6;
    console.log(`${objects.length} objects, ${mb.toFixed(1)} MB per pass, from ${endpoint ?? `s3://${values.bucket} (${values.region})`}`);
    const objectUrl = (key: string) => publicObjectUrl({ bucket: values.bucket as string, key }, { endpoint, region: values.region });
    const rows = await workerSweep({
      client,
      bucket: values.bucket as string,
      objects,
      workers: (values.workers as string).split(',').map(Number),
      repeat: Number(values.repeat),
      objectUrl,
      onRow: (r) => console.error(`  ${r.path} ${r.workers} workers: ${r.rates.map((x) => x.toFixed(1)).join(', ')} MB/s`),
    });
    console.log(sweepTable(rows));
    return 0;
  } finally {
    await stop?.();
  }
}
