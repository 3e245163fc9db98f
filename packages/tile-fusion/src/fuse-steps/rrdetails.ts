import type { PixelId, Product } from '../datamodel.js';
import { FusionError } from '../errors.js';
import type { FuseOptions } from '../fuse.js';
import type { RedrockFits } from '../io/rrdetails.js';
import type { PixelSources } from '../io/sources.js';

/**
 * Step 6 of {@link fusePixel}: the redrock fits of the selected targets from rrdetails. An absent
 * file is listed in `missing`; one that cannot be read is a warning (or, by option, a failure),
 * never silence; so is a file with no fits for any selected target.
 */
export async function readRrdetails(
  rd: PixelSources['rrdetails'],
  targetId: BigInt64Array,
  rrChi2: Float64Array,
  options: FuseOptions,
  out: { missing: Product[]; warnings: string[]; where: { pixel?: PixelId; product: Product } },
): Promise<RedrockFits | undefined> {
  if (rd === undefined) {
    out.missing.push('rrdetails');
    return undefined;
  }
  const count = targetId.length;
  const wanted = options.rrdetails ?? (typeof rd === 'string' || rd instanceof Uint8Array);
  if (!wanted || count === 0) return undefined;
  const file = typeof rd === 'string' ? rd : rd instanceof Uint8Array ? undefined : rd.name;
  let fits: RedrockFits;
  try {
    const input = typeof rd === 'string' || rd instanceof Uint8Array ? rd : await rd.read(0, rd.size);
    // h5wasm and the temp-file path are Node-only; load them only when rrdetails is read.
    const { readRedrockFits } = await import('../io/rrdetails.js');
    fits = await readRedrockFits(input, targetId, options.rrFits ?? 3);
  } catch (e) {
    if (e instanceof FusionError && e.code === 'bad-option') throw e; // h5wasm missing: the caller's setup, not the file
    if ((e as NodeJS.ErrnoException)?.code === 'ENOENT') {
      out.missing.push('rrdetails');
      return undefined;
    }
    const err =
      e instanceof FusionError
        ? e
        : new FusionError('bad-file', `rrdetails cannot be read: ${(e as Error)?.message ?? e}`, { ...out.where, file, cause: e });
    if (options.rrdetailsErrors === 'fail') throw err;
    out.warnings.push(`${err.message} (fused without rrdetails fits)`);
    return undefined;
  }
  if (fits.missing.length === count)
    out.warnings.push(`rrdetails${file ? ` ${file}` : ''} has no fit for any of the ${count} selected targets`);
  for (let k = 0; k < count; k++) {
    const best = fits.chi2[k * fits.nfit];
    if (!Number.isNaN(best) && best !== rrChi2[k])
      out.warnings.push(`TARGETID ${targetId[k]}: rrdetails znum 0 χ² ${best} ≠ REDSHIFTS CHI2 ${rrChi2[k]}`);
  }
  return fits;
}
