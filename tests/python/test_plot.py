"""mpsim.plot and `python3 -m mpsim.plot` on outputs of the real command (made as
tests/python/fixtures/README.md says): each plot kind drawn to PNG and SVG of the size asked for,
with something drawn inside its axes and the figures of the file on it; bad input refused with
one line, status 2 and no file left behind."""
import csv
import os
import shutil
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET

import matplotlib

matplotlib.use("Agg")
import matplotlib.figure  # noqa: E402
import matplotlib.text  # noqa: E402
import matplotlib.image  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import mpsim  # noqa: E402
import mpsim.plot as plot  # noqa: E402

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures")
SEARCH = os.path.join(FIXTURES, "search_greedy")
SIMULATE_JSON = os.path.join(FIXTURES, "simulate.json")
SIMULATE_CSV = os.path.join(FIXTURES, "simulate.csv")
ESTIMATE_JSON = os.path.join(FIXTURES, "estimate.json")
SWEEP = os.path.join(FIXTURES, "sweep_rows_cols.csv")
SWEEP_DATAFLOW = os.path.join(FIXTURES, "sweep_dataflow.csv")

UNIT = {"pJ": 1.0, "nJ": 1e3, "µJ": 1e6, "mJ": 1e9, "J": 1e12, "s": 1.0, "ms": 1e-3,
        "µs": 1e-6, "ns": 1e-9}


