"""The Python module `mpsim` (python/): the same figures as the command, plain Python results with
to_pandas(), mpsim.Error (a ValueError) with the command's message, the GIL released while C++
runs. Runs under pytest through CTest with PYTHONPATH=build/python."""
import json
import os
import subprocess
import threading
import time

import pytest

import mpsim

BUILD = os.environ.get("MPSIM_BUILD_DIR", "build")
SOURCE = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def command_json(*args):
    out = subprocess.run(
        [os.path.join(BUILD, "mpsim"), *args, "--format", "json"],
        check=True, capture_output=True, text=True,
    ).stdout
    return json.loads(out)


def test_simulate_equals_the_command_layer_by_layer():
    r = mpsim.simulate(hw="edge_npu", network="resnet18", set={"array.rows": 32})
    j = command_json("simulate", "--hw", "edge_npu", "-w", "resnet18", "--set", "array.rows=32")
    assert r.total["cycles"] == j["total"]["cycles"]
    assert r.total["energy_pj"] == j["total"]["energy_pj"]["total"]
    assert r.area_mm2 == j["area_mm2"]
    assert [l["name"] for l in r.layers] == [l["name"] for l in j["layers"]]
    assert [l["cycles"] for l in r.layers] == [l["cycles"] for l in j["layers"]]
    df = r.to_pandas()
    assert len(df) == len(j["layers"]) == 21
    assert df["energy_pj"].sum() == pytest.approx(r.total["energy_pj"], rel=1e-9)


def test_estimate_is_the_closed_form_and_differs_from_the_simulation_with_finite_memory():
    e = mpsim.estimate(hw="edge_npu", network="resnet18")
    j = command_json("estimate", "--hw", "edge_npu", "-w", "resnet18")
    assert e.engine == "closed-form"
    assert e.total["cycles"] == j["total"]["cycles"]
    s = mpsim.simulate(hw="edge_npu", network="resnet18")
    assert s.total["cycles"] != e.total["cycles"]


def test_a_map_as_a_dict_or_a_file_prices_alike(tmp_path):
    as_dict = {
        "default": {"weight": "int8", "activation": "int8"},
        "override": [{"layers": "layer4*", "weight": "int4"}],
    }
    path = tmp_path / "map.toml"
    path.write_text(
        '[default]\nweight = "int8"\nactivation = "int8"\n\n'
        '[[override]]\nlayers = "layer4*"\nweight = "int4"\n'
    )
    a = mpsim.estimate(hw="edge_npu", network="resnet18", map=as_dict)
    b = mpsim.estimate(hw="edge_npu", network="resnet18", map=str(path))
    c = mpsim.estimate(hw="edge_npu", network="resnet18")
    assert a.total["energy_pj"] == b.total["energy_pj"]
    assert a.total["energy_pj"] < c.total["energy_pj"]  # the int4 layers cost less
    grid = {"array.rows": [8, 16]}
    s_dict = mpsim.sweep(hw="edge_npu", network="resnet18", grid=grid, map=as_dict)
    s_file = mpsim.sweep(hw="edge_npu", network="resnet18", grid=grid, map=str(path))
    s_default = mpsim.sweep(hw="edge_npu", network="resnet18", grid=grid)
    assert s_dict.csv == s_file.csv != s_default.csv
    assert {l["weight_format"] for l in a.layers} == {"int8", "int4"}


def test_cost_table_has_every_layer_times_every_kept_pair():
    t = mpsim.cost_table(hw="edge_npu", network="resnet18", formats=["int8", "int4"])
    assert len(t.rows) == 21 * 4
    df = t.to_pandas()
    assert set(zip(df["weight_format"], df["activation_format"])) == {
        ("int8", "int8"), ("int8", "int4"), ("int4", "int8"), ("int4", "int4")
    }
    assert (df["energy_pj"] > 0).all()


def test_sweep_rows_equal_the_commands_csv(tmp_path):
    grid = {"array.rows": [8, 16], "array.cols": [8, 16, 32]}
    s = mpsim.sweep(hw="edge_npu", network="resnet18", grid=grid, engine="closed-form")
    out = tmp_path / "sweep.csv"
    subprocess.run(
        [os.path.join(BUILD, "mpsim"), "sweep", "--hw", "edge_npu", "-w", "resnet18",
         "--set", "array.rows=8,16", "--set", "array.cols=8,16,32", "--engine", "closed-form",
         "-o", str(out)],
        check=True, capture_output=True,
    )
    assert s.csv == out.read_text()
    df = s.to_pandas()
    assert list(df["point"]) == list(range(6))
    assert list(df["array.cols"]) == [8, 16, 32, 8, 16, 32]
    assert df["pareto"].any() and not df["pareto"].all()


