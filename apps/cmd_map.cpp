// mpsim map show|groups|keys: a precision map as matched against a network, its quantizer groups,
// and the keys a map may hold.
#include <nlohmann/json.hpp>
#include <ostream>

#include "apps/commands.h"
#include "apps/workload_flags.h"
#include "explore/cost_report.h"
#include "explore/json_text.h"
#include "explore/text_table.h"
#include "formats/error.h"
#include "workloads/network_io.h"
#include "workloads/precision_map.h"
#include "workloads/quantizer_groups.h"

namespace mpsim::cli {

namespace {

struct MapOptions {
  std::string workload;
  WorkloadFlags shape;
  std::string map;
  bool resolve = false;
  std::string format = "table";
};

// The map a command works with: the file if given, else int8 everywhere.
PrecisionMap load_map(const MapOptions& o, const Network& net) {
  if (o.map.empty()) return uniform_precision_map(net, LayerPrecision{});
  return resolve_precision_map(load_precision_map(o.map), net);
}

void show(const MapOptions& o, Io& io) {
  const Network net = load_workload(o.workload, o.shape.options());
  PrecisionMap map = load_map(o, net);
  const auto groups = quantizer_groups(net);
  std::vector<int> group_of(net.size(), -1);
  for (const auto& g : groups)
    for (const auto& m : g.members)
      if (m.operand == 0) group_of[static_cast<std::size_t>(m.layer)] = g.id;

  const int changed =
      enforce_quantizer_groups(net, map, o.map.empty() ? "the map" : o.map, o.resolve);

  const auto fmt = [](const std::optional<Format>& f) { return f ? f->name() : std::string(); };
  if (o.format == "json") {
    nlohmann::ordered_json j;
    j["network"] = net.name();
    j["layers"] = nlohmann::ordered_json::array();
    for (int id : net.mac_layers()) {
      const auto& p = map.at(id);
      j["layers"].push_back(
          {{"name", net.layer(id).name},
           {"weight_format", p.weight.name()},
           {"activation_format", p.activation.name()},
           {"accumulator_format", fmt(p.accumulator)},
           {"granularity", granularity_name(p.granularity, p.cluster_size, p.cluster_unit)},
           {"group", group_of[static_cast<std::size_t>(id)]}});
    }
    j["groups_resolved"] = changed;
    io.out << json_text(j) << '\n';
    return;
  }
  std::vector<std::string> header = {"layer",       "weight",      "activation",
                                     "accumulator", "granularity", "group"};
  std::vector<std::vector<std::string>> rows;
  for (int id : net.mac_layers()) {
    const auto& p = map.at(id);
    const int g = group_of[static_cast<std::size_t>(id)];
    rows.push_back({net.layer(id).name, p.weight.name(), p.activation.name(), fmt(p.accumulator),
                    granularity_name(p.granularity, p.cluster_size, p.cluster_unit),
                    g < 0 ? "" : std::to_string(g)});
  }
  if (o.format == "csv") {
    io.out << csv_row(header);
    for (const auto& r : rows)
      io.out << csv_row(r);
    return;
  }
  TextTable t(header);
  for (auto& r : rows)
    t.add_row(std::move(r));
  t.print(io.out);
  if (o.resolve) io.out << changed << " operand format(s) widened to resolve quantizer groups\n";
}

void list_groups(const MapOptions& o, Io& io) {
  const Network net = load_workload(o.workload, o.shape.options());
  const auto groups = quantizer_groups(net);
  auto member_text = [&](const GroupMember& m) {
    const Layer& l = net.layer(m.layer);
    return l.op == Op::kMatMul ? l.name + (m.operand ? "[B]" : "[A]") : l.name;
  };
  if (o.format == "json") {
    nlohmann::ordered_json j = nlohmann::ordered_json::array();
    for (const auto& g : groups) {
      nlohmann::ordered_json e;
      e["id"] = g.id;
      e["members"] = nlohmann::ordered_json::array();
      for (const auto& m : g.members)
        e["members"].push_back(member_text(m));
      e["joined_by"] = nlohmann::ordered_json::array();
      for (int id : g.joins)
        e["joined_by"].push_back(net.layer(id).name);
      j.push_back(std::move(e));
    }
    io.out << json_text(j) << '\n';
    return;
  }
  TextTable t({"group", "members", "joined by"});
  for (const auto& g : groups) {
    std::vector<std::string> members, joins;
    for (const auto& m : g.members)
      members.push_back(member_text(m));
    for (int id : g.joins)
      joins.push_back(net.layer(id).name);
    t.add_row({std::to_string(g.id), join(members), join(joins)});
  }
  io.out << groups.size() << " quantizer groups with more than one member in " << net.name()
         << '\n';
  t.print(io.out);
}

}  // namespace

void add_map_command(CLI::App& app, Io& io) {
  auto* cmd = app.add_subcommand("map", "Precision maps and quantizer groups");
  cmd->require_subcommand(1);

  auto opts = std::make_shared<MapOptions>();
  auto* show_cmd = cmd->add_subcommand("show", "A precision map as matched against a network");
  show_cmd
      ->add_option("--workload,-w", opts->workload, "Built-in network, or .toml/.onnx/.csv file")
      ->required();
  add_workload_flags(*show_cmd, opts->shape);
  show_cmd->add_option("--map,-m", opts->map, "Precision map (TOML); default int8 everywhere");
  show_cmd->add_flag("--resolve-groups", opts->resolve,
                     "Set every quantizer group that mixes formats to its widest format");
  show_cmd->add_option("--format", opts->format, "Output format")
      ->check(CLI::IsMember({"table", "csv", "json"}));
  show_cmd->callback([opts, &io] { show(*opts, io); });

  auto gopts = std::make_shared<MapOptions>();
  auto* groups_cmd = cmd->add_subcommand("groups", "Tensors that must share one activation format");
  groups_cmd->add_option("--workload,-w", gopts->workload, "Built-in network, or a file")
      ->required();
  add_workload_flags(*groups_cmd, gopts->shape);
  groups_cmd->add_option("--format", gopts->format, "Output format")
      ->check(CLI::IsMember({"table", "json"}));
  groups_cmd->callback([gopts, &io] { list_groups(*gopts, io); });

  // The docs hold this table verbatim (tests/apps/test_cli_keys.cpp), so it is how they are
  // regenerated after a key changes.
  auto* keys_cmd = cmd->add_subcommand(
      "keys", "Every key of a precision map as a markdown table (docs/precision-maps.md)");
  keys_cmd->callback([&io] { io.out << precision_map_keys_markdown(); });
}

}  // namespace mpsim::cli
