// mpsim estimate: the closed-form cost model over a whole network (fast; no simulation).
#include "apps/commands.h"
#include "apps/cost_report.h"
#include "apps/output.h"
#include "costmodel/hardware.h"
#include "workloads/network_io.h"

namespace mpsim::cli {

namespace {

struct EstimateOptions {
  std::string hw;
  std::vector<std::string> sets;
  std::string workload;
  std::string map;
  bool resolve_groups = false;
  std::string format = "table";
  std::string out;
};

void estimate(const EstimateOptions& o, Io& io) {
  const HardwareModel hw(load_hardware_by_name(o.hw, o.sets));
  const Network net = load_workload(o.workload);
  const PrecisionMap map = map_for_costing(net, hw, o.map, o.resolve_groups);
  const NetworkCost cost = network_cost(net, map, hw);
  const std::string text = render_cost_report(net, map, hw, cost, o.format);
  if (o.out.empty()) {
    io.out << text;
  } else {
    write_file_atomically(o.out, text);
  }
}

}  // namespace

void add_estimate_command(CLI::App& app, Io& io) {
  auto opts = std::make_shared<EstimateOptions>();
  auto* cmd = app.add_subcommand(
      "estimate", "Closed-form per-layer cycles, energy and traffic of a network on an array");
  cmd->add_option("--hw", opts->hw, "Bundled hardware config name, or a .toml / SCALE-Sim .cfg")
      ->required();
  cmd->add_option("--set", opts->sets, "Override a config key: --set array.rows=32 (repeatable)");
  cmd->add_option("--workload,-w", opts->workload, "Built-in network, or .toml/.onnx/.csv file")
      ->required();
  cmd->add_option("--map,-m", opts->map,
                  "Precision map (TOML); default: the array's widest integer pair everywhere");
  cmd->add_flag("--resolve-groups", opts->resolve_groups,
                "Widen quantizer groups the map breaks instead of reporting them");
  cmd->add_option("--format", opts->format, "Output format")
      ->check(CLI::IsMember({"table", "csv", "json"}));
  cmd->add_option("--out,-o", opts->out, "Write to this file (whole or not at all)");
  cmd->callback([opts, &io] { estimate(*opts, io); });
}

}  // namespace mpsim::cli
