/**
 * What a CommonJS consumer gets: the built `dist/index.cjs` (built first when its sources changed),
 * required from a plain `node -e`, starts the local S3 server, which a listing then answers.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { expect, it } from 'vitest';

it('the CommonJS build starts the local S3 server (no import.meta.resolve)', () => {
  const root = join(import.meta.dirname, '..', '..', '..');
  execFileSync(process.execPath, [join(root, 'scripts', 'ensure-built.mjs')], { stdio: 'ignore' });
  const cjs = join(import.meta.dirname, '..', 'dist', 'index.cjs');
  const script = `
    const { startLocalS3Server, createPublicClient, listAll } = require(${JSON.stringify(cjs)});
    startLocalS3Server({ bucket: 'b', synthetic: { prefix: 'p/', files: 2, size: 1000 } }).then(async (s) => {
      const objects = await listAll(createPublicClient({ endpoint: s.endpoint }), 'b', 'p/');
      console.log('objects', objects.length);
      await s.stop();
    });`;
  const r = spawnSync(process.execPath, ['-e', script], {
    encoding: 'utf8',
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  });
  expect(r.status, r.stderr).toBe(0);
  expect(r.stdout.trim()).toBe('objects 2');
}, 60_000);