def rows_of(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def png_size(path):
    with open(path, "rb") as f:
        head = f.read(24)
    assert head[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG signature"
    assert head[12:16] == b"IHDR"
    return struct.unpack(">II", head[16:24])


def axes_pixels(path, ax):
    """The RGB pixels of a PNG inside `ax`'s box (the figure was saved at its own dpi)."""
    image = matplotlib.image.imread(path)[..., :3]
    height = image.shape[0]
    box = ax.get_window_extent()
    return image[height - int(box.y1):height - int(box.y0), int(box.x0):int(box.x1)]


def assert_drawn(path, axes, min_colours=30):
    """The picture is not blank: enough of it differs from the background, and inside each axes
    box there are the colours and variance that only drawn marks give (an empty axes is white
    with a few grey grid lines: 3 or 4 colours)."""
    image = matplotlib.image.imread(path)[..., :3]
    not_white = (image < 0.97).any(axis=2).mean()
    assert not_white > 0.03, f"only {not_white:.3%} of the pixels differ from the background"
    for ax in axes:
        inside = axes_pixels(path, ax)
        colours = np.unique((inside * 255).round().astype(np.uint8).reshape(-1, 3), axis=0)
        assert len(colours) >= min_colours, f"{len(colours)} colours inside the axes"
        assert inside.std() > 0.04
        assert ((inside < 0.9).any(axis=2)).mean() > 0.005


def assert_bars_visible(path, ax):
    """Every stacked series tall enough to be seen shows its colour inside the axes."""
    pixels = (axes_pixels(path, ax) * 255).round().astype(int).reshape(-1, 3)
    top = ax.get_ylim()[1]
    for container in ax.containers:
        heights = [p.get_height() for p in container.patches]
        if max(heights) < 0.03 * top:
            continue
        rgb = np.array(container.patches[0].get_facecolor()[:3]) * 255
        share = (np.abs(pixels - rgb).max(axis=1) <= 2).mean()
        assert share > 0.002, f"{container.get_label()}: {share:.3%} of the axes"


def svg_root(path, width_in, height_in):
    root = ET.parse(path).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert float(root.get("width").removesuffix("pt")) == pytest.approx(width_in * 72)
    assert float(root.get("height").removesuffix("pt")) == pytest.approx(height_in * 72)
    return root


def svg_comments(path):
    """matplotlib writes each text of the picture as a comment beside its glyphs."""
    text = open(path, encoding="utf-8").read()
    return [part.split("-->")[0].strip() for part in text.split("<!--")[1:]]


def unit_of(label):
    return UNIT[label[label.rindex("(") + 1:label.rindex(")")]]


# ---------------------------------------------------------------------------------------------
# front


def test_search_front_png_is_the_size_asked_and_draws_every_map_with_test_figures(tmp_path):
    out = tmp_path / "front.png"
    fig = plot.front(SEARCH, out, width=6, height=4, dpi=80)
    assert png_size(out) == (480, 320)
    ax = fig.axes[0]
    assert_drawn(out, [ax])
    rows = rows_of(os.path.join(SEARCH, "front.csv"))
    tested = [r for r in rows if r["test_top1"]]
    assert 0 < len(tested) < len(rows)  # the fixture has maps without test figures
    drawn = sum(len(c.get_offsets()) for c in ax.collections
                if not c.get_label().startswith("chosen"))
    assert drawn == len(tested)
    assert ax.get_ylabel() == "test top-1 (%)" and ax.get_xlabel() == "energy per inference (µJ)"
    assert f"the other {len(rows) - len(tested)} have no test figures" in \
        ax.get_title().replace("\n", " ")
    assert "fmnist_resnet.onnx on edge_npu" in fig._suptitle.get_text()


def test_search_front_by_validation_steps_through_the_files_pareto_rows(tmp_path):
    fig = plot.front(SEARCH, tmp_path / "v.png", y="validation", width=6, height=4, dpi=80)
    ax = fig.axes[0]
    rows = rows_of(os.path.join(SEARCH, "front.csv"))
    # Drawn by validation quality against the search's own cost (energy), the front is the
    # one the search flagged.
    pareto = sorted((float(r["energy_pj"]), float(r["validation_top1"])) for r in rows
                    if r["pareto"] == "true")
    step = [line for line in ax.lines if line.get_label().startswith("front")][0]
    assert step.get_drawstyle() == "steps-post"
    scale = unit_of(ax.get_xlabel())
    got = list(zip(np.asarray(step.get_xdata()) * scale, np.asarray(step.get_ydata()) / 100))
    assert len(got) == len(pareto)
    for (gx, gy), (ex, ey) in zip(got, pareto):
        assert gx == pytest.approx(ex, rel=1e-12) and gy == pytest.approx(ey, rel=1e-12)
    # Every map is drawn by validation quality, uniform maps labelled with their pair.
    assert sum(len(c.get_offsets()) for c in ax.collections
               if not c.get_label().startswith("chosen")) == len(rows)
    labels = sorted(t.get_text() for t in ax.texts)
    assert labels == sorted(r["choice"].split()[0] for r in rows if r["method"] == "uniform")
    assert "int4:int8" in labels
    chosen = [r for r in rows if r["chosen"] == "true"][0]
    star = [c for c in ax.collections if c.get_label() == f"chosen (row {chosen['row']})"]
    assert len(star) == 1
    (sx, sy), = star[0].get_offsets()
    assert sx * scale == pytest.approx(float(chosen["energy_pj"]), rel=1e-12)
    assert sy / 100 == pytest.approx(float(chosen["validation_top1"]), rel=1e-12)


def test_search_front_svg_by_latency(tmp_path):
    out = tmp_path / "front.svg"
    plot.front(os.path.join(SEARCH, "front.csv"), out, x="latency", width=7, height=4.5)
    root = svg_root(out, 7, 4.5)
    assert len(root.findall(".//{http://www.w3.org/2000/svg}path")) > 50
    texts = svg_comments(out)
    assert "latency (µs)" in texts and "test top-1 (%)" in texts
    assert "int4:int4" in texts


def test_sweep_csv_as_front_highlights_its_pareto_points(tmp_path):
    out = tmp_path / "sweep_front.png"
    fig = plot.front(SWEEP, out, width=5, height=4, dpi=60)
    assert png_size(out) == (300, 240)
    ax = fig.axes[0]
    assert_drawn(out, [ax])
    rows = rows_of(SWEEP)
    best = [c for c in ax.collections if c.get_label().startswith("Pareto")][0]
    assert len(best.get_offsets()) == sum(r["pareto"] == "true" for r in rows)
    assert ax.get_xlabel() == "energy per inference (µJ)" and ax.get_ylabel() == "latency (µs)"
    scale = unit_of(ax.get_xlabel())
    assert sorted(best.get_offsets()[:, 0] * scale) == pytest.approx(
        sorted(float(r["energy_pj"]) for r in rows if r["pareto"] == "true"), rel=1e-12)
    # One design point is best in both energy and latency here, so no trade-off line is drawn.
    assert not [line for line in ax.lines if line.get_label().startswith("front")]


def test_sweep_front_line_joins_the_points_unbeaten_in_both_figures(tmp_path):
    fig = plot.front(SWEEP, tmp_path / "area_latency.png", x="area", y="latency", width=5,
                     height=4, dpi=60)
    ax = fig.axes[0]
    rows = rows_of(SWEEP)
    points = [(float(r["area_mm2"]), float(r["latency_s"])) for r in rows]
    undominated = sorted(set(p for p in points if not any(
        q[0] <= p[0] and q[1] <= p[1] and q != p for q in points)))
    assert len(undominated) > 1  # area against latency is a trade-off on this sweep
    step = [line for line in ax.lines if line.get_label().startswith("front")][0]
    got = list(zip(np.asarray(step.get_xdata()) * 1.0,
                   np.asarray(step.get_ydata()) * unit_of(ax.get_ylabel())))
    assert ax.get_xlabel() == "area (mm²)"
    assert got == pytest.approx(undominated, rel=1e-12)


# ---------------------------------------------------------------------------------------------
# breakdown


def stacks(ax):
    """Per container label, the bar heights, in the order drawn."""
    return {c.get_label(): np.array([p.get_height() for p in c.patches]) for c in ax.containers}


def test_breakdown_json_stacks_every_component_and_splits_the_cycles(tmp_path):
    import json

    out = tmp_path / "breakdown.png"
    fig = plot.breakdown(SIMULATE_JSON, out, width=9, height=6, dpi=70)
    assert png_size(out) == (630, 420)
    energy_ax, cycles_ax = fig.axes
    # Bars are drawn without antialiasing: few colours, but each series' own must show.
    assert_drawn(out, [energy_ax], min_colours=8)
    assert_drawn(out, [cycles_ax], min_colours=6)
    assert_bars_visible(out, energy_ax)
    assert_bars_visible(out, cycles_ax)
    layers = json.load(open(SIMULATE_JSON))["layers"]
    energy = stacks(energy_ax)
    assert list(energy)[:2] == ["MAC", "register files"] and "DRAM" in energy
    # The stacked components add up to each layer's total energy: none missing, none twice.
    totals = sum(energy.values()) * unit_of(energy_ax.get_ylabel())
    assert totals == pytest.approx([l["energy_pj"]["total"] for l in layers], rel=1e-9)
    cycles = stacks(cycles_ax)
    assert list(cycles) == ["compute", "fill / drain", "stall (memory)"]
    assert cycles["stall (memory)"].sum() > 0  # the SystemC model stalls on this network
    assert sum(cycles.values()) == pytest.approx([l["cycles"] for l in layers], rel=1e-12)
    names = [t.get_text() for t in cycles_ax.get_xticklabels()]
    assert len(names) == len(layers) and names[-1] == "/fc/Gemm"
    assert "fmnist_resnet on edge_npu" in fig._suptitle.get_text()


def test_breakdown_of_estimate_json_draws_its_cycle_parts(tmp_path):
    import json

    out = tmp_path / "estimate.svg"
    fig = plot.breakdown(ESTIMATE_JSON, out, width=8, height=6)
    svg_root(out, 8, 6)
    layers = json.load(open(ESTIMATE_JSON))["layers"]
    cycles = stacks(fig.axes[1])
    for part, label in (("compute_cycles", "compute"), ("fill_drain_cycles", "fill / drain"),
                        ("stall_cycles", "stall (memory)")):
        assert list(cycles[label]) == [l[part] for l in layers]
    assert "energy per layer by component" in svg_comments(out)


def test_breakdown_csv_draws_total_cycles_and_says_the_split_is_missing(tmp_path):
    out = tmp_path / "breakdown_csv.png"
    fig = plot.breakdown(SIMULATE_CSV, out, width=8, height=6, dpi=50)
    assert png_size(out) == (400, 300)
    energy_ax, cycles_ax = fig.axes
    assert_drawn(out, [energy_ax], min_colours=8)
    assert_bars_visible(out, energy_ax)
    rows = rows_of(SIMULATE_CSV)
    cycles = stacks(cycles_ax)
    assert list(cycles) == ["cycles (total)"]
    assert cycles["cycles (total)"] == pytest.approx([float(r["cycles"]) for r in rows])
    assert "no compute / fill-drain / stall split" in cycles_ax.get_title()
    # The CSV keeps six significant digits, so its components meet its total to about 1e-5.
    totals = sum(stacks(energy_ax).values()) * unit_of(energy_ax.get_ylabel())
    assert totals == pytest.approx([float(r["energy_pj"]) for r in rows], rel=2e-5)


# ---------------------------------------------------------------------------------------------
# sweep


def test_sweep_coloured_by_a_numeric_key_has_a_colour_bar_of_its_values(tmp_path):
    out = tmp_path / "sweep.png"
    fig = plot.sweep(SWEEP, out, color="array.cols", width=6, height=4, dpi=60)
    assert png_size(out) == (360, 240)
    ax, bar = fig.axes
    assert_drawn(out, [ax])
    assert bar.get_ylabel() == "array.cols"
    assert [t.get_text() for t in bar.get_yticklabels()] == ["8", "16", "32"]
    points = ax.collections[0]
    assert len(points.get_offsets()) == len(rows_of(SWEEP))
    # Each point's colour index is its array.cols value's rank.
    rank = {"8": 0, "16": 1, "32": 2}
    assert list(points.get_array()) == [rank[r["array.cols"]] for r in rows_of(SWEEP)]


def test_sweep_coloured_by_a_text_key_has_a_legend_entry_per_value(tmp_path):
    out = tmp_path / "sweep.svg"
    fig = plot.sweep(SWEEP_DATAFLOW, out, x="area", y="edp", width=6, height=4)
    svg_root(out, 6, 4)
    assert len(fig.axes) == 1  # a legend, no colour bar
    labels = fig.axes[0].get_legend_handles_labels()[1]
    assert [l for l in labels if l.startswith("array.dataflow")] == [
        "array.dataflow = ws", "array.dataflow = os", "array.dataflow = is"]
    assert fig.axes[0].get_xlabel() == "area (mm²)"
    assert fig.axes[0].get_ylabel() == "energy-delay product (J·s)"


def test_the_command_writes_the_picture(tmp_path):
    out = tmp_path / "cli.png"
    run = subprocess.run(
        [sys.executable, "-m", "mpsim.plot", "sweep", SWEEP, "--color", "array.rows",
         "--width", "5", "--height", "3", "--dpi", "50", "--title", "rows x cols", "-o",
         str(out)], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert run.stderr == ""
    assert png_size(out) == (250, 150)
    assert os.listdir(tmp_path) == ["cli.png"]


# ---------------------------------------------------------------------------------------------
# Bad input


@pytest.fixture
def bad_files(tmp_path):
    src = tmp_path / "inputs"
    src.mkdir()
    header, *rest = open(os.path.join(SEARCH, "front.csv")).read().splitlines()
    cols = header.split(",")
    drop = cols.index("energy_pj")
    lines = [",".join(c for k, c in enumerate(line.split(",")) if k != drop)
             for line in [header] + rest]
    (src / "no_energy.csv").write_text("\n".join(lines) + "\n")
    sweep_lines = open(SWEEP).read().splitlines()
    fields = sweep_lines[2].split(",")
    fields[4] = "abc"
    sweep_lines[2] = ",".join(fields)
    (src / "bad_number.csv").write_text("\n".join(sweep_lines) + "\n")
    (src / "binary.csv").write_bytes(b"\x89PNG\r\n\x1a\n\x00\xff\xfe")
    (src / "empty_folder").mkdir()
    (src / "not_a_report.json").write_text('{"network": "x", "layers": {}}\n')
    (src / "deep.json").write_text('{"a": ' * 100000 + "1" + "}" * 100000)
    os.mkfifo(src / "fifo.csv")  # opened for reading, it would wait for a writer forever
    return src


BAD = [
    (["front", "{in}/missing.csv"], "missing.csv: no such file"),
    (["breakdown", "{in}/missing.json"], "missing.json: no such file"),
    (["front", SIMULATE_JSON], "simulate.json: a JSON file; expected the --out folder"),
    (["front", "{in}/empty_folder"], "empty_folder: a folder without front.csv"),
    (["front", "{in}/no_energy.csv"], "no_energy.csv: no column 'energy_pj'"),
    (["front", SEARCH, "--x", "watts"], "no column 'watts' for --x"),
    (["sweep", SWEEP, "--color", "array.depth"], "no column 'array.depth' to colour by"),
    (["sweep", SWEEP, "--y", "top1"], "no column 'top1' for --y"),
    (["sweep", SEARCH], "search_greedy: is a folder; expected the CSV of mpsim sweep"),
    (["sweep", os.path.join(SEARCH, "front.csv")], "front.csv: columns row,method,"),
    (["sweep", "{in}/bad_number.csv"], "bad_number.csv:3: column 'energy_pj': 'abc' is not"),
    (["sweep", "{in}/binary.csv"], "binary.csv: not UTF-8 text"),
    (["breakdown", os.path.join(SEARCH, "front.csv")], "front.csv: no column 'layer'"),
    (["breakdown", "{in}/not_a_report.json"], "not_a_report.json: no 'layers' list"),
    (["breakdown", SIMULATE_JSON, "--width", "-3"], "--width -3.0: expected a positive"),
    (["breakdown", "{in}/deep.json"], "deep.json: nested too deeply"),
    (["sweep", "{in}/fifo.csv"], "fifo.csv: not a regular file"),
    (["front", SWEEP_DATAFLOW, "--x", "array.dataflow"], "cannot be an axis"),
    (["breakdown", SIMULATE_JSON, "--dpi", "0.01"], "under the 100 a side"),
]


@pytest.mark.parametrize("argv,message", BAD, ids=[m.split(":")[0] + "|" + a[0] for a, m in BAD])
def test_bad_input_is_one_line_status_2_and_no_file(tmp_path, bad_files, capsys, argv, message):
    out = tmp_path / "out" / "picture.png"
    out.parent.mkdir()
    argv = [a.replace("{in}", str(bad_files)) for a in argv] + ["-o", str(out)]
    assert plot.main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("mpsim.plot: error: "), err
    assert message in err, err
    assert os.listdir(out.parent) == []


@pytest.mark.parametrize("name,message", [
    ("picture.jpg", "picture.jpg: expected an output file ending in .png or .svg"),
    ("missing/picture.png", "does not exist"),
    ("", "is a folder"),
])
def test_bad_output_is_refused_before_any_work(tmp_path, capsys, name, message):
    out = os.path.join(str(tmp_path), name) if name else str(tmp_path)
    assert plot.main(["front", SEARCH, "-o", out]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err, err
    assert os.listdir(tmp_path) == []
    with pytest.raises(mpsim.Error, match="png or .svg"):  # the functions raise mpsim.Error
        plot.sweep(SWEEP, tmp_path / "picture.pdf")


def test_dollar_signs_are_drawn_as_text_not_parsed_as_tex(tmp_path):
    # The first two make matplotlib's math text parser fail when it runs (an unknown command,
    # a bare superscript), the third it would set in italics; a layer name or a swept value can
    # hold a '$' as well.
    for k, title in enumerate(("energy in $\\badcommand$", "cost $^$ per image",
                               "$5 and $6 designs")):
        out = tmp_path / f"dollars{k}.png"
        fig = plot.sweep(SWEEP, out, title=title)
        texts = [t.get_text() for t in fig.findobj(matplotlib.text.Text)]
        assert title in texts
        assert png_size(out) == (800, 500)


def test_a_bad_command_line_is_one_line_status_2(capsys):
    with pytest.raises(SystemExit) as stop:
        plot.main(["front", SEARCH])  # no -o
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "-o/--out" in err, err


def test_the_command_reports_bad_input_without_a_traceback(tmp_path):
    out = tmp_path / "x.png"
    run = subprocess.run([sys.executable, "-m", "mpsim.plot", "breakdown",
                          str(tmp_path / "nothing.json"), "-o", str(out)],
                         capture_output=True, text=True)
    assert run.returncode == 2
    assert run.stderr.count("\n") == 1 and "nothing.json: no such file" in run.stderr
    assert "Traceback" not in run.stderr
    assert os.listdir(tmp_path) == []


def test_a_failed_render_leaves_no_partial_file_and_keeps_the_old_one(tmp_path, monkeypatch):
    out = tmp_path / "kept.png"
    shutil.copy(os.path.join(SEARCH, "front.csv"), out)  # stands for an earlier picture
    before = out.read_bytes()

    def half_written(self, f, **kwargs):
        f.write(b"\x89PNG half a picture")
        raise RuntimeError("renderer died")

    monkeypatch.setattr(matplotlib.figure.Figure, "savefig", half_written)
    with pytest.raises(RuntimeError, match="renderer died"):
        plot.breakdown(SIMULATE_JSON, out)
    assert out.read_bytes() == before
    assert os.listdir(tmp_path) == ["kept.png"]
