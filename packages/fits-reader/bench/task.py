"""One benchmark task with astropy or fitsio; prints JSON {seconds, bytes, rss_mib}.

usage: task.py <astropy|fitsio> <task> <dir>
Every result is converted to native byte order, as the TypeScript reader returns it.
"""
import json, os, resource, sys, time
import numpy as np

tool, task, d = sys.argv[1:4]
ROWS = sorted(set(int(x) for x in np.random.default_rng(7).choice(2500, 150, replace=False)))
HDUS = [f"{c}_{k}" for c in "BRZ" for k in ("FLUX", "IVAR", "MASK")]


def native(a):
    return a.astype(a.dtype.newbyteorder("="), copy=False) if a.dtype.byteorder not in ("=", "|") else a


def columns_native(rec, names):
    return {n: np.ascontiguousarray(native(np.asarray(rec[n]))) for n in names}


t0 = time.perf_counter()
nbytes = 0
if tool == "fitsio":
    import fitsio
    if task in ("table-all", "table-3col", "gzip-table"):
        path = os.path.join(d, "table1m.fits.gz" if task == "gzip-table" else "table4m.fits")
        cols = ["TARGETID", "Z", "RA"] if task == "table-3col" else None
        rec = fitsio.read(path, ext=1, columns=cols)
        out = columns_native(rec, rec.dtype.names)
        nbytes = sum(v.nbytes for v in out.values())
    elif task == "image-f32":
        a = native(fitsio.read(os.path.join(d, "coadd.fits"), ext="R_RESOLUTION"))
        nbytes = a.nbytes
    elif task == "rows-150":
        with fitsio.FITS(os.path.join(d, "coadd.fits")) as f:
            for h in HDUS:
                hdu = f[h]
                a = np.concatenate([native(hdu[r:r + 1, :]) for r in ROWS])
                nbytes += a.nbytes
else:
    from astropy.io import fits
    if task in ("table-all", "table-3col", "gzip-table"):
        path = os.path.join(d, "table1m.fits.gz" if task == "gzip-table" else "table4m.fits")
        with fits.open(path, memmap=True, character_as_bytes=True) as h:
            data = h[1].data
            names = ["TARGETID", "Z", "RA"] if task == "table-3col" else data.names
            out = columns_native(data, names)
            nbytes = sum(v.nbytes for v in out.values())
    elif task == "image-f32":
        with fits.open(os.path.join(d, "coadd.fits"), memmap=True) as h:
            a = np.ascontiguousarray(native(h["R_RESOLUTION"].data))
            nbytes = a.nbytes
    elif task == "rows-150":
        # .section reads only the rows asked for (memmap refuses the BZERO-scaled MASK images).
        with fits.open(os.path.join(d, "coadd.fits")) as h:
            for name in HDUS:
                sec = h[name].section
                a = np.ascontiguousarray(native(np.concatenate([sec[r:r + 1] for r in ROWS])))
                nbytes += a.nbytes
seconds = time.perf_counter() - t0
print(json.dumps({"seconds": seconds, "bytes": nbytes, "rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
