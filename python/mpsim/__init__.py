"""mpsim from Python: the cost of a network under a precision map on a hardware config, by the
SystemC simulator or the closed form, per layer; cost tables; design-space sweeps.

    import mpsim
    r = mpsim.simulate(hw="edge_npu", network="resnet18", set={"array.rows": 32})
    r.total["cycles"], r.total["energy_pj"], r.to_pandas()      # one row per layer

Every function calls the same C++ library as the `mpsim` command, with the GIL released while it
runs. Bad input raises mpsim.Error, a ValueError carrying the command's message.
"""
import csv
import io
import numbers
import os

from . import _mpsim

Error = _mpsim.Error

__all__ = [
    "Error",
    "CostResult",
    "CostTable",
    "SweepResult",
    "simulate",
    "estimate",
    "cost_table",
    "sweep",
    "quantize",
    "eval",
    "EvalResult",
    "search",
    "SearchResult",
    "hardware_names",
    "network_names",
]


def _sets(set):
    """{"array.rows": 32, "buffers.0.size_kib": 64} -> ["array.rows=32", ...]."""
    if set is None:
        return []
    if not isinstance(set, dict):
        raise Error("set: expected a dict of config keys to values, e.g. {'array.rows': 32}")
    return [f"{key}={_toml_value(value)}" for key, value in set.items()]


def _toml_value(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return value
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_string_or_value(v) for v in value) + "]"
    raise Error(f"set: value {value!r}: expected a number, a string, a bool or a list")


def _toml_string_or_value(value):
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return _toml_value(value)


def _map_toml(mapping):
    """A precision map given as a dict, in the TOML form of docs/precision-maps.md:
    {"default": {"weight": "int8", "activation": "int8"},
     "override": [{"layers": "conv1", "weight": "int4"}]}."""
    lines = []
    for key, value in mapping.items():
        if key == "default":
            lines.append("[default]")
            lines += [f"{k} = {_toml_string_or_value(v)}" for k, v in value.items()]
        elif key == "override":
            for entry in value:
                lines.append("[[override]]")
                lines += [f"{k} = {_toml_string_or_value(v)}" for k, v in entry.items()]
        else:
            lines.insert(0, f"{key} = {_toml_string_or_value(value)}")
    return "\n".join(lines) + "\n"


def _map_args(map):
    """(file, text) for the C++ side: a path, a dict, or None (the default map)."""
    if map is None:
        return "", ""
    if isinstance(map, dict):
        return "", _map_toml(map)
    if isinstance(map, (str, os.PathLike)):
        return os.fspath(map), ""
    raise Error("map: expected a precision map file, a dict or None")


def _pandas():
    try:
        import pandas
    except ImportError as e:  # pragma: no cover - setup.sh installs python3-pandas
        raise ImportError("to_pandas() needs pandas (Debian: python3-pandas)") from e
    return pandas


class CostResult:
    """A network's cost: `layers` (one dict per MAC layer), `total` (the same figures summed),
    `area_mm2`, `network`, `hardware`, `engine`. Figures are named as in the command's CSV and
    JSON: cycles, compute_cycles, fill_drain_cycles, stall_cycles, latency_s, utilization,
    energy_pj, dynamic_energy_pj, <component>_pj, macs, bops, <operand>_dram_bytes, ..."""

    def __init__(self, data):
        self.network = data["network"]
        self.hardware = data["hardware"]
        self.engine = data["engine"]
        self.area_mm2 = data["area_mm2"]
        self.dram_energy_estimated = data["dram_energy_estimated"]
        self.layers = data["layers"]
        self.total = data["total"]

    def to_pandas(self):
        """One row per MAC layer."""
        return _pandas().DataFrame(self.layers)

    def __repr__(self):
        return (
            f"CostResult({self.network} on {self.hardware} by {self.engine}: "
            f"{int(self.total['cycles'])} cycles, {self.total['energy_pj']:.6g} pJ, "
            f"{self.area_mm2:.4g} mm2)"
        )


class CostTable:
    """Every MAC layer x every format pair the array runs, priced: `rows` (dicts), `area_mm2`."""

    def __init__(self, data):
        self.network = data["network"]
        self.hardware = data["hardware"]
        self.area_mm2 = data["area_mm2"]
        self.rows = data["rows"]

    def to_pandas(self):
        """One row per (layer, weight format, activation format)."""
        return _pandas().DataFrame(self.rows)

    def __repr__(self):
        return f"CostTable({self.network} on {self.hardware}: {len(self.rows)} rows)"


