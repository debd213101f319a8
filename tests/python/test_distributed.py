"""mpsim.distributed on a LocalCluster (a scheduler and two single-threaded worker processes on
loopback): a 12-point sweep and cost tables equal the single-process results byte for byte."""
import concurrent.futures
import os
import subprocess

import distributed
import pytest

import mpsim
import mpsim.distributed
from mpsim import _mpsim

BUILD = os.environ.get("MPSIM_BUILD_DIR", "build")


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
        dashboard_address=None,
    )
    c = distributed.Client(cluster)
    yield c
    c.close()
    cluster.close()


def test_a_12_point_sweep_equals_the_single_process_run(client, tmp_path):
    grid = {"array.rows": [8, 16, 32], "array.cols": [8, 16, 32, 64]}
    d = mpsim.distributed.sweep(client, hw="edge_npu", network="resnet18", grid=grid)
    assert len(d.rows) == 12
    local = mpsim.sweep(hw="edge_npu", network="resnet18", grid=grid)
    assert d.csv == local.csv
    out = tmp_path / "sweep.csv"
    subprocess.run(
        [os.path.join(BUILD, "mpsim"), "sweep", "--hw", "edge_npu", "-w", "resnet18",
         "--set", "array.rows=8,16,32", "--set", "array.cols=8,16,32,64", "-o", str(out)],
        check=True, capture_output=True,
    )
    assert d.csv == out.read_text()
    assert len(client.scheduler_info()["workers"]) == 2  # the cluster the points went to


def test_a_bad_point_fails_before_any_task(client):
    with pytest.raises(mpsim.Error, match=r"sweep point 1 \(array.rows=0\)"):
        mpsim.distributed.sweep(client, hw="edge_npu", network="resnet18",
                                grid={"array.rows": [8, 0]})


def test_cost_tables_over_networks_and_configs_equal_local_ones(client):
    tables = mpsim.distributed.cost_tables(
        client, hw=["edge_npu", "datacenter_fp8"], networks=["resnet18", "mobilenet_v2"]
    )
    assert len(tables) == 4
    for (hw, net), t in tables.items():
        assert t.rows == mpsim.cost_table(hw=hw, network=net).rows


SOURCE = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_a_small_search_scored_on_the_workers_equals_the_single_process_run(client, tmp_path):
    model = os.path.join(SOURCE, "models", "fmnist_resnet.onnx")
    args = {"limit": 200, "calib": 100, "validation": 200, "max_drop": 2,
            "candidates": "int8:int8,int4:int8,int8:int4,int4:int4"}
    d = mpsim.distributed.search(client, "edge_npu", model, tmp_path / "dask", **args)
    local = mpsim.search("edge_npu", model, tmp_path / "local", **args)
    for name in ("front.csv", "front.json", "chosen.toml", "trace.csv"):
        assert (tmp_path / "dask" / name).read_bytes() == (tmp_path / "local" / name).read_bytes()
    assert d.to_pandas().equals(local.to_pandas())  # NaN where a row has no test figures
    assert d.chosen_map == local.chosen_map
    maps = sorted(os.listdir(tmp_path / "local" / "maps"))
    assert maps and sorted(os.listdir(tmp_path / "dask" / "maps")) == maps
    for name in maps:
        assert (tmp_path / "dask" / "maps" / name).read_bytes() == \
            (tmp_path / "local" / "maps" / name).read_bytes()
    # The maps were scored on the workers: a worker built the search's problem (the scheduler
    # decides whether both did), and together they scored at least every distinct map (the
    # client scored none but the fp32 reference).
    built = client.run(lambda: mpsim.distributed._problem.cache_info().currsize)
    assert sorted(built.values()) != [0, 0]
    hits = client.run(lambda: sum(mpsim.distributed._problem.cache_info()[:2]))
    assert sum(hits.values()) >= d.quality_evaluations


def test_a_problem_scored_from_two_threads_gives_the_sequential_scores():
    # A worker started with --nthreads 2 runs two tasks at once on one cached problem.
    model = os.path.join(SOURCE, "models", "fmnist_resnet.onnx")
    options = {"limit": 200, "calib": 100, "validation": 200, "threads": 1,
               "candidates": "int8:int8,int4:int8,int8:int4,int4:int4"}
    problem = _mpsim.SearchProblem("edge_npu", [], model, options)
    choices = [[k % 4] * 8 for k in range(8)] + [[(k + j) % 4 for j in range(8)] for k in range(8)]
    splits = ["validation", "test"] * 8
    alone = _mpsim.SearchProblem("edge_npu", [], model, options)
    expected = [alone.score(c, s) for c, s in zip(choices, splits)]
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        got = list(pool.map(problem.score, choices, splits))
    assert got == expected


def test_a_bad_search_option_fails_before_any_task(client, tmp_path):
    model = os.path.join(SOURCE, "models", "fmnist_resnet.onnx")
    with pytest.raises(mpsim.Error, match="unknown quality 'top5'"):
        mpsim.distributed.search(client, "edge_npu", model, tmp_path / "bad", quality="top5")
    assert not (tmp_path / "bad").exists()
