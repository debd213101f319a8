// mpsim sweep: the cost of a network over the cross product of config values, one CSV row per
// design point, in parallel processes, resumable and shardable (docs/sweep.md).

#include <cstdlib>

#include "apps/commands.h"
#include "apps/option_checks.h"
#include "apps/workload_flags.h"
#include "explore/progress.h"
#include "explore/sweep.h"
#include "formats/error.h"
#include "formats/output_file.h"

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

std::size_t stop_after_from_env() {
  const char* v = std::getenv("MPSIM_SWEEP_STOP_AFTER");
  return v && *v ? std::strtoul(v, nullptr, 10) : 0;
}

void sweep(const SweepOptions& o, Io& io) {
  if (o.out.empty()) throw UserError("sweep: --out F.csv is required");
  if (o.jobs < 1) throw UserError("--jobs " + std::to_string(o.jobs) + ": expected at least 1");
  SweepRequest request;
  request.shard = parse_shard(o.shard);
  check_output_path(o.out);
  request.hardware = o.hw;
  request.sets = o.sets;
  request.workload = o.workload;
  request.workload_options = o.shape.options();
  request.workload_flags = o.shape.describe();
  request.map = o.map;
  request.resolve_groups = o.resolve_groups;
  request.engine = parse_cost_engine(o.engine);
  const SweepPlan plan(std::move(request));

  SweepRunOptions run;
  run.jobs = o.jobs;
  run.stop_after = stop_after_from_env();
  run.progress = progress_stream(io.err);
  run_sweep(plan, o.out, run, io.err);
  io.err << plan.dram_note();  // named once; the CSV stays plain
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
      ->check(whole_number(1, kIntMax));
  cmd->add_option("--shard", opts->shard, "K/N: evaluate only the points with index % N == K-1");
  cmd->add_option("--engine", opts->engine, "sim (SystemC simulation) or closed-form")
      ->check(CLI::IsMember({"sim", "closed-form"}));
  cmd->callback([opts, &io] { sweep(*opts, io); });
}

}  // namespace mpsim::cli
