#include "explore/cost_report.h"

#include <cstdio>
#include <nlohmann/json.hpp>
#include <sstream>

#include "explore/cost_table.h"
#include "explore/json_text.h"
#include "explore/src/cost_json.h"
#include "explore/text_table.h"
#include "formats/error.h"

namespace mpsim {

namespace {

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

// Ten significant digits: the cost table is read by programs, which want more than a person.
std::string num10(double v) {
  std::ostringstream s;
  s.precision(10);
  s << v;
  return s.str();
}

}  // namespace

std::string dram_estimate_note(const HardwareModel& hw) {
  if (!hw.dram().energy_estimated) return "";
  return "note: DRAM energy " + num(hw.dram().energy_pj_per_bit) + " pJ/bit for " +
         dram_kind_name(hw.spec().dram.kind) +
         " is our estimate, not a cited figure (docs/costmodel.md, \"DRAM\")\n";
}

nlohmann::ordered_json cost_json(const LayerCost& c, const HardwareModel& hw) {
  nlohmann::ordered_json j;
  j["cycles"] = c.total_cycles;
  j["compute_cycles"] = c.compute_cycles;
  j["fill_drain_cycles"] = c.fill_drain_cycles;
  j["stall_cycles"] = c.stall_cycles;
  j["latency_s"] = c.latency_s;
  nlohmann::ordered_json e;
  e["total"] = c.energy.total_pj();
  e["dynamic"] = c.energy.dynamic_pj();
  for (const auto& [name, v] : energy_components(c.energy, hw))
    e[name] = v;
  j["energy_pj"] = e;
  j["utilization"] = c.utilization;
  j["macs"] = c.macs;
  j["bops"] = c.bops;
  nlohmann::ordered_json t;
  for (int o = 0; o < 3; ++o) {
    const auto& tr = c.traffic[static_cast<std::size_t>(o)];
    t[operand_name(static_cast<Operand>(o))] = {{"dram_bytes", tr.dram_bits / 8},
                                                {"buffer_read_bytes", tr.buffer_read_bits / 8},
                                                {"buffer_write_bytes", tr.buffer_write_bits / 8},
                                                {"register_file_accesses", tr.rf_accesses()}};
  }
  j["traffic"] = t;
  j["requantizations"] = c.requantizations;
  j["multiplications_replaced"] = c.multiplications_replaced;
  return j;
}

std::string render_cost_report(const Network& net, const PrecisionMap& map, const HardwareModel& hw,
                               const NetworkCost& cost, const std::string& format) {
  std::ostringstream out;
  if (format == "json") {
    nlohmann::ordered_json j;
    j["network"] = net.name();
    j["hardware"] = hw.spec().name;
    j["layers"] = nlohmann::ordered_json::array();
    for (std::size_t i = 0; i < cost.layers.size(); ++i) {
      const int id = cost.layer_ids[i];
      const auto& c = cost.layers[i];
      nlohmann::ordered_json l;
      l["name"] = net.layer(id).name;
      l["op"] = op_name(net.layer(id));
      l["weight_format"] = map.at(id).weight.name();
      l["activation_format"] = map.at(id).activation.name();
      const auto& ran = hw.pairs()[static_cast<std::size_t>(c.pair_index)].pair;
      l["ran_on"] = ran.weight.name() + " x " + ran.activation.name();
      l.update(cost_json(c, hw));
      j["layers"].push_back(std::move(l));
    }
    j["total"] = cost_json(cost.total, hw);
    j["area_mm2"] = cost.area_mm2;
    j["dram_energy_estimated"] = hw.dram().energy_estimated;
    out << json_text(j) << '\n';
    return out.str();
  }

  std::vector<std::string> header = {"layer",     "weight_format",    "activation_format",
                                     "cycles",    "latency_s",        "utilization",
                                     "energy_pj", "dynamic_energy_pj"};
  for (const auto& [name, v] : energy_components(cost.total.energy, hw))
    header.push_back(name + "_pj");
  header.insert(header.end(), {"dram_bytes", "macs"});
  auto row = [&](const std::string& name, const std::string& w, const std::string& a,
                 const LayerCost& c) {
    std::vector<std::string> r = {name,
                                  w,
                                  a,
                                  std::to_string(c.total_cycles),
                                  num(c.latency_s),
                                  num(c.utilization),
                                  num(c.energy.total_pj()),
                                  num(c.energy.dynamic_pj())};
    for (const auto& [n, v] : energy_components(c.energy, hw))
      r.push_back(num(v));
    r.push_back(
        num((c.traffic[0].dram_bits + c.traffic[1].dram_bits + c.traffic[2].dram_bits) / 8));
    r.push_back(std::to_string(c.macs));
    return r;
  };
  if (format == "csv") {
    out << csv_row(header);
    for (std::size_t i = 0; i < cost.layers.size(); ++i) {
      const int id = cost.layer_ids[i];
      out << csv_row(row(net.layer(id).name, map.at(id).weight.name(), map.at(id).activation.name(),
                         cost.layers[i]));
    }
    return out.str();
  }
  TextTable t({"layer", "weight", "activation", "cycles", "latency (us)", "util", "energy (uJ)",
               "MAC", "RF", "buffers", "DRAM", "leak"});
  auto short_row = [&](const std::string& name, const std::string& w, const std::string& a,
                       const LayerCost& c) {
    double buffers = 0;
    for (double b : c.energy.buffer_pj)
      buffers += b;
    const double total = c.energy.total_pj();
    auto pct = [&](double v) {
      return total > 0 ? num(100.0 * v / total).substr(0, 4) + "%" : "-";
    };
    char util[16];
    std::snprintf(util, sizeof util, "%.2f", c.utilization);
    char lat[32], en[32];
    std::snprintf(lat, sizeof lat, "%.2f", c.latency_s * 1e6);
    std::snprintf(en, sizeof en, "%.3f", total * 1e-6);
    return std::vector<std::string>{name,
                                    w,
                                    a,
                                    with_commas(c.total_cycles),
                                    lat,
                                    util,
                                    en,
                                    pct(c.energy.mac_pj),
                                    pct(c.energy.register_files_pj),
                                    pct(buffers),
                                    pct(c.energy.dram_pj),
                                    pct(c.energy.leakage_pj)};
  };
  for (std::size_t i = 0; i < cost.layers.size(); ++i) {
    const int id = cost.layer_ids[i];
    t.add_row(short_row(net.layer(id).name, map.at(id).weight.name(), map.at(id).activation.name(),
                        cost.layers[i]));
  }
  t.add_rule();
  t.add_row(short_row("total", "", "", cost.total));
  out << "network " << net.name() << " on " << hw.spec().name << " (" << hw.spec().array.rows << "x"
      << hw.spec().array.cols << " " << dataflow_name(hw.spec().array.dataflow) << ", "
      << hw.spec().technology.node_nm << " nm " << device_name(hw.spec().technology.device) << " "
      << num(hw.spec().technology.temperature_k) << " K), area " << num(cost.area_mm2)
      << " mm^2; energy " << num(cost.total.energy.total_pj() * 1e-6) << " uJ = dynamic "
      << num(cost.total.energy.dynamic_pj() * 1e-6) << " + leakage "
      << num(cost.total.energy.leakage_pj * 1e-6) << " uJ\n";
  out << dram_estimate_note(hw);
  t.print(out);
  return out.str();
}

std::string render_cost_table(const Network& net, const HardwareModel& hw, const CostTable& table,
                              const std::string& format) {
  std::string text;
  if (format == "json") {
    nlohmann::ordered_json rows = nlohmann::ordered_json::array();
    for (const auto& row : table.rows) {
      const Layer& l = net.layer(row.layer);
      const LayerCost& c = row.cost;
      nlohmann::ordered_json r;
      r["layer"] = l.name;
      r["op"] = op_name(l);
      r["weight_format"] = row.pair.weight.name();
      r["activation_format"] = row.pair.activation.name();
      r.update(cost_json(c, hw));
      r["weight_bytes"] = row.weight_bytes;
      r["dram_bytes"] = row.dram_bytes;
      rows.push_back(std::move(r));
    }
    nlohmann::ordered_json j;
    j["network"] = net.name();
    j["hardware"] = hw.spec().name;
    j["area_mm2"] = table.area_mm2;
    j["dram_energy_estimated"] = hw.dram().energy_estimated;
    j["rows"] = std::move(rows);
    text = json_text(j) + "\n";
  } else {
    std::ostringstream csv;
    std::vector<std::string> header = {"layer",  "op",        "weight_format", "activation_format",
                                       "cycles", "latency_s", "utilization",   "energy_pj"};
    for (const auto& [name, v] : energy_components(EnergyBreakdown{}, hw))
      header.push_back(name + "_pj");
    header.insert(header.end(), {"macs", "bops", "weight_bytes", "dram_bytes", "area_mm2"});
    csv << csv_row(header);
    for (const auto& row : table.rows) {
      const Layer& l = net.layer(row.layer);
      const LayerCost& c = row.cost;
      std::vector<std::string> r = {l.name,
                                    op_name(l),
                                    row.pair.weight.name(),
                                    row.pair.activation.name(),
                                    std::to_string(c.total_cycles),
                                    num10(c.latency_s),
                                    num10(c.utilization),
                                    num10(c.energy.total_pj())};
      for (const auto& [name, v] : energy_components(c.energy, hw))
        r.push_back(num10(v));
      r.insert(r.end(), {std::to_string(c.macs), std::to_string(c.bops), num10(row.weight_bytes),
                         num10(row.dram_bytes), num10(table.area_mm2)});
      csv << csv_row(r);
    }
    text = csv.str();
  }
  return text;
}

std::vector<std::string> cost_figure_names(const HardwareModel& hw) {
  std::vector<std::string> n = {"cycles",       "compute_cycles",   "fill_drain_cycles",
                                "stall_cycles", "latency_s",        "utilization",
                                "energy_pj",    "dynamic_energy_pj"};
  for (const auto& [name, v] : energy_components(EnergyBreakdown{}, hw))
    n.push_back(name + "_pj");
  n.insert(n.end(), {"macs", "bops"});
  for (int o = 0; o < 3; ++o) {
    const std::string op = operand_name(static_cast<Operand>(o));
    n.insert(n.end(), {op + "_dram_bytes", op + "_buffer_read_bytes", op + "_buffer_write_bytes"});
  }
  n.insert(n.end(), {"dram_bytes", "requantizations"});
  return n;
}

std::vector<double> cost_figure_values(const LayerCost& c, const HardwareModel& hw) {
  std::vector<double> v = {static_cast<double>(c.total_cycles),
                           static_cast<double>(c.compute_cycles),
                           static_cast<double>(c.fill_drain_cycles),
                           static_cast<double>(c.stall_cycles),
                           c.latency_s,
                           c.utilization,
                           c.energy.total_pj(),
                           c.energy.dynamic_pj()};
  for (const auto& [name, e] : energy_components(c.energy, hw))
    v.push_back(e);
  v.insert(v.end(), {static_cast<double>(c.macs), static_cast<double>(c.bops)});
  double dram_bits = 0;
  for (const auto& tr : c.traffic) {
    v.insert(v.end(), {tr.dram_bits / 8, tr.buffer_read_bits / 8, tr.buffer_write_bits / 8});
    dram_bits += tr.dram_bits;
  }
  v.insert(v.end(), {dram_bits / 8, static_cast<double>(c.requantizations)});
  return v;
}

}  // namespace mpsim
