#!/usr/bin/python3
"""Points per second of mpsim.distributed.sweep on a LocalCluster with 1 and 2 single-threaded
worker processes, against mpsim.sweep in one process, and the overhead per task (the closed-form
engine, whose points cost almost nothing, timed per point). docs/distributed.md quotes it.

Usage: PYTHONPATH=build/python /usr/bin/python3 bench/distributed_scaling.py
"""
import time

import distributed

import mpsim
import mpsim.distributed

GRID = {"array.rows": [8, 16, 24, 32, 48, 64, 96, 128], "array.cols": [8, 16, 32, 64, 128, 256]}
NETWORK = "bert_base"


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


if __name__ == "__main__":
    main()
