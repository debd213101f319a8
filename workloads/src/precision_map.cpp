#include "workloads/precision_map.h"

#include <toml++/toml.h>
#include <fstream>
#include <set>
#include <sstream>

#include "formats/error.h"
#include "workloads/src/toml_util.h"

namespace mpsim {

std::string granularity_name(Granularity g, int cluster_size, ClusterUnit unit) {
  switch (g) {
    case Granularity::kPerTensor:
      return "per_tensor";
    case Granularity::kPerChannel:
      return "per_channel";
    case Granularity::kCluster:
      return "cluster:" + std::to_string(cluster_size) +
             (unit == ClusterUnit::kWeights ? " weights" : "");
  }
  return "?";
}

std::string weight_scale_name(WeightScale w) {
  switch (w) {
    case WeightScale::kAuto:
      return "auto";
    case WeightScale::kMax:
      return "max";
    case WeightScale::kMse:
      return "mse";
    case WeightScale::kTwn:
      return "twn";
  }
  return "?";
}

std::int64_t LayerPrecision::cluster_elements(const Layer& layer) const {
  if (granularity != Granularity::kCluster || cluster_size < 1) return 0;
  if (cluster_unit == ClusterUnit::kWeights) return cluster_size;
  const std::int64_t window =
      layer.op == Op::kConv2d ? layer.conv.kernel_h * layer.conv.kernel_w : 1;
  return cluster_size * window;
}

bool glob_match(std::string_view p, std::string_view s) {
  // Iterative matcher with one backtrack point for '*': linear in practice.
  std::size_t pi = 0, si = 0, star = std::string_view::npos, mark = 0;
  auto class_match = [&](std::size_t& i, char c) {
    // p[i] == '['; returns whether c is in the set and leaves i after ']'.
    std::size_t j = i + 1;
    const bool negate = j < p.size() && (p[j] == '!' || p[j] == '^');
    if (negate) ++j;
    bool hit = false, first = true;
    for (; j < p.size() && (first || p[j] != ']'); ++j, first = false) {
      if (j + 2 < p.size() && p[j + 1] == '-' && p[j + 2] != ']') {
        hit |= p[j] <= c && c <= p[j + 2];
        j += 2;
      } else {
        hit |= p[j] == c;
      }
    }
    i = j + 1;
    return hit != negate;
  };
  while (si < s.size()) {
    if (pi < p.size() && p[pi] == '*') {
      star = pi++;
      mark = si;
    } else if (pi < p.size() && p[pi] == '?') {
      ++pi;
      ++si;
    } else if (pi < p.size() && p[pi] == '[' && p.find(']', pi + 2) != std::string_view::npos) {
      std::size_t next = pi;
      if (class_match(next, s[si])) {
        pi = next;
        ++si;
      } else if (star != std::string_view::npos) {
        pi = star + 1;
        si = ++mark;
      } else {
        return false;
      }
    } else if (pi < p.size() && p[pi] == s[si]) {
      ++pi;
      ++si;
    } else if (star != std::string_view::npos) {
      pi = star + 1;
      si = ++mark;
    } else {
      return false;
    }
  }
  while (pi < p.size() && p[pi] == '*')
    ++pi;
  return pi == p.size();
}

namespace {

bool has_glob(std::string_view p) {
  return p.find_first_of("*?[") != std::string_view::npos;
}

class MapReader {
 public:
  explicit MapReader(std::string source) : source_(std::move(source)) {}

  [[noreturn]] void fail(const toml::source_region& r, const std::string& msg) const {
    throw UserError(
        located(source_, static_cast<int>(r.begin.line), static_cast<int>(r.begin.column), msg));
  }

  std::string string(const toml::node& n, const std::string& key) const {
    if (auto v = n.value_exact<std::string>()) return *v;
    fail(n.source(), "key '" + key + "': expected a string");
  }

  Format format(const toml::node& n, const std::string& key) const {
    const auto name = string(n, key);
    if (auto f = Format::try_parse(name)) return *f;
    auto hint = closest_names(name, format_names());
    fail(n.source(), "key '" + key + "': unknown format " + quote(name) +
                         (hint.empty() ? "" : " (did you mean " + join(hint, " or ") + "?)") +
                         "; valid formats: " + join(format_names()));
  }

