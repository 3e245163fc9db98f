import type { ColumnData } from '@desi/fits-reader';
import { HDU, type PixelId, type Product } from '../datamodel.js';
import { FusionError } from '../errors.js';
import type { FuseOptions } from '../fuse.js';
import { qnTableName, readAfterburners } from '../io/afterburners.js';
import { type Cols, columnsOf, f64, i64, indexOf, strip } from '../io/columns.js';
import type { OpenProduct } from '../io/sources.js';
import { type QsoAfterburners, select } from '../select.js';
import type { Checks, Where } from './checks.js';

/** What step 1 reads from redrock. */
export interface RedrockRead {
  zt: Cols;
  tid: BigInt64Array;
  z: Float64Array;
  spectype: string[];
  ra: Float64Array;
  dec: Float64Array;
  status?: ColumnData;
  /** The FIBERMAP row of REDSHIFTS row i. */
  fmRow: (i: number) => number;
}

/** Step 1: REDSHIFTS and the FIBERMAP columns needed (row-matched in DESI files; else matched by TARGETID). */
export async function readRedrock(rr: OpenProduct, needStatus: boolean, at: Where): Promise<RedrockRead> {
  const zcols = await columnsOf(
    rr,
    HDU.redshifts,
    ['TARGETID', 'Z', 'ZERR', 'ZWARN', 'CHI2', 'SPECTYPE', 'SUBTYPE', 'DELTACHI2'],
    at('redrock'),
  );
  const zt = (await rr.fits.readTable(HDU.redshifts, { columns: zcols })).columns as Cols;
  const fmCols = await columnsOf(
    rr,
    HDU.fibermap,
    ['TARGETID', 'TARGET_RA', 'TARGET_DEC', ...(needStatus ? ['COADD_FIBERSTATUS'] : [])],
    at('redrock'),
  );
  const rfm = (await rr.fits.readTable(HDU.fibermap, { columns: fmCols })).columns as Cols;
  const tid = i64(zt.TARGETID);
  const fmTid = i64(rfm.TARGETID);
  let fmRow = (i: number) => i;
  if (fmTid.length !== tid.length || tid.some((t, i) => t !== fmTid[i])) {
    const pos = indexOf(fmTid);
    fmRow = (i: number) => {
      const r = pos.get(tid[i]);
      if (r === undefined)
        throw new FusionError('targetid-mismatch', `TARGETID ${tid[i]} of REDSHIFTS is not in FIBERMAP`, at('redrock', rr.name));
      return r;
    };
  }
  return {
    zt,
    tid,
    z: f64(zt.Z),
    spectype: strip(zt.SPECTYPE),
    ra: f64(rfm.TARGET_RA),
    dec: f64(rfm.TARGET_DEC),
    status: rfm.COADD_FIBERSTATUS,
    fmRow,
  };
}

/** Step 2: the selection's rows of REDSHIFTS (reading the QSO afterburners when the method needs them). */
export async function selectTargets(
  red: RedrockRead,
  opened: Partial<Record<Product, OpenProduct>>,
  options: FuseOptions,
  pixel: PixelId,
  checks: Checks,
): Promise<{ sel: ReturnType<typeof select>; rows: number[] }> {
  let qso: QsoAfterburners | undefined;
  if ((options.selection?.method ?? 'redrock') === 'desi-qso-catalog') {
    qso = await readAfterburners(opened.qso_mgii as OpenProduct, opened.qso_qn as OpenProduct, red.tid, pixel);
    checks.add(opened.qso_mgii, [HDU.mgii], 'qso_mgii');
    const qnName = await qnTableName(opened.qso_qn as OpenProduct);
    if (qnName) checks.add(opened.qso_qn, [qnName], 'qso_qn');
  }
  const status = red.status as ArrayLike<number> | undefined;
  const sel = select(
    {
      targetId: red.tid,
      spectype: red.spectype,
      zwarn: i64(red.zt.ZWARN),
      z: red.z,
      fiberstatus: status
        ? (Array.from({ length: red.tid.length }, (_, i) => Number(status[red.fmRow(i)])) as unknown as Int32Array)
        : undefined,
      qso,
    },
    options.selection,
  );
  return { sel, rows: sel.rows };
}
