// mpsim sweep: the cost of a network over the cross product of config values, one CSV row per
// design point, in parallel processes, resumable and shardable (docs/sweep.md).
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "apps/commands.h"
#include "apps/cost_report.h"
#include "apps/option_checks.h"
#include "apps/output.h"
#include "apps/sweep_csv.h"
#include "apps/sweep_points.h"
#include "apps/sweep_progress.h"
#include "apps/sweep_resume.h"
#include "apps/sweep_runner.h"
#include "apps/workload_flags.h"
#include "costmodel/hardware.h"
#include "explore/design_point.h"
#include "formats/error.h"
#include "sim/simulator.h"
#include "workloads/network_io.h"

namespace mpsim::cli {

namespace {

struct SweepOptions {
  std::string hw;
  std::vector<std::string> sets;
  std::string workload;
  WorkloadFlags shape;
  std::string map;
  bool resolve_groups = false;
  std::string out;
  int jobs = 1;
  std::string shard;
  std::string engine = "sim";
};

struct Shard {
  std::size_t k = 1, n = 1;  // this run evaluates the points with index % n == k - 1
};

Shard parse_shard(const std::string& text) {
  Shard s;
  if (text.empty()) return s;
  const auto slash = text.find('/');
  auto number = [](const std::string& t, std::size_t& v) {
    if (t.empty() || t.find_first_not_of("0123456789") != std::string::npos || t.size() > 9)
      return false;
    v = std::stoul(t);
    return true;
  };
  if (slash == std::string::npos || !number(text.substr(0, slash), s.k) ||
      !number(text.substr(slash + 1), s.n) || s.k < 1 || s.k > s.n)
    throw UserError("--shard " + text + ": expected K/N with 1 <= K <= N (e.g. --shard 2/8)");
  return s;
}

std::size_t stop_after_from_env() {
  const char* v = std::getenv("MPSIM_SWEEP_STOP_AFTER");
  return v && *v ? std::strtoul(v, nullptr, 10) : 0;
}

void sweep(const SweepOptions& o, Io& io) {
  if (o.out.empty()) throw UserError("sweep: --out F.csv is required");
  if (o.jobs < 1) throw UserError("--jobs " + std::to_string(o.jobs) + ": expected at least 1");
  const Shard shard = parse_shard(o.shard);
  check_output_path(o.out);
  std::vector<SweepAxis> axes;
  for (const auto& s : o.sets)
    axes.push_back(parse_sweep_set(s));
  const SweepPoints points(std::move(axes));
  DesignPoint base;
  base.hardware = o.hw;
  base.workload = o.workload;
  base.workload_options = o.shape.options();
  base.map = o.map;
  base.resolve_groups = o.resolve_groups;
  base.engine = parse_cost_engine(o.engine);
  const Network net = load_workload(base.workload, base.workload_options);

  // Every point's config is read before anything is evaluated, so a bad value fails at once
  // instead of after the points before it; the closed form on this run's own points catches
  // what only the map reveals (a format pair the point's array lacks).
  std::vector<std::size_t> own;
  std::map<std::size_t, PreparedPoint> prepared;
  for (std::size_t i = 0; i < points.size(); ++i) {
    try {
      DesignPoint point = base;
      point.overrides = points.overrides(i);
      if (i % shard.n != shard.k - 1) {
        // Every point's config is checked, also those another shard evaluates.
        const HardwareModel checked(load_hardware_by_name(point.hardware, point.overrides));
        continue;
      }
      prepared.emplace(i, prepare_point(net, point));
      own.push_back(i);
    } catch (const UserError& e) {
      throw UserError("sweep point " + std::to_string(i) + " (" + points.describe(i) +
                      "): " + e.what());
    }
  }

  std::vector<std::string> inputs{
      "mpsim-sweep-1",
      "hw=" + o.hw,
      "hw_file=" + content_digest_if_file(o.hw),
      "workload=" + o.workload,
      "workload_file=" + content_digest_if_file(o.workload),
      "map=" + o.map,
      "map_file=" + content_digest_if_file(o.map),
      std::string("resolve_groups=") + (o.resolve_groups ? "1" : "0"),
      "engine=" + o.engine,
      "shard=" + std::to_string(shard.k) + "/" + std::to_string(shard.n)};
  for (const auto& s : o.sets)
    inputs.push_back("set=" + s);
  for (const auto& s : o.shape.describe())
    inputs.push_back(s);
  const ResumeStore store(o.out, fingerprint(inputs));
  auto loaded = store.load(points.size());
  if (loaded.stale)
    io.err << "mpsim: sweep: " << store.sidecar_path()
           << " holds results of a different sweep command; discarding them\n";
  std::vector<PointResult> results;
  for (const auto& r : loaded.rows)
    if (prepared.count(r.index)) results.push_back(r);
  if (!results.empty())
    io.err << "mpsim: sweep: resuming with " << results.size() << " of " << own.size()
           << " points done (" << store.sidecar_path() << ")\n";
  std::vector<std::size_t> pending;
  {
    std::vector<bool> done(points.size(), false);
    for (const auto& r : results)
      done[r.index] = true;
    for (auto i : own)
      if (!done[i]) pending.push_back(i);
  }

  const bool sim = base.engine == CostEngine::kSimulator;
  RunOptions run;
  run.jobs = o.jobs;
  run.stop_after = stop_after_from_env();
  if (sim && run.jobs > 1 && simulations_run() > 0) {
    // Forking a process whose SystemC kernel is running is unsafe (only in-process callers
    // such as tests can get here; the program forks before it simulates anything).
    io.err << "mpsim: sweep: this process has already simulated; evaluating in-process\n";
    run.jobs = 1;
  }
  auto evaluate = [&](std::size_t index) {
    const PointCost c = evaluate_point(net, prepared.at(index), base.engine);
    PointResult r;
    r.index = index;
    r.area_mm2 = c.area_mm2;
    r.energy_pj = c.energy_pj;
    r.leakage_pj = c.leakage_pj;
    r.latency_s = c.latency_s;
    r.cycles = c.cycles;
    return r;
  };

  ProgressBar progress(progress_stream(io.err), own.size(), results.size());
  try {
    for (auto& r : run_points(pending, evaluate, store, run, progress))
      results.push_back(r);
  } catch (...) {
    progress.finish();
    throw;
  }
  progress.finish();
  if (results.size() != own.size())
    throw UserError("sweep: " + std::to_string(own.size() - results.size()) +
                    " points were not evaluated; run the same command again to resume");
  write_file_atomically(o.out, render_sweep_csv(points, std::move(results)));
  // Points whose DRAM energy is our estimate, named once (the CSV stays plain).
  std::string estimated;
  for (const auto& [i, p] : prepared)
    if (p.hw.dram().energy_estimated) estimated = dram_estimate_note(p.hw);
  io.err << estimated;
  store.remove_all();
}

}  // namespace

void add_sweep_command(CLI::App& app, Io& io) {
  auto opts = std::make_shared<SweepOptions>();
  auto* cmd = app.add_subcommand(
      "sweep", "Cost of a network over a cross product of config values, one CSV row per point");
  cmd->add_option("--hw", opts->hw, "Base hardware config: bundled name, .toml or SCALE-Sim .cfg")
      ->required();
  cmd->add_option("--set", opts->sets,
                  "Values of a config key, one point each: --set array.rows=8,16,32 (repeatable; "
                  "the points are the cross product)");
  cmd->add_option("--workload,-w", opts->workload, "Built-in network, or .toml/.onnx/.csv file")
      ->required();
  add_workload_flags(*cmd, opts->shape);
  cmd->add_option("--map,-m", opts->map,
                  "Precision map (TOML); default: the array's widest integer pair everywhere");
  cmd->add_flag("--resolve-groups", opts->resolve_groups,
                "Widen quantizer groups the map breaks instead of reporting them");
  cmd->add_option("--out,-o", opts->out, "The CSV file to write (required)");
  cmd->add_option("--jobs,-j", opts->jobs, "Worker processes (default 1: in this process)")
      ->check(whole_number(1));
  cmd->add_option("--shard", opts->shard, "K/N: evaluate only the points with index % N == K-1");
  cmd->add_option("--engine", opts->engine, "sim (SystemC simulation) or closed-form")
      ->check(CLI::IsMember({"sim", "closed-form"}));
  cmd->callback([opts, &io] { sweep(*opts, io); });
}

}  // namespace mpsim::cli
