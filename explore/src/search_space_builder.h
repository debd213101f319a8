// How a network and a hardware configuration become a search space: the candidates (format
// pairs the array runs), the decisions (quantizer groups, layers, blocks or the whole network),
// and pins. Private to explore/.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "costmodel/hardware.h"
#include "costmodel/hardware_model.h"
#include "search/space.h"
#include "workloads/network.h"
#include "workloads/precision_map.h"
#include "workloads/quantizer_groups.h"

namespace mpsim {

struct SpaceLayout {
  search::SearchSpace space;
  std::vector<FormatPair> candidates;  // index = candidate
  std::vector<std::string> decision_names;
  std::vector<std::vector<int>> decision_layers;  // MAC layer ids, network order
  std::map<int, int> pinned;                      // MAC layer id -> candidate, from --pin
  // What the user should know about the layout: a pin that fixes more layers than it names.
  std::vector<std::string> notes;
};

// `candidates`: "w:a,w:a,..." or empty for every pair the array supports; `pins`: entries
// "LAYER[,LAYER...]=w:a" (exact names or globs); `granularity`: group, layer, block:DEPTH or
// network. Errors name the option and what was expected.
SpaceLayout build_search_space(const Network& net, const HardwareModel& hw,
                               const std::vector<QuantizerGroup>& groups,
                               const std::string& candidates, const std::vector<std::string>& pins,
                               const std::string& granularity);

// Gives every quantizer group of a complete map one format for its shared tensor, as a
// search at --granularity layer needs (its decisions can split a group): a pinned member's
// format when the group has one, else the widest (most bits; among equally wide formats, such
// as int8 and fp8_e4m3, the first member's). On maps that already agree it changes nothing.
void settle_quantizer_groups(PrecisionMap& map, const std::vector<QuantizerGroup>& groups,
                             const SpaceLayout& layout);

}  // namespace mpsim
