#include "explore/cost_table.h"

#include <algorithm>

#include "formats/error.h"

namespace mpsim {

std::vector<std::pair<std::string, double>> energy_components(const EnergyBreakdown& e,
                                                              const HardwareModel& hw) {
  std::vector<std::pair<std::string, double>> out = {{"mac", e.mac_pj},
                                                     {"register_files", e.register_files_pj}};
  for (std::size_t b = 0; b < hw.buffers().size(); ++b)
    out.emplace_back(hw.buffers()[b].name, e.buffer_pj[b]);
  out.emplace_back("dram", e.dram_pj);
  out.emplace_back("leakage", e.leakage_pj);
  out.emplace_back("requantization", e.requantization_pj);
  return out;
}

CostTable build_cost_table(const Network& net, const HardwareModel& hw,
                           const std::vector<std::string>& formats, CostEngine engine) {
  std::vector<Format> wanted;
  for (const auto& f : formats)
    wanted.push_back(Format::parse(f));  // an unknown name lists the valid ones
  auto in_filter = [&](const Format& f) {
    return wanted.empty() || std::find(wanted.begin(), wanted.end(), f) != wanted.end();
  };
  std::vector<const FormatPair*> pairs;
  for (const auto& p : hw.pairs())
    if (in_filter(p.pair.weight) && in_filter(p.pair.activation)) pairs.push_back(&p.pair);
  if (pairs.empty())
    throw UserError("--formats " + join(formats, ",") + " leaves no pair; the array supports " +
                    hw.supported_pairs_text());

  CostTable table;
  table.area_mm2 = hw.area().total_mm2;
  for (const FormatPair* pair : pairs) {
    LayerPrecision p;
    p.weight = pair->weight;
    p.activation = pair->activation;
    NetworkCost cost = price_network(net, uniform_precision_map(net, p), hw, engine);
    for (std::size_t i = 0; i < cost.layers.size(); ++i) {
      CostTableRow row;
      row.layer = cost.layer_ids[i];
      row.pair = *pair;
      row.cost = std::move(cost.layers[i]);
      const Layer& l = net.layer(row.layer);
      row.weight_bytes = static_cast<double>(l.weight_count) * p.weight.storage_bits() / 8;
      const auto& t = row.cost.traffic;
      row.dram_bytes = (t[0].dram_bits + t[1].dram_bits + t[2].dram_bits) / 8;
      table.rows.push_back(std::move(row));
    }
  }
  return table;
}

}  // namespace mpsim