def test_bad_input_raises_a_value_error_with_the_commands_message():
    with pytest.raises(mpsim.Error) as e:
        mpsim.simulate(hw="edge_npu", network="resnet18", set={"array.rows": 0})
    assert isinstance(e.value, ValueError)
    assert "array.rows" in str(e.value) and "between 1 and 65536" in str(e.value)
    with pytest.raises(ValueError, match="no_such_net"):
        mpsim.estimate(hw="edge_npu", network="no_such_net")
    with pytest.raises(ValueError, match="batch"):
        mpsim.estimate(hw="edge_npu", network="resnet18", batch=-1)


def test_the_gil_is_released_while_cpp_runs():
    # One long C++ call (a 400-point sweep, about 0.4 s) while another Python thread notes the
    # time in a loop. Were the GIL held through the call, that thread could not run at all and
    # its notes would show one gap as long as the call; released, the gaps stay short, however
    # loaded the machine (only the OS scheduler interrupts the thread).
    stamps = []
    stop = threading.Event()

    def note_times():
        while not stop.is_set():
            stamps.append(time.perf_counter())

    grid = {"array.rows": list(range(8, 168, 8)), "array.cols": list(range(8, 168, 8))}
    t = threading.Thread(target=note_times)
    t.start()
    time.sleep(0.05)  # the thread is running
    start = time.perf_counter()
    s = mpsim.sweep(hw="edge_npu", network="resnet50", grid=grid)
    end = time.perf_counter()
    stop.set()
    t.join()
    assert len(s.rows) == 400
    during = [start] + [x for x in stamps if start < x < end] + [end]
    longest = max(b - a for a, b in zip(during, during[1:]))
    assert longest < 0.5 * (end - start), (longest, end - start)


def test_the_stubs_name_every_public_function_with_its_arguments():
    import ast
    import inspect

    stub = os.path.join(SOURCE, "python", "mpsim", "__init__.pyi")
    tree = ast.parse(open(stub).read())
    stubbed = {
        node.name: [a.arg for a in node.args.args]
        + ([node.args.kwarg.arg] if node.args.kwarg else [])
        for node in tree.body
        if isinstance(node, ast.FunctionDef)
    }
    # Literal defaults in the stub must be the function's (a stale one misleads an editor).
    defaults = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            args = node.args.args[len(node.args.args) - len(node.args.defaults):]
            defaults[node.name] = {a.arg: d.value for a, d in zip(args, node.args.defaults)
                                   if isinstance(d, ast.Constant)}
    classes = {node.name for node in tree.body if isinstance(node, ast.ClassDef)}
    for name in mpsim.__all__:
        obj = getattr(mpsim, name)
        if inspect.isclass(obj):
            assert name in classes, name
        else:
            parameters = inspect.signature(obj).parameters
            assert stubbed.get(name) == list(parameters), name
            for arg, value in defaults[name].items():
                assert parameters[arg].default == value, (name, arg)


def test_quantize_equals_the_command_and_keeps_the_shape():
    import numpy as np

    values = np.array([[0.1, -1.7, 3.14159], [448.0, 500.0, -0.0123]], dtype=np.float32)
    q = mpsim.quantize(values, "fp8_e4m3")
    assert q.shape == values.shape and q.dtype == np.float32
    out = subprocess.run(
        [os.path.join(BUILD, "mpsim"), "quantize", "--format", "fp8_e4m3"],
        input="\n".join(repr(float(v)) for v in values.ravel()) + "\n",
        check=True, capture_output=True, text=True,
    ).stdout
    assert [float(x) for x in out.split()] == [float(v) for v in q.ravel()]
    assert q[1, 1] == 448.0  # saturated to E4M3's largest finite value
    assert np.isnan(mpsim.quantize(values, "fp8_e4m3", saturate=False)[1, 1])
    # A strided view and float64 input give the same result as a contiguous float32 copy.
    wide = np.arange(-64, 64, dtype=np.float64).reshape(8, 16) / 8
    assert np.array_equal(mpsim.quantize(wide[:, ::2], "int4"),
                          mpsim.quantize(np.ascontiguousarray(wide[:, ::2], np.float32), "int4"))
    assert len(np.unique(mpsim.quantize(wide, "int4"))) <= 16
    with pytest.raises(mpsim.Error, match="--zero-point applies to uint formats only"):
        mpsim.quantize(values, "int8", scale=0.1, zero_point=3)


