#!/usr/bin/python3
"""Points per second of mpsim.distributed.sweep on a LocalCluster with 1 and 2 single-threaded
worker processes, against mpsim.sweep in one process, and the overhead per task (the closed-form
engine, whose points cost almost nothing, timed per point); then a greedy precision search of
the bundled ResNet with its maps scored on the cluster against mpsim.search in one process.
docs/distributed.md quotes it.

Usage: PYTHONPATH=build/python /usr/bin/python3 bench/distributed_scaling.py
"""
import os
import tempfile
import time

import distributed

import mpsim
import mpsim.distributed

GRID = {"array.rows": [8, 16, 24, 32, 48, 64, 96, 128], "array.cols": [8, 16, 32, 64, 128, 256]}
NETWORK = "bert_base"
MODEL = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "models",
                     "fmnist_resnet.onnx")
# The search: greedy on edge_npu's 4- and 8-bit pairs, 2,000 validation images (the default).
SEARCH = {"max_drop": 1, "candidates": "int8:int8,int4:int8,int8:int4,int4:int4"}


def timed(fn):
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def main():
    n = 1
    for v in GRID.values():
        n *= len(v)
    t_local, local = timed(lambda: mpsim.sweep("edge_npu", NETWORK, GRID))
    print(f"one process (mpsim.sweep): {n} points in {t_local:.2f} s = {n / t_local:.1f} points/s")
    for workers in (1, 2):
        with distributed.LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                      host="127.0.0.1", dashboard_address=None) as cluster, \
                distributed.Client(cluster) as client:
            mpsim.distributed.sweep(client, "edge_npu", NETWORK, {"array.rows": [8, 16]})  # warm
            t, d = timed(lambda: mpsim.distributed.sweep(client, "edge_npu", NETWORK, GRID))
            assert d.csv == local.csv
            t_cf, _ = timed(lambda: mpsim.distributed.sweep(
                client, "edge_npu", NETWORK, GRID, engine="closed-form"))
            t_cf_local, _ = timed(lambda: mpsim.sweep("edge_npu", NETWORK, GRID,
                                                      engine="closed-form"))
            print(f"{workers} worker(s): {n} points in {t:.2f} s = {n / t:.1f} points/s; "
                  f"overhead per task {(t_cf - t_cf_local / workers) / n * 1e3:.2f} ms "
                  f"(closed form: {t_cf:.2f} s on the cluster, {t_cf_local:.2f} s in one process)")

    with tempfile.TemporaryDirectory() as tmp:
        t_local, local = timed(lambda: mpsim.search("edge_npu", MODEL, os.path.join(tmp, "one"),
                                                    **SEARCH))
        maps = local.quality_evaluations
        print(f"search in one process (mpsim.search, evaluator on 2 threads): {maps} maps scored "
              f"in {t_local:.1f} s = {maps / t_local:.1f} maps/s")
        for workers in (1, 2):
            with distributed.LocalCluster(n_workers=workers, threads_per_worker=1,
                                          processes=True, host="127.0.0.1",
                                          dashboard_address=None) as cluster, \
                    distributed.Client(cluster) as client:
                out = os.path.join(tmp, f"w{workers}")
                t, d = timed(lambda: mpsim.distributed.search(client, "edge_npu", MODEL, out,
                                                              **SEARCH))
                assert d.to_pandas().equals(local.to_pandas())
                print(f"search, {workers} worker(s): {maps} maps in {t:.1f} s = "
                      f"{maps / t:.1f} maps/s (each worker loads the model and data once)")


if __name__ == "__main__":
    main()
