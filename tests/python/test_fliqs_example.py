"""examples/fliqs_qat.py, shortened to a few steps: it trains, writes a precision map that mpsim
prices and an ONNX model that mpsim evaluates, and its PyTorch fake quantization gives the same
test top-1 as mpsim's evaluator. Bad arguments end with status 2 and leave no file behind."""
import os
import re
import subprocess
import sys

import pytest

import mpsim

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EXAMPLE = os.path.join(ROOT, "examples", "fliqs_qat.py")
BUILD = os.environ.get("MPSIM_BUILD_DIR", os.path.join(ROOT, "build"))
MPSIM = os.path.join(BUILD, "mpsim")


def run(tmp_path, *args):
    env = dict(os.environ, PYTHONPATH=os.path.join(BUILD, "python"))
    return subprocess.run([sys.executable, EXAMPLE, "--mpsim", MPSIM, *args], cwd=tmp_path,
                          env=env, capture_output=True, text=True)


def test_a_short_run_writes_a_map_mpsim_prices_and_a_model_mpsim_evaluates(tmp_path):
    r = run(tmp_path, "--steps", "12", "--warmup", "4", "--log-every", "4",
            "--out", "chosen.toml", "--onnx-out", "qat.onnx")
    assert r.returncode == 0, r.stderr
    assert "step 12/12" in r.stdout
    chosen = tmp_path / "chosen.toml"
    model = tmp_path / "qat.onnx"
    assert chosen.is_file() and model.is_file()
    assert not [p for p in os.listdir(tmp_path) if p.startswith(".fliqs_")]  # no temporaries

    # The map is one mpsim reads; its layers use only the candidate pairs.
    sim = mpsim.simulate(hw="edge_npu", network=os.path.join(ROOT, "models",
                                                             "fmnist_resnet.onnx"),
                         map=str(chosen))
    pairs = {(l["weight_format"], l["activation_format"]) for l in sim.layers}
    assert pairs <= {("int8", "int8"), ("int4", "int8"), ("int8", "int4"), ("int4", "int4")}
    assert f"simulated {sim.total['energy_pj']:.6g} pJ" in r.stdout

    # The exported network evaluates under the map, and the example's PyTorch fake quantization
    # agrees with mpsim's evaluator on the 10,000 test images (to an image or two: the two sum
    # in different orders).
    m = re.search(r"test top-1 under the chosen map: mpsim eval ([0-9.]+) .* PyTorch fake "
                  r"quantization ([0-9.]+)", r.stdout)
    assert m, r.stdout
    assert abs(float(m.group(1)) - float(m.group(2))) <= 2e-4
    ev = mpsim.eval(model=str(model), map=str(chosen), calibration="max")
    assert f"{ev.top1:.4f}" == m.group(1)
    assert ev.top1 > 0.5  # a few steps from the bundled weights: far above chance (10 %)
    uniform = re.findall(r"  (int[48]:int[48]): mpsim eval ([0-9.]+), PyTorch ([0-9.]+)",
                         r.stdout)
    assert len(uniform) == 4
    for _, ours, torch_top1 in uniform:
        assert abs(float(ours) - float(torch_top1)) <= 2e-4


@pytest.mark.parametrize("args, says", [
    (["--candidates", "fp8_e4m3:int8"], "fake-quantizes signed integer formats"),
    (["--candidates", "int8:int8,int8:int8"], "listed twice"),
    (["--target", "0.1xint8:int8"], "outside what the candidates reach"),
    (["--target", "-3"], "expected SHARExPAIR"),
    (["--hw", "simba_like", "--candidates", "int8:int8,int4:int4"], "runs no int4 x int4"),
    (["--steps", "0"], "--steps 0"),
    (["--out", "."], "is a folder"),
    (["--weights", __file__], "not the bundled ResNet's state_dict"),
])
def test_bad_arguments_end_with_status_2_and_no_file(tmp_path, args, says):
    r = run(tmp_path, "--out", "chosen.toml", "--onnx-out", "qat.onnx", *args)
    assert r.returncode == 2, r.stdout + r.stderr
    assert says in r.stderr
    assert not (tmp_path / "chosen.toml").exists() and not (tmp_path / "qat.onnx").exists()


def test_data_that_is_not_fashion_mnist_ends_with_status_2_and_no_file(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    for name in ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
                 "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"):
        (data / name).write_bytes(b"\x1f\x8b not really gzip")
    r = run(tmp_path, "--data", str(data), "--out", "chosen.toml", "--onnx-out", "qat.onnx")
    assert r.returncode == 2, r.stdout + r.stderr
    assert "not Fashion-MNIST's gzip IDX files" in r.stderr and "Traceback" not in r.stderr
    assert sorted(os.listdir(tmp_path)) == ["data"]
