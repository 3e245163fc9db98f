/**
 * One live run per output folder and shard: a lock file per run tag (`.desi-qso-lock-<tag>`, written
 * with O_EXCL) holding the owner's pid and host. Sharded runs of one array share a folder; any other
 * overlap (two unsharded runs, an unsharded and a sharded one, shards of different counts, the same
 * shard twice) is refused while the other run lives. A lock whose process is gone (same host) is taken over.
 */
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';

interface LockInfo {
  pid: number;
  host: string;
  tag: string;
  started: string;
}

const PREFIX = '.desi-qso-lock-';

/** True when a process with this pid exists on this host (EPERM: it exists, owned by another user). */
export function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Shards `i of n` of one array never overlap; anything else may. */
function overlaps(a: string, b: string): boolean {
  if (a === b) return true;
  const sa = /^(\d+)of(\d+)$/.exec(a);
  const sb = /^(\d+)of(\d+)$/.exec(b);
  return !(sa && sb && sa[2] === sb[2]);
}

export class RunLockError extends Error {
  override readonly name = 'RunLockError';
}

/** Take the lock for `tag` in `dir`; resolves to its release. */
export async function acquireRunLock(dir: string, tag: string): Promise<() => Promise<void>> {
  const me: LockInfo = { pid: process.pid, host: hostname(), tag, started: new Date().toISOString() };
  for (const name of await readdir(dir)) {
    if (!name.startsWith(PREFIX)) continue;
    let other: LockInfo;
    try {
      other = JSON.parse(await readFile(join(dir, name), 'utf8')) as LockInfo;
    } catch {
      continue; // being written, or cut short by a crash: judged by its name below if it persists
    }
    if (!overlaps(tag, other.tag)) continue;
    const alive = other.host !== me.host || processAlive(other.pid);
    if (alive)
      throw new RunLockError(
        `${dir} is in use by another desi-qso run (pid ${other.pid} on ${other.host}, ${other.tag === 'all' ? 'unsharded' : `shard ${other.tag}`}, since ${other.started}); ` +
          `wait for it, or remove ${join(dir, name)} if that run is gone`,
      );
    await rm(join(dir, name), { force: true }); // its process is gone: a stale lock
  }
  const path = join(dir, `${PREFIX}${tag}`);
  try {
    await writeFile(path, JSON.stringify(me), { flag: 'wx' });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST')
      throw new RunLockError(`${dir}: another run took the lock ${path} at the same moment`);
    throw e;
  }
  return () => rm(path, { force: true });
}
