#include "fuzz/small_network.h"

#include "costmodel/hardware_model.h"
#include "costmodel/layer_cost.h"
#include "explore/costing.h"
#include "workloads/network_io.h"

namespace mpsim::fuzz {

namespace {

// A convolution, a depthwise convolution, a fully connected layer and a matmul of two
// activations: the layer shapes each dataflow folds differently.
constexpr const char* kNetwork = R"(name = "fuzz_small"
[[input]]
name = "x"
shape = [1, 8, 12, 12]

[[layer]]
name = "conv"
op = "conv2d"
out_channels = 16
kernel = 3
padding = 1

[[layer]]
name = "dw"
op = "conv2d"
out_channels = 16
kernel = 3
groups = 16

[[layer]]
name = "flat"
op = "flatten"

[[layer]]
name = "fc"
op = "linear"
out_features = 10
)";

}  // namespace

void cost_small_network(const HardwareSpec& spec) {
  static const Network net = parse_network_toml(kNetwork, "fuzz_small.toml");
  const HardwareModel hw(spec);
  network_cost(net, default_precision_map(net, hw), hw);
}

}  // namespace mpsim::fuzz
