// Quantizer groups derived from the graph, conflicts, and resolution to the wider format.
#include <doctest/doctest.h>

#include <algorithm>

#include "formats/error.h"
#include "workloads/network_io.h"
#include "workloads/precision_map.h"
#include "workloads/quantizer_groups.h"

using namespace mpsim;

namespace {

// A downsampling residual block, a concat, and a tiny attention head.
Network sample() {
  return parse_network_toml(R"(
[[input]]
name = "x"
shape = [1, 8, 8, 8]
[[layer]]
name = "stem"
op = "conv2d"
out_channels = 8
kernel = 3
padding = 1
[[layer]]
name = "stem.relu"
op = "relu"
[[layer]]
name = "block.conv1"
op = "conv2d"
out_channels = 16
kernel = 3
stride = 2
padding = 1
[[layer]]
name = "block.bn1"
op = "batchnorm"
[[layer]]
name = "block.conv2"
op = "conv2d"
out_channels = 16
kernel = 3
padding = 1
[[layer]]
name = "block.down"
op = "conv2d"
input = "stem.relu"
out_channels = 16
kernel = 1
stride = 2
[[layer]]
name = "block.add"
op = "add"
inputs = ["block.conv2", "block.down"]
[[layer]]
name = "block.relu"
op = "relu"
[[layer]]
name = "branch.a"
op = "conv2d"
out_channels = 4
kernel = 1
[[layer]]
name = "branch.b"
op = "conv2d"
input = "block.relu"
out_channels = 4
kernel = 1
[[layer]]
name = "cat"
op = "concat"
inputs = ["branch.a", "branch.b"]
[[layer]]
name = "pool"
op = "maxpool"
kernel = 2
[[layer]]
name = "head"
op = "conv2d"
out_channels = 4
kernel = 1
[[layer]]
name = "tokens"
op = "reshape"
input = "block.relu"
shape = [1, 16, 16]
[[layer]]
name = "q"
op = "linear"
out_features = 16
[[layer]]
name = "k"
op = "linear"
input = "tokens"
out_features = 16
[[layer]]
name = "qk"
op = "matmul"
inputs = ["q", "k"]
transpose_b = true
)",
                            "sample.toml");
}

std::vector<std::string> member_names(const Network& net, const QuantizerGroup& g) {
  std::vector<std::string> out;
  for (const auto& m : g.members)
    out.push_back(net.layer(m.layer).name + (m.operand ? "[B]" : ""));
  return out;
}

const QuantizerGroup* group_with(const Network& net, const std::vector<QuantizerGroup>& gs,
                                 const std::string& name) {
  for (const auto& g : gs) {
    auto names = member_names(net, g);
    if (std::find(names.begin(), names.end(), name) != names.end()) return &g;
  }
  return nullptr;
}

}  // namespace

TEST_CASE("quantizer groups: shared inputs, concat through data movement, not through convs") {
  const Network net = sample();
  const auto groups = quantizer_groups(net);
  // The block input read by conv1 and the downsample conv (through relu, which is fused).
  const auto* g1 = group_with(net, groups, "block.conv1");
  REQUIRE(g1);
  CHECK(member_names(net, *g1) == std::vector<std::string>{"block.conv1", "block.down"});
  CHECK(g1->joins.empty());
  // block.relu's output feeds branch.b and the token reshape (q and k); branch.a reads the same.
  const auto* g2 = group_with(net, groups, "branch.b");
  REQUIRE(g2);
  CHECK(member_names(net, *g2) == std::vector<std::string>{"branch.a", "branch.b", "q", "k"});
  // The concat joins branch.a's and branch.b's outputs; maxpool passes through to head.
  // head is the only MAC reader, so that group has one member and is not listed.
  CHECK(group_with(net, groups, "head") == nullptr);
  // conv2 and block.down meet at the add, but no MAC layer reads those tensors directly.
  CHECK(group_with(net, groups, "block.conv2") == nullptr);
  CHECK(group_with(net, groups, "qk") == nullptr);  // q's and k's outputs are read once each
}

