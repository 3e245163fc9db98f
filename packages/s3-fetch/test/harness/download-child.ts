/** Child process for the kill-and-resume test: downloads the listed objects, printing each completion. */
import { createPublicClient, downloadAll, listAll } from '../../src/index.js';

const [endpoint, out] = process.argv.slice(2);
const client = createPublicClient({ endpoint });
const items = (await listAll(client, 'desidata', 'dr1/resume/')).map((o) => ({
  bucket: 'desidata',
  key: o.key,
  size: o.size,
  etag: o.etag,
}));
let files = 0;
await downloadAll(client, items, {
  outDir: out,
  concurrency: 2,
  onProgress: (p) => {
    if (p.files > files) {
      files = p.files;
      process.stdout.write(`done ${files}\n`);
    }
  },
});
