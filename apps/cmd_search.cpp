// mpsim search: precision maps on the accuracy-cost front of a model on a hardware config,
// by uniform, greedy (AMP), rl (FLIQS) or random search (docs/search.md). Parsing and printing
// only: the problem, the run and the output folder are explore/'s.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ostream>

#include "apps/commands.h"
#include "apps/eval_flags.h"
#include "apps/option_checks.h"
#include "explore/cost_report.h"
#include "explore/precision_search.h"
#include "explore/progress.h"
#include "explore/record_text.h"
#include "explore/search_run.h"
#include "explore/text_table.h"
#include "formats/error.h"

namespace mpsim::cli {

namespace {

struct SearchCliOptions {
  std::string method = "greedy";
  std::string hw;
  std::vector<std::string> sets;
  EvalFlags data;
  std::size_t validation = 0;  // 0: the default (SearchSetup)
  std::string validation_data, validation_labels;
  std::string cost = "energy";
  std::string quality = "top1";
  std::string sensitivity = "sqnr";
  double max_drop = -1;  // in points (top1, agreement) or dB (sqnr); < 0: not given
  std::string target;
  bool full_curve = false;
  std::string order = "score";
  std::string candidates;
  std::vector<std::string> pins;
  std::string granularity = "group";
  std::string engine = "sim";
  std::int64_t batch = 0;  // 0: not given
  int samples = 500, samples_per_step = 4, warmup = 50;
  double learning_rate = 0.1, beta = 1, entropy_max = 0.5;
  bool one_sided = false;
  std::uint64_t seed = 1;
  std::string out;
};

std::string quality_text(double v, QualityMetric m) {
  if (m == QualityMetric::kSqnr) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f dB", v);
    return buf;
  }
  return percent_text(v);
}

std::string sci(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4g", v);
  return buf;
}

std::string ratio(double a, double b) {
  if (!(b > 0)) return "";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3fx", a / b);
  return buf;
}

void run_search(const SearchCliOptions& o, const CLI::App& cmd, Io& io) {
  // An empty value (a shell variable that was not set) would read as "not given" and run
  // another search than the one asked for.
  for (const CLI::Option* opt : cmd.get_options())
    for (const std::string& value : opt->results())
      if (value.empty() && opt->get_expected_min() > 0)
        throw UserError(opt->get_name() + ": expected a value, not an empty string");
  check_search_output(o.out);
  SearchSetup setup;
  setup.hardware = o.hw;
  setup.overrides = o.sets;
  setup.eval = o.data.setup();
  setup.validation = o.validation;
  setup.validation_data = o.validation_data;
  setup.validation_labels = o.validation_labels;
  try {
    setup.cost = parse_cost_metric(o.cost);
  } catch (const UserError& e) {
    throw UserError(std::string("--cost: ") + e.what());
  }
  try {
    setup.quality = parse_quality_metric(o.quality);
  } catch (const UserError& e) {
    throw UserError(std::string("--quality: ") + e.what());
  }
  try {
    setup.sensitivity = parse_quality_metric(o.sensitivity);
  } catch (const UserError& e) {
    throw UserError(std::string("--sensitivity: ") + e.what());
  }
  setup.candidates = o.candidates;
  setup.pins = o.pins;
  setup.granularity = o.granularity;
  setup.engine = parse_cost_engine(o.engine);
  setup.batch = o.batch;
  setup.calibration = o.data.calibration;
  setup.threads = o.data.threads;
  setup.micro_batch = o.data.micro_batch;

  SearchRunOptions run;
  run.method = o.method;
  if (o.max_drop >= 0) run.max_drop = o.max_drop * quality_drop_unit(setup.quality);
  run.target = o.target;
  default_greedy_drop(run, setup.quality);  // one point (or dB) unless told otherwise
  run.full_curve = o.full_curve;
  run.order = o.order;
  run.samples = o.samples;
  run.samples_per_step = o.samples_per_step;
  run.warmup = o.warmup;
  run.learning_rate = o.learning_rate;
  run.beta = o.beta;
  run.entropy_max = o.entropy_max;
  run.one_sided = o.one_sided;
  run.seed = o.seed;
  // Options are given when they appear; flags are judged by their value in the library (true
  // is off the default, so given; --full-curve=false is the flag left out, as in Python).
  for (const MethodOption& m : method_options())
    if (const CLI::Option* opt = cmd.get_option(m.flag);
        opt->count() > 0 && opt->get_expected_min() > 0)
      run.given.push_back(m.flag);
  if (const char* v = std::getenv("MPSIM_SEARCH_STOP_AFTER"); v && *v)
    run.stop_after = std::strtoul(v, nullptr, 10);

  PrecisionSearchProblem problem(setup);
  ProgressBar bar(progress_stream(io.err), 0, 0, "search", "maps scored");
  SearchReport report;
  try {
    report = run_precision_search(
        problem, run, o.out, [&](std::size_t done, std::size_t total) { bar.update(done, total); });
  } catch (...) {
    bar.finish();
    throw;
  }
  bar.finish();
  if (report.stale_discarded)
    io.err << "mpsim: search: " << o.out
           << ".partial held evaluations of a different search; discarded them\n";
  if (report.resumed > 0)
    io.err << "mpsim: search: resumed " << report.resumed << " evaluations from " << o.out
           << ".partial\n";
  write_search_outputs(problem, report, run, o.out);

  // The chosen map layer by layer, beside the most accurate uniform map.
  const SearchRow& chosen = report.rows[report.chosen];
  const SearchRow& base = report.rows[report.best_uniform];
  const PrecisionMap chosen_map = problem.map_of(chosen.choice);
  const PrecisionMap base_map = problem.map_of(base.choice);
  const Network& net = problem.network();
  io.out << "mpsim search --method " << o.method << ": " << net.name() << " on "
         << problem.hardware().spec().name << ", " << problem.space().decisions() << " decisions, "
         << problem.space().candidates << " candidates, " << report.quality_evaluations
         << " maps scored on the validation split";
  if (problem.priced_batch() != 1) io.out << "; costs are of a batch of " << problem.priced_batch();
  io.out << '\n';
  io.out << "  " << search_hardware_text(setup) << '\n';
  for (const auto& [split, source] : problem.data_sources())
    io.out << "  " << split << ": " << source << '\n';
  for (const auto& n : report.result.notes)
    io.out << "  " << n << '\n';
  io.out << dram_estimate_note(problem.hardware()) << '\n';
  TextTable layers({"layer", "MACs", "chosen", "best uniform"});
  for (int id : net.mac_layers()) {
    const auto pair = [&](const PrecisionMap& m) {
      return m.at(id).weight.name() + ":" + m.at(id).activation.name();
    };
    layers.add_row(
        {net.layer(id).name, with_commas(net.layer(id).macs), pair(chosen_map), pair(base_map)});
  }
  layers.print(io.out);
  io.out << '\n';
  const MapFigures& c = *chosen.figures;
  const MapFigures& b = *base.figures;
  const QualityMetric qm = setup.quality;
  TextTable summary({"", "chosen", "best uniform", "chosen / uniform"});
  // "top1" is the option's spelling; the table says it as the other rows do.
  const std::string quality_label = qm == QualityMetric::kTop1 ? "top-1" : quality_metric_name(qm);
  summary.add_row({"validation " + quality_label, quality_text(chosen.quality, qm),
                   quality_text(base.quality, qm), ""});
  summary.add_row({"test top-1", percent_text(c.test_top1), percent_text(b.test_top1), ""});
  summary.add_row(
      {"test agreement", percent_text(c.test_agreement), percent_text(b.test_agreement), ""});
  summary.add_row(
      {"energy (pJ)", sci(c.energy_pj), sci(b.energy_pj), ratio(c.energy_pj, b.energy_pj)});
  summary.add_row(
      {"latency (s)", sci(c.latency_s), sci(b.latency_s), ratio(c.latency_s, b.latency_s)});
  summary.add_row({"EDP (J s)", sci(c.edp_js), sci(b.edp_js), ratio(c.edp_js, b.edp_js)});
  summary.add_row({"BOPs", sci(c.bops), sci(b.bops), ratio(c.bops, b.bops)});
  summary.add_row({"weight bytes", sci(c.weight_bytes), sci(b.weight_bytes),
                   ratio(c.weight_bytes, b.weight_bytes)});
  summary.add_row({"area (mm^2)", sci(c.area_mm2), sci(b.area_mm2), ""});
  summary.print(io.out);
  io.out << "\nwritten: " << o.out << "/{front.csv, front.json, chosen.toml, trace.csv, maps/}\n";
}

}  // namespace