TEST_CASE("quantizer groups: a concat joins the tensors that MAC layers read") {
  const Network net = parse_network_toml(R"(
[[input]]
name = "a"
shape = [1, 4, 4, 4]
[[input]]
name = "b"
shape = [1, 4, 4, 4]
[[layer]]
name = "conv_a"
op = "conv2d"
input = "a"
out_channels = 4
kernel = 1
[[layer]]
name = "cat"
op = "concat"
inputs = ["a", "b"]
[[layer]]
name = "conv_cat"
op = "conv2d"
out_channels = 4
kernel = 1
[[layer]]
name = "flat"
op = "reshape"
input = "b"
shape = [1, 64]
[[layer]]
name = "fc_b"
op = "linear"
out_features = 2
)",
                                         "cat.toml");
  const auto groups = quantizer_groups(net);
  REQUIRE(groups.size() == 1);
  CHECK(member_names(net, groups[0]) == std::vector<std::string>{"conv_a", "conv_cat", "fc_b"});
  REQUIRE(groups[0].joins.size() == 1);
  CHECK(net.layer(groups[0].joins[0]).name == "cat");
}

TEST_CASE(
    "quantizer groups: a map that breaks a group is reported, then resolved to the wider format") {
  const Network net = sample();
  const auto groups = quantizer_groups(net);
  auto map = resolve_precision_map(parse_precision_map(R"(
[default]
weight = "int8"
activation = "int8"
[[override]]
layers = "block.down"
activation = "int4"
[[override]]
layers = ["q", "k"]
activation = "int16"
)",
                                                       "m.toml"),
                                   net);
  const auto conflicts = find_group_conflicts(net, map, groups);
  REQUIRE(conflicts.size() == 2);
  CHECK(conflicts[0].message.find("block.conv1 int8") != std::string::npos);
  CHECK(conflicts[0].message.find("block.down int4") != std::string::npos);
  CHECK(conflicts[1].message.find("q int16") != std::string::npos);

  CHECK(resolve_groups_to_wider(net, map, groups) == 1 + 2);  // block.down; branch.a, branch.b
  CHECK(map.at(*net.find("block.down")).activation.name() == "int8");
  CHECK(map.at(*net.find("branch.a")).activation.name() == "int16");
  CHECK(map.at(*net.find("branch.b")).activation.name() == "int16");
  CHECK(find_group_conflicts(net, map, groups).empty());
}

TEST_CASE("quantizer groups: equal-width formats of different kinds cannot be resolved silently") {
  const Network net = sample();
  const auto groups = quantizer_groups(net);
  auto map = resolve_precision_map(
      parse_precision_map(
          "[default]\nweight = \"int8\"\nactivation = \"int8\"\n[[override]]\nlayers = "
          "\"block.down\"\nactivation = \"fp8_e4m3\"\n",
          "m.toml"),
      net);
  CHECK_THROWS_WITH_AS(resolve_groups_to_wider(net, map, groups),
                       doctest::Contains("cannot choose the wider of int8 and fp8_e4m3"),
                       UserError);
  // The message names the layers reading each of the two formats.
  CHECK_THROWS_WITH_AS(
      resolve_groups_to_wider(net, map, groups),
      doctest::Contains("layer block.conv1 reads int8, layer block.down reads fp8_e4m3"),
      UserError);

  // The widest format is not the first member's: branch.a (int4) comes first in the group of
  // branch.a, branch.b, q and k; the tie is between branch.b and k.
  auto tie = resolve_precision_map(parse_precision_map(R"(
[default]
weight = "int8"
activation = "int8"
[[override]]
layers = ["branch.a", "q"]
activation = "int4"
[[override]]
layers = "branch.b"
activation = "fp8_e4m3"
[[override]]
layers = "k"
activation = "fp8_e5m2"
)",
                                                       "m.toml"),
                                   net);
  try {
    resolve_groups_to_wider(net, tie, groups);
    FAIL("expected an error");
  } catch (const UserError& e) {
    const std::string m = e.what();
    CHECK(m.find("the wider of fp8_e4m3 and fp8_e5m2 (both 8 bits; layer branch.b reads "
                 "fp8_e4m3, layer k reads fp8_e5m2)") != std::string::npos);
    CHECK(m.find("branch.a") == std::string::npos);
  }
}