  PrecisionMapSpec::Entry entry(const toml::table& t, bool is_default) const {
    PrecisionMapSpec::Entry e;
    e.line = static_cast<int>(t.source().begin.line);
    static const std::set<std::string> keys = {"layers",      "weight",      "activation",
                                               "accumulator", "granularity", "cluster_size",
                                               "cluster_of",  "weight_scale"};
    const char* table = is_default ? "[default]" : "[[override]]";
    for (const auto& [k, v] : t) {
      const std::string key(k.str());
      if (!keys.count(key) || (is_default && key == "layers"))
        fail(v.source(),
             std::string(table) + ": unknown key " + quote(key) + "; expected " +
                 (is_default ? "" : "layers, ") +
                 "weight, activation, accumulator, granularity, cluster_size, cluster_of, "
                 "weight_scale");
      if (key == "layers") {
        if (v.is_string()) {
          e.patterns.push_back(string(v, key));
        } else if (const auto* arr = v.as_array()) {
          for (const auto& p : *arr)
            e.patterns.push_back(string(p, key));
        } else {
          fail(v.source(), "key 'layers': expected a name or pattern, or an array of them");
        }
        if (e.patterns.empty()) fail(v.source(), "key 'layers': the list is empty");
      } else if (key == "weight") {
        e.weight = format(v, key);
      } else if (key == "activation") {
        e.activation = format(v, key);
      } else if (key == "accumulator") {
        e.accumulator = format(v, key);
      } else if (key == "granularity") {
        const auto g = string(v, key);
        if (g == "per_tensor") {
          e.granularity = Granularity::kPerTensor;
        } else if (g == "per_channel") {
          e.granularity = Granularity::kPerChannel;
        } else if (g == "cluster") {
          e.granularity = Granularity::kCluster;
        } else {
          fail(v.source(),
               "key 'granularity': expected per_tensor, per_channel or cluster, found " + quote(g));
        }
      } else if (key == "cluster_size") {
        const auto n = v.value_exact<std::int64_t>();
        if (!n || *n < 1 || *n > (1 << 20))
          fail(v.source(), "key 'cluster_size': expected a positive integer (filters per cluster)");
        e.cluster_size = static_cast<int>(*n);
      } else if (key == "cluster_of") {
        const auto u = string(v, key);
        if (u == "filters") {
          e.cluster_unit = ClusterUnit::kFilters;
        } else if (u == "weights") {
          e.cluster_unit = ClusterUnit::kWeights;
        } else {
          fail(v.source(), "key 'cluster_of': expected filters or weights, found " + quote(u));
        }
      } else if (key == "weight_scale") {
        const auto w = string(v, key);
        if (w == "auto") {
          e.weight_scale = WeightScale::kAuto;
        } else if (w == "max") {
          e.weight_scale = WeightScale::kMax;
        } else if (w == "mse" || w == "optimal") {
          e.weight_scale = WeightScale::kMse;
        } else if (w == "twn") {
          e.weight_scale = WeightScale::kTwn;
        } else {
          fail(v.source(),
               "key 'weight_scale': expected auto, max, mse (alias optimal) or twn, found " +
                   quote(w));
        }
      }
    }
    if (!is_default && e.patterns.empty())
      fail(t.source(), "[[override]] needs 'layers' (a name, a glob pattern, or a list of them)");
    if (e.granularity == Granularity::kCluster && !e.cluster_size)
      fail(t.source(), std::string(table) + ": granularity = \"cluster\" needs cluster_size");
    if (e.cluster_size && e.granularity && e.granularity != Granularity::kCluster)
      fail(t.source(),
           std::string(table) + ": cluster_size is given but granularity is not \"cluster\"");
    return e;
  }

