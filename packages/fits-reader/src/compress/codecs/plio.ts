import { FitsError } from '../../errors.js';

/**
 * Decode a PLIO_1 line list (IRAF's run-length mask encoding, FITS 4.0 §10.4.4; a port of CFITSIO's
 * pl_l2pi) into `out`. `list` holds the 16-bit words of the tile. Every index is bounds-checked.
 */
export function plioDecode(list: Int16Array, out: Int32Array): void {
  const npix = out.length;
  out.fill(0);
  if (npix === 0) return;
  const word = (i: number) => {
    // The list is 1-based in the reference implementation.
    if (i < 1 || i > list.length) throw new FitsError('bad-compressed-data', 'PLIO_1 line list ends early (corrupt tile)');
    return list[i - 1];
  };
  let lllen: number;
  let llfirst: number;
  if (word(3) > 0) {
    lllen = word(3);
    llfirst = 4;
  } else {
    lllen = (word(5) << 15) + word(4);
    llfirst = word(2) + 1;
  }
  if (lllen <= 0) return;
  const xs = 1;
  const xe = xs + npix - 1;
  let op = 0;
  let x1 = 1;
  let pv = 1;
  for (let ip = llfirst; ip <= lllen; ip++) {
    const w = word(ip);
    const opcode = Math.trunc(w / 4096);
    const data = w & 4095;
    switch (opcode) {
      case 0:
      case 4:
      case 5: {
        const x2 = x1 + data - 1;
        const i1 = Math.max(x1, xs);
        const i2 = Math.min(x2, xe);
        const np = i2 - i1 + 1;
        if (np > 0) {
          if (opcode === 4) out.fill(pv, op, op + np);
          else if (opcode === 5 && i2 === x2) out[op + np - 1] = pv;
          op += np;
        }
        x1 = x2 + 1;
        break;
      }
      case 1:
        pv = (word(ip + 1) << 12) + data;
        ip++;
        break;
      case 2:
        pv += data;
        break;
      case 3:
        pv -= data;
        break;
      case 6:
      case 7:
        pv += opcode === 6 ? data : -data;
        if (x1 >= xs && x1 <= xe) out[op++] = pv;
        x1++;
        break;
      default:
        throw new FitsError('bad-compressed-data', `PLIO_1 line list has an invalid opcode ${opcode} (corrupt tile)`);
    }
    if (x1 > xe) break;
  }
}