def test_search_takes_the_commands_data_and_rl_flags(tmp_path):
    import numpy as np

    # .npy data for every split, and every RL flag: the same folder as the command writes.
    rng = np.random.default_rng(0)
    files = {}
    for name, n in (("test", 40), ("calib", 20), ("val", 30)):
        files[name] = tmp_path / f"{name}.npy"
        np.save(files[name], rng.random((n, 1, 28, 28), dtype=np.float32))
        files[name + "_labels"] = tmp_path / f"{name}_labels.npy"
        np.save(files[name + "_labels"], rng.integers(0, 10, n, dtype=np.int64))
    model = os.path.join(SOURCE, "models", "fmnist_resnet.onnx")
    mpsim.search("edge_npu", model, tmp_path / "py", method="rl", dataset=files["test"],
                 labels=files["test_labels"], calib_data=files["calib"], calib=20,
                 validation=30, validation_data=files["val"],
                 validation_labels=files["val_labels"], target="0.7xint8:int8", samples=12,
                 samples_per_step=3, warmup=3, learning_rate=0.05, beta=2, one_sided=True,
                 entropy_max=3, micro_batch=4,
                 candidates="int8:int8,int4:int8,int8:int4,int4:int4")
    subprocess.run(
        [os.path.join(BUILD, "mpsim"), "search", "--method", "rl", "--hw", "edge_npu", "--model",
         model, "--dataset", str(files["test"]), "--labels", str(files["test_labels"]),
         "--calib-data", str(files["calib"]), "--calib", "20", "--validation", "30",
         "--validation-data", str(files["val"]), "--validation-labels", str(files["val_labels"]),
         "--target", "0.7xint8:int8", "--samples", "12", "--samples-per-step", "3", "--warmup",
         "3", "--learning-rate", "0.05", "--beta", "2", "--one-sided", "--entropy-max", "3",
         "--micro-batch", "4", "--candidates", "int8:int8,int4:int8,int8:int4,int4:int4", "--out",
         str(tmp_path / "cli")],
        check=True, capture_output=True,
    )
    for name in ("front.csv", "chosen.toml", "trace.csv"):
        assert (tmp_path / "py" / name).read_bytes() == (tmp_path / "cli" / name).read_bytes()
    settings = json.loads((tmp_path / "py" / "front.json").read_text())["settings"]
    assert settings == {"samples": 12, "seed": 1, "samples_per_step": 3, "warmup": 3,
                        "learning_rate": 0.05, "beta": 2, "entropy_max": 3, "one_sided": True}
    # One trace row per sample (the flags themselves are covered by the byte comparison).
    trace = (tmp_path / "py" / "trace.csv").read_text().splitlines()
    assert len(trace) == 1 + 12
    with pytest.raises(mpsim.Error, match="--warmup: expected a whole number >= 0"):
        mpsim.search("edge_npu", model, tmp_path / "bad", method="rl", target="0.7xint8:int8",
                      warmup=-1, limit=20, validation=20)
    with pytest.raises(mpsim.Error, match="--learning-rate: expected a number > 0"):
        mpsim.search("edge_npu", model, tmp_path / "bad", method="rl", target="0.7xint8:int8",
                      learning_rate=0, limit=20, validation=20)
    with pytest.raises(mpsim.Error, match="--entropy-max: expected a number >= 0"):
        mpsim.search("edge_npu", model, tmp_path / "bad", method="rl", target="0.7xint8:int8",
                      entropy_max=float("nan"), limit=20, validation=20)
    assert not (tmp_path / "bad").exists()


def test_eval_equals_the_command_in_fp32_and_under_a_map():
    model = os.path.join(SOURCE, "models", "fmnist_resnet.onnx")
    map_file = os.path.join(SOURCE, "configs", "maps", "fmnist_resnet_mixed.toml")
    r = mpsim.eval(model, map=map_file, limit=300, calib=100, per_layer=True)
    j = command_json("eval", "--model", model, "--map", map_file, "--limit", "300",
                     "--calib", "100", "--per-layer")
    assert r.images == j["images"] == 300
    assert r.top1 == j["top1"] and r.top1_fp32 == j["top1_fp32"]
    assert r.agreement == j["agreement"] and r.sqnr_db == pytest.approx(j["sqnr_db"], abs=0)
    assert [l["name"] for l in r.layers] == [l["name"] for l in j["layers"]]
    assert r.to_pandas().shape == (len(j["layers"]), 2)
    fp32 = mpsim.eval(model, limit=300)
    assert fp32.top1 == r.top1_fp32 and fp32.agreement == 1.0 and fp32.calibration is None
    with pytest.raises(mpsim.Error, match="no_such_model.onnx"):
        mpsim.eval(os.path.join(SOURCE, "models", "no_such_model.onnx"), limit=10)
    with pytest.raises(mpsim.Error, match="limit"):
        mpsim.eval(model, limit=-5)


