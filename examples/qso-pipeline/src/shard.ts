/** FNV-1a of a string: a stable hash, identical on every machine and run. */
function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** The shard (0…count-1) a pixel belongs to: by hash of its id, so shards stay balanced and stable. */
export function shardOf(id: string, count: number): number {
  return fnv1a(id) % count;
}

/** `i/N`, from the flag or from the scheduler's environment. */
export interface Shard {
  index: number;
  count: number;
  /** Where it came from (flag, SLURM, Kubernetes, AWS Batch). */
  source: string;
}

/**
 * The shard of this process: `--shard i/N`, else SLURM array (`SLURM_ARRAY_TASK_ID` /
 * `SLURM_ARRAY_TASK_COUNT`), a Kubernetes Indexed Job (`JOB_COMPLETION_INDEX`, with the completion
 * count in `--shard-count` or `DESI_QSO_SHARD_COUNT`), or an AWS Batch array job
 * (`AWS_BATCH_JOB_ARRAY_INDEX` / `AWS_BATCH_JOB_ARRAY_SIZE`). No shard means one process does all.
 */
export function resolveShard(flag: string | undefined, env: NodeJS.ProcessEnv, shardCount?: number): Shard | undefined {
  const make = (index: number, count: number, source: string): Shard => {
    if (!Number.isInteger(index) || !Number.isInteger(count) || count < 1 || index < 0 || index >= count) {
      throw new Error(`invalid shard ${index}/${count} (from ${source})`);
    }
    return { index, count, source };
  };
  if (flag) {
    const m = /^(\d+)\/(\d+)$/.exec(flag);
    if (!m) throw new Error(`--shard takes i/N, got ${flag}`);
    return make(Number(m[1]), Number(m[2]), '--shard');
  }
  if (env.SLURM_ARRAY_TASK_ID !== undefined && env.SLURM_ARRAY_TASK_COUNT !== undefined) {
    // SLURM ids may start at SLURM_ARRAY_TASK_MIN (usually 0).
    const min = Number(env.SLURM_ARRAY_TASK_MIN ?? 0);
    return make(Number(env.SLURM_ARRAY_TASK_ID) - min, Number(env.SLURM_ARRAY_TASK_COUNT), 'SLURM');
  }
  if (env.JOB_COMPLETION_INDEX !== undefined) {
    const count = shardCount ?? Number(env.DESI_QSO_SHARD_COUNT);
    if (!count) throw new Error('JOB_COMPLETION_INDEX is set: give the completion count with --shard-count or DESI_QSO_SHARD_COUNT');
    return make(Number(env.JOB_COMPLETION_INDEX), count, 'Kubernetes');
  }
  if (env.AWS_BATCH_JOB_ARRAY_INDEX !== undefined && env.AWS_BATCH_JOB_ARRAY_SIZE !== undefined) {
    return make(Number(env.AWS_BATCH_JOB_ARRAY_INDEX), Number(env.AWS_BATCH_JOB_ARRAY_SIZE), 'AWS Batch');
  }
  return undefined;
}
