// mpsim workload show|list|keys: what a network is, layer by layer, and the keys of network files.
#include <nlohmann/json.hpp>
#include <ostream>

#include "apps/commands.h"
#include "apps/workload_flags.h"
#include "explore/json_text.h"
#include "explore/text_table.h"
#include "formats/error.h"
#include "workloads/network_io.h"

namespace mpsim::cli {

namespace {

struct ShowOptions {
  std::string workload;
  WorkloadFlags shape;
  std::string format = "table";
  bool all_layers = false;
};

std::string input_shapes(const Network& net, const Layer& l) {
  std::vector<std::string> shapes;
  for (int in : l.inputs)
    shapes.push_back(shape_string(net.layer(in).output_shape));
  return join(shapes, " ");
}

void show(const ShowOptions& o, Io& io) {
  const Network net = load_workload(o.workload, o.shape.options());
  const auto mac_ids = net.mac_layers();
  std::vector<int> ids;
  for (std::size_t i = 0; i < net.size(); ++i)
    if (o.all_layers ? net.layer(static_cast<int>(i)).op != Op::kInput
                     : is_mac_op(net.layer(static_cast<int>(i)).op))
      ids.push_back(static_cast<int>(i));

  if (o.format == "json") {
    nlohmann::ordered_json j;
    j["name"] = net.name();
    j["layers"] = nlohmann::ordered_json::array();
    for (int id : ids) {
      const Layer& l = net.layer(id);
      nlohmann::ordered_json e;
      e["name"] = l.name;
      e["op"] = op_name(l);
      e["inputs"] = nlohmann::ordered_json::array();
      for (int in : l.inputs)
        e["inputs"].push_back(net.layer(in).name);
      e["input_shapes"] = nlohmann::ordered_json::array();
      for (int in : l.inputs)
        e["input_shapes"].push_back(net.layer(in).output_shape);
      e["output_shape"] = l.output_shape;
      e["macs"] = l.macs;
      e["weights"] = l.weight_count;
      if (is_mac_op(l.op))
        e["gemm"] = {{"groups", l.gemm.groups}, {"m", l.gemm.m}, {"n", l.gemm.n}, {"k", l.gemm.k}};
      j["layers"].push_back(std::move(e));
    }
    j["mac_layers"] = mac_ids.size();
    j["total_macs"] = net.total_macs();
    j["total_weights"] = net.total_weights();
    io.out << json_text(j) << '\n';
    return;
  }
  if (o.format == "csv") {
    io.out << csv_row(
        {"name", "op", "input_shapes", "output_shape", "groups", "m", "n", "k", "macs", "weights"});
    for (int id : ids) {
      const Layer& l = net.layer(id);
      io.out << csv_row({l.name, op_name(l), input_shapes(net, l), shape_string(l.output_shape),
                         std::to_string(l.gemm.groups), std::to_string(l.gemm.m),
                         std::to_string(l.gemm.n), std::to_string(l.gemm.k), std::to_string(l.macs),
                         std::to_string(l.weight_count)});
    }
    return;
  }
  TextTable t({"layer", "op", "input", "output", "MACs", "weights"});
  for (int id : ids) {
    const Layer& l = net.layer(id);
    t.add_row({l.name, op_name(l), input_shapes(net, l), shape_string(l.output_shape),
               with_commas(l.macs), with_commas(l.weight_count)});
  }
  t.add_rule();
  t.add_row({"total", std::to_string(mac_ids.size()) + " MAC layers", "", "",
             with_commas(net.total_macs()), with_commas(net.total_weights())});
  io.out << "network " << net.name() << '\n';
  t.print(io.out);
}

}  // namespace

void add_workload_command(CLI::App& app, Io& io) {
  auto* cmd = app.add_subcommand("workload", "Inspect networks: built-in, TOML, ONNX or SCALE-Sim");
  cmd->require_subcommand(1);

  auto opts = std::make_shared<ShowOptions>();
  auto* show_cmd = cmd->add_subcommand("show", "Per-layer shapes, MACs and weights, and totals");
  show_cmd
      ->add_option("workload", opts->workload,
                   "Built-in network name, or a .toml, .onnx or SCALE-Sim .csv file")
      ->required();
  add_workload_flags(*show_cmd, opts->shape);
  show_cmd->add_option("--format", opts->format, "Output format")
      ->check(CLI::IsMember({"table", "csv", "json"}));
  show_cmd->add_flag("--all", opts->all_layers, "List every layer, not only MAC-bearing ones");
  show_cmd->callback([opts, &io] { show(*opts, io); });

  auto* list_cmd = cmd->add_subcommand("list", "The built-in networks");
  list_cmd->callback([&io] {
    TextTable t({"network", "MAC layers", "MACs", "weights"});
    for (const auto& name : builtin_network_names()) {
      const Network net = load_workload(name);
      t.add_row({name, std::to_string(net.mac_layers().size()), with_commas(net.total_macs()),
                 with_commas(net.total_weights())});
    }
    t.print(io.out);
  });

  // The docs hold this table verbatim (tests/apps/test_cli_keys.cpp), so it is how they are
  // regenerated after a key changes.
  auto* keys_cmd = cmd->add_subcommand(
      "keys", "Every key of a network file as markdown tables (docs/workloads.md)");
  keys_cmd->callback([&io] { io.out << network_keys_markdown(); });
}

}  // namespace mpsim::cli
