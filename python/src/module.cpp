// The C++ side of the Python module: each function loads its inputs and prices them through the
// explore/ library with the GIL released, then hands plain Python objects back. Bad input raises
// mpsim.Error (a ValueError) with the command's message. Python's side (python/mpsim/) adds
// keyword defaults, dict-to-TOML maps and to_pandas().
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <mutex>
#include <string>
#include <tuple>
#include <vector>

#include "costmodel/hardware.h"
#include "explore/cost_report.h"
#include "explore/cost_table.h"
#include "explore/costing.h"
#include "explore/evaluation.h"
#include "explore/precision_search.h"
#include "explore/search_run.h"
#include "explore/sweep.h"
#include "formats/error.h"
#include "formats/quantize_values.h"
#include "quant/calibration.h"
#include "quant/evaluator.h"
#include "workloads/network_io.h"
#include "workloads/precision_map.h"

namespace py = pybind11;
using namespace mpsim;

namespace {

// The figures' names as Python strings, made once per call: every layer has the same ones.
std::vector<py::str> figure_keys(const HardwareModel& hw) {
  std::vector<py::str> keys;
  for (const auto& n : cost_figure_names(hw))
    keys.emplace_back(n);
  return keys;
}

void add_figures(py::dict& d, const std::vector<py::str>& keys, const LayerCost& c,
                 const HardwareModel& hw) {
  const auto values = cost_figure_values(c, hw);
  for (std::size_t i = 0; i < keys.size(); ++i)
    d[keys[i]] = py::float_(values[i]);
}

WorkloadOptions workload_options(std::int64_t batch) {
  WorkloadOptions o;
  if (batch > 0) o.batch = batch;
  return o;
}

py::dict price(const std::string& hw_name, const std::vector<std::string>& sets,
               const std::string& workload, std::int64_t batch, const std::string& map_file,
               const std::string& map_text, bool resolve_groups, const std::string& engine) {
  struct Priced {
    Network net;
    HardwareModel hw;
    PrecisionMap map;
    NetworkCost cost;
  };
  std::unique_ptr<Priced> p;
  {
    py::gil_scoped_release release;
    const CostEngine e = parse_cost_engine(engine);
    HardwareModel hw(load_hardware_by_name(hw_name, sets));
    Network net = load_workload(workload, workload_options(batch));
    PrecisionMap map = map_for_costing(net, hw, map_file, map_text, resolve_groups);
    NetworkCost cost = price_network(net, map, hw, e);
    p = std::make_unique<Priced>(
        Priced{std::move(net), std::move(hw), std::move(map), std::move(cost)});
  }
  const auto keys = figure_keys(p->hw);
  py::list layers;
  for (std::size_t i = 0; i < p->cost.layers.size(); ++i) {
    const int id = p->cost.layer_ids[i];
    const Layer& l = p->net.layer(id);
    py::dict row;
    row["name"] = l.name;
    row["op"] = op_name(l);
    row["weight_format"] = p->map.at(id).weight.name();
    row["activation_format"] = p->map.at(id).activation.name();
    add_figures(row, keys, p->cost.layers[i], p->hw);
    layers.append(std::move(row));
  }
  py::dict out;
  out["network"] = p->net.name();
  out["hardware"] = p->hw.spec().name;
  out["engine"] = engine;
  out["area_mm2"] = p->cost.area_mm2;
  out["dram_energy_estimated"] = p->hw.dram().energy_estimated;
  out["layers"] = std::move(layers);
  py::dict total;
  add_figures(total, keys, p->cost.total, p->hw);
  out["total"] = std::move(total);
  return out;
}

py::dict cost_table(const std::string& hw_name, const std::vector<std::string>& sets,
                    const std::string& workload, std::int64_t batch,
                    const std::vector<std::string>& formats) {
  std::unique_ptr<HardwareModel> hw;
  std::unique_ptr<Network> net;
  CostTable table;
  {
    py::gil_scoped_release release;
    hw = std::make_unique<HardwareModel>(load_hardware_by_name(hw_name, sets));
    net = std::make_unique<Network>(load_workload(workload, workload_options(batch)));
    table = build_cost_table(*net, *hw, formats);
  }
  const auto keys = figure_keys(*hw);
  py::list rows;
  for (const auto& r : table.rows) {
    const Layer& l = net->layer(r.layer);
    py::dict row;
    row["layer"] = l.name;
    row["op"] = op_name(l);
    row["weight_format"] = r.pair.weight.name();
    row["activation_format"] = r.pair.activation.name();
    add_figures(row, keys, r.cost, *hw);
    row["weight_bytes"] = r.weight_bytes;
    row["dram_bytes"] = r.dram_bytes;
    rows.append(std::move(row));
  }
  py::dict out;
  out["network"] = net->name();
  out["hardware"] = hw->spec().name;
  out["area_mm2"] = table.area_mm2;
  out["rows"] = std::move(rows);
  return out;
}

// A sweep's request from the module's arguments: for mpsim.sweep, and for the SweepPlan class
// that mpsim.distributed hands points out from.
SweepRequest sweep_request(const std::string& hw_name, const std::vector<std::string>& sets,
                           const std::string& workload, std::int64_t batch,
                           const std::string& map_file, const std::string& map_text,
                           bool resolve_groups, const std::string& engine,
                           const std::string& shard) {
  SweepRequest q;
  q.hardware = hw_name;
  q.sets = sets;
  q.workload = workload;
  q.workload_options = workload_options(batch);
  q.map = map_file;
  q.map_text = map_text;
  q.resolve_groups = resolve_groups;
  q.engine = parse_cost_engine(engine);
  q.shard = parse_shard(shard);
  return q;
}

py::dict sweep(const std::string& hw_name, const std::vector<std::string>& sets,
               const std::string& workload, std::int64_t batch, const std::string& map_file,
               const std::string& map_text, bool resolve_groups, const std::string& engine,
               const std::string& shard) {
  std::unique_ptr<SweepPlan> plan;
  std::vector<PointResult> results;
  std::string csv;
  {
    py::gil_scoped_release release;
    plan = std::make_unique<SweepPlan>(sweep_request(hw_name, sets, workload, batch, map_file,
                                                     map_text, resolve_groups, engine, shard));
    for (auto i : plan->own())
      results.push_back(plan->evaluate(i));
    csv = render_sweep_csv(plan->points(), results);
  }
  py::list axes;
  for (const auto& a : plan->points().axes())
    axes.append(a.key);
  py::dict out;
  out["axes"] = std::move(axes);
  out["csv"] = csv;  // the command's CSV, Pareto flags over this run's points
  return out;
}

// Reads a C-contiguous float32 array in place (numpy converts other layouts and types once) and
// returns a new float32 array of the same shape.
py::array_t<float> quantize(py::array_t<float, py::array::c_style | py::array::forcecast> values,
                            const std::string& format, bool saturate, std::optional<double> scale,
                            std::optional<std::int64_t> zero_point) {
  QuantizeRequest r;
  r.format = format;
  r.saturation = saturate ? Saturation::kSaturate : Saturation::kNoSaturate;
  r.scale = scale;
  r.zero_point = zero_point;
  py::array_t<float> out(std::vector<py::ssize_t>(values.shape(), values.shape() + values.ndim()));
  const auto n = static_cast<std::size_t>(values.size());
  const float* in = values.data();
  float* o = out.mutable_data();
  {
    py::gil_scoped_release release;
    quantize_values(r, std::span<const float>(in, n), std::span<float>(o, n));
  }
  return out;
}

// An accuracy evaluation as `mpsim eval` runs it: the library prepares data, calibration and
// normalization; the evaluator scores fp32 or the map.
py::dict evaluate(const std::string& model, const std::string& dataset, const std::string& labels,
                  std::size_t limit, std::size_t calib, const std::string& calib_data,
                  const std::string& normalize, const std::string& calibration,
                  const std::string& map_file, bool resolve_groups, bool per_layer, int threads) {
  EvalResult r;
  std::string calib_source;
  std::optional<Normalization> norm;
  std::string calibration_text;
  {
    py::gil_scoped_release release;
    EvalSetup setup;
    setup.model = model;
    setup.dataset = dataset;
    setup.labels = labels;
    setup.limit = limit;
    setup.calib = calib;
    setup.calib_data = calib_data;
    setup.normalize = normalize;
    PreparedEvaluation prepared = prepare_evaluation(setup, !map_file.empty());
    std::optional<PrecisionMap> map;
    if (!map_file.empty())
      map = precision_map_for_evaluation(prepared.net, map_file, resolve_groups);
    EvalOptions options;
    options.calibration = parse_calibration(calibration);
    options.per_layer = per_layer && map;
    options.engine.threads = threads;
    Evaluator evaluator(std::move(prepared.net), std::move(prepared.data),
                        std::move(prepared.calib), options);
    r = evaluator.evaluate(map ? &*map : nullptr);
    calib_source = prepared.calib_source;
    norm = prepared.normalization;
    calibration_text = calibration_name(options.calibration);
  }
  py::dict out;
  out["images"] = r.images;
  out["top1"] = r.top1;
  out["top1_fp32"] = r.top1_fp32;
  out["agreement"] = r.agreement;
  out["sqnr_db"] = r.sqnr_db;
  out["calibration"] =
      map_file.empty() ? py::object(py::none()) : py::object(py::str(calibration_text));
  out["calibration_images"] = r.calibration_images;
  out["calibration_source"] = calib_source;
  if (norm) {
    py::dict n;
    n["mean"] = norm->mean;
    n["std"] = norm->std_dev;
    out["normalization"] = std::move(n);
  } else {
    out["normalization"] = py::none();
  }
  py::list layers;
  for (const auto& l : r.layers) {
    py::dict d;
    d["name"] = l.name;
    d["sqnr_db"] = l.sqnr_db;
    layers.append(std::move(d));
  }
  out["layers"] = std::move(layers);
  out["images_per_second"] = r.images_per_second;
  return out;
}

// An option's value as the C++ side needs it; a value of another type, or a number out of the
// type's range, is an error naming the option (mpsim.Error) rather than pybind11's bare one.
template <typename T>
T option_value(const py::dict& options, const char* key) {
  try {
    return py::cast<T>(options[key]);
  } catch (const py::cast_error&) {
    const py::handle v = options[key];
    throw UserError(std::string(key) + ": " + py::cast<std::string>(py::repr(v)) +
                    " is not a value this option takes (or is out of its range)");
  }
}

std::string option_text(const py::dict& options, const char* key, const char* fallback) {
  return options.contains(key) ? option_value<std::string>(options, key) : std::string(fallback);
}

// A search's setup and run options from mpsim.search's keyword options (already checked for
// unknown names on the Python side).
SearchSetup search_setup(const std::string& hw_name, const std::vector<std::string>& sets,
                         const std::string& model, const py::dict& options) {
  auto text = [&](const char* k, const char* d) { return option_text(options, k, d); };
  SearchSetup setup;
  setup.hardware = hw_name;
  setup.overrides = sets;
  setup.eval.model = model;
  setup.eval.dataset = text("dataset", "fashion-mnist:test");
  setup.eval.labels = text("labels", "");
  setup.eval.limit = options.contains("limit") ? option_value<std::size_t>(options, "limit") : 0;
  setup.eval.calib = options.contains("calib") ? option_value<std::size_t>(options, "calib") : 1000;
  setup.eval.normalize = text("normalize", "");
  setup.eval.calib_data = text("calib_data", "");
  setup.validation_data = text("validation_data", "");
  setup.validation_labels = text("validation_labels", "");
  if (options.contains("validation")) {
    const auto n = option_value<std::int64_t>(options, "validation");
    if (n < 1) throw UserError("validation: expected a whole number >= 1");
    setup.validation = static_cast<std::size_t>(n);
  }
  // The library's messages say what was wrong; these say which keyword it was.
  const auto named = [](const char* key, auto parse) {
    try {
      return parse();
    } catch (const UserError& e) {
      throw UserError(std::string(key) + ": " + e.what());
    }
  };
  setup.cost = named("cost", [&] { return parse_cost_metric(text("cost", "energy")); });
  setup.quality = named("quality", [&] { return parse_quality_metric(text("quality", "top1")); });
  setup.sensitivity =
      named("sensitivity", [&] { return parse_quality_metric(text("sensitivity", "sqnr")); });
  setup.candidates = text("candidates", "");
  if (options.contains("pins"))
    setup.pins = option_value<std::vector<std::string>>(options, "pins");
  setup.granularity = text("granularity", "group");
  setup.engine = parse_cost_engine(text("engine", "sim"));
  setup.calibration = text("calibration", "mse");
  setup.batch = options.contains("batch") ? option_value<std::int64_t>(options, "batch") : 0;
  if (options.contains("batch") && setup.batch < 1)
    throw UserError("batch: expected a whole number of at least 1");
  setup.threads = options.contains("threads") ? option_value<int>(options, "threads") : 0;
  if (setup.threads < 0)  // the engine reads any count <= 0 as "every core"
    throw UserError("threads: expected a whole number >= 0 (0: every core)");
  if (options.contains("micro_batch")) {
    setup.micro_batch = option_value<std::int64_t>(options, "micro_batch");
    if (setup.micro_batch < 1) throw UserError("micro_batch: expected a whole number >= 1");
  }
  return setup;
}

// A whole precision search as `mpsim search` runs it, its output folder written to `out`.
// `scorer`, when not None, scores batches of maps elsewhere (mpsim.distributed): it is called
// as scorer(choices, split) with a list of choices (lists of candidate indices) and split
// "validation" or "test", and returns a list of score lists, as SearchProblem.score does.
py::dict precision_search(const std::string& hw_name, const std::vector<std::string>& sets,
                          const std::string& model, const std::string& method,
                          const std::string& out, py::dict options, py::object scorer) {
  auto text = [&](const char* k, const char* d) { return option_text(options, k, d); };
  const SearchSetup setup = search_setup(hw_name, sets, model, options);
  SearchRunOptions run;
  run.method = method;
  if (options.contains("max_drop"))
    run.max_drop = option_value<double>(options, "max_drop") * quality_drop_unit(setup.quality);
  run.target = text("target", "");
  run.full_curve = options.contains("full_curve") && option_value<bool>(options, "full_curve");
  run.order = text("order", "score");
  if (options.contains("samples")) run.samples = option_value<int>(options, "samples");
  if (options.contains("seed")) run.seed = option_value<std::uint64_t>(options, "seed");
  if (options.contains("beta")) run.beta = option_value<double>(options, "beta");
  if (options.contains("entropy_max"))
    run.entropy_max = option_value<double>(options, "entropy_max");
  if (options.contains("samples_per_step"))
    run.samples_per_step = option_value<int>(options, "samples_per_step");
  if (options.contains("warmup")) run.warmup = option_value<int>(options, "warmup");
  if (options.contains("learning_rate"))
    run.learning_rate = option_value<double>(options, "learning_rate");
  run.one_sided = options.contains("one_sided") && option_value<bool>(options, "one_sided");
  for (const MethodOption& m : method_options()) {
    std::string key = m.flag.substr(2);  // the keyword: the flag with underscores
    std::replace(key.begin(), key.end(), '-', '_');
    if (options.contains(key)) run.given.push_back(m.flag);
  }
  default_greedy_drop(run, setup.quality);

  // Made while the GIL is held (copying a Python reference needs it); only moved below.
  PrecisionSearchProblem::Scorer remote;
  if (!scorer.is_none())
    remote = [scorer](const std::vector<search::Choice>& choices,
                      PrecisionSearchProblem::Split split) {
      py::gil_scoped_acquire acquire;
      const char* name = split == PrecisionSearchProblem::Split::kTest ? "test" : "validation";
      return py::cast<std::vector<std::vector<double>>>(scorer(choices, name));
    };
  std::unique_ptr<PrecisionSearchProblem> problem;
  SearchReport report;
  {
    py::gil_scoped_release release;
    check_search_output(out);
    problem = std::make_unique<PrecisionSearchProblem>(setup);
    if (remote) problem->set_scorer(std::move(remote));
    report = run_precision_search(*problem, run, out);
    write_search_outputs(*problem, report, run, out);
  }
  py::list rows;
  for (const auto& r : report.rows) {
    py::dict d;
    d["method"] = r.method;
    d["quality"] = r.quality;
    d["cost"] = r.cost;
    d["pareto"] = r.pareto;
    d["map_file"] = r.map_file.empty() ? py::object(py::none()) : py::object(py::str(r.map_file));
    if (r.figures) {
      const MapFigures& f = *r.figures;
      d["test_top1"] = f.test_top1;
      d["test_agreement"] = f.test_agreement;
      d["test_sqnr_db"] = f.test_sqnr_db;
      d["energy_pj"] = f.energy_pj;
      d["latency_s"] = f.latency_s;
      d["edp_js"] = f.edp_js;
      d["area_mm2"] = f.area_mm2;
      d["bops"] = f.bops;
      d["weight_bytes"] = f.weight_bytes;
      d["cycles"] = f.cycles;
    }
    rows.append(std::move(d));
  }
  const PrecisionMap chosen = problem->map_of(report.rows[report.chosen].choice);
  py::list chosen_map;
  for (int id : problem->network().mac_layers())
    chosen_map.append(py::make_tuple(problem->network().layer(id).name, chosen.at(id).weight.name(),
                                     chosen.at(id).activation.name()));
  py::dict result;
  result["rows"] = std::move(rows);
  result["chosen"] = report.chosen;
  result["best_uniform"] = report.best_uniform;
  result["reference_quality"] = std::isfinite(report.reference_quality)
                                    ? py::object(py::float_(report.reference_quality))
                                    : py::object(py::none());  // greedy's only
  result["quality_evaluations"] = report.quality_evaluations;
  result["chosen_map"] = std::move(chosen_map);
  return result;
}

using PointTuple = std::tuple<std::size_t, double, double, double, double, std::int64_t>;

PointTuple point_tuple(const PointResult& r) {
  return {r.index, r.area_mm2, r.energy_pj, r.leakage_pj, r.latency_s, r.cycles};
}

PointResult point_result(const PointTuple& t) {
  PointResult r;
  std::tie(r.index, r.area_mm2, r.energy_pj, r.leakage_pj, r.latency_s, r.cycles) = t;
  return r;
}

// A problem caches evaluators and quantized weights as it scores, so a worker that runs tasks
// on several threads scores its maps one at a time.
struct WorkerProblem {
  std::unique_ptr<PrecisionSearchProblem> problem;
  std::mutex scoring;
};

}  // namespace

