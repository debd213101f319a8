"""mpsim.distributed on a LocalCluster (a scheduler and two single-threaded worker processes on
loopback): a 12-point sweep and cost tables equal the single-process results byte for byte."""
import os
import subprocess

import distributed
import pytest

import mpsim
import mpsim.distributed

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
