/**
 * One pixel's conversion, step by step: skip it if the journal verifies it, reserve memory, open its
 * inputs, fuse, encode, store, journal. Every failure is kept with its cause and the batch goes on.
 */
import { type FuseOptions, FusionError, fusePixel, newTally } from '@desi/tile-fusion';
import type { ConvertOptions } from './convert.js';
import { failureOf } from './failure.js';
import type { InputProvider, PixelInputs } from './input-provider.js';
import type { Journal } from './journal.js';
import { type MemoryBudget, spectraEstimate, tablesEstimate } from './memory-budget.js';
import type { OutputSink } from './output-sink.js';
import type { OutputStore } from './output-store.js';
import { inputIdentity, outputOptions, productsWanted, sha256, verified } from './provenance.js';
import type { PixelOutcome } from './summary.js';
import type { PixelTask } from './tasks.js';

/** What every pixel of a run shares. */
export interface PixelContext {
  o: ConvertOptions;
  inputs: InputProvider;
  sink: OutputSink;
  store: OutputStore;
  journal: Journal;
  budget: MemoryBudget;
  /** True when the output is remote (the journal alone then says what is done). */
  remoteOut: boolean;
}

export async function convertPixel(task: PixelTask, ctx: PixelContext): Promise<PixelOutcome> {
  const { o, journal } = ctx;
  if (await verified(task, o, journal, o.out, ctx.remoteOut))
    return { id: task.id, status: 'skipped', qsos: journal.get(task.id)?.rows ?? 0, bytesRead: 0, bytesWritten: 0 };
  // Memory first: the pixel's tables now, its spectra once it knows how many (see memory-budget.ts).
  const reservation = await ctx.budget.admit(tablesEstimate(task));
  let inputs: PixelInputs | undefined;
  try {
    if (!task.files.coadd || !task.files.redrock)
      throw new FusionError('missing-file', `missing ${!task.files.coadd ? 'coadd' : 'redrock'}`, { pixel: task.pixel });
    inputs = await ctx.inputs.open(task, productsWanted(o));
    const fused = await fusePixel(
      inputs.sources,
      fuseOptions(task, o, inputs, (count) => reservation.grow(spectraEstimate(count, o))),
    );
    const bytesRead = inputs.bytesRead(fused);
    const { count, warnings } = fused;
    const checksums = inputs.checkedWhole
      ? inputs.checkedWhole.reduce(
          (a, w) => ({ verified: a.verified + w.verified, absent: a.absent + w.absent, unverified: 0 }),
          newTally(),
        )
      : fused.checksums;
    if (o.indexOut) await (await import('./targets.js')).indexPart(task, inputs.sources, o.indexOut);
    const parts = await ctx.sink.encode(fused);
    const bytesWritten = await store(task, count, parts, ctx);
    return { id: task.id, status: 'ok', qsos: count, bytesRead, bytesWritten, checksums, warnings: warnings.length ? warnings : undefined };
  } catch (e) {
    const failure = failureOf(e);
    // The journal may not be writable either (a full disk): the pixel is then simply redone next run.
    await journal
      .record({
        id: task.id,
        status: 'failed',
        error: failure.message,
        code: failure.code,
        hdu: failure.hdu,
        keyword: failure.keyword,
        file: failure.file,
      })
      .catch(() => {});
    return { id: task.id, status: 'failed', qsos: 0, bytesRead: inputs?.spent ?? 0, bytesWritten: 0, failure };
  } finally {
    reservation.release();
    // Staged files go once the output is written (or the pixel failed): download mode keeps no copies.
    await inputs?.dispose();
  }
}

function fuseOptions(task: PixelTask, o: ConvertOptions, inputs: PixelInputs, onCount: (n: number) => void): FuseOptions {
  return {
    pixel: task.pixel,
    camera: o.camera,
    precision: o.precision,
    selection: o.selection,
    rrdetails: o.rrdetails ?? false,
    // Files the provider checked whole need no second check (it would read them again).
    verify: inputs.checkedWhole ? 'off' : (o.verify ?? 'read'),
    onSelected: ({ count }) => onCount(count),
  };
}

/** Store the file, journal it, and retire an earlier output of another name. Returns the bytes written. */
async function store(task: PixelTask, count: number, parts: Uint8Array[], ctx: PixelContext): Promise<number> {
  const rel = ctx.sink.name(task, count);
  const size = parts.reduce((a, p) => a + p.length, 0);
  await ctx.store.put(rel, parts);
  const previous = ctx.journal.get(task.id);
  await ctx.journal.record({
    id: task.id,
    status: 'ok',
    output: rel,
    rows: count,
    bytes: size,
    sha256: await sha256(parts),
    options: outputOptions(ctx.o),
    inputs: inputIdentity(task, ctx.o),
  });
  // A reconversion under other options may name its file differently (another count): the earlier
  // file was this pipeline's, recorded with its checksum, so it goes if it is still exactly that.
  if (previous?.output && previous.output !== rel) await ctx.store.replaced(previous.output, previous.sha256);
  return size;
}
