#include "explore/src/search_space_builder.h"

#include <algorithm>
#include <map>
#include <numeric>
#include <set>

#include "formats/error.h"
#include "workloads/precision_map.h"

namespace mpsim {

namespace {

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::size_t from = 0;
  while (true) {
    const auto at = s.find(sep, from);
    out.push_back(s.substr(from, at == std::string::npos ? at : at - from));
    if (at == std::string::npos) return out;
    from = at + 1;
  }
}

std::string pair_name(const FormatPair& p) {
  return p.weight.name() + ":" + p.activation.name();
}

// "w:a" as one of the pairs the array runs; `what` names the option in messages.
FormatPair supported_pair(const HardwareModel& hw, const std::string& given,
                          const std::string& what) {
  // "int8:int8, int4:int4" as written in a list: the spaces are not part of a pair.
  const auto first = given.find_first_not_of(" \t");
  const std::string text = first == std::string::npos
                               ? ""
                               : given.substr(first, given.find_last_not_of(" \t") + 1 - first);
  const auto colon = text.find(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == text.size())
    throw UserError(what + ": '" + text +
                    "' is not a pair; expected WEIGHT:ACTIVATION, e.g. "
                    "int4:int8");
  const auto parse = [&](const std::string& name) {
    try {
      return Format::parse(name);
    } catch (const UserError& e) {
      throw UserError(what + ": " + e.what());
    }
  };
  const Format w = parse(text.substr(0, colon));
  const Format a = parse(text.substr(colon + 1));
  for (const auto& p : hw.pairs())
    if (p.pair.weight == w && p.pair.activation == a) return p.pair;
  throw UserError(what + ": the array runs no " + w.name() + " x " + a.name() + "; it supports " +
                  hw.supported_pairs_text());
}

struct UnionFind {
  std::vector<int> parent;
  explicit UnionFind(std::size_t n) : parent(n) { std::iota(parent.begin(), parent.end(), 0); }
  int find(int x) { return parent[x] == x ? x : parent[x] = find(parent[x]); }
  void join(int a, int b) {
    a = find(a);
    b = find(b);
    if (a != b) parent[std::max(a, b)] = std::min(a, b);
  }
};

// The first `depth` components of a layer name split at '.' and '/' (empty ones dropped).
std::string block_of(const std::string& name, int depth) {
  std::vector<std::string> parts;
  std::string cur;
  for (char ch : name) {
    if (ch == '.' || ch == '/') {
      if (!cur.empty()) parts.push_back(cur);
      cur.clear();
    } else {
      cur += ch;
    }
  }
  if (!cur.empty()) parts.push_back(cur);
  if (static_cast<int>(parts.size()) <= depth) return name;
  std::string out;
  for (int i = 0; i < depth; ++i)
    out += (i ? "." : "") + parts[static_cast<std::size_t>(i)];
  return out;
}

}  // namespace

