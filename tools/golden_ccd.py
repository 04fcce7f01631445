"""Expected CCD calibration arrays from eloy 0.0.11b0 for starmill's parity tests.

Reads the synthetic night in <out>/night (Bias/, Darks/, Flats/, ScienceImages/), runs eloy exactly as
its tutorial does (files sorted by name; masters chained bias -> dark -> flat; each science frame
calibrated with its own EXPTIME) and writes float64 .npy files to <out>/expected/:

  full/master_bias.npy, full/master_dark.npy, full/master_flat.npy, full/<sci>.npy
      all three masters
  bias_only/<sci>.npy
      only a master bias: eloy's defaults master_dark() = [0.] and master_flat() = [1.] apply
  manifest.json
      versions, inputs, shapes and the edge-case pixel values seen in the calibrated frames
"""

import glob
import json
import os
import sys

import numpy as np
from astropy.io import fits

import eloy
from eloy.calibration import calibrate, master_bias, master_dark, master_flat


def main(out):
    night = os.path.join(out, "night")
    files = sorted(glob.glob(os.path.join(night, "**", "*.fit*"), recursive=True))
    pick = lambda folder: [f for f in files if os.sep + folder + os.sep in f]
    bias_files, dark_files = pick("Bias"), pick("Darks")
    flat_files, sci_files = pick("Flats"), pick("ScienceImages")

    bias = master_bias(files=bias_files)
    dark = master_dark(files=dark_files, bias=bias)
    flat = master_flat(files=flat_files, bias=bias, dark=dark)

    expected = os.path.join(out, "expected")
    for sub in ("full", "bias_only"):
        os.makedirs(os.path.join(expected, sub), exist_ok=True)
    np.save(os.path.join(expected, "full", "master_bias.npy"), np.asarray(bias, dtype=np.float64))
    np.save(os.path.join(expected, "full", "master_dark.npy"), np.asarray(dark, dtype=np.float64))
    np.save(os.path.join(expected, "full", "master_flat.npy"), np.asarray(flat, dtype=np.float64))

    edge = {}
    for f in sci_files:
        data = fits.getdata(f)
        exptime = fits.getheader(f)["EXPTIME"]
        name = os.path.splitext(os.path.basename(f))[0]
        full = calibrate(data, exposure=exptime, dark=dark, flat=flat, bias=bias)
        only_bias = calibrate(data, exposure=exptime, dark=master_dark(), flat=master_flat(), bias=bias)
        assert full.dtype == np.float64 and only_bias.dtype == np.float64
        np.save(os.path.join(expected, "full", name + ".npy"), full)
        np.save(os.path.join(expected, "bias_only", name + ".npy"), only_bias)
        row = full[1, 1:8]
        edge[name] = {
            "row1_cols1to7": [repr(float(v)) for v in row],
            "rejected": int(np.count_nonzero(full == -1.0)),
            "negative_zero": int(np.count_nonzero((full == 0) & np.signbit(full))),
        }

    manifest = {
        "generator": "tools/golden_ccd.py",
        "versions": {"eloy": eloy.__version__ if hasattr(eloy, "__version__") else "0.0.11b0",
                     "numpy": np.__version__, "astropy": __import__("astropy").__version__},
        "shape": list(bias.shape),
        "bias": [os.path.relpath(f, out) for f in bias_files],
        "darks": [os.path.relpath(f, out) for f in dark_files],
        "flats": [os.path.relpath(f, out) for f in flat_files],
        "science": [os.path.relpath(f, out) for f in sci_files],
        "master_flat_min_max": [float(flat.min()), float(flat.max())],
        "master_dark_exact_zeros": int(np.count_nonzero(dark == 0)),
        "edge_cases": edge,
    }
    with open(os.path.join(expected, "manifest.json"), "w") as fh:
        json.dump(manifest, fh, indent=1)
    print(f"eloy results for {len(sci_files)} science frames written to {expected}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "tests/golden/ccd")
