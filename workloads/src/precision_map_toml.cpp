// Reads a precision map file into a PrecisionMapSpec, checking it against its schema
// (precision_map_schema.cpp) and reporting every problem of the file at once, each with its
// place and key; matching against a network comes later (resolve_precision_map).
#include <toml++/toml.h>

#include "formats/error.h"
#include "workloads/precision_map.h"
#include "workloads/config_reader.h"
#include "workloads/src/precision_map_schema.h"
#include "workloads/src/toml_util.h"

namespace mpsim {

namespace {

Granularity parse_granularity(const std::string& name) {
  if (name == "per_tensor") return Granularity::kPerTensor;
  if (name == "per_channel") return Granularity::kPerChannel;
  return Granularity::kCluster;
}

// The schema has checked the name; "optimal" is the older name of mse.
WeightScale parse_weight_scale(const std::string& name) {
  if (name == "max") return WeightScale::kMax;
  if (name == "mse" || name == "optimal") return WeightScale::kMse;
  if (name == "twn") return WeightScale::kTwn;
  return WeightScale::kAuto;
}

PrecisionMapSpec::Entry read_entry(const config::Table& t) {
  PrecisionMapSpec::Entry e;
  e.line = static_cast<int>(t.node()->source().begin.line);
  if (t.schema().find("layers"))
    if (auto v = t.strings("layers")) {
      if (v->empty()) t.error("layers", "the list is empty");
      e.patterns = *v;
    }
  e.weight = t.format("weight");
  e.activation = t.format("activation");
  e.accumulator = t.format("accumulator");
  if (auto v = t.string("granularity")) e.granularity = parse_granularity(*v);
  if (auto v = t.integer("cluster_size")) e.cluster_size = static_cast<int>(*v);
  if (auto v = t.string("cluster_of"))
    e.cluster_unit = *v == "weights" ? ClusterUnit::kWeights : ClusterUnit::kFilters;
  if (auto v = t.string("weight_scale")) e.weight_scale = parse_weight_scale(*v);
  if (e.granularity == Granularity::kCluster && !t.has("cluster_size"))
    t.error("granularity", "\"cluster\" needs cluster_size (filters or weights per cluster)");
  if (t.has("cluster_size") && e.granularity && e.granularity != Granularity::kCluster)
    t.error("cluster_size", "is given but granularity is not \"cluster\"");
  return e;
}

}  // namespace

PrecisionMapSpec parse_precision_map(std::string_view text, const std::string& source) {
  const toml::table root = parse_toml(text, source);
  config::Reader r(source);
  const config::Table top(r, &root, precision_map_schema(), "");
  top.check();
  PrecisionMapSpec spec;
  spec.source = source;
  if (auto v = top.string("network")) {
    spec.network = *v;
    spec.network_line = static_cast<int>(top.get("network")->source().begin.line);
  }
  top.string("description");  // free text, checked to be text
  if (const auto d = top.table("default"); d.present()) spec.defaults = read_entry(d);
  for (const auto& t : top.entries("override"))
    spec.overrides.push_back(read_entry(t));
  r.finish();
  return spec;
}

PrecisionMapSpec load_precision_map(const std::string& path) {
  return parse_precision_map(read_text_file(path, "precision map"), path);
}

}  // namespace mpsim
