import type { Product } from './datamodel.js';

/**
 * Which targets of a pixel to keep. The default is the established product:
 * `SPECTYPE == 'QSO' && ZWARN == 0`.
 *
 * @example
 * { spectypes: ['GALAXY', 'QSO'], zwarnMask: 0, z: { min: 2.1 } } // galaxies and QSOs at z ≥ 2.1, any ZWARN
 */
export interface Selection {
  /** SPECTYPE values to keep (default `['QSO']`); an empty list keeps every type. */
  spectypes?: string[];
  /** ZWARN bits that reject a target (default: every bit, i.e. ZWARN == 0). 0 ignores ZWARN. */
  zwarnMask?: number | bigint;
  /** Keep only COADD_FIBERSTATUS == 0 (default false). */
  fiberstatusZero?: boolean;
  /** Drop negative TARGETIDs (unassigned positioners) (default false). */
  positiveTargetId?: boolean;
  /** Keep min ≤ Z ≤ max. */
  z?: { min?: number; max?: number };
  /**
   * `'redrock'` (default): the rules above on redrock's answer. `'desi-qso-catalog'`: DESI's own QSO
   * catalogue logic (LSS `qso_catalog_maker`) with the qso_mgii and qso_qn afterburners: a target is a
   * QSO if redrock, MgII or QuasarNET (confidence > 0.95) says so, Z taken from the QN-prior redrock
   * re-run where there is one, the z ≈ 3.7 artefact removed, and no ZWARN cut (the other options
   * still apply on top).
   */
  method?: 'redrock' | 'desi-qso-catalog';
}

/** Columns of redrock/coadd the selection looks at, in REDSHIFTS row order. */
export interface SelectionInput {
  targetId: BigInt64Array;
  spectype: string[];
  zwarn: BigInt64Array;
  z: Float64Array;
  fiberstatus?: Int32Array | Uint32Array | Float64Array;
  /** desi-qso-catalog only: per redrock row, the afterburner answers (NaN/false where absent). */
  qso?: QsoAfterburners;
}

/** The afterburner columns needed by DESI's QSO catalogue logic, row-matched to REDSHIFTS. */
export interface QsoAfterburners {
  isMgii: Uint8Array;
  /** max(C_LYA, C_CIV, C_CIII, C_MgII, C_Hbeta, C_Halpha) from qso_qn. */
  cMax: Float64Array;
  cLya: Float64Array;
  cCiv: Float64Array;
  isQnNewRr: Uint8Array;
  zNew: Float64Array;
  zerrNew: Float64Array;
}

/**
 * The selection methods and the input products each needs beyond redrock and coadd (which every
 * method reads), all of them required. fusePixel opens, and a pipeline fetches, exactly these: a new
 * method is one entry here and one branch of {@link select}.
 */
export const SELECTION_METHODS = {
  redrock: { products: [] as Product[] },
  'desi-qso-catalog': { products: ['qso_mgii', 'qso_qn'] as Product[] },
} as const satisfies Record<NonNullable<Selection['method']>, { products: readonly Product[] }>;

/** Products every fusion reads (a pixel without them fails). */
export const REQUIRED_PRODUCTS: readonly Product[] = ['redrock', 'coadd'];

/**
 * The input products a fusion under these options reads: redrock and coadd, emline (optional:
 * absent, its columns are null), the selection method's own, and rrdetails when asked for.
 *
 * @example
 * productsNeeded({ selection: { method: 'desi-qso-catalog' } }); // ['redrock', 'coadd', 'emline', 'qso_mgii', 'qso_qn']
 */
export function productsNeeded(o: { selection?: Selection; rrdetails?: boolean } = {}): Product[] {
  return [
    ...REQUIRED_PRODUCTS,
    'emline',
    ...SELECTION_METHODS[o.selection?.method ?? 'redrock'].products,
    ...(o.rrdetails ? (['rrdetails'] as Product[]) : []),
  ];
}

/** Whether a fusion under this selection fails without `product`. */
export function productRequired(product: Product, selection?: Selection): boolean {
  return (
    REQUIRED_PRODUCTS.includes(product) ||
    (SELECTION_METHODS[selection?.method ?? 'redrock'].products as readonly Product[]).includes(product)
  );
}

/** QSO_MASKBITS of DESI's catalogue: which classifier called the target a QSO. */
export const QSO_MASKBITS = { RR: 2, MGII: 4, QN: 8, QN_NEW_RR: 16 } as const;

export interface SelectionResult {
  /** Selected REDSHIFTS rows, in file order. */
  rows: number[];
  /** desi-qso-catalog: QSO_MASKBITS per selected row. */
  qsoMaskbits?: Int32Array;
  /** desi-qso-catalog: rows whose Z/ZERR come from the QN-prior re-run (Z_NEW/ZERR_NEW). */
  zOverride?: Map<number, { z: number; zerr: number }>;
}

const QN_THRESHOLD = 0.95;

/** Apply a selection to the redrock rows. */
export function select(input: SelectionInput, sel: Selection = {}): SelectionResult {
  const method = sel.method ?? 'redrock';
  const types = sel.spectypes ?? ['QSO'];
  const mask = sel.zwarnMask === undefined ? -1n : BigInt(sel.zwarnMask);
  const rows: number[] = [];
  const bits: number[] = [];
  const zOverride = new Map<number, { z: number; zerr: number }>();
  const n = input.targetId.length;
  for (let i = 0; i < n; i++) {
    let z = input.z[i];
    let qbits = 0;
    if (method === 'desi-qso-catalog') {
      const q = input.qso;
      if (!q) throw new Error('the desi-qso-catalog selection needs the qso_mgii and qso_qn files');
      const isQn = q.cMax[i] > QN_THRESHOLD;
      if (input.spectype[i] === 'QSO') qbits |= QSO_MASKBITS.RR;
      if (q.isMgii[i]) qbits |= QSO_MASKBITS.MGII;
      if (isQn) qbits |= QSO_MASKBITS.QN;
      if (q.isQnNewRr[i] && isQn) {
        qbits |= QSO_MASKBITS.QN_NEW_RR;
        z = q.zNew[i];
        zOverride.set(i, { z: q.zNew[i], zerr: q.zerrNew[i] });
      }
      if (z > 3.65 && (q.cLya[i] < QN_THRESHOLD || q.cCiv[i] < QN_THRESHOLD)) qbits = 0;
      if (qbits === 0) continue;
      // The catalogue keeps every classifier's QSOs; an explicit spectype list narrows it further.
      if (sel.spectypes && types.length && !types.includes(input.spectype[i])) continue;
    } else {
      if (types.length && !types.includes(input.spectype[i])) continue;
      if ((input.zwarn[i] & mask) !== 0n) continue;
    }
    if (method === 'desi-qso-catalog' && sel.zwarnMask !== undefined && (input.zwarn[i] & mask) !== 0n) continue;
    if (sel.fiberstatusZero && input.fiberstatus && input.fiberstatus[i] !== 0) continue;
    if (sel.positiveTargetId && input.targetId[i] <= 0n) continue;
    if (sel.z?.min !== undefined && !(z >= sel.z.min)) continue;
    if (sel.z?.max !== undefined && !(z <= sel.z.max)) continue;
    rows.push(i);
    bits.push(qbits);
  }
  if (method !== 'desi-qso-catalog') return { rows };
  return { rows, qsoMaskbits: Int32Array.from(bits), zOverride };
}
