"""Pictures of what the mpsim command writes (docs/plots.md).

    python3 -m mpsim.plot front runs/g1 -o front.png           # mpsim search --out runs/g1
    python3 -m mpsim.plot front sweep.csv -o pareto.svg        # mpsim sweep -o sweep.csv
    python3 -m mpsim.plot breakdown r18.json -o layers.png     # mpsim simulate --format json
    python3 -m mpsim.plot sweep sweep.csv --color array.rows -o sweep.png

From Python, front(), breakdown() and sweep() take the same file and options, return the
matplotlib Figure and, given `out`, write it too. Bad input raises PlotError (an mpsim.Error);
the command prints it on one line and exits with status 2. An output file is written whole or
not at all: the picture goes to a temporary file in the output's folder, then is renamed.
"""
import argparse
import collections
import csv
import functools
import io
import json
import math
import os
import sys

from . import Error

__all__ = ["PlotError", "front", "breakdown", "sweep", "main"]


class PlotError(Error):
    """Bad input to a plot: a missing or malformed file, an unknown column, a bad option."""


# Text inputs larger than this are refused before reading: every file these plots read is a
# report of a few hundred rows, so a huge one is a wrong argument, not a big report.
_MAX_INPUT_BYTES = 256 * 1024 * 1024
# A picture side larger than this (pixels) is almost surely a typo in --width or --dpi, and Agg
# would try to allocate it.
_MAX_PIXELS_PER_SIDE = 20000
# Below this the axes, labels and ticks do not fit (and Agg refuses sizes under 1 pixel).
_MIN_PIXELS_PER_SIDE = 100

_SEARCH_NEEDS = ("row", "method", "test_top1", "test_agreement", "test_sqnr_db", "energy_pj",
                 "latency_s", "pareto", "chosen", "choice")
_SWEEP_NEEDS = ("point", "area_mm2", "energy_pj", "latency_s", "cycles", "pareto")
# The sweep CSV's figure columns, in file order; the columns before them are the swept keys.
_SWEEP_FIGURES = ("area_mm2", "energy_pj", "dynamic_energy_pj", "leakage_energy_pj", "latency_s",
                  "cycles", "edp_js", "pareto")

# Short names accepted by --x, --y and --color for the figure columns both CSVs share.
_ALIASES = {
    "energy": "energy_pj",
    "dynamic_energy": "dynamic_energy_pj",
    "leakage_energy": "leakage_energy_pj",
    "leakage": "leakage_energy_pj",
    "latency": "latency_s",
    "edp": "edp_js",
    "area": "area_mm2",
    "cycles": "cycles",
    "bops": "bops",
    "weight_bytes": "weight_bytes",
    "top1": "test_top1",
    "agreement": "test_agreement",
    "sqnr": "test_sqnr_db",
}

# How each known column is named on an axis and which unit family it takes.
_COLUMN_LABELS = {
    "energy_pj": ("energy per inference", "energy"),
    "dynamic_energy_pj": ("dynamic energy per inference", "energy"),
    "leakage_energy_pj": ("leakage energy per inference", "energy"),
    "cost_energy": ("energy per inference", "energy"),
    "latency_s": ("latency", "time"),
    "cost_latency": ("latency", "time"),
    "edp_js": ("energy-delay product", "J·s"),
    "cost_edp": ("energy-delay product", "J·s"),
    "cycles": ("latency", "cycles"),
    "area_mm2": ("area", "mm²"),
    "bops": ("bit operations", "BOPs"),
    "cost_bops": ("bit operations", "BOPs"),
    "weight_bytes": ("weight storage", "bytes"),
    "test_top1": ("test top-1", "percent"),
    "test_agreement": ("test agreement with fp32", "percent"),
    "test_sqnr_db": ("test SQNR", "dB"),
    "validation_top1": ("validation top-1", "percent"),
    "validation_agreement": ("validation agreement with fp32", "percent"),
    "validation_sqnr": ("validation SQNR", "dB"),
}

# Scales chosen by the largest value drawn, so ticks read 12.5 µJ rather than 1.25e7 pJ.
_ENERGY_UNITS = ((1e12, "J"), (1e9, "mJ"), (1e6, "µJ"), (1e3, "nJ"), (1.0, "pJ"))
_TIME_UNITS = ((1.0, "s"), (1e-3, "ms"), (1e-6, "µs"), (1e-9, "ns"))

# Fixed colours for the energy components the cost reports name, so one component keeps its
# colour from picture to picture; a component not listed takes the next free colour.
_COMPONENT_STYLE = {
    "mac": ("MAC", "#4c72b0"),
    "register_files": ("register files", "#55a868"),
    "global_buffer": ("global buffer", "#8172b2"),
    "accumulators": ("accumulators", "#64b5cd"),
    "dram": ("DRAM", "#c44e52"),
    "leakage": ("leakage", "#937860"),
    "requantization": ("requantization", "#dd8452"),
}
_SPARE_COLOURS = ("#da8bc3", "#8c8c8c", "#ccb974", "#17becf", "#bcbd22", "#7f7f7f")
_CYCLE_PARTS = (
    ("compute_cycles", "compute", "#4c72b0"),
    ("fill_drain_cycles", "fill / drain", "#dd8452"),
    ("stall_cycles", "stall (memory)", "#c44e52"),
)
_METHOD_STYLE = {
    "uniform": ("s", "#7f7f7f"),
    "greedy": ("o", "#4c72b0"),
    "rl": ("o", "#dd8452"),
    "random": ("o", "#55a868"),
}