PYBIND11_MODULE(_mpsim, m) {
  m.doc() = "mpsim's C++ core; use the mpsim package, not this module.";
  py::register_exception<UserError>(m, "Error", PyExc_ValueError);
  m.def("price", &price);
  m.def("cost_table", &cost_table);
  m.def("sweep", &sweep);
  m.def("quantize", &quantize);
  m.def("evaluate", &evaluate);
  m.def("search", &precision_search, py::arg("hw"), py::arg("sets"), py::arg("model"),
        py::arg("method"), py::arg("out"), py::arg("options"), py::arg("scorer") = py::none());
  // A search's problem on a worker process: the same setup as the search's, scoring the maps
  // the search sends (mpsim.distributed.search).
  py::class_<WorkerProblem>(m, "SearchProblem")
      .def(py::init([](const std::string& hw, const std::vector<std::string>& sets,
                       const std::string& model, py::dict options) {
        const SearchSetup setup = search_setup(hw, sets, model, options);
        py::gil_scoped_release release;
        auto worker = std::make_unique<WorkerProblem>();
        worker->problem = std::make_unique<PrecisionSearchProblem>(setup);
        return worker;
      }))
      .def("score", [](WorkerProblem& w, const search::Choice& c, const std::string& split) {
        if (split != "validation" && split != "test")
          throw UserError("split '" + split + "': expected validation or test");
        py::gil_scoped_release release;  // before the lock: a waiting thread holds no GIL
        const std::lock_guard<std::mutex> one_at_a_time(w.scoring);
        return w.problem->score_here(c, split == "test"
                                            ? PrecisionSearchProblem::Split::kTest
                                            : PrecisionSearchProblem::Split::kValidation);
      });
  // Every point's config checked once, then any point priced on request and the results
  // rendered as the command's CSV.
  py::class_<SweepPlan>(m, "SweepPlan")
      .def(py::init([](const std::string& hw, const std::vector<std::string>& sets,
                       const std::string& workload, std::int64_t batch, const std::string& map,
                       const std::string& map_text, bool resolve_groups, const std::string& engine,
                       const std::string& shard) {
        py::gil_scoped_release release;
        return std::make_unique<SweepPlan>(
            sweep_request(hw, sets, workload, batch, map, map_text, resolve_groups, engine, shard));
      }))
      .def("own", &SweepPlan::own)
      .def("evaluate",
           [](const SweepPlan& plan, std::size_t index) {
             py::gil_scoped_release release;
             return point_tuple(plan.evaluate(index));
           })
      .def("csv", [](const SweepPlan& plan, const std::vector<PointTuple>& results) {
        std::vector<PointResult> rows;
        for (const auto& t : results)
          rows.push_back(point_result(t));
        return render_sweep_csv(plan.points(), std::move(rows));
      });
  m.def("hardware_names", [] { return bundled_hardware_names(); });
  m.def("network_names", [] { return builtin_network_names(); });
}
