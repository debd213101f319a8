// How a network and a hardware configuration become a search space: the candidates (format
// pairs the array runs), the decisions (quantizer groups, layers, blocks or the whole network),
// and pins. Private to explore/.
#pragma once

#include <string>
#include <vector>

#include "costmodel/hardware.h"
#include "costmodel/hardware_model.h"
#include "search/space.h"
#include "workloads/network.h"
#include "workloads/quantizer_groups.h"

namespace mpsim {

struct SpaceLayout {
  search::SearchSpace space;
  std::vector<FormatPair> candidates;  // index = candidate
  std::vector<std::string> decision_names;
  std::vector<std::vector<int>> decision_layers;  // MAC layer ids, network order
};

// `candidates`: "w:a,w:a,..." or empty for every pair the array supports; `pins`: entries
// "LAYER[,LAYER...]=w:a" (exact names or globs); `granularity`: group, layer, block:DEPTH or
// network. Errors name the option and what was expected.
SpaceLayout build_search_space(const Network& net, const HardwareModel& hw,
                               const std::vector<QuantizerGroup>& groups,
                               const std::string& candidates, const std::vector<std::string>& pins,
                               const std::string& granularity);

}  // namespace mpsim