# ---------------------------------------------------------------------------------------------
# Reading


def _shown(text):
    """A name as it may appear in a one-line message: control characters escaped."""
    return "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in str(text))


def _read_text(path, expected):
    shown = _shown(path)
    if not os.path.exists(path):
        raise PlotError(f"{shown}: no such file; expected {expected}")
    if os.path.isdir(path):
        raise PlotError(f"{shown}: is a folder; expected {expected}")
    if not os.path.isfile(path):  # a FIFO or a device would block or never end
        raise PlotError(f"{shown}: not a regular file; expected {expected}")
    try:
        size = os.path.getsize(path)
        if size > _MAX_INPUT_BYTES:
            raise PlotError(f"{shown}: {size} bytes, too large for {expected}")
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        raise PlotError(f"{shown}: cannot read ({e.strerror}); expected {expected}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise PlotError(f"{shown}: not UTF-8 text; expected {expected}") from None
    if not text.strip():
        raise PlotError(f"{shown}: empty; expected {expected}")
    return text


def _read_csv(path, expected):
    """(header, rows as dicts, the line of each row) of a CSV file, every row checked for the
    header's number of fields."""
    text = _read_text(path, expected)
    shown = _shown(path)
    if text.lstrip().startswith(("{", "[")):
        raise PlotError(f"{shown}: a JSON file; expected {expected}")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        records = [(reader.line_num, r) for r in reader]
    except csv.Error as e:
        raise PlotError(f"{shown}:{reader.line_num}: not a valid CSV ({e}); "
                        f"expected {expected}") from None
    records = [(n, r) for n, r in records if r]  # blank lines carry nothing
    header = records[0][1]
    rows, lines = [], []
    for line, record in records[1:]:
        if len(record) != len(header):
            raise PlotError(f"{shown}:{line}: {len(record)} fields where the header has "
                            f"{len(header)}; expected {expected}")
        rows.append(dict(zip(header, record)))
        lines.append(line)
    return header, rows, lines


def _number(text, path, line, column, empty_ok=False):
    """A CSV cell as a float; None for an empty cell where that is allowed."""
    if text == "" and empty_ok:
        return None
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not math.isfinite(value):
        raise PlotError(f"{_shown(path)}:{line}: column '{_shown(column)}': "
                        f"'{_shown(text)}' is not a finite number")
    return value


def _flag(text, path, line, column):
    if text in ("true", "false"):
        return text == "true"
    raise PlotError(f"{_shown(path)}:{line}: column '{_shown(column)}': '{_shown(text)}' "
                    "is neither true nor false")


_FRONT_EXPECTED = ("the --out folder or front.csv of mpsim search, or the CSV of mpsim sweep")
_SWEEP_EXPECTED = "the CSV of mpsim sweep"
_REPORT_EXPECTED = ("the per-layer output of mpsim simulate or estimate "
                    "(--format json or --format csv)")


class _Table:
    """A CSV's rows with the facts the plots need: its kind ("search" or "sweep"), the path read,
    the swept keys of a sweep, the metadata of a search's front.json when it lies beside it."""

    def __init__(self, path, kind, header, rows, lines):
        self.path, self.kind, self.header, self.rows, self.lines = path, kind, header, rows, lines
        self.meta = {}
        self.swept = []
        if kind == "sweep":
            first = header.index("area_mm2")
            self.swept = [c for c in header[1:first] if c != "point"]

    def column(self, name, empty_ok=False):
        """A column's values as floats (None where empty and allowed)."""
        return [_number(r[name], self.path, n, name, empty_ok) for r, n in zip(self.rows,
                                                                               self.lines)]

    def flags(self, name):
        return [_flag(r[name], self.path, n, name) for r, n in zip(self.rows, self.lines)]


def _load_table(path, expected, kinds):
    """A search's front.csv (path may be its folder) or a sweep's CSV, recognised by its header
    and checked for the columns that kind always has."""
    if os.path.isdir(path) and "search" in kinds:
        candidate = os.path.join(path, "front.csv")
        if not os.path.isfile(candidate):
            raise PlotError(f"{_shown(path)}: a folder without front.csv; expected {expected}")
        path = candidate
    header, rows, lines = _read_csv(path, expected)
    if "row" in header and "method" in header and "search" in kinds:
        kind, needs = "search", _SEARCH_NEEDS
    elif "point" in header and "sweep" in kinds:
        kind, needs = "sweep", _SWEEP_NEEDS
    else:
        raise PlotError(f"{_shown(path)}: columns {_shown(','.join(header[:6]))}... are not "
                        f"those of {expected}")
    for column in needs:
        if column not in header:
            raise PlotError(f"{_shown(path)}: no column '{column}', which {_kind_name(kind)} "
                            "always has")
    if kind == "search" and not any(c.startswith("validation_") for c in header):
        raise PlotError(f"{_shown(path)}: no column 'validation_<quality>', which "
                        f"{_kind_name(kind)} always has")
    if not rows:
        raise PlotError(f"{_shown(path)}: no rows to plot")
    table = _Table(path, kind, header, rows, lines)
    if kind == "search":
        table.meta = _front_json_beside(path, len(rows))
    return table


def _kind_name(kind):
    return "a front.csv of mpsim search" if kind == "search" else "a CSV of mpsim sweep"


def _front_json_beside(csv_path, n_rows):
    """front.json's metadata (model, hardware, method, quality, cost, reference quality) when
    it lies beside front.csv and describes the same rows; only titles use it, so a missing or
    foreign one is passed over rather than refused."""
    json_path = os.path.join(os.path.dirname(csv_path), "front.json")
    try:
        if not os.path.isfile(json_path) or os.path.getsize(json_path) > _MAX_INPUT_BYTES:
            return {}
        with open(json_path, encoding="utf-8") as f:
            meta = json.load(f)
    except (OSError, ValueError, RecursionError):
        return {}
    if not isinstance(meta, dict) or len(meta.get("rows") or []) != n_rows:
        return {}
    return {k: v for k, v in meta.items() if k not in ("rows", "decisions")}


def _resolve_column(table, name, option):
    """--x/--y/--color's name as a column of `table`: an alias (energy, latency, ...), 'cost'
    (a search's own cost column), 'validation' (a search's validation quality) or a column."""
    header = table.header
    if table.kind == "search" and name in ("cost", "validation"):
        prefix = "cost_" if name == "cost" else "validation_"
        for column in header:
            if column.startswith(prefix):
                return column
    column = _ALIASES.get(name, name)
    if column in header:
        return column
    if table.kind == "sweep":
        choices = table.swept + [c for c in _SWEEP_FIGURES if c in header and c != "pareto"]
    else:
        choices = ["energy", "latency", "cycles", "edp", "bops", "cost", "top1", "agreement",
                   "sqnr", "validation"]
    raise PlotError(f"{_shown(table.path)}: no column '{_shown(name)}' for {option} "
                    f"(expected one of: {', '.join(choices)})")


def _load_report(path):
    """The per-layer report of mpsim simulate or estimate, JSON or CSV, as
    (title, layers, components, has_split, area_mm2); each layer a dict with 'name', 'energy'
    (component -> pJ), 'cycles' and, when the file has them, the three parts of the cycles."""
    text = _read_text(path, _REPORT_EXPECTED)
    if text.lstrip().startswith("{"):
        return _report_from_json(path, text)
    return _report_from_csv(path)


def _report_from_json(path, text):
    shown = _shown(path)
    try:
        data = json.loads(text)
    except RecursionError:
        raise PlotError(f"{shown}: nested too deeply; expected {_REPORT_EXPECTED}") from None
    except ValueError as e:
        raise PlotError(f"{shown}: not valid JSON ({e}); expected {_REPORT_EXPECTED}") from None
    layers = data.get("layers") if isinstance(data, dict) else None
    if not isinstance(layers, list):
        raise PlotError(f"{shown}: no 'layers' list; expected {_REPORT_EXPECTED}")
    if not layers:
        raise PlotError(f"{shown}: 'layers' is empty: no layers to plot")

    def figure(layer, i, *keys):
        value = layer
        for key in keys:
            value = value.get(key) if isinstance(value, dict) else None
        if isinstance(value, bool) or not isinstance(value, (int, float)) or \
                not math.isfinite(value):
            where = f"layer {i} ('{_shown(layer.get('name', '?'))}')" if isinstance(
                layer, dict) else f"layer {i}"
            raise PlotError(f"{shown}: {where}: '{'.'.join(keys)}' is missing or not a number; "
                            f"expected {_REPORT_EXPECTED}")
        return float(value)

    first = layers[0]
    energy = first.get("energy_pj") if isinstance(first, dict) else None
    if not isinstance(energy, dict):
        raise PlotError(f"{shown}: layer 0 has no 'energy_pj' object; expected "
                        f"{_REPORT_EXPECTED}")
    # 'total' and 'dynamic' are sums of the others, not components.
    components = [k for k in energy if k not in ("total", "dynamic")]
    if not components:
        raise PlotError(f"{shown}: 'energy_pj' of layer 0 names no component")
    has_split = all(isinstance(l, dict) and all(p in l for p, _, _ in _CYCLE_PARTS)
                    for l in layers)
    out = []
    for i, layer in enumerate(layers):
        if not isinstance(layer, dict):
            raise PlotError(f"{shown}: layer {i} is not an object; expected {_REPORT_EXPECTED}")
        row = {
            "name": str(layer.get("name", f"layer {i}")),
            "energy": {c: figure(layer, i, "energy_pj", c) for c in components},
            "cycles": figure(layer, i, "cycles"),
        }
        if has_split:
            row.update({p: figure(layer, i, p) for p, _, _ in _CYCLE_PARTS})
        out.append(row)
    network, hardware = data.get("network"), data.get("hardware")
    title = f"{network} on {hardware}" if network and hardware else os.path.basename(path)
    area = data.get("area_mm2") if isinstance(data.get("area_mm2"), (int, float)) else None
    return title, out, components, has_split, area


def _report_from_csv(path):
    header, rows, lines = _read_csv(path, _REPORT_EXPECTED)
    shown = _shown(path)
    for column in ("layer", "cycles", "energy_pj"):
        if column not in header:
            raise PlotError(f"{shown}: no column '{column}'; expected {_REPORT_EXPECTED}")
    components = [c[:-3] for c in header
                  if c.endswith("_pj") and c not in ("energy_pj", "dynamic_energy_pj")]
    if not components:
        raise PlotError(f"{shown}: no '<component>_pj' columns; expected {_REPORT_EXPECTED}")
    if not rows:
        raise PlotError(f"{shown}: no layers to plot")
    has_split = all(p in header for p, _, _ in _CYCLE_PARTS)
    out = []
    for row, line in zip(rows, lines):
        layer = {
            "name": row["layer"],
            "energy": {c: _number(row[c + "_pj"], path, line, c + "_pj") for c in components},
            "cycles": _number(row["cycles"], path, line, "cycles"),
        }
        if has_split:
            layer.update({p: _number(row[p], path, line, p) for p, _, _ in _CYCLE_PARTS})
        out.append(layer)
    return os.path.basename(path), out, components, has_split, None


# ---------------------------------------------------------------------------------------------
# Units and figures


def _scaled(values, family):
    """(factor to divide by, unit text) for a unit family, chosen by the largest |value|."""
    finite = [abs(v) for v in values if v is not None]
    top = max(finite) if finite else 0.0
    if family in ("energy", "time"):
        units = _ENERGY_UNITS if family == "energy" else _TIME_UNITS
        for factor, unit in units:
            if top >= factor:
                return factor, unit
        return units[-1]
    if family == "percent":
        return 0.01, "%"
    return 1.0, family


def _axis(table, column, values):
    """(values in the axis unit, axis label)."""
    name, family = _COLUMN_LABELS.get(column, (column, None))
    if family is None:
        return values, column
    factor, unit = _scaled(values, family)
    scaled = [None if v is None else v / factor for v in values]
    return scaled, f"{name} ({unit})"


def _check_size(width, height, dpi):
    for name, value in (("width", width), ("height", height), ("dpi", dpi)):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or \
                not math.isfinite(value) or value <= 0:
            raise PlotError(f"--{name} {_shown(value)}: expected a positive number")
    for name, value in (("width", width), ("height", height)):
        if value * dpi < _MIN_PIXELS_PER_SIDE:
            raise PlotError(f"--{name} {value} at --dpi {dpi}: {value * dpi:.1f} pixels, "
                            f"under the {_MIN_PIXELS_PER_SIDE} a side a plot needs")
        if value * dpi > _MAX_PIXELS_PER_SIDE:
            raise PlotError(f"--{name} {value} at --dpi {dpi}: {value * dpi:.0f} pixels, "
                            f"over the {_MAX_PIXELS_PER_SIDE} a side this tool draws")


def _check_output(out):
    """The output's format ('png' or 'svg'), after checking that it can be written: refused
    before any work, so a long plot never fails at its end for a typo in -o."""
    shown = _shown(out)
    if os.path.isdir(out):
        raise PlotError(f"{shown}: is a folder; expected a .png or .svg file")
    ext = os.path.splitext(str(out))[1].lower()
    if ext not in (".png", ".svg"):
        raise PlotError(f"{shown}: expected an output file ending in .png or .svg")
    folder = os.path.dirname(os.path.abspath(out))
    if not os.path.isdir(folder):
        raise PlotError(f"{shown}: folder {_shown(folder)} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise PlotError(f"{shown}: folder {_shown(folder)} is not writable")
    return ext[1:]


def _wrap(text, width, fontsize):
    """`text` broken into lines that fit a figure `width` inches wide. Done here rather than by
    matplotlib's wrap=True, which wraps after constrained layout has sized the titles, so a
    wrapped line would overprint the title above it."""
    import textwrap

    # 0.55 em: DejaVu Sans' mean advance for lower-case text, rounded up.
    return textwrap.fill(text, max(30, int(width * 72 / (fontsize * 0.55))))


def _axes_of_two_figures(ax, x_label, y_label, log_x, log_y):
    """Labels, scales and a light grid: the axes every scatter of one figure against another
    shares (a search's front, a sweep's front, a sweep's points)."""
    ax.set_xlabel(x_label)
    ax.set_ylabel(y_label)
    _scales(ax, log_x, log_y)
    ax.grid(True, color="#e0e0e0", linewidth=0.6, zorder=0)


def _scales(ax, log_x, log_y):
    """Logarithmic axes ticked at 1, 2 and 5 of each decade with plain numbers: a sweep's
    figures often span one or two decades, where matplotlib's default shows a single 10^1."""
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

    for wanted, axis, set_scale in ((log_x, ax.xaxis, ax.set_xscale),
                                    (log_y, ax.yaxis, ax.set_yscale)):
        if wanted:
            set_scale("log")
            axis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
            axis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
            axis.set_minor_formatter(NullFormatter())


def _new_figure(width, height, dpi):
    from matplotlib.figure import Figure

    # A bare Figure, not pyplot: no global state, no display, and savefig renders through Agg.
    return Figure(figsize=(width, height), dpi=dpi, layout="constrained")


def _write(fig, out, fmt, dpi):
    """Renders into a temporary file beside `out` and renames it into place, so `out` is
    either the whole new picture or untouched."""
    import matplotlib

    target = os.path.realpath(out) if os.path.islink(out) else out  # keep the link, as -o does
    folder = os.path.dirname(os.path.abspath(target))
    base = os.path.basename(target)
    tmp = None
    for attempt in range(100):
        candidate = os.path.join(folder, f".{base}.{os.getpid()}.{attempt}.tmp")
        try:
            fd = os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:
            continue
        except OSError as e:
            raise PlotError(f"{_shown(out)}: cannot write in {_shown(folder)} "
                            f"({e.strerror})") from None
        tmp = candidate
        break
    if tmp is None:
        raise PlotError(f"{_shown(out)}: no free temporary name in {_shown(folder)}")
    try:
        with os.fdopen(fd, "wb") as f:
            # No date in an SVG and a fixed id salt, so one input gives the same bytes each run.
            metadata = {"Date": None} if fmt == "svg" else None
            with matplotlib.rc_context({"svg.hashsalt": "mpsim"}):
                fig.savefig(f, format=fmt, dpi=dpi, metadata=metadata)
        os.replace(tmp, target)
    except OSError as e:
        _remove_quietly(tmp)
        raise PlotError(f"{_shown(out)}: writing failed ({e.strerror})") from None
    except BaseException:
        _remove_quietly(tmp)
        raise


def _remove_quietly(path):
    try:
        os.unlink(path)
    except OSError:
        pass


def _finish(fig, out, fmt, dpi):
    if out is not None:
        _write(fig, out, fmt, dpi)
    return fig


def _prepare(out, width, height, dpi):
    _check_size(width, height, dpi)
    return _check_output(out) if out is not None else None


# ---------------------------------------------------------------------------------------------
# front


def _front_indices(xs, ys):
    """Indices of the points no other point beats: none with at most the x (cost) and more y
    (quality), in increasing x."""
    order = sorted((i for i in range(len(xs)) if ys[i] is not None), key=lambda i: (xs[i], -ys[i]))
    front, best = [], -math.inf
    for i in order:
        if ys[i] > best:
            front.append(i)
            best = ys[i]
    return front


def _pair_label(choice):
    """The pair a uniform map uses: the one most of its decisions take (pins may differ)."""
    pairs = choice.split()
    return collections.Counter(pairs).most_common(1)[0][0] if pairs else "?"


def _plain_text(draw):
    """Runs a drawing function with matplotlib's math text off: a '$' in a title, a layer name
    or a swept value is drawn as it is, never parsed as TeX (which fails on most such text)."""

    @functools.wraps(draw)
    def plain(*args, **kwargs):
        import matplotlib

        with matplotlib.rc_context({"text.parse_math": False}):
            return draw(*args, **kwargs)

    return plain


@_plain_text
def front(path, out=None, *, x=None, y=None, log_x=False, log_y=False, title=None, width=8.0,
          height=5.0, dpi=100):
    """Accuracy against cost of a precision search (`path`: its --out folder or front.csv), or
    two cost columns of a sweep's CSV with its Pareto points highlighted.

    Search: x is energy (default), latency, cycles, edp, bops or cost (the search's own cost);
    y is top1 (test top-1, default), agreement, sqnr (test figures) or validation (the quality
    the search optimised). Every map with a y value is a point; the step line is the front of
    the points drawn; uniform maps carry their pair; the chosen map is a star.
    Sweep: x and y are figure columns or aliases (energy, latency, area, edp, cycles; default
    energy and latency). Returns the Figure; writes it to `out` (.png or .svg) when given."""
    fmt = _prepare(out, width, height, dpi)
    table = _load_table(path, _FRONT_EXPECTED, ("search", "sweep"))
    if table.kind == "sweep":
        fig = _sweep_front(table, x or "energy", y or "latency", log_x, log_y, title,
                           width, height, dpi)
    else:
        fig = _search_front(table, x or "energy", y or "top1", log_x, log_y, title, width,
                            height, dpi)
    return _finish(fig, out, fmt, dpi)


def _search_front(table, x, y, log_x, log_y, title, width, height, dpi):
    x_col = _resolve_column(table, x, "--x")
    y_col = _resolve_column(table, y, "--y")
    xs_raw = table.column(x_col, empty_ok=True)
    ys_raw = table.column(y_col, empty_ok=True)
    xs, x_label = _axis(table, x_col, xs_raw)
    ys, y_label = _axis(table, y_col, ys_raw)
    methods = [r["method"] for r in table.rows]
    chosen = table.flags("chosen")
    drawn = [i for i in range(len(xs)) if xs[i] is not None and ys[i] is not None]
    if not drawn:
        raise PlotError(f"{_shown(table.path)}: no row has both '{x_col}' and '{y_col}'")

    fig = _new_figure(width, height, dpi)
    ax = fig.add_subplot()
    for method in dict.fromkeys(methods[i] for i in drawn):
        marker, colour = _METHOD_STYLE.get(method, ("o", None))
        idx = [i for i in drawn if methods[i] == method]
        label = f"{method} ({len(idx)} map{'s' if len(idx) != 1 else ''})"
        ax.scatter([xs[i] for i in idx], [ys[i] for i in idx], marker=marker, s=28,
                   color=colour, alpha=0.8, edgecolors="none", label=label, zorder=3)

    front_idx = _front_indices([xs[i] for i in drawn], [ys[i] for i in drawn])
    fx = [xs[drawn[k]] for k in front_idx]
    fy = [ys[drawn[k]] for k in front_idx]
    ax.step(fx, fy, where="post", color="black", linewidth=1.2, zorder=2,
            label=f"front of these points ({len(fx)})")

    for i in drawn:
        if methods[i] == "uniform":
            ax.annotate(_pair_label(table.rows[i]["choice"]), (xs[i], ys[i]),
                        xytext=(4, 3), textcoords="offset points", fontsize=7, color="#404040",
                        zorder=5)
    for i in drawn:
        if chosen[i]:
            ax.scatter([xs[i]], [ys[i]], marker="*", s=260, color="#ffbf00", edgecolors="black",
                       linewidths=0.8, zorder=6, label=f"chosen (row {table.rows[i]['row']})")

    meta = table.meta
    if y_col == "validation_top1" and isinstance(meta.get("reference_quality"), (int, float)):
        ax.axhline(meta["reference_quality"] * 100, color="#7f7f7f", linestyle=":",
                   linewidth=1, label="fp32 network (validation)", zorder=1)

    _axes_of_two_figures(ax, x_label, y_label, log_x, log_y)
    ax.legend(fontsize=8, loc="best", framealpha=0.9)

    if title is None:
        model = os.path.basename(str(meta.get("model", ""))) or None
        hardware = meta.get("hardware")
        what = f"{model} on {hardware}" if model and hardware else _shown(table.path)
        title = f"Precision search: {what}"
    fig.suptitle(title)
    missing = len(table.rows) - len(drawn)
    notes = []
    if meta.get("method"):
        notes.append(f"mpsim search --method {meta['method']}, "
                     f"{meta.get('quality', '?')} against {meta.get('cost', '?')}")
    notes.append(f"{len(drawn)} of {len(table.rows)} maps drawn")
    if missing and y_col.startswith("test_"):
        notes.append(f"the other {missing} have no test figures (only the front, the baselines "
                     "and the chosen map are scored on the test split; --y validation shows "
                     "all)")
    ax.set_title(_wrap("; ".join(notes), width, 8), fontsize=8)
    return fig


def _sweep_front(table, x, y, log_x, log_y, title, width, height, dpi):
    x_col = _resolve_column(table, x, "--x")
    y_col = _resolve_column(table, y, "--y")
    xs, x_label = _axis(table, x_col, _sweep_values(table, x_col))
    ys, y_label = _axis(table, y_col, _sweep_values(table, y_col))
    pareto = table.flags("pareto")
    fig = _new_figure(width, height, dpi)
    ax = fig.add_subplot()
    rest = [i for i in range(len(xs)) if not pareto[i]]
    best = [i for i in range(len(xs)) if pareto[i]]
    ax.scatter([xs[i] for i in rest], [ys[i] for i in rest], s=22, color="#9a9a9a",
               edgecolors="none", label=f"design point ({len(rest)})", zorder=3)
    ax.scatter([xs[i] for i in best], [ys[i] for i in best], s=46, color="#c44e52",
               edgecolors="black", linewidths=0.6, zorder=4,
               label=f"Pareto-optimal in area, energy, latency ({len(best)})")
    # The file's flag weighs area too; the line shows the trade between the two figures drawn,
    # both to be minimised (ys negated: _front_indices maximises its second list). One point
    # best in both makes no line: it is drawn as a Pareto point already.
    line = _front_indices(xs, [-v for v in ys])
    if x_col not in table.swept and y_col not in table.swept and len(line) > 1:
        ax.step([xs[i] for i in line], [ys[i] for i in line], where="post", color="black",
                linewidth=1, linestyle="--", zorder=2,
                label=f"front in these two figures ({len(line)})")
    if table.swept and len(best) <= 12:
        for i in best:
            text = ", ".join(f"{k.split('.')[-1]}={table.rows[i][k]}" for k in table.swept)
            ax.annotate(text, (xs[i], ys[i]), xytext=(5, 3), textcoords="offset points",
                        fontsize=7, color="#404040", zorder=5)
    _axes_of_two_figures(ax, x_label, y_label, log_x, log_y)
    ax.legend(fontsize=8, loc="best", framealpha=0.9)
    fig.suptitle(title if title is not None else
                 f"Design points of {os.path.basename(table.path)}")
    swept = ", ".join(table.swept) if table.swept else "no swept key"
    ax.set_title(_wrap(f"mpsim sweep over {swept}; {len(xs)} points", width, 8), fontsize=8)
    return fig


# ---------------------------------------------------------------------------------------------
# breakdown


def _short_layer_name(name, limit=32):
    """A long name keeps its end: the block number and the op are there, while the start is
    the part every layer shares (encoder.layers..., /blocks/...)."""
    return name if len(name) <= limit else "…" + name[-(limit - 1):]


@_plain_text
def breakdown(path, out=None, *, title=None, width=10.0, height=7.0, dpi=100):
    """Per-layer energy by component (stacked bars) and per-layer cycles split into compute,
    fill/drain and stall, from `mpsim simulate` or `mpsim estimate` output (--format json, or
    csv, which has no cycle split: then the total cycles are drawn and the panel says so).
    Returns the Figure; writes it to `out` (.png or .svg) when given."""
    fmt = _prepare(out, width, height, dpi)
    name, layers, components, has_split, area = _load_report(path)
    import numpy as np

    n = len(layers)
    positions = np.arange(n)
    fig = _new_figure(width, height, dpi)
    ax_e, ax_c = fig.subplots(2, 1, sharex=True)

    totals = [sum(l["energy"].values()) for l in layers]
    factor, unit = _scaled(totals, "energy")
    bottom = np.zeros(n)
    spare = iter(_SPARE_COLOURS)
    for c in components:
        label, colour = _COMPONENT_STYLE.get(c, (c.replace("_", " "), None))
        if colour is None:
            colour = next(spare, None)
        heights = np.array([l["energy"][c] for l in layers]) / factor
        ax_e.bar(positions, heights, 0.8, bottom=bottom, color=colour, label=label, zorder=3)
        bottom += heights
    ax_e.set_ylabel(f"energy ({unit})")
    ax_e.set_title("energy per layer by component", fontsize=9)
    ax_e.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.005, 1.0), borderaxespad=0)

    cycles_total = sum(l["cycles"] for l in layers)
    if has_split:
        bottom = np.zeros(n)
        for part, label, colour in _CYCLE_PARTS:
            heights = np.array([l[part] for l in layers])
            ax_c.bar(positions, heights, 0.8, bottom=bottom, color=colour, label=label, zorder=3)
            bottom += heights
        shares = ", ".join(
            f"{label} {100 * sum(l[part] for l in layers) / cycles_total:.1f} %"
            for part, label, _ in _CYCLE_PARTS) if cycles_total else ""
        ax_c.set_title(f"cycles per layer: {shares}", fontsize=9)
    else:
        ax_c.bar(positions, [l["cycles"] for l in layers], 0.8, color="#8c8c8c",
                 label="cycles (total)", zorder=3)
        ax_c.set_title("cycles per layer (this file has no compute / fill-drain / stall split; "
                       "--format json has it)", fontsize=9)
    ax_c.set_ylabel("cycles")
    ax_c.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.005, 1.0), borderaxespad=0)
    from matplotlib.ticker import EngFormatter

    ax_c.yaxis.set_major_formatter(EngFormatter(sep=""))
    for ax in (ax_e, ax_c):
        ax.grid(True, axis="y", color="#e0e0e0", linewidth=0.6, zorder=0)
        ax.set_xlim(-0.6, n - 0.4)

    # Every label while they fit; past that, every k-th, so names never overprint.
    step = max(1, math.ceil(n / 60))
    font = 8 if n <= 25 else 7 if n <= 40 else 6
    ticks = positions[::step]
    ax_c.set_xticks(ticks)
    ax_c.set_xticklabels([_short_layer_name(layers[i]["name"]) for i in ticks], rotation=90,
                         fontsize=font)
    ax_c.set_xlabel("layer" if step == 1 else f"layer (one in {step} named)")

    energy_total = sum(totals)
    e_factor, e_unit = _scaled([energy_total], "energy")
    summary = f"{n} layers, {energy_total / e_factor:.4g} {e_unit}, {cycles_total:,.0f} cycles"
    if area is not None:
        summary += f", area {area:.3g} mm²"
    fig.suptitle(title if title is not None else f"{name}: {summary}")
    return _finish(fig, out, fmt, dpi)