def test_search_writes_the_commands_folder_and_returns_its_rows(tmp_path):
    model = os.path.join(SOURCE, "models", "fmnist_resnet.onnx")
    args = {"limit": 200, "calib": 100, "validation": 200, "max_drop": 2,
            "candidates": "int8:int8,int4:int8,int8:int4,int4:int4"}
    r = mpsim.search("edge_npu", model, tmp_path / "py", method="greedy", **args)
    subprocess.run(
        [os.path.join(BUILD, "mpsim"), "search", "--method", "greedy", "--hw", "edge_npu",
         "--model", model, "--limit", "200", "--calib", "100", "--validation", "200",
         "--max-drop", "2", "--candidates", args["candidates"], "--out", str(tmp_path / "cli")],
        check=True, capture_output=True,
    )
    for name in ("front.csv", "chosen.toml", "trace.csv"):
        assert (tmp_path / "py" / name).read_bytes() == (tmp_path / "cli" / name).read_bytes()
    chosen = r.rows[r.chosen]
    assert chosen["quality"] >= r.reference_quality - 0.02  # within the allowed drop
    assert {row["method"] for row in r.rows} == {"uniform", "greedy"}
    assert len(r.chosen_map) >= 3  # one entry per MAC layer, each a candidate pair
    assert all(w in ("int8", "int4") and a in ("int8", "int4") for _, w, a in r.chosen_map)
    assert len(r.to_pandas()) == len(r.rows)
    # Rows name the map files the folder holds (None for maps not written).
    written = [row["map_file"] for row in r.rows if row["map_file"] is not None]
    assert written and all((tmp_path / "py" / f).is_file() for f in written)
    assert all(row["map_file"] is not None for row in r.rows if row["pareto"])
    with pytest.raises(mpsim.Error, match="unknown option 'max_dorp'"):
        mpsim.search("edge_npu", model, tmp_path / "bad", max_dorp=1)
    with pytest.raises(mpsim.Error, match="sensitivity: unknown quality 'hessian'"):
        mpsim.search("edge_npu", model, tmp_path / "bad", sensitivity="hessian")
    # batch reaches the cost side: the bundled model's batch is fixed at 1.
    with pytest.raises(mpsim.Error, match="--batch 4: .* has a fixed batch dimension"):
        mpsim.search("edge_npu", model, tmp_path / "bad", batch=4, limit=50, validation=50)
    with pytest.raises(mpsim.Error, match="batch: expected a whole number of at least 1"):
        mpsim.search("edge_npu", model, tmp_path / "bad", batch=0)
    # An option the method does not use is refused, as by the command.
    with pytest.raises(mpsim.Error, match="--samples is for --method rl or random; --method "
                                          "greedy does not use it"):
        mpsim.search("edge_npu", model, tmp_path / "bad", samples=10, limit=50, validation=50)
    # A value of the wrong type names its option (not pybind11's bare RuntimeError).
    for key, value, message in [
        ("validation", 200.5, "validation: expected a whole number, not float 200.5"),
        ("full_curve", "false", "full_curve: expected True or False, not str 'false'"),
        ("pins", "x=int8:int8", "pins: expected a list of strings, not str"),
        ("seed", 2 ** 70, "seed: .* is not a value this option takes"),
        ("cost", "watts", "cost: unknown cost 'watts'"),
        ("candidates", "", "candidates: expected a value, not an empty string"),
        ("candidates", [], "candidates: expected at least one entry, not an empty list"),
        ("max_drop", 10 ** 400, "max_drop: .* is too large for a number"),
        ("threads", -1, "threads: expected a whole number >= 0"),
    ]:
        with pytest.raises(mpsim.Error, match=message):
            mpsim.search("edge_npu", model, tmp_path / "bad", **{key: value})
    assert not (tmp_path / "bad").exists()
    # NumPy scalars are numbers (not bools), and a NumPy bool is a flag.
    np = pytest.importorskip("numpy")
    assert mpsim._search_options({"samples": np.int64(5), "beta": np.float32(0.5),
                                  "one_sided": np.bool_(True), "full_curve": np.bool_(False),
                                  "target": np.float64(2.5e6)}) == {
        "samples": 5, "beta": 0.5, "one_sided": True, "target": "2500000.0"}
    with pytest.raises(mpsim.Error, match="samples: expected a whole number, not bool"):
        mpsim._search_options({"samples": True})
    # A False flag is the flag left out, for any method.
    r2 = mpsim.search("edge_npu", model, tmp_path / "py2", method="greedy", one_sided=False,
                      **dict(args, candidates=["int8:int8", "int4:int8", "int8:int4",
                                               "int4:int4"]))
    front = (tmp_path / "py2" / "front.csv").read_bytes()
    assert front == (tmp_path / "cli" / "front.csv").read_bytes()
    assert r2.chosen_map == r.chosen_map
    with pytest.raises(mpsim.Error, match="exists"):
        mpsim.search("edge_npu", model, tmp_path / "py", **args)
