#!/usr/bin/python3
"""Regenerates the pictures of docs/plots.md (docs/images/front.png, breakdown.png, sweep.png)
from fresh runs of the mpsim command, printing every command it runs.

Usage: /usr/bin/python3 scripts/make_doc_plots.py [--mpsim build/mpsim] [--images docs/images]

The runs go to a temporary folder that is removed at the end; only the pictures stay. The
search scores maps on the default splits (2,000 validation images, the 10,000 test images), so
the picture shows the figures docs/search.md discusses; the whole script took 17 s on 2 cores,
nearly all of it the search. PYTHONPATH must reach the built module (build/python), as
for `python3 -m mpsim.plot`.
"""
import argparse
import os
import shlex
import subprocess
import sys
import tempfile
import time

SOURCE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run(cmd):
    """Runs one command from the repository root, shown as it would be typed there."""
    print("$ " + " ".join(shlex.quote(c) for c in cmd), flush=True)
    start = time.monotonic()
    r = subprocess.run(cmd, cwd=SOURCE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                       text=True)
    if r.returncode != 0:
        sys.exit(f"failed with status {r.returncode}:\n{r.stderr}")
    print(f"  ({time.monotonic() - start:.1f} s)", flush=True)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--mpsim", default=os.path.join("build", "mpsim"),
                   help="the mpsim program (default build/mpsim, from the repository root)")
    p.add_argument("--images", default=os.path.join("docs", "images"),
                   help="where the pictures go (default docs/images)")
    args = p.parse_args()
    mpsim = args.mpsim
    images = args.images
    os.makedirs(os.path.join(SOURCE, images), exist_ok=True)
    plot = [sys.executable, "-m", "mpsim.plot"]
    start = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="mpsim-doc-plots-") as work:
        search = os.path.join(work, "search")
        simulate = os.path.join(work, "resnet18_edge_int.json")
        sweep = os.path.join(work, "rows_cols.csv")

        run([mpsim, "search", "--method", "greedy", "--hw", "edge_npu",
             "--model", "models/fmnist_resnet.onnx", "--full-curve", "--out", search])
        run(plot + ["front", search, "-o", os.path.join(images, "front.png")])

        run([mpsim, "simulate", "--hw", "edge_npu", "-w", "resnet18",
             "-m", "configs/maps/resnet18_edge_int.toml", "--format", "json", "-o", simulate])
        run(plot + ["breakdown", simulate, "-o", os.path.join(images, "breakdown.png")])

        run([mpsim, "sweep", "--hw", "edge_npu", "--set", "array.rows=8,16,32,64,128",
             "--set", "array.cols=8,16,32,64,128", "-w", "resnet18",
             "-m", "configs/maps/resnet18_edge_int.toml", "-o", sweep])
        run(plot + ["sweep", sweep, "--color", "array.rows", "--log-y",
                    "--title", "ResNet-18 on edge_npu: array rows x columns",
                    "-o", os.path.join(images, "sweep.png")])
    for name in ("front.png", "breakdown.png", "sweep.png"):
        path = os.path.join(SOURCE, images, name)
        print(f"{os.path.join(images, name)}: {os.path.getsize(path) / 1024:.0f} KiB")
    print(f"done in {time.monotonic() - start:.0f} s")


if __name__ == "__main__":
    main()