# ---------------------------------------------------------------------------------------------
# sweep


def _as_numbers(texts):
    try:
        values = [float(t) for t in texts]
    except ValueError:
        return None
    return values if all(math.isfinite(v) for v in values) else None


@_plain_text
def sweep(path, out=None, *, x=None, y=None, color=None, log_x=False, log_y=False, title=None,
          width=8.0, height=5.0, dpi=100):
    """A sweep's design points as a scatter of two columns (default energy and latency),
    coloured by a column (default the first swept key): a colour bar for numbers, a legend for
    other values. Pareto points are ringed. Returns the Figure; writes `out` when given."""
    fmt = _prepare(out, width, height, dpi)
    table = _load_table(path, _SWEEP_EXPECTED, ("sweep",))
    x_col = _resolve_column(table, x or "energy", "--x")
    y_col = _resolve_column(table, y or "latency", "--y")
    if color is None:
        c_col = table.swept[0] if table.swept else None
    elif color in table.header and color != "pareto":
        c_col = color
    elif _ALIASES.get(color) in table.header:
        c_col = _ALIASES[color]
    else:
        raise PlotError(f"{_shown(table.path)}: no column '{_shown(color)}' to colour by "
                        f"(swept keys: {', '.join(table.swept) or 'none'}; figures: "
                        f"{', '.join(c for c in _SWEEP_FIGURES[:-1] if c in table.header)})")
    xs, x_label = _axis(table, x_col, _sweep_values(table, x_col))
    ys, y_label = _axis(table, y_col, _sweep_values(table, y_col))
    pareto = table.flags("pareto")

    import numpy as np

    fig = _new_figure(width, height, dpi)
    ax = fig.add_subplot()
    edge = ["black" if p else "none" for p in pareto]
    ring = [1.2 if p else 0.0 for p in pareto]
    handles = []
    if c_col is None:
        ax.scatter(xs, ys, s=36, color="#4c72b0", edgecolors=edge, linewidths=ring, zorder=3)
    else:
        texts = [r[c_col] for r in table.rows]
        numbers = _as_numbers(texts)
        c_label = _COLUMN_LABELS.get(c_col, (c_col, None))[0] if c_col not in table.swept \
            else c_col
        if numbers is not None:
            from matplotlib import colormaps
            from matplotlib.colors import BoundaryNorm, ListedColormap, LogNorm, Normalize

            distinct = sorted(set(numbers))
            if len(distinct) <= 12:
                # Few values (the usual sweep): one colour per value, evenly spaced by rank, so
                # 8, 16, 32, 64 are as far apart as their steps are in the sweep.
                base = colormaps["viridis"]
                cmap = ListedColormap([base(k / max(1, len(distinct) - 1))
                                       for k in range(len(distinct))])
                norm = BoundaryNorm(np.arange(len(distinct) + 1) - 0.5, len(distinct))
                values = [distinct.index(v) for v in numbers]
                points = ax.scatter(xs, ys, c=values, cmap=cmap, norm=norm, s=40,
                                    edgecolors=edge, linewidths=ring, zorder=3)
                bar = fig.colorbar(points, ax=ax, ticks=range(len(distinct)))
                bar.ax.set_yticklabels([f"{v:g}" for v in distinct])
            else:
                positive = min(numbers) > 0 and max(numbers) / min(numbers) > 100
                norm = LogNorm() if positive else Normalize()
                points = ax.scatter(xs, ys, c=numbers, cmap="viridis", norm=norm, s=40,
                                    edgecolors=edge, linewidths=ring, zorder=3)
                bar = fig.colorbar(points, ax=ax)
            bar.set_label(c_label)
        else:
            from matplotlib import colormaps

            palette = colormaps["tab10"]
            for k, value in enumerate(dict.fromkeys(texts)):
                idx = [i for i, t in enumerate(texts) if t == value]
                handles.append(ax.scatter(
                    [xs[i] for i in idx], [ys[i] for i in idx], s=40, color=palette(k % 10),
                    edgecolors=[edge[i] for i in idx], linewidths=[ring[i] for i in idx],
                    label=f"{c_label} = {value}", zorder=3))
    if any(pareto):
        from matplotlib.lines import Line2D

        handles.append(Line2D([], [], marker="o", linestyle="none", markerfacecolor="none",
                              markeredgecolor="black", markersize=7,
                              label="ringed: Pareto-optimal (area, energy, latency)"))
    if handles:
        ax.legend(handles=handles, fontsize=8, loc="best", framealpha=0.9)
    _axes_of_two_figures(ax, x_label, y_label, log_x, log_y)
    fig.suptitle(title if title is not None else
                 f"Sweep {os.path.basename(table.path)}: {len(xs)} design points")
    by = f"colour: {c_col}" if c_col else "one colour (no swept key)"
    ax.set_title(_wrap(f"swept: {', '.join(table.swept) or 'nothing'}; {by}", width, 8),
                 fontsize=8)
    return _finish(fig, out, fmt, dpi)


