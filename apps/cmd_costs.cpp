// mpsim costs: the cost table a precision search reads: every MAC layer times every (weight,
// activation) pair the array supports, produced by the simulator.
#include <nlohmann/json.hpp>
#include <sstream>

#include "apps/commands.h"
#include "apps/output.h"
#include "apps/workload_flags.h"
#include "costmodel/hardware.h"
#include "formats/error.h"
#include "sim/simulator.h"
#include "workloads/network_io.h"

namespace mpsim::cli {

namespace {

struct CostsOptions {
  std::string hw;
  std::vector<std::string> sets;
  std::string workload;
  WorkloadFlags shape;
  std::vector<std::string> formats;
  std::string format = "csv";
  std::string out;
};

std::string num(double v) {
  std::ostringstream s;
  s.precision(10);
  s << v;
  return s.str();
}

void costs(const CostsOptions& o, Io& io) {
  const HardwareModel hw(load_hardware_by_name(o.hw, o.sets));
  const Network net = load_workload(o.workload, o.shape.options());
  for (const auto& f : o.formats)
    Format::parse(f);  // an unknown name lists the valid ones

  auto wanted = [&](const Format& f) {
    if (o.formats.empty()) return true;
    for (const auto& name : o.formats)
      if (Format::parse(name) == f) return true;
    return false;
  };
  std::vector<const FormatPair*> pairs;
  for (const auto& p : hw.pairs())
    if (wanted(p.pair.weight) && wanted(p.pair.activation)) pairs.push_back(&p.pair);
  if (pairs.empty())
    throw UserError("--formats " + join(o.formats, ",") + " leaves no pair; the array supports " +
                    hw.supported_pairs_text());

  std::vector<std::string> components = {"mac", "register_files"};
  for (const auto& b : hw.buffers())
    components.push_back(b.name);
  components.insert(components.end(), {"dram", "leakage", "requantization"});

  nlohmann::ordered_json rows = nlohmann::ordered_json::array();
  std::ostringstream csv;
  std::vector<std::string> header = {"layer",  "op",        "weight_format", "activation_format",
                                     "cycles", "latency_s", "utilization",   "energy_pj"};
  for (const auto& c : components)
    header.push_back(c + "_pj");
  header.insert(header.end(), {"macs", "bops", "weight_bytes", "dram_bytes", "area_mm2"});
  csv << csv_row(header);

  for (const FormatPair* pair : pairs) {
    LayerPrecision p;
    p.weight = pair->weight;
    p.activation = pair->activation;
    const NetworkCost cost = simulate_network(net, uniform_precision_map(net, p), hw);
    for (std::size_t i = 0; i < cost.layers.size(); ++i) {
      const Layer& l = net.layer(cost.layer_ids[i]);
      const LayerCost& c = cost.layers[i];
      std::vector<double> e = {c.energy.mac_pj, c.energy.register_files_pj};
      for (std::size_t b = 0; b < hw.buffers().size(); ++b)
        e.push_back(c.energy.buffer_pj[b]);
      e.insert(e.end(), {c.energy.dram_pj, c.energy.leakage_pj, c.energy.requantization_pj});
      const double weight_bytes = static_cast<double>(l.weight_count) * p.weight.storage_bits() / 8;
      const double dram_bytes =
          (c.traffic[0].dram_bits + c.traffic[1].dram_bits + c.traffic[2].dram_bits) / 8;
      if (o.format == "json") {
        nlohmann::ordered_json r;
        r["layer"] = l.name;
        r["op"] = op_name(l.op, l.subop);
        r["weight_format"] = p.weight.name();
        r["activation_format"] = p.activation.name();
        r["cycles"] = c.total_cycles;
        r["latency_s"] = c.latency_s;
        r["utilization"] = c.utilization;
        nlohmann::ordered_json en;
        en["total"] = c.energy.total_pj();
        for (std::size_t k = 0; k < components.size(); ++k)
          en[components[k]] = e[k];
        r["energy_pj"] = en;
        r["macs"] = c.macs;
        r["bops"] = c.bops;
        r["weight_bytes"] = weight_bytes;
        r["dram_bytes"] = dram_bytes;
        rows.push_back(std::move(r));
      } else {
        std::vector<std::string> row = {l.name,
                                        op_name(l.op, l.subop),
                                        p.weight.name(),
                                        p.activation.name(),
                                        std::to_string(c.total_cycles),
                                        num(c.latency_s),
                                        num(c.utilization),
                                        num(c.energy.total_pj())};
        for (double v : e)
          row.push_back(num(v));
        row.insert(row.end(), {std::to_string(c.macs), std::to_string(c.bops), num(weight_bytes),
                               num(dram_bytes), num(cost.area_mm2)});
        csv << csv_row(row);
      }
    }
  }
  std::string text;
  if (o.format == "json") {
    nlohmann::ordered_json j;
    j["network"] = net.name();
    j["hardware"] = hw.spec().name;
    j["area_mm2"] = hw.area().total_mm2;
    j["rows"] = std::move(rows);
    text = j.dump(2) + "\n";
  } else {
    text = csv.str();
  }
  if (o.out.empty()) {
    io.out << text;
  } else {
    write_file_atomically(o.out, text);
  }
}

}  // namespace

void add_costs_command(CLI::App& app, Io& io) {
  auto opts = std::make_shared<CostsOptions>();
  auto* cmd = app.add_subcommand(
      "costs", "Cost table: every MAC layer x every supported format pair, by the simulator");
  cmd->add_option("--hw", opts->hw, "Bundled hardware config name, or a .toml / SCALE-Sim .cfg")
      ->required();
  cmd->add_option("--set", opts->sets, "Override a config key (repeatable)");
  cmd->add_option("--workload,-w", opts->workload, "Built-in network, or .toml/.onnx/.csv file")
      ->required();
  add_workload_flags(*cmd, opts->shape);
  cmd->add_option("--formats", opts->formats,
                  "Only pairs whose weight and activation formats are in this list")
      ->delimiter(',');
  cmd->add_option("--format", opts->format, "Output format")->check(CLI::IsMember({"csv", "json"}));
  cmd->add_option("--out,-o", opts->out, "Write to this file (whole or not at all)");
  cmd->callback([opts, &io] { costs(*opts, io); });
}

}  // namespace mpsim::cli