 private:
  std::string source_;
};

void apply(const PrecisionMapSpec::Entry& e, LayerPrecision& p, bool& has_w, bool& has_a) {
  if (e.weight) p.weight = *e.weight, has_w = true;
  if (e.activation) p.activation = *e.activation, has_a = true;
  if (e.accumulator) p.accumulator = *e.accumulator;
  if (e.granularity) p.granularity = *e.granularity;
  if (e.cluster_size) {
    p.cluster_size = *e.cluster_size;
    if (!e.granularity) p.granularity = Granularity::kCluster;
  }
  if (e.cluster_unit) p.cluster_unit = *e.cluster_unit;
  if (e.weight_scale) p.weight_scale = *e.weight_scale;
}

}  // namespace

PrecisionMapSpec parse_precision_map(std::string_view text, const std::string& source) {
  const toml::table root = parse_toml(text, source);
  const MapReader r(source);
  PrecisionMapSpec spec;
  spec.source = source;
  for (const auto& [k, v] : root) {
    const std::string key(k.str());
    if (key == "network") {
      spec.network = r.string(v, key);
      spec.network_line = static_cast<int>(v.source().begin.line);
    } else if (key == "description") {
      r.string(v, key);
    } else if (key == "default") {
      if (!v.is_table()) r.fail(v.source(), "'default' must be a table ([default])");
      spec.defaults = r.entry(*v.as_table(), true);
    } else if (key == "override") {
      if (!v.is_array_of_tables())
        r.fail(v.source(), "'override' must be an array of tables ([[override]])");
      for (const auto& t : *v.as_array())
        spec.overrides.push_back(r.entry(*t.as_table(), false));
    } else {
      r.fail(v.source(), "unknown key " + quote(key) +
                             "; expected network, description, [default] or [[override]]");
    }
  }
  return spec;
}

PrecisionMapSpec load_precision_map(const std::string& path) {
  return parse_precision_map(read_text_file(path, "precision map"), path);
}

bool PrecisionMap::has(int layer) const {
  return layer >= 0 && static_cast<std::size_t>(layer) < layers_.size() &&
         layers_[static_cast<std::size_t>(layer)].has_value();
}

const LayerPrecision& PrecisionMap::at(int layer) const {
  if (!has(layer)) throw std::out_of_range("no precision for layer " + std::to_string(layer));
  return *layers_[static_cast<std::size_t>(layer)];
}

void PrecisionMap::set(int layer, LayerPrecision p) {
  if (layer < 0) throw std::out_of_range("negative layer id");
  if (static_cast<std::size_t>(layer) >= layers_.size())
    layers_.resize(static_cast<std::size_t>(layer) + 1);
  layers_[static_cast<std::size_t>(layer)] = std::move(p);
}

PrecisionMap resolve_precision_map(const PrecisionMapSpec& spec, const Network& net) {
  // A map that names its network is not applied to another one without a word (a network read
  // from a file may carry the file's extension in its name).
  const auto stem = [](const std::string& n) {
    for (const char* ext : {".toml", ".onnx", ".csv"}) {
      const std::string e(ext);
      if (n.size() > e.size() && n.compare(n.size() - e.size(), e.size(), e) == 0)
        return n.substr(0, n.size() - e.size());
    }
    return n;
  };
  if (!spec.network.empty() && stem(spec.network) != stem(net.name()))
    throw UserError(located(spec.source, spec.network_line, 0,
                            "key 'network': the map was written for " + quote(spec.network) +
                                ", not for " + quote(net.name()) +
                                " (remove the key to apply its patterns to any network)"));
  const auto mac = net.mac_layers();
  std::vector<std::string> mac_names;
  for (int id : mac)
    mac_names.push_back(net.layer(id).name);

  // Which overrides touch which MAC layer; every pattern must match something.
  std::vector<std::vector<std::size_t>> hits(mac.size());
  for (std::size_t o = 0; o < spec.overrides.size(); ++o) {
    const auto& e = spec.overrides[o];
    for (const auto& pattern : e.patterns) {
      bool matched = false;
      for (std::size_t i = 0; i < mac.size(); ++i) {
        const bool hit =
            has_glob(pattern) ? glob_match(pattern, mac_names[i]) : pattern == mac_names[i];
        if (hit) {
          matched = true;
          if (hits[i].empty() || hits[i].back() != o) hits[i].push_back(o);
        }
      }
      if (matched) continue;
      std::string why;
      if (!has_glob(pattern)) {
        if (auto id = net.find(pattern))
          why = "layer " + quote(pattern) + " is a " + op_name(net.layer(*id)) +
                ", which has no MACs and so no precision";
        else
          why = "network " + quote(net.name()) + " has no MAC layer named " + quote(pattern);
      } else {
        why = "pattern " + quote(pattern) + " matches no MAC layer of network " + quote(net.name());
      }
      std::vector<std::string> hint;
      for (const auto& close : closest_names(pattern, mac_names))
        hint.push_back(printable(close));
      throw UserError(located(spec.source, e.line, 0,
                              why + (hint.empty() ? "" : " (closest: " + join(hint) + ")")));
    }
  }

  PrecisionMap map(net.size());
  std::vector<std::string> incomplete;
  for (std::size_t i = 0; i < mac.size(); ++i) {
    LayerPrecision p;
    bool has_w = false, has_a = false;
    apply(spec.defaults, p, has_w, has_a);
    for (auto o : hits[i])
      apply(spec.overrides[o], p, has_w, has_a);
    if (!has_w || !has_a) {
      incomplete.push_back(printable(mac_names[i]) + (has_w   ? " (activation)"
                                                      : has_a ? " (weight)"
                                                              : ""));
      continue;
    }
    if (p.granularity == Granularity::kCluster && p.cluster_size < 1)
      throw UserError(spec.source + ": layer " + quote(mac_names[i]) +
                      " uses clusters without a cluster_size");
    if (p.weight_scale == WeightScale::kTwn && p.weight.kind() != FormatKind::kTernary)
      throw UserError(spec.source + ": layer " + quote(mac_names[i]) +
                      ": weight_scale = \"twn\" is " +
                      "the ternary rule, but its weight format is " + p.weight.name());
    map.set(mac[i], p);
  }
  if (!incomplete.empty()) {
    const std::size_t shown = std::min<std::size_t>(incomplete.size(), 8);
    throw UserError(
        spec.source + ": " + std::to_string(incomplete.size()) + " MAC layer(s) have no format: " +
        join(std::vector<std::string>(incomplete.begin(),
                                      incomplete.begin() + static_cast<std::ptrdiff_t>(shown))) +
        (shown < incomplete.size() ? ", ..." : "") +
        "; give weight and activation in [default] or in an override");
  }
  return map;
}

PrecisionMap uniform_precision_map(const Network& net, const LayerPrecision& p) {
  PrecisionMap map(net.size());
  for (int id : net.mac_layers())
    map.set(id, p);
  return map;
}

}  // namespace mpsim
