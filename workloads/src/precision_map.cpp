// Precision maps: names, glob patterns, and matching a map against a network. Map files are
// read in precision_map_toml.cpp.
#include "workloads/precision_map.h"

#include "formats/error.h"

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
