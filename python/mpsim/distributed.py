"""mpsim on a Dask distributed cluster: a sweep's design points and the rows of cost tables over
many networks and configs, as tasks (docs/distributed.md).

    from distributed import Client
    import mpsim.distributed
    client = Client("tcp://scheduler:8786")  # or a LocalCluster(threads_per_worker=1)
    s = mpsim.distributed.sweep(client, hw="edge_npu", network="resnet50",
                                grid={"array.rows": [8, 16, 32], "array.cols": [8, 16, 32]})

SystemC runs one kernel per process, so run workers as processes with one thread each (a worker
with more threads serialises its simulations on a lock). Each worker builds a sweep's plan once
and keeps it for the sweep's other points. Results equal the single-process run byte for byte.
"""
import functools
import os

import mpsim
from mpsim import _mpsim


@functools.lru_cache(maxsize=8)
def _plan(request):
    """The sweep's plan on this worker, built once per request (every point's config checked)."""
    return _mpsim.SweepPlan(*request)


def _evaluate_point(request, index):
    return _plan(request).evaluate(index)


def sweep(client, hw, network, grid, map=None, engine="sim", batch=None, resolve_groups=False,
          shard=None):
    """mpsim.sweep() with each design point a task on `client`'s cluster. The plan is checked
    here first, so a bad config value fails before any task is sent; the CSV is rendered here
    from the workers' results, in point order."""
    request = mpsim._sweep_request(hw, network, grid, map, engine, batch, resolve_groups, shard)
    plan = _mpsim.SweepPlan(*request)  # every point's config checked before any task runs
    own = list(plan.own())
    futures = client.map(_evaluate_point, [request] * len(own), own, pure=False)
    results = sorted(client.gather(futures))
    text = plan.csv(results)
    axes = [s.split("=", 1)[0] for s in request[1]]
    return mpsim.SweepResult({"axes": axes, "csv": text})


@functools.lru_cache(maxsize=64)
def _cost_table_rows(hw, network, sets, formats, batch):
    t = mpsim.cost_table(hw, network, set=dict(s.split("=", 1) for s in sets) or None,
                         formats=list(formats) or None, batch=batch)
    return t.network, t.hardware, t.area_mm2, t.rows


def cost_tables(client, hw, networks, set=None, formats=None, batch=None):
    """Cost tables of every network in `networks` on every config in `hw` (a name or a list), a
    task each; returns {(hardware, network): mpsim.CostTable}."""
    configs = [hw] if isinstance(hw, (str, os.PathLike)) else list(hw)
    sets = tuple(mpsim._sets(set))
    keys = [(os.fspath(h), os.fspath(n)) for h in configs for n in networks]
    futures = client.map(
        lambda key: _cost_table_rows(key[0], key[1], sets, tuple(formats or ()), batch),
        keys, pure=False,
    )
    out = {}
    for key, (net, hardware, area, rows) in zip(keys, client.gather(futures)):
        out[key] = mpsim.CostTable(
            {"network": net, "hardware": hardware, "area_mm2": area, "rows": rows}
        )
    return out
