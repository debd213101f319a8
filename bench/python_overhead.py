#!/usr/bin/python3
"""The Python module's overhead: mpsim.simulate(hw="edge_npu", network="resnet50") against the
same library call chain in C++ (build/mpsim_bench, BM_SimulateCommandPathResNet50). Goal: the
Python call within 10 % of the C++ one. Prints both times and the ratio.

Usage: PYTHONPATH=build/python /usr/bin/python3 bench/python_overhead.py [--build-dir build]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time


def python_ms(repeats, rounds):
    import mpsim

    mpsim.simulate(hw="edge_npu", network="resnet50")  # the kernel elaborated first
    per_round = []
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(repeats):
            mpsim.simulate(hw="edge_npu", network="resnet50")
        per_round.append((time.perf_counter() - start) / repeats * 1e3)
    return statistics.median(per_round)


def cpp_ms(build_dir):
    out = subprocess.run(
        [os.path.join(build_dir, "mpsim_bench"), "--benchmark_filter=BM_SimulateCommandPath",
         "--benchmark_format=json", "--benchmark_repetitions=5",
         "--benchmark_report_aggregates_only=true"],
        check=True, capture_output=True, text=True,
    ).stdout
    for b in json.loads(out)["benchmarks"]:
        if b.get("aggregate_name") == "median":
            return b["real_time"]  # milliseconds (the benchmark's unit)
    raise SystemExit("python_overhead.py: no median in mpsim_bench's output")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build-dir", default="build")
    parser.add_argument("--repeats", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    sys.path.insert(0, os.path.join(args.build_dir, "python"))
    c = cpp_ms(args.build_dir)
    p = python_ms(args.repeats, args.rounds)
    print(f"C++ library call chain: {c:.3f} ms; mpsim.simulate from Python: {p:.3f} ms; "
          f"ratio {p / c:.3f} (goal <= 1.10)")


if __name__ == "__main__":
    main()