void add_search_command(CLI::App& app, Io& io) {
  auto o = std::make_shared<SearchCliOptions>();
  auto* cmd = app.add_subcommand(
      "search", "Precision maps on the accuracy-cost front: simulated cost, measured accuracy");
  cmd->add_option("--method", o->method, "uniform, greedy, rl or random")
      ->check(CLI::IsMember({"uniform", "greedy", "rl", "random"}))
      ->capture_default_str();
  cmd->add_option("--hw", o->hw, "Bundled hardware config name, or a .toml / SCALE-Sim .cfg")
      ->required();
  cmd->add_option("--set", o->sets, "Override a config key: --set array.rows=32 (repeatable)");
  add_eval_flags(*cmd, o->data,
                 "Data for the final report: fashion-mnist[:test|:train] or a .npy file");
  cmd->add_option("--validation", o->validation,
                  "Images the search scores maps on: by default 2000 Fashion-MNIST images after "
                  "the calibration images, or all of --validation-data")
      ->check(whole_number(1));
  cmd->add_option("--validation-data", o->validation_data, "Validation inputs (.npy)");
  cmd->add_option("--validation-labels", o->validation_labels, "Validation labels (.npy)");
  cmd->add_option("--cost", o->cost, "energy, latency, edp, or bops (the papers' proxy)")
      ->capture_default_str();
  cmd->add_option("--quality", o->quality, "top1, agreement or sqnr")->capture_default_str();
  cmd->add_option("--sensitivity", o->sensitivity,
                  "Greedy: what ranks the single-decision probes of phase 1 (top1, agreement "
                  "or sqnr)")
      ->capture_default_str();
  cmd->add_option("--max-drop", o->max_drop,
                  "Allowed quality drop from fp32: points of top-1/agreement, or dB of SQNR "
                  "(greedy; default 1)")
      ->check(positive_number(false));
  cmd->add_option("--target", o->target,
                  "Cost target: SHARExPAIR (0.6xint8:int8) or a number in the cost's unit");
  cmd->add_flag("--full-curve", o->full_curve, "Greedy: score every point of the path");
  cmd->add_option("--order", o->order, "Greedy: score (AMP) or score-per-cost")
      ->check(CLI::IsMember({"score", "score-per-cost"}))
      ->capture_default_str();
  cmd->add_option("--candidates", o->candidates,
                  "Format pairs to try: int8:int8,int4:int8,... (default: all the array runs)");
  cmd->add_option("--pin", o->pins, "Fix layers: conv1,fc=int8:int8 (repeatable)");
  cmd->add_option("--granularity", o->granularity, "group, layer, block:DEPTH or network")
      ->capture_default_str();
  cmd->add_option("--engine", o->engine, "sim (SystemC) or closed-form")
      ->check(CLI::IsMember({"sim", "closed-form"}))
      ->capture_default_str();
  cmd->add_option("--batch", o->batch,
                  "Price maps at this batch (the model's batch dimension must be dynamic); "
                  "default 1, or what the model fixes")
      ->check(whole_number(1));
  cmd->add_option("--samples", o->samples, "RL and random: maps sampled")
      ->check(whole_number(1, kIntMax))
      ->capture_default_str();
  cmd->add_option("--samples-per-step", o->samples_per_step, "RL: maps per policy step")
      ->check(whole_number(1, kIntMax))
      ->capture_default_str();
  cmd->add_option("--warmup", o->warmup, "RL: uniformly sampled maps before learning")
      ->check(whole_number(0, kIntMax))
      ->capture_default_str();
  cmd->add_option("--learning-rate", o->learning_rate, "RL: Adam's step")
      ->check(positive_number())
      ->capture_default_str();
  cmd->add_option("--beta", o->beta, "RL: weight of the cost term of the reward")
      ->check(positive_number(false))
      ->capture_default_str();
  cmd->add_option("--entropy-max", o->entropy_max,
                  "RL: the entropy term's weight at the end of its cosine schedule, in the "
                  "reward's units (scale it with --beta for --quality sqnr)")
      ->check(positive_number(false))
      ->capture_default_str();
  cmd->add_flag("--one-sided", o->one_sided, "RL: penalise only costs above the target");
  cmd->add_option("--seed", o->seed, "Random seed (rl, random)")
      ->capture_default_str()
      ->check(whole_number(0));
  cmd->add_option("--out,-o", o->out, "The output folder (must not exist yet)")->required();
  cmd->callback([o, cmd, &io] { run_search(*o, *cmd, io); });
}

}  // namespace mpsim::cli
