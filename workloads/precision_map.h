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
// What a cluster groups: N consecutive filters (output channels) or N consecutive weights along
// the reduction axis of each filter.
enum class ClusterUnit { kFilters, kWeights };
std::string granularity_name(Granularity g, int cluster_size,
                             ClusterUnit unit = ClusterUnit::kFilters);

// How a weight scale is chosen (docs/precision-maps.md): kAuto is kMax for integer and float
// formats and kTwn for ternary; kMse searches the clip that minimises the squared error (for
// ternary and binary it is the L2-optimal threshold rule); kTwn is the ternary rule of Li et al.
enum class WeightScale { kAuto, kMax, kMse, kTwn };
std::string weight_scale_name(WeightScale w);

struct LayerPrecision {
  Format weight = Format::parse("int8");
  Format activation = Format::parse("int8");
  std::optional<Format> accumulator;
  Granularity granularity = Granularity::kPerChannel;
  int cluster_size = 0;  // filters (or weights) per cluster when granularity is kCluster
  ClusterUnit cluster_unit = ClusterUnit::kFilters;
  WeightScale weight_scale = WeightScale::kAuto;
  // Elements sharing one weight scale per output: N kh kw for clusters of N filters (a
  // convolution's window), N for clusters of N weights; 0 when not clustered.
  std::int64_t cluster_elements(const Layer& layer) const;
};

// A map file as written: plain data, not yet matched against a network.
struct PrecisionMapSpec {
  struct Entry {
    std::vector<std::string> patterns;  // empty for [default]
    std::optional<Format> weight, activation, accumulator;
    std::optional<Granularity> granularity;
    std::optional<int> cluster_size;
    std::optional<ClusterUnit> cluster_unit;
    std::optional<WeightScale> weight_scale;
    int line = 0;
  };
  std::string source;    // file name for messages
  std::string network;   // optional `network = "..."` the map was written for
  int network_line = 0;  // where that key is, for messages
  Entry defaults;
  std::vector<Entry> overrides;
};

// Reads a map file (docs/precision-maps.md). Every problem of the file (an unknown key, a wrong
// type, an unknown format or name, a value out of range) is reported in one UserError, a line
// each: "file:line:col: key 'default.weight': ...".
PrecisionMapSpec parse_precision_map(std::string_view text, const std::string& source);
PrecisionMapSpec load_precision_map(const std::string& path);

// Every key of a map file as a markdown table (key, type, default, range, description), printed
// from the schema the reader checks files against; docs/precision-maps.md holds it verbatim
// (`mpsim map keys`).
std::string precision_map_keys_markdown();

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