SpaceLayout build_search_space(const Network& net, const HardwareModel& hw,
                               const std::vector<QuantizerGroup>& groups,
                               const std::string& candidates, const std::vector<std::string>& pins,
                               const std::string& granularity) {
  SpaceLayout out;
  // Candidates.
  if (candidates.empty()) {
    for (const auto& p : hw.pairs())
      out.candidates.push_back(p.pair);
  } else {
    for (const auto& text : split(candidates, ',')) {
      const FormatPair p = supported_pair(hw, text, "--candidates");
      for (const auto& q : out.candidates)
        if (pair_name(q) == pair_name(p))
          throw UserError("--candidates: " + text + " is listed twice");
      out.candidates.push_back(p);
    }
  }
  const int searched = static_cast<int>(out.candidates.size());

  // Pins: a layer's candidate index.
  const std::vector<int> macs = net.mac_layers();
  std::vector<std::string> mac_names;
  for (int id : macs)
    mac_names.push_back(net.layer(id).name);
  std::map<int, int> pinned;
  for (const auto& pin : pins) {
    const auto eq = pin.rfind('=');
    if (eq == std::string::npos || eq == 0)
      throw UserError("--pin '" + pin + "': expected LAYER[,LAYER...]=WEIGHT:ACTIVATION");
    const FormatPair p = supported_pair(hw, pin.substr(eq + 1), "--pin " + pin);
    int c = -1;
    for (int i = 0; i < static_cast<int>(out.candidates.size()); ++i)
      if (pair_name(out.candidates[static_cast<std::size_t>(i)]) == pair_name(p)) c = i;
    if (c < 0) {
      out.candidates.push_back(p);  // a pin may use a pair the search does not try elsewhere
      c = static_cast<int>(out.candidates.size()) - 1;
    }
    for (const auto& pattern : split(pin.substr(0, eq), ',')) {
      bool hit = false;
      for (std::size_t i = 0; i < macs.size(); ++i)
        if (glob_match(pattern, mac_names[i]) || pattern == mac_names[i]) {
          hit = true;
          const auto [it, fresh] = pinned.emplace(macs[i], c);
          if (!fresh && it->second != c)
            throw UserError("--pin: layer '" + mac_names[i] + "' is pinned to " +
                            pair_name(out.candidates[static_cast<std::size_t>(it->second)]) +
                            " and to " + pair_name(p));
        }
      if (!hit) {
        const auto hint = closest_names(pattern, mac_names);
        throw UserError("--pin " + pin + ": '" + pattern + "' matches no MAC layer" +
                        (hint.empty() ? "" : " (did you mean " + join(hint, " or ") + "?)"));
      }
    }
  }

  // Decisions: MAC layers joined by quantizer group, block or the whole network.
  std::map<int, std::size_t> index_of;
  for (std::size_t i = 0; i < macs.size(); ++i)
    index_of[macs[i]] = i;
  UnionFind uf(macs.size());
  auto join_groups = [&] {
    for (const auto& g : groups)
      for (const auto& m : g.members)
        uf.join(static_cast<int>(index_of.at(g.members.front().layer)),
                static_cast<int>(index_of.at(m.layer)));
  };
  std::map<std::size_t, std::string> block_name;
  if (granularity == "group") {
    join_groups();
  } else if (granularity == "layer") {
  } else if (granularity == "network") {
    for (std::size_t i = 1; i < macs.size(); ++i)
      uf.join(0, static_cast<int>(i));
  } else if (granularity.rfind("block:", 0) == 0) {
    const std::string d = granularity.substr(6);
    const int depth =
        d.empty() || d.size() > 3 || d.find_first_not_of("0123456789") != std::string::npos
            ? 0
            : std::stoi(d);
    if (depth < 1)
      throw UserError("--granularity " + granularity + ": DEPTH must be a whole number from 1");
    std::map<std::string, std::size_t> first;
    for (std::size_t i = 0; i < macs.size(); ++i) {
      const std::string b = block_of(mac_names[i], depth);
      const auto [it, fresh] = first.emplace(b, i);
      if (!fresh) uf.join(static_cast<int>(it->second), static_cast<int>(i));
      block_name[i] = b;
    }
    join_groups();  // a block boundary never splits a quantizer group
  } else {
    throw UserError("--granularity " + granularity +
                    ": expected group, layer, block:DEPTH or network");
  }

  std::map<int, std::size_t> decision_of_root;
  for (std::size_t i = 0; i < macs.size(); ++i) {
    const int root = uf.find(static_cast<int>(i));
    auto [it, fresh] = decision_of_root.emplace(root, out.decision_layers.size());
    if (fresh) out.decision_layers.emplace_back();
    out.decision_layers[it->second].push_back(macs[i]);
  }
  for (const auto& layers : out.decision_layers) {
    std::string name;
    if (granularity == "network") {
      name = "network";
    } else if (!block_name.empty()) {
      std::set<std::string> blocks;
      for (int id : layers)
        blocks.insert(block_name.at(index_of.at(id)));
      name = join({blocks.begin(), blocks.end()}, " + ");
    } else {
      name = net.layer(layers.front()).name;
      if (layers.size() > 1)
        name += " (+" + std::to_string(layers.size() - 1) + " in its quantizer group)";
    }
    out.decision_names.push_back(name);
  }

  // At --granularity layer a quantizer group may span decisions; pinned members of one group
  // must agree on the shared tensor's format, which the group then takes.
  if (granularity == "layer") {
    for (const auto& g : groups) {
      const GroupMember* first = nullptr;
      for (const auto& m : g.members) {
        const auto it = pinned.find(m.layer);
        if (it == pinned.end()) continue;
        if (!first) {
          first = &m;
          continue;
        }
        const auto& a = out.candidates[static_cast<std::size_t>(pinned.at(first->layer))];
        const auto& b = out.candidates[static_cast<std::size_t>(it->second)];
        const Format& fa = first->operand == 0 ? a.activation : a.weight;
        const Format& fb = m.operand == 0 ? b.activation : b.weight;
        if (!(fa == fb))
          throw UserError("--pin: layers '" + net.layer(first->layer).name + "' and '" +
                          net.layer(m.layer).name + "' read one tensor (a quantizer group) but " +
                          "are pinned to " + fa.name() + " and " + fb.name() +
                          " for it; pin them alike");
      }
    }
  }
  out.pinned = pinned;

  // Allowed candidates per decision.
  out.space.candidates = static_cast<int>(out.candidates.size());
  for (std::size_t d = 0; d < out.decision_layers.size(); ++d) {
    const auto& layers = out.decision_layers[d];
    std::set<int> pins_here;
    for (int id : layers)
      if (pinned.count(id)) pins_here.insert(pinned.at(id));
    if (pins_here.size() > 1)
      throw UserError("--pin: the layers of decision '" + out.decision_names[d] +
                      "' (they share a quantizer group or block) are pinned to different pairs");
    std::vector<int> allowed;
    if (!pins_here.empty()) {
      allowed.push_back(*pins_here.begin());
      const auto unpinned =
          std::count_if(layers.begin(), layers.end(), [&](int id) { return !pinned.count(id); });
      if (unpinned > 0)
        out.notes.push_back(
            "--pin: decision '" + out.decision_names[d] + "' (" + std::to_string(layers.size()) +
            " layers) is pinned to " +
            pair_name(out.candidates[static_cast<std::size_t>(*pins_here.begin())]) +
            " with its pinned layer(s): a decision takes one pair, so " + std::to_string(unpinned) +
            " unpinned layer(s) follow (--granularity layer pins layers alone)");
    } else {
      for (int c = 0; c < searched; ++c)
        allowed.push_back(c);
    }
    // A group reading one tensor as both a matmul's second operand (the map's `weight`) and
    // some layer's activation input needs weight = activation within the decision.
    if (granularity != "layer") {
      for (const auto& g : groups) {
        if (std::find(layers.begin(), layers.end(), g.members.front().layer) == layers.end())
          continue;
        bool first = false, second = false;
        for (const auto& m : g.members)
          (m.operand == 0 ? first : second) = true;
        if (!(first && second)) continue;
        std::erase_if(allowed, [&](int c) {
          const auto& p = out.candidates[static_cast<std::size_t>(c)];
          return !(p.weight == p.activation);
        });
      }
      if (allowed.empty())
        throw UserError("decision '" + out.decision_names[d] +
                        "' reads one tensor as a matmul's second operand and as an activation, "
                        "so it needs a candidate whose weight and activation formats are equal; "
                        "none is");
    }
    out.space.allowed.push_back(std::move(allowed));
  }
  out.space.validate();
  return out;
}

void settle_quantizer_groups(PrecisionMap& map, const std::vector<QuantizerGroup>& groups,
                             const SpaceLayout& layout) {
  for (const auto& g : groups) {
    // The member whose format the group takes: the first pinned one, else the first widest.
    const GroupMember* lead = &g.members.front();
    for (const auto& m : g.members) {
      if (layout.pinned.count(m.layer)) {
        lead = &m;
        break;
      }
      if (member_format(map, m).bits() > member_format(map, *lead).bits()) lead = &m;
    }
    set_group_format(map, g, Format(member_format(map, *lead)));  // a copy: the map changes
  }
}

}  // namespace mpsim
