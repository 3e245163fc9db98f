/**
 * NESTED HEALPix pixels, following HEALPix C++ (`healpix_base.cc`: `loc2pix`, `pix2loc`), which is
 * what healpy, and so desispec and desimodel, call. The arithmetic is the same step for step
 * (truncating casts, `fmodulo`, the near-pole branch on sin θ), so positions on pixel edges land
 * where healpy puts them.
 */

const HALF_PI = Math.PI / 2;
const JRLL = [2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4];
const JPLL = [1, 3, 5, 7, 0, 2, 4, 6, 1, 3, 5, 7];

function checkNside(nside: number): void {
  if (!Number.isInteger(nside) || nside < 1 || nside > 1 << 13 || (nside & (nside - 1)) !== 0)
    throw new RangeError(`nside must be a power of two from 1 to 8192, got ${nside}`);
}

/** HEALPix C++ `fmodulo`: v1 mod v2 in [0, v2). */
function fmodulo(v1: number, v2: number): number {
  if (v1 >= 0) return v1 < v2 ? v1 : v1 % v2;
  const t = (v1 % v2) + v2;
  return t === v2 ? 0 : t;
}

/** Interleave the bits of x (even) and y (odd). */
function spread(v: number): number {
  let out = 0;
  for (let b = 0; v > 0; b++, v >>>= 1) out += (v & 1) * 2 ** (2 * b);
  return out;
}

function compress(v: number): number {
  let out = 0;
  for (let b = 0; v > 0; b++, v = Math.floor(v / 4)) out |= (v % 2) << b;
  return out;
}

function xyf2nest(nside: number, ix: number, iy: number, face: number): number {
  return face * nside * nside + spread(ix) + 2 * spread(iy);
}

/** The NESTED pixel of (z = cos θ, φ), with sin θ when it is known more precisely than from z. */
function loc2pix(nside: number, z: number, phi: number, sth: number, haveSth: boolean): number {
  const za = Math.abs(z);
  const tt = fmodulo(phi / HALF_PI, 4);
  if (za <= 2 / 3) {
    const temp1 = nside * (0.5 + tt);
    const temp2 = nside * (z * 0.75);
    const jp = Math.trunc(temp1 - temp2);
    const jm = Math.trunc(temp1 + temp2);
    const ifp = Math.floor(jp / nside);
    const ifm = Math.floor(jm / nside);
    const face = ifp === ifm ? ifp | 4 : ifp < ifm ? ifp : ifm + 8;
    return xyf2nest(nside, jm & (nside - 1), nside - (jp & (nside - 1)) - 1, face);
  }
  const ntt = Math.min(3, Math.trunc(tt));
  const tp = tt - ntt;
  const tmp = za < 0.99 || !haveSth ? nside * Math.sqrt(3 * (1 - za)) : (nside * sth) / Math.sqrt((1 + za) / 3);
  const jp = Math.min(Math.trunc(tp * tmp), nside - 1);
  const jm = Math.min(Math.trunc((1 - tp) * tmp), nside - 1);
  return z >= 0 ? xyf2nest(nside, nside - jm - 1, nside - jp - 1, ntt) : xyf2nest(nside, jp, jm, ntt + 8);
}

/**
 * The NESTED pixel of colatitude θ and longitude φ (radians), as healpy's `ang2pix(nside, θ, φ,
 * nest=True)`.
 */
export function ang2pixNest(nside: number, theta: number, phi: number): number {
  checkNside(nside);
  if (!(theta >= 0 && theta <= Math.PI)) throw new RangeError(`theta must be in [0, π], got ${theta}`);
  // HEALPix C++ writes 3.14159 here, not π: the same literal keeps the same branch for θ near π.
  // biome-ignore lint/suspicious/noApproximativeNumericConstant: healpix_base.cc's own constant
  const near = theta < 0.01 || theta > 3.14159 - 0.01;
  return loc2pix(nside, Math.cos(theta), phi, near ? Math.sin(theta) : 0, near);
}

/** The centre (θ, φ in radians) of a NESTED pixel, as healpy's `pix2ang(nside, pix, nest=True)`. */
export function pix2angNest(nside: number, pix: number): { theta: number; phi: number } {
  checkNside(nside);
  const npix = 12 * nside * nside;
  if (!Number.isInteger(pix) || pix < 0 || pix >= npix) throw new RangeError(`pixel ${pix} is outside 0–${npix - 1}`);
  const face = Math.floor(pix / (nside * nside));
  const inFace = pix - face * nside * nside;
  const ix = compress(inFace);
  const iy = compress(Math.floor(inFace / 2));
  const fact2 = 4 / npix;
  const fact1 = 2 * nside * fact2;
  const jr = JRLL[face] * nside - ix - iy - 1;
  let nr: number;
  let z: number;
  if (jr < nside) {
    nr = jr;
    z = 1 - nr * nr * fact2;
  } else if (jr > 3 * nside) {
    nr = 4 * nside - jr;
    z = nr * nr * fact2 - 1;
  } else {
    nr = nside;
    z = (2 * nside - jr) * fact1;
  }
  let tmp = JPLL[face] * nr + ix - iy;
  if (tmp < 0) tmp += 8 * nr;
  const phi = nr === nside ? 0.75 * HALF_PI * tmp * fact1 : (0.5 * HALF_PI * tmp) / nr;
  return { theta: Math.acos(z), phi };
}