def _sweep_values(table, column):
    """A column of a sweep as numbers; a swept key's values must be numbers to be an axis."""
    if column in table.swept:
        numbers = _as_numbers([r[column] for r in table.rows])
        if numbers is None:
            raise PlotError(f"{_shown(table.path)}: column '{_shown(column)}' holds values "
                            "that are not numbers, so it cannot be an axis (the sweep plot's "
                            "--color can colour by it)")
        return numbers
    return table.column(column)


# ---------------------------------------------------------------------------------------------
# The command


class _Parser(argparse.ArgumentParser):
    """argparse that reports a bad command line on one line with status 2, as mpsim does."""

    def error(self, message):
        self.exit(2, f"mpsim.plot: error: {message} (see python3 -m mpsim.plot --help)\n")


def _parser():
    p = _Parser(prog="python3 -m mpsim.plot",
                description="Draw what the mpsim command writes (docs/plots.md).")
    kinds = p.add_subparsers(dest="kind", metavar="front|breakdown|sweep", required=True)

    def common(sub, width, height):
        sub.add_argument("file", metavar="FILE")
        sub.add_argument("-o", "--out", required=True, metavar="OUT",
                         help="the picture: a .png or .svg file (written whole or not at all)")
        sub.add_argument("--title", help="the title (default: from the file)")
        sub.add_argument("--width", type=float, default=width, help=f"inches (default {width})")
        sub.add_argument("--height", type=float, default=height,
                         help=f"inches (default {height})")
        sub.add_argument("--dpi", type=float, default=100,
                         help="pixels per inch of a PNG (default 100)")

    def log_scales(sub):
        sub.add_argument("--log-x", action="store_true", help="logarithmic x axis")
        sub.add_argument("--log-y", action="store_true", help="logarithmic y axis")

    f = kinds.add_parser("front", help="a search's accuracy-cost front, or a sweep's Pareto points",
                         description="FILE: the --out folder (or front.csv) of mpsim search, or "
                                     "the CSV of mpsim sweep.")
    common(f, 8.0, 5.0)
    f.add_argument("--x", help="search: energy (default), latency, cycles, edp, bops, cost; "
                               "sweep: a figure column or alias (default energy)")
    f.add_argument("--y", help="search: top1 (test, default), agreement, sqnr, validation; "
                               "sweep: a figure column or alias (default latency)")
    log_scales(f)

    b = kinds.add_parser("breakdown", help="per-layer energy by component and cycles by cause",
                         description="FILE: the output of mpsim simulate or estimate, "
                                     "--format json (or csv, which lacks the cycle split).")
    common(b, 10.0, 7.0)

    s = kinds.add_parser("sweep", help="a sweep's design points coloured by a parameter",
                         description="FILE: the CSV of mpsim sweep.")
    common(s, 8.0, 5.0)
    s.add_argument("--x", help="a column or alias: energy (default), latency, area, edp, cycles, "
                               "or a swept key with numeric values")
    s.add_argument("--y", help="as --x (default latency)")
    s.add_argument("--color", "--colour", dest="color",
                   help="the column that colours the points (default: the first swept key)")
    log_scales(s)
    return p


def main(argv=None):
    """The command; returns its exit status (0, or 2 for bad input)."""
    import matplotlib

    matplotlib.use("Agg")  # never a display, whatever the environment says
    args = _parser().parse_args(argv)
    size = dict(title=args.title, width=args.width, height=args.height, dpi=args.dpi)
    try:
        if args.kind == "front":
            fig = front(args.file, args.out, x=args.x, y=args.y, log_x=args.log_x,
                        log_y=args.log_y, **size)
        elif args.kind == "breakdown":
            fig = breakdown(args.file, args.out, **size)
        else:
            fig = sweep(args.file, args.out, x=args.x, y=args.y, color=args.color,
                        log_x=args.log_x, log_y=args.log_y, **size)
    except Error as e:
        # Error rather than PlotError: run as __main__, this file's PlotError is a second class.
        print(f"mpsim.plot: error: {' '.join(str(e).split())}", file=sys.stderr)
        return 2
    del fig
    return 0


if __name__ == "__main__":
    sys.exit(main())