class SweepResult:
    """A sweep's points: `rows` (dicts: point, one entry per swept key, area_mm2, energy_pj,
    latency_s, cycles, edp_js, pareto), `axes` (the swept keys), `csv` (the command's file)."""

    def __init__(self, data):
        self.axes = list(data["axes"])
        self.csv = data["csv"]
        self.rows = []
        for row in csv.DictReader(io.StringIO(self.csv)):
            out = {"point": int(row["point"])}
            for key in self.axes:
                out[key] = _number_or_text(row[key])
            for key in ("area_mm2", "energy_pj", "latency_s", "edp_js"):
                out[key] = float(row[key])
            out["cycles"] = int(row["cycles"])
            out["pareto"] = row["pareto"] in ("1", "true", "yes")
            self.rows.append(out)

    def to_pandas(self):
        """One row per design point."""
        return _pandas().DataFrame(self.rows)

    def __repr__(self):
        return f"SweepResult({len(self.rows)} points over {', '.join(self.axes)})"


def _number_or_text(text):
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def simulate(hw, network, map=None, set=None, batch=None, resolve_groups=False):
    """The SystemC simulation of `network` under `map` on `hw`, per layer (as `mpsim simulate`).

    hw: a bundled config name or a .toml / SCALE-Sim .cfg path; set: config overrides as a dict;
    network: a built-in name or a .toml / .onnx / topology .csv path; map: a precision map file,
    a dict in the map's TOML form, or None for the array's widest integer pair everywhere."""
    return _price(hw, network, map, set, batch, resolve_groups, "sim")


def estimate(hw, network, map=None, set=None, batch=None, resolve_groups=False):
    """The closed-form cost (as `mpsim estimate`): the same figures as simulate(), faster."""
    return _price(hw, network, map, set, batch, resolve_groups, "closed-form")


def _price(hw, network, map, set, batch, resolve_groups, engine):
    map_file, map_text = _map_args(map)
    data = _mpsim.price(
        os.fspath(hw), _sets(set), os.fspath(network), _batch(batch), map_file, map_text,
        bool(resolve_groups), engine,
    )
    return CostResult(data)


def _batch(batch):
    if batch is None:
        return 0
    if isinstance(batch, bool) or not isinstance(batch, int) or batch < 1:
        raise Error(f"batch {batch!r}: expected a whole number >= 1")
    return batch


def cost_table(hw, network, set=None, formats=None, batch=None):
    """Every MAC layer x every format pair the array runs (as `mpsim costs`); `formats` keeps
    the pairs whose weight and activation formats are both in the list."""
    data = _mpsim.cost_table(
        os.fspath(hw), _sets(set), os.fspath(network), _batch(batch), list(formats or [])
    )
    return CostTable(data)


def sweep(hw, network, grid, map=None, engine="sim", batch=None, shard=None, resolve_groups=False):
    """The cost of `network` at every point of the cross product of `grid` (as `mpsim sweep`,
    in this process): grid = {"array.rows": [8, 16], "array.cols": [8, 16]}, the first key
    varying slowest. shard = "K/N" evaluates only the points with index % N == K - 1."""
    request = _sweep_request(hw, network, grid, map, engine, batch, resolve_groups, shard)
    return SweepResult(_mpsim.sweep(*request))


def quantize(values, format, saturate=True, scale=None, zero_point=None):
    """`values` rounded into `format` and back, as a new float32 array of the same shape (as
    `mpsim quantize`). A C-contiguous float32 array is read in place; anything else is converted
    once. Integer formats take their scale from the data unless `scale` is given (and
    `zero_point` for uint formats); MX formats form blocks of 32 consecutive values."""
    return _mpsim.quantize(values, format, bool(saturate), scale, zero_point)


