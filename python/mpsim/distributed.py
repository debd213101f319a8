"""mpsim on a Dask distributed cluster: a sweep's design points, the rows of cost tables over
many networks and configs, and a precision search's map evaluations, as tasks
(docs/distributed.md).

    from distributed import Client
    import mpsim.distributed
    client = Client("tcp://scheduler:8786")  # or a LocalCluster(threads_per_worker=1)
    s = mpsim.distributed.sweep(client, hw="edge_npu", network="resnet50",
                                grid={"array.rows": [8, 16, 32], "array.cols": [8, 16, 32]})

SystemC runs one kernel per process, so run workers as processes with one thread each (a worker
with more threads serialises its simulations on a lock). Each worker builds a sweep's plan once
and keeps it for the sweep's other points, and a search's problem (model, data, calibration)
for the search's other maps. Results equal the single-process run byte for byte.
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


# The options that decide how a search's maps are scored (the rest steer the method, which runs
# on the client).
_PROBLEM_OPTIONS = {
    "dataset", "labels", "limit", "calib", "calib_data", "normalize", "validation",
    "validation_data", "validation_labels", "cost", "quality", "sensitivity", "candidates",
    "pins", "granularity", "engine", "calibration", "batch", "micro_batch",
}
# Those that name files.
_PATH_OPTIONS = {"dataset", "labels", "calib_data", "validation_data", "validation_labels"}


@functools.lru_cache(maxsize=4)
def _problem(hw, sets, model, options):
    """The search's problem on this worker, built once per search setup. One evaluator thread:
    a worker is one process with one thread, and scores do not depend on the thread count."""
    given = {k: list(v) if isinstance(v, tuple) else v for k, v in options}
    given["threads"] = 1
    return _mpsim.SearchProblem(hw, list(sets), model, given)


def _score(setup, choice, split):
    return _problem(*setup).score(choice, split)


def _shared_path(value):
    """A path the workers can open: absolute when it names a file here (workers may run in
    another folder; on a real cluster it must be on a shared file system), else as given (a
    bundled config, a data set name)."""
    text = os.fspath(value)
    return os.path.abspath(text) if os.path.exists(text) else text


def search(client, hw, model, out, method="greedy", set=None, **options):
    """mpsim.search() with the maps scored as tasks on `client`'s cluster: the method runs here
    and sends each batch of maps it wants scored (greedy's phase-1 probes, an RL step's samples,
    random's draws, then the front's test-split figures) as one task per map. Written files
    and returned rows equal mpsim.search()'s byte for byte."""
    given = mpsim._search_options(options)
    sets = mpsim._sets(set)
    problem_options = tuple(sorted(
        (k, _shared_path(v) if k in _PATH_OPTIONS else
         tuple(v) if isinstance(v, list) else v)
        for k, v in given.items() if k in _PROBLEM_OPTIONS
    ))
    setup = (_shared_path(hw), tuple(sets), _shared_path(model), problem_options)

    def scorer(choices, split):
        futures = client.map(_score, [setup] * len(choices), choices, [split] * len(choices),
                             pure=False)
        return client.gather(futures)

    data = _mpsim.search(os.fspath(hw), sets, os.fspath(model), method, os.fspath(out), given,
                         scorer)
    return mpsim.SearchResult(data, os.fspath(out))
