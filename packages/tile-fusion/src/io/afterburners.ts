import { HDU, type PixelId } from '../datamodel.js';
import { FusionError } from '../errors.js';
import type { QsoAfterburners } from '../select.js';
import { i64, indexOf } from './columns.js';
import type { OpenProduct } from './sources.js';

/** The QuasarNET table's EXTNAME (`QN_RR`, or `QN+RR` in some files). */
export async function qnTableName(qn: OpenProduct): Promise<string | undefined> {
  return (await qn.fits.hdus()).find((h) => ['QN_RR', 'QN+RR'].includes(h.name?.toUpperCase() ?? ''))?.name;
}

/** qso_mgii and qso_qn answers row-matched to REDSHIFTS (by TARGETID). */
export async function readAfterburners(mgii: OpenProduct, qn: OpenProduct, tid: BigInt64Array, pixel: PixelId): Promise<QsoAfterburners> {
  const n = tid.length;
  const out: QsoAfterburners = {
    isMgii: new Uint8Array(n),
    cMax: new Float64Array(n).fill(Number.NaN),
    cLya: new Float64Array(n).fill(Number.NaN),
    cCiv: new Float64Array(n).fill(Number.NaN),
    isQnNewRr: new Uint8Array(n),
    zNew: new Float64Array(n).fill(Number.NaN),
    zerrNew: new Float64Array(n).fill(Number.NaN),
  };
  const pos = indexOf(tid);
  const m = await mgii.fits.readTable(HDU.mgii, { columns: ['TARGETID', 'IS_QSO_MGII'] }).catch((e) => {
    throw new FusionError('bad-file', (e as Error).message, { pixel, product: 'qso_mgii', file: mgii.name, cause: e });
  });
  const mt = i64(m.columns.TARGETID);
  const mi = m.columns.IS_QSO_MGII as (boolean | null)[];
  for (let i = 0; i < mt.length; i++) {
    const r = pos.get(mt[i]);
    if (r !== undefined) out.isMgii[r] = mi[i] ? 1 : 0;
  }
  const qnName = await qnTableName(qn);
  if (!qnName) throw new FusionError('bad-file', 'no QN_RR table', { pixel, product: 'qso_qn', file: qn.name });
  const q = await qn.fits.readTable(qnName, {
    columns: ['TARGETID', 'C_LYA', 'C_CIV', 'C_CIII', 'C_MgII', 'C_Hbeta', 'C_Halpha', 'IS_QSO_QN_NEW_RR', 'Z_NEW', 'ZERR_NEW'],
  });
  const qt = i64(q.columns.TARGETID);
  const c = (name: string) => q.columns[name] as ArrayLike<number>;
  for (let i = 0; i < qt.length; i++) {
    const r = pos.get(qt[i]);
    if (r === undefined) continue;
    const cs = ['C_LYA', 'C_CIV', 'C_CIII', 'C_MgII', 'C_Hbeta', 'C_Halpha'].map((k) => Number(c(k)[i]));
    out.cMax[r] = Math.max(...cs.map((v) => (Number.isNaN(v) ? Number.NEGATIVE_INFINITY : v)));
    out.cLya[r] = cs[0];
    out.cCiv[r] = cs[1];
    out.isQnNewRr[r] = (q.columns.IS_QSO_QN_NEW_RR as (boolean | null)[])[i] ? 1 : 0;
    out.zNew[r] = Number(c('Z_NEW')[i]);
    out.zerrNew[r] = Number(c('ZERR_NEW')[i]);
  }
  return out;
}