class EvalResult:
    """An accuracy evaluation: top1, top1_fp32, agreement (share of predictions equal to the
    fp32 network's), sqnr_db (of the output; inf when identical), images, the calibration used,
    the input normalization, and per-layer SQNR in `layers` (with per_layer=True)."""

    def __init__(self, data):
        self.__dict__.update(data)

    def to_pandas(self):
        """One row per MAC layer's SQNR (per_layer=True), else empty."""
        return _pandas().DataFrame(self.layers, columns=["name", "sqnr_db"])

    def __repr__(self):
        return (
            f"EvalResult(top1 {self.top1:.4f}, fp32 {self.top1_fp32:.4f}, agreement "
            f"{self.agreement:.4f}, SQNR {self.sqnr_db:.2f} dB on {self.images} images)"
        )


def eval(
    model,
    map=None,
    dataset="fashion-mnist:test",
    labels=None,
    limit=0,
    calib=1000,
    calib_data=None,
    normalize=None,
    calibration="mse",
    resolve_groups=False,
    per_layer=False,
    threads=0,
):
    """The accuracy of an ONNX model in fp32 or under a precision map by fake quantization on
    real data (as `mpsim eval`): dataset is fashion-mnist[:test|:train] or an .npy file (with
    labels=.npy); calibration is mse (default), max or percentile; map a file, a dict or None."""
    for name, value in (("limit", limit), ("calib", calib), ("threads", threads)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise Error(f"{name} {value!r}: expected a whole number >= 0")
    map_file, map_text = _map_args(map)
    if map_text:
        import tempfile

        with tempfile.NamedTemporaryFile("w", suffix=".toml", delete=False) as f:
            f.write(map_text)
        try:
            return eval(model, f.name, dataset, labels, limit, calib, calib_data, normalize,
                        calibration, resolve_groups, per_layer, threads)
        finally:
            os.unlink(f.name)
    data = _mpsim.evaluate(
        os.fspath(model), os.fspath(dataset), os.fspath(labels or ""), limit, calib,
        os.fspath(calib_data or ""), normalize or "", calibration, map_file,
        bool(resolve_groups), bool(per_layer), threads,
    )
    return EvalResult(data)


class SearchResult:
    """A precision search: `rows` (every evaluated map: method, validation quality, the search's
    cost, pareto, and for front rows the test-split figures and every simulated cost),
    `chosen` and `best_uniform` (row indices), `chosen_map` ((layer, weight, activation) per MAC
    layer), `out` (the folder written: front.csv, front.json, maps/, chosen.toml, trace.csv)."""

    def __init__(self, data, out):
        self.__dict__.update(data)
        self.out = out

    def to_pandas(self):
        """One row per evaluated map."""
        return _pandas().DataFrame(self.rows)

    def __repr__(self):
        c = self.rows[self.chosen]
        return (
            f"SearchResult({len(self.rows)} maps, {self.quality_evaluations} scored; chosen: "
            f"{c['method']} quality {c['quality']:.4f} cost {c['cost']:.6g})"
        )


# mpsim.search's keyword options by the kind of value each takes: "text" (str or a path),
# "whole" (int), "number" (int or float), "flag" (bool), "texts" (a list of str), and the two
# that take more than one kind.
_SEARCH_OPTIONS = {
    "dataset": "text", "labels": "text", "limit": "whole", "calib": "whole",
    "calib_data": "text", "normalize": "text", "validation": "whole", "validation_data": "text",
    "validation_labels": "text", "cost": "text", "quality": "text", "sensitivity": "text",
    "candidates": "text or texts", "pins": "texts", "granularity": "text", "engine": "text",
    "calibration": "text", "batch": "whole", "threads": "whole", "micro_batch": "whole",
    "max_drop": "number", "target": "text or number", "full_curve": "flag", "order": "text",
    "samples": "whole", "samples_per_step": "whole", "warmup": "whole", "learning_rate": "number",
    "beta": "number", "entropy_max": "number", "one_sided": "flag", "seed": "whole",
}

_KIND_NAMES = {
    "text": "a string", "whole": "a whole number", "number": "a number", "flag": "True or False",
    "texts": "a list of strings", "text or texts": "a string or a list of strings",
    "text or number": "a string (SHARExPAIR) or a number",
}


def _search_value(key, value):
    """One keyword option as the C++ side takes it, or Error naming the option. Numbers may be
    NumPy scalars (any numbers.Integral / numbers.Real); a bool is never taken for a number."""
    kind = _SEARCH_OPTIONS[key]
    if isinstance(value, os.PathLike):
        value = os.fspath(value)
    is_bool = isinstance(value, bool) or type(value).__name__ == "bool_"
    is_whole = isinstance(value, numbers.Integral) and not is_bool
    is_number = isinstance(value, numbers.Real) and not is_bool
    is_texts = isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value)
    try:
        if "text" in kind.split(" or ") and isinstance(value, str):
            if not value:  # not "left out": that is None
                raise Error(f"{key}: expected a value, not an empty string")
            return value
        if "texts" in kind and is_texts:
            if not value and kind != "texts":  # no pins is no pins; no candidates is not all
                raise Error(f"{key}: expected at least one entry, not an empty list")
            return list(value) if kind == "texts" else ",".join(value)
        if kind == "whole" and is_whole:
            return int(value)
        if kind == "number" and is_number:
            return float(value)
        if kind == "text or number" and is_number:
            return repr(float(value))  # a cost in the cost's unit, as the command reads it
        if kind == "flag" and is_bool:
            return bool(value)
    except OverflowError:
        raise Error(f"{key}: {value!r} is too large for a number") from None
    raise Error(f"{key}: expected {_KIND_NAMES[kind]}, not {type(value).__name__} {value!r}")


