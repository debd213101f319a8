// Precision maps: for every MAC-bearing layer, the format of its weights and of its activation
// (input), optionally the accumulator format and the weight granularity.
//
// A map file has a [default] table and [[override]] tables matching layers by exact name or glob
// pattern; later entries win. For a matmul of two activations (attention), `weight` is the
// format of the second operand (K or V).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "formats/format.h"
#include "workloads/network.h"

namespace mpsim {

enum class Granularity { kPerTensor, kPerChannel, kCluster };
std::string granularity_name(Granularity g, int cluster_size);

struct LayerPrecision {
  Format weight = Format::parse("int8");
  Format activation = Format::parse("int8");
  std::optional<Format> accumulator;
  Granularity granularity = Granularity::kPerChannel;
  int cluster_size = 0;  // filters per cluster when granularity is kCluster
};

// A map file as written: plain data, not yet matched against a network.
struct PrecisionMapSpec {
  struct Entry {
    std::vector<std::string> patterns;  // empty for [default]
    std::optional<Format> weight, activation, accumulator;
    std::optional<Granularity> granularity;
    std::optional<int> cluster_size;
    int line = 0;
  };
  std::string source;   // file name for messages
  std::string network;  // optional `network = "..."` the map was written for
  Entry defaults;
  std::vector<Entry> overrides;
};

PrecisionMapSpec parse_precision_map(std::string_view text, const std::string& source);
PrecisionMapSpec load_precision_map(const std::string& path);

// A map resolved against a network: one LayerPrecision per MAC layer.
class PrecisionMap {
 public:
  PrecisionMap() = default;
  explicit PrecisionMap(std::size_t network_size) : layers_(network_size) {}

  bool has(int layer) const;
  const LayerPrecision& at(int layer) const;  // throws std::out_of_range for non-MAC layers
  void set(int layer, LayerPrecision p);
  std::size_t size() const { return layers_.size(); }

 private:
  std::vector<std::optional<LayerPrecision>> layers_;  // indexed by layer id
};

// Matches the spec against `net`. Throws UserError naming the file and line of an override whose
// exact name is unknown (with the closest existing names) or whose pattern matches no MAC layer,
// and of MAC layers left without a format when [default] is incomplete.
PrecisionMap resolve_precision_map(const PrecisionMapSpec& spec, const Network& net);

// Every MAC layer at the same precision.
PrecisionMap uniform_precision_map(const Network& net, const LayerPrecision& p);

// Shell-style glob: * any run, ? one character, [abc] a set. Layer names contain '.', '/', ':'
// which match literally.
bool glob_match(std::string_view pattern, std::string_view name);

}  // namespace mpsim
