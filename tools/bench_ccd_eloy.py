"""Times eloy 0.0.11b0 on a synthetic night, the anchors starmill's CCD benchmark is compared with.

  python tools/bench_ccd_eloy.py masters NIGHT WORK   eloy master_bias/dark/flat with its own FITS loader;
                                                       saves the masters to WORK/*.npy for the other modes
  python tools/bench_ccd_eloy.py serial NIGHT WORK    for each science frame: astropy getdata + getheader,
                                                       eloy calibrate, astropy writeto float32 (header kept)
  python tools/bench_ccd_eloy.py pool NIGHT WORK      the eloy tutorial's pattern: share_data memmaps,
                                                       Pool().imap(partial(process_image, shared_data=...)),
                                                       tqdm, results kept in a dict, parent writes float32 FITS

Prints one line "RESULT <mode> <seconds>" (wall time of the timed part, perf_counter).
"""

import glob
import os
import sys
import time
from functools import partial
from multiprocessing import Pool

import numpy as np
from astropy.io import fits
from tqdm import tqdm

from eloy.calibration import calibrate, master_bias, master_dark, master_flat
from eloy.utils import share_data


def frames(night, folder):
    files = sorted(glob.glob(os.path.join(night, "**", "*.fit*"), recursive=True))
    return [f for f in files if os.sep + folder + os.sep in f]


def load_masters(work):
    return {k: np.load(os.path.join(work, f"eloy_{k}.npy")) for k in ("bias", "dark", "flat")}


def process_image(index_file, shared_data):
    i, f = index_file
    data = fits.getdata(f)
    header = fits.getheader(f)
    calibrated = calibrate(
        data,
        exposure=header["EXPTIME"],
        bias=shared_data["bias"],
        dark=shared_data["dark"],
        flat=shared_data["flat"],
    )
    return i, calibrated


def main(mode, night, work):
    os.makedirs(work, exist_ok=True)
    science = frames(night, "ScienceImages")
    if mode == "masters":
        t0 = time.perf_counter()
        bias = master_bias(files=frames(night, "Bias"))
        t1 = time.perf_counter()
        dark = master_dark(files=frames(night, "Darks"), bias=bias)
        t2 = time.perf_counter()
        flat = master_flat(files=frames(night, "Flats"), bias=bias, dark=dark)
        t3 = time.perf_counter()
        print(f"bias {t1 - t0:.2f} s, dark {t2 - t1:.2f} s, flat {t3 - t2:.2f} s")
        for k, v in (("bias", bias), ("dark", dark), ("flat", flat)):
            np.save(os.path.join(work, f"eloy_{k}.npy"), v)
        print(f"RESULT masters {t3 - t0:.3f}")
    elif mode == "serial":
        m = load_masters(work)
        out = os.path.join(work, "eloy_serial")
        os.makedirs(out, exist_ok=True)
        t0 = time.perf_counter()
        for f in science:
            data = fits.getdata(f)
            header = fits.getheader(f)
            cal = calibrate(data, exposure=header["EXPTIME"], dark=m["dark"], flat=m["flat"], bias=m["bias"])
            fits.writeto(os.path.join(out, os.path.basename(f)), cal.astype(np.float32), header, overwrite=True)
        print(f"RESULT serial {time.perf_counter() - t0:.3f}")
    elif mode == "pool":
        m = load_masters(work)
        out = os.path.join(work, "eloy_pool")
        os.makedirs(out, exist_ok=True)
        os.chdir(work)  # share_data writes <key>.array into the working directory
        t0 = time.perf_counter()
        shared = share_data({"bias": m["bias"], "dark": m["dark"], "flat": m["flat"]})
        results = {}
        with Pool() as pool:
            for i, image in tqdm(
                pool.imap(partial(process_image, shared_data=shared), enumerate(science)),
                total=len(science),
                disable=True,
            ):
                results[i] = image
        for i, f in enumerate(science):
            header = fits.getheader(f)
            fits.writeto(os.path.join(out, os.path.basename(f)), results[i].astype(np.float32), header, overwrite=True)
        print(f"RESULT pool {time.perf_counter() - t0:.3f}")
    else:
        sys.exit(f"unknown mode {mode!r}: masters, serial or pool")


if __name__ == "__main__":
    main(*sys.argv[1:4])