def search(hw, model, out, method="greedy", set=None, **options):
    """Precision maps on the accuracy-cost front (as `mpsim search`), written to the folder
    `out` (which must not exist). method: uniform, greedy, rl or random. Options as the
    command's flags with underscores: cost (energy|latency|edp|bops), quality
    (top1|agreement|sqnr), sensitivity (what ranks greedy's probes: sqnr, the default, top1 or
    agreement), max_drop (points, or dB for sqnr), target ("0.6xint8:int8"),
    candidates ("int8:int8,int4:int8" or a list of pairs), pins (the repeatable --pin as a list:
    ["conv1=int8:int8"]), granularity, batch (the batch maps are priced at; the model's batch
    dimension must be dynamic), dataset, labels, limit, calib, calib_data, validation,
    validation_data, validation_labels, samples, samples_per_step, warmup, learning_rate, beta,
    entropy_max, one_sided, seed, order, full_curve, engine, calibration, threads, micro_batch.
    Not taken: --input-shape (as mpsim.eval)."""
    given = _search_options(options)
    data = _mpsim.search(os.fspath(hw), _sets(set), os.fspath(model), method, os.fspath(out), given)
    return SearchResult(data, os.fspath(out))


def _search_options(options):
    """mpsim.search's keyword options checked and made plain (paths as strings, None dropped),
    as the C++ side takes them; mpsim.distributed.search shares this."""
    unknown = sorted(k for k in options if k not in _SEARCH_OPTIONS)
    if unknown:
        known = ", ".join(sorted(_SEARCH_OPTIONS))
        raise Error(f"search: unknown option {unknown[0]!r} (known: {known})")
    given = {}
    for key, value in options.items():
        # None and a False flag are what leaving the option out means.
        is_false = (isinstance(value, bool) or type(value).__name__ == "bool_") and not value
        if value is None or (is_false and _SEARCH_OPTIONS.get(key) == "flag"):
            continue
        given[key] = _search_value(key, value)
    return given


def _sweep_request(hw, network, grid, map, engine, batch, resolve_groups, shard):
    """The C++ side's sweep arguments (hardware, axes, network, batch, map file, map text,
    resolve_groups, engine, shard), a hashable tuple: mpsim.distributed caches a plan per
    request."""
    if not isinstance(grid, dict) or not grid:
        raise Error("grid: expected a dict of config keys to lists of values")
    sets = []
    for key, values in grid.items():
        if not isinstance(values, (list, tuple)) or not values:
            raise Error(f"grid: {key}: expected a non-empty list of values")
        sets.append(f"{key}=" + ",".join(_toml_value(v) for v in values))
    map_file, map_text = _map_args(map)
    return (
        os.fspath(hw), tuple(sets), os.fspath(network), _batch(batch), map_file, map_text,
        bool(resolve_groups), engine, shard or "",
    )


def hardware_names():
    """The bundled hardware configs."""
    return list(_mpsim.hardware_names())


def network_names():
    """The built-in networks."""
    return list(_mpsim.network_names())
