import type { FailureDetail } from './failure.js';

/** DR1's HEALPix pixels across all surveys and programs (for projections). */
export const DR1_PIXELS = 12207;

/** How one pixel ended. */
export interface PixelOutcome {
  id: string;
  status: 'ok' | 'failed' | 'skipped';
  qsos: number;
  bytesRead: number;
  bytesWritten: number;
  /** For a failed pixel: what went wrong and where. */
  failure?: FailureDetail;
  checksums?: { verified: number; absent: number; unverified: number };
  /** Non-fatal findings (an rrdetails file that would not open…). */
  warnings?: string[];
}

/** Why a run stopped before its last pixel. */
export type StopReason = 'interrupted' | 'disk-full';

/** The summary file's content (a stable interface: scripts read these keys). */
export interface ConvertSummary {
  pixels_total: number;
  pixels_ok: number;
  pixels_failed: number;
  pixels_skipped: number;
  qsos: number;
  /** FITS bytes fetched (direct) or downloaded (download mode). */
  bytes_read: number;
  bytes_written: number;
  seconds: number;
  batches: number;
  pixels_per_hour: number;
  projected_dr1_hours: number;
  mode: 'direct' | 'download';
  shard?: string;
  /**
   * One entry per failed pixel: `error` (the message) and `code` as before; `message`, `hdu`,
   * `keyword` and `file` say where, when the error knew.
   */
  failures: Array<{ pixel: string; error: string; code?: string; message?: string; hdu?: number; keyword?: string; file?: string }>;
  /** HDUs whose CHECKSUM/DATASUM matched. */
  hdus_verified?: number;
  /** HDUs read in part and so not checked (the camera arrays, unless --verify full or download mode). */
  hdus_unverified?: number;
  /** HDUs checked but carrying neither keyword. */
  hdus_without_checksum?: number;
  /** Set when the run stopped early: a signal (`interrupted`) or a full disk (`disk-full`). */
  stopped?: StopReason;
  /** The signal that interrupted the run. */
  signal?: string;
  /** Pixels the run never started because it stopped. */
  pixels_not_started?: number;
  /** The most pixels in flight at once (the memory budget and the worker count bound it). */
  pixels_in_flight_max?: number;
  /** The most memory reserved at once by pixels in flight, in MiB (their estimates). */
  memory_reserved_max_mib?: number;
  /** Pixels that finished with warnings (e.g. an rrdetails file that would not open), with them. */
  warnings?: Array<{ pixel: string; warnings: string[] }>;
}

/** Everything a summary is computed from: no I/O, no clock. */
export interface SummaryInput {
  outcomes: readonly PixelOutcome[];
  /** Pixels planned (this shard's), and manifest entries refused (they count as failed). */
  planned: number;
  rejected: ReadonlyArray<{ entry: string; error: string }>;
  batches: number;
  seconds: number;
  mode: 'direct' | 'download';
  shard?: { index: number; count: number };
  stopped?: StopReason;
  signal?: string;
  notStarted?: number;
  peak: { holders: number; bytes: number };
}

const sum = (xs: readonly PixelOutcome[], f: (o: PixelOutcome) => number) => xs.reduce((a, o) => a + f(o), 0);

/** The run's summary from its outcomes (a pure function: tests pin its arithmetic). */
export function summarize(s: SummaryInput): ConvertSummary {
  const refused: PixelOutcome[] = s.rejected.map((r) => ({
    id: r.entry,
    status: 'failed',
    qsos: 0,
    bytesRead: 0,
    bytesWritten: 0,
    failure: { message: r.error, code: 'bad-manifest-entry' },
  }));
  const all = [...s.outcomes, ...refused];
  const converted = s.outcomes.filter((r) => r.status !== 'skipped').length;
  const perHour = converted / Math.max(s.seconds / 3600, 1e-9);
  const count = (st: PixelOutcome['status']) => all.filter((r) => r.status === st).length;
  const warned = s.outcomes.filter((r) => r.warnings?.length);
  return {
    pixels_total: s.planned + s.rejected.length,
    pixels_ok: count('ok'),
    pixels_failed: count('failed'),
    pixels_skipped: count('skipped'),
    qsos: sum(all, (r) => r.qsos),
    bytes_read: sum(all, (r) => r.bytesRead),
    bytes_written: sum(all, (r) => r.bytesWritten),
    seconds: s.seconds,
    batches: s.batches,
    pixels_per_hour: perHour,
    projected_dr1_hours: converted ? DR1_PIXELS / perHour : 0,
    mode: s.mode,
    shard: s.shard ? `${s.shard.index}/${s.shard.count}` : undefined,
    stopped: s.stopped,
    signal: s.signal,
    pixels_not_started: s.stopped ? s.notStarted : undefined,
    pixels_in_flight_max: s.peak.holders,
    memory_reserved_max_mib: Math.round(s.peak.bytes / (1 << 20)),
    failures: all
      .filter((r) => r.status === 'failed')
      .map((r) => {
        const f = r.failure ?? { message: '' };
        return { pixel: r.id, error: f.message, code: f.code, message: f.message, hdu: f.hdu, keyword: f.keyword, file: f.file };
      }),
    hdus_verified: sum(s.outcomes, (r) => r.checksums?.verified ?? 0),
    hdus_unverified: sum(s.outcomes, (r) => r.checksums?.unverified ?? 0),
    hdus_without_checksum: sum(s.outcomes, (r) => r.checksums?.absent ?? 0),
    warnings: warned.length ? warned.map((r) => ({ pixel: r.id, warnings: r.warnings ?? [] })) : undefined,
  };
}

const MB = (n: number) => (n / 1e6).toFixed(1);

/** The run's last log line. */
export function summaryLine(s: ConvertSummary): string {
  return (
    `done: ${s.pixels_ok} ok, ${s.pixels_skipped} skipped, ${s.pixels_failed} failed; ${s.qsos} QSOs; ` +
    `${MB(s.bytes_read)} MB read, ${MB(s.bytes_written)} MB written in ${s.seconds.toFixed(1)} s; ` +
    `${s.pixels_per_hour.toFixed(0)} pixels/hour → all of DR1 (${DR1_PIXELS} pixels) in ${s.projected_dr1_hours.toFixed(2)} h on one process`
  );
}
