"""Write the benchmark inputs (run with the system python3: numpy + fitsio).

  coadd.fits      DESI-coadd-shaped: FIBERMAP + B/R/Z WAVELENGTH, FLUX, IVAR, MASK (uint32), RESOLUTION (~1.1 GB)
  table4m.fits    4,000,000-row DESI-like redshift table (199 bytes a row, ~0.8 GB)
  table1m.fits.gz the first 1,000,000 rows of it, gzipped
Files are only written when missing.
"""
import gzip, os, shutil, sys
import numpy as np
import fitsio

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
rng = np.random.default_rng(20261125)
NT = 2500
CAMERAS = {"B": 2751, "R": 2326, "Z": 2881}


def coadd(path):
    fm = np.zeros(NT, dtype=[("TARGETID", "i8"), ("TARGET_RA", "f8"), ("TARGET_DEC", "f8"),
                             ("COADD_FIBERSTATUS", "u4"), ("OBJTYPE", "S3"), ("DESI_TARGET", "i8")])
    fm["TARGETID"] = 39627788448434509 + np.arange(NT) * 97
    fm["TARGET_RA"] = 150 + rng.random(NT)
    fm["TARGET_DEC"] = 2 + rng.random(NT)
    fm["OBJTYPE"] = "TGT"
    with fitsio.FITS(path + ".tmp", "rw", clobber=True) as f:
        f.write(None)
        f.write(fm, extname="FIBERMAP")
        for cam, n in CAMERAS.items():
            f.write(np.linspace(3600, 9824, n), extname=f"{cam}_WAVELENGTH")
            f.write(rng.random((NT, n), dtype=np.float32), extname=f"{cam}_FLUX")
            f.write(rng.random((NT, n), dtype=np.float32) + 1, extname=f"{cam}_IVAR")
            f.write((rng.random((NT, n)) < 0.01).astype(np.uint32) * 2**31, extname=f"{cam}_MASK")
            f.write(rng.random((NT, 11, n), dtype=np.float32), extname=f"{cam}_RESOLUTION")
    os.rename(path + ".tmp", path)


def table(path, nrows):
    dt = [("TARGETID", "i8"), ("Z", "f8"), ("ZERR", "f8"), ("CHI2", "f8"), ("DELTACHI2", "f8"), ("RA", "f8"),
          ("DEC", "f8"), ("ZWARN", "i8"), ("NPIXELS", "i8"), ("COEFF", "f8", (10,)), ("FIBER", "i4"),
          ("SPECTYPE", "S6"), ("SUBTYPE", "S20"), ("FLUX_G", "f4"), ("FLUX_R", "f4"), ("FLUX_Z", "f4"),
          ("MASKBITS", "i2"), ("OBJTYPE", "S3")]
    with fitsio.FITS(path + ".tmp", "rw", clobber=True) as f:
        f.write(None)
        chunk = 500_000
        for start in range(0, nrows, chunk):
            n = min(chunk, nrows - start)
            a = np.zeros(n, dtype=dt)
            for name in a.dtype.names:
                kind = a.dtype[name].kind
                if kind == "f":
                    a[name] = rng.random(a[name].shape)
                elif kind in "iu":
                    a[name] = rng.integers(0, 1 << 30, a[name].shape)
            a["TARGETID"] = np.arange(start, start + n) + 39627788448434509
            a["SPECTYPE"] = "QSO"
            a["SUBTYPE"] = "subtype"
            a["OBJTYPE"] = "TGT"
            if start == 0:
                f.write(a, extname="REDSHIFTS")
            else:
                f[-1].append(a)
    os.rename(path + ".tmp", path)


def gz(src, dst, nrows):
    # The first nrows rows as a file of their own, then gzip level 6 (the default).
    with fitsio.FITS(src) as f:
        a = f[1][0:nrows]
    tmp = dst + ".fits.tmp"
    fitsio.write(tmp, a, extname="REDSHIFTS", clobber=True)
    with open(tmp, "rb") as fin, gzip.open(dst + ".tmp", "wb", compresslevel=6) as fout:
        shutil.copyfileobj(fin, fout, 1 << 24)
    os.remove(tmp)
    os.rename(dst + ".tmp", dst)


p = lambda n: os.path.join(out, n)
if not os.path.exists(p("coadd.fits")):
    coadd(p("coadd.fits"))
if not os.path.exists(p("table4m.fits")):
    table(p("table4m.fits"), 4_000_000)
if not os.path.exists(p("table1m.fits.gz")):
    gz(p("table4m.fits"), p("table1m.fits.gz"), 1_000_000)
print("inputs ready in", out)
