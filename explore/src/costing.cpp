#include "explore/costing.h"

#include "formats/error.h"
#include "sim/simulator.h"
#include "workloads/quantizer_groups.h"

namespace mpsim {

int enforce_quantizer_groups(const Network& net, PrecisionMap& map, const std::string& map_name,
                             bool resolve) {
  const auto groups = quantizer_groups(net);
  if (resolve) return resolve_groups_to_wider(net, map, groups);
  if (auto conflicts = find_group_conflicts(net, map, groups); !conflicts.empty()) {
    std::string msg =
        map_name + " breaks " + std::to_string(conflicts.size()) + " quantizer group(s):";
    for (const auto& c : conflicts)
      msg += "\n  " + c.message;
    msg += "\n(--resolve-groups sets each group to its widest format)";
    throw UserError(msg);
  }
  return 0;
}

PrecisionMap default_precision_map(const Network& net, const HardwareModel& hw) {
  const FormatPair* best = nullptr;
  for (const auto& p : hw.pairs()) {
    const auto& f = p.pair;
    if (f.weight.is_float() || f.activation.is_float()) continue;
    if (!best ||
        f.weight.bits() + f.activation.bits() > best->weight.bits() + best->activation.bits())
      best = &f;
  }
  if (!best) best = &hw.pairs().front().pair;
  LayerPrecision p;
  p.weight = best->weight;
  p.activation = best->activation;
  return uniform_precision_map(net, p);
}

PrecisionMap map_for_costing(const Network& net, const HardwareModel& hw,
                             const std::string& map_path, bool resolve_groups) {
  if (map_path.empty()) return default_precision_map(net, hw);
  PrecisionMap map = resolve_precision_map(load_precision_map(map_path), net);
  enforce_quantizer_groups(net, map, map_path, resolve_groups);
  return map;
}

PrecisionMap map_for_costing(const Network& net, const HardwareModel& hw,
                             const std::string& map_path, const std::string& map_text,
                             bool resolve_groups) {
  if (map_text.empty()) return map_for_costing(net, hw, map_path, resolve_groups);
  PrecisionMap map = resolve_precision_map(parse_precision_map(map_text, "map"), net);
  enforce_quantizer_groups(net, map, "map", resolve_groups);
  return map;
}

CostEngine parse_cost_engine(const std::string& name) {
  if (name == "sim") return CostEngine::kSimulator;
  if (name == "closed-form") return CostEngine::kClosedForm;
  throw UserError("unknown cost engine '" + name + "'; expected sim or closed-form");
}

std::string cost_engine_name(CostEngine engine) {
  return engine == CostEngine::kSimulator ? "sim" : "closed-form";
}

NetworkCost price_network(const Network& net, const PrecisionMap& map, const HardwareModel& hw,
                          CostEngine engine) {
  return engine == CostEngine::kSimulator ? simulate_network(net, map, hw)
                                          : network_cost(net, map, hw);
}

}  // namespace mpsim
