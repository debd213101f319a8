#include "explore/design_point.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "costmodel/hardware.h"
#include "formats/error.h"

namespace mpsim {

std::string to_json(const DesignPoint& p) {
  nlohmann::ordered_json j;
  j["hardware"] = p.hardware;
  j["overrides"] = p.overrides;
  j["workload"] = p.workload;
  if (p.workload_options.batch) j["batch"] = *p.workload_options.batch;
  nlohmann::ordered_json shapes = nlohmann::ordered_json::array();
  for (const auto& s : p.workload_options.input_shapes)
    shapes.push_back({{"name", s.name}, {"shape", s.shape}});
  j["input_shapes"] = shapes;
  j["map"] = p.map;
  if (!p.map_text.empty()) j["map_text"] = p.map_text;  // absent: older points read the same
  j["resolve_groups"] = p.resolve_groups;
  j["engine"] = cost_engine_name(p.engine);
  try {
    return j.dump();
  } catch (const nlohmann::json::type_error&) {
    // Unlike a report (explore/json_text.h), a point must read back as itself: a path whose
    // bytes were replaced would name another file.
    throw UserError("a design point holds a path or name that is not UTF-8 text (" +
                    printable(p.workload) + ", " + printable(p.hardware) + ", " + printable(p.map) +
                    "); JSON cannot carry it");
  }
}

DesignPoint design_point_from_json(const std::string& text, const std::string& source) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    throw UserError(source + ": not a design point (invalid JSON: " + e.what() + ")");
  }
  if (!j.is_object()) throw UserError(source + ": a design point is a JSON object");
  auto field = [&](const char* key) -> const nlohmann::json& {
    if (!j.contains(key)) throw UserError(source + ": design point has no '" + key + "'");
    return j.at(key);
  };
  DesignPoint p;
  try {
    p.hardware = field("hardware").get<std::string>();
    p.overrides = field("overrides").get<std::vector<std::string>>();
    p.workload = field("workload").get<std::string>();
    if (j.contains("batch")) p.workload_options.batch = j.at("batch").get<std::int64_t>();
    for (const auto& s : field("input_shapes"))
      p.workload_options.input_shapes.push_back(
          {s.at("name").get<std::string>(), s.at("shape").get<Shape>()});
    p.map = field("map").get<std::string>();
    if (j.contains("map_text")) p.map_text = j.at("map_text").get<std::string>();
    p.resolve_groups = field("resolve_groups").get<bool>();
    p.engine = parse_cost_engine(field("engine").get<std::string>());
  } catch (const nlohmann::json::exception& e) {
    throw UserError(source + ": design point: " + e.what());
  }
  for (const auto& [key, value] : j.items()) {
    static const std::vector<std::string> known = {"hardware", "overrides",      "workload",
                                                   "batch",    "input_shapes",   "map",
                                                   "map_text", "resolve_groups", "engine"};
    if (std::find(known.begin(), known.end(), key) == known.end())
      throw UserError(source + ": design point: unknown key '" + key +
                      "'; expected one of: " + join(known));
  }
  return p;
}

PreparedPoint prepare_point(const Network& net, const DesignPoint& p) {
  PreparedPoint out{HardwareModel(load_hardware_by_name(p.hardware, p.overrides)), {}};
  out.map = map_for_costing(net, out.hw, p.map, p.map_text, p.resolve_groups);
  network_cost(net, out.map, out.hw);
  return out;
}

PointCost evaluate_point(const Network& net, const PreparedPoint& p, CostEngine engine) {
  const NetworkCost cost = price_network(net, p.map, p.hw, engine);
  PointCost c;
  c.area_mm2 = p.hw.area().total_mm2;
  c.energy_pj = cost.total.energy.total_pj();
  c.leakage_pj = cost.total.energy.leakage_pj;
  c.latency_s = cost.total.latency_s;
  c.cycles = cost.total.total_cycles;
  return c;
}

PointCost evaluate_point(const DesignPoint& p) {
  const Network net = load_workload(p.workload, p.workload_options);
  return evaluate_point(net, prepare_point(net, p), p.engine);
}

}  // namespace mpsim
