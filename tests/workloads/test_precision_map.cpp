// Precision maps: defaults, overrides by name and glob (later wins), and errors with file:line.
#include <doctest/doctest.h>

#include <algorithm>

#include "formats/error.h"
#include "workloads/network_io.h"
#include "workloads/precision_map.h"

using namespace mpsim;

namespace {

Network three_convs() {
  return parse_network_toml(R"(
[[input]]
name = "x"
shape = [1, 8, 8, 8]
[[layer]]
name = "layer1.conv1"
op = "conv2d"
out_channels = 8
kernel = 3
padding = 1
[[layer]]
name = "layer1.relu"
op = "relu"
[[layer]]
name = "layer1.conv2"
op = "conv2d"
out_channels = 8
kernel = 3
padding = 1
[[layer]]
name = "fc"
op = "linear"
out_features = 4
)",
                            "three.toml");
}

std::string map_error(const std::string& text, const Network& net) {
  try {
    resolve_precision_map(parse_precision_map(text, "map.toml"), net);
  } catch (const UserError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("glob patterns") {
  CHECK(glob_match("layer1.*", "layer1.conv1"));
  CHECK_FALSE(glob_match("layer1.*", "layer2.conv1"));
  CHECK(glob_match("*conv?", "layer1.conv2"));
  CHECK(glob_match("layer[12].conv1", "layer2.conv1"));
  CHECK_FALSE(glob_match("layer[!12].conv1", "layer2.conv1"));
  CHECK(glob_match("layer[0-9].*", "layer7.x"));
  CHECK(glob_match("*", ""));
  CHECK_FALSE(glob_match("a*b", "acbd"));
  CHECK(glob_match("a*b*c", "aXbYbZc"));
  CHECK(glob_match("/features/*/Conv", "/features/features.1/Conv"));
}

TEST_CASE("precision map: default, overrides by name and glob, later entries win") {
  const Network net = three_convs();
  const auto spec = parse_precision_map(R"(
network = "three"
[default]
weight = "int8"
activation = "int8"
accumulator = "int32"

[[override]]
layers = "layer1.*"
weight = "int4"
granularity = "per_tensor"

[[override]]
layers = ["layer1.conv2", "fc"]
activation = "fp8_e4m3"

[[override]]
layers = "layer1.conv2"
weight = "ternary"
cluster_size = 4
)",
                                        "map.toml");
  CHECK(spec.network == "three");
  CHECK(spec.overrides.size() == 3);
  const auto map = resolve_precision_map(spec, net);
  const auto& c1 = map.at(*net.find("layer1.conv1"));
  CHECK(c1.weight.name() == "int4");
  CHECK(c1.activation.name() == "int8");
  CHECK(c1.accumulator->name() == "int32");
  CHECK(c1.granularity == Granularity::kPerTensor);
  const auto& c2 = map.at(*net.find("layer1.conv2"));
  CHECK(c2.weight.name() == "ternary");
  CHECK(c2.activation.name() == "fp8_e4m3");
  CHECK(c2.granularity == Granularity::kCluster);
  CHECK(c2.cluster_size == 4);
  CHECK(granularity_name(c2.granularity, c2.cluster_size) == "cluster:4");
  const auto& fc = map.at(*net.find("fc"));
  CHECK(fc.weight.name() == "int8");
  CHECK(fc.activation.name() == "fp8_e4m3");
  CHECK(fc.granularity == Granularity::kPerChannel);
  CHECK_FALSE(map.has(*net.find("layer1.relu")));
}

TEST_CASE("precision map: an unknown layer is reported with the closest names and the line") {
  const Network net = three_convs();
  const auto e = map_error(
      "[default]\nweight = \"int8\"\nactivation = \"int8\"\n[[override]]\nlayers = "
      "\"layer1.cnv1\"\nweight = \"int4\"\n",
      net);
  CHECK(e.find("map.toml:4:") == 0);
  CHECK(e.find("no MAC layer named 'layer1.cnv1'") != std::string::npos);
  CHECK(e.find("closest: layer1.conv1") != std::string::npos);
  const auto g = map_error(
      "[default]\nweight = \"int8\"\nactivation = \"int8\"\n[[override]]\nlayers = "
      "\"layer9.*\"\nweight = \"int4\"\n",
      net);
  CHECK(g.find("map.toml:4:") == 0);
  CHECK(g.find("pattern 'layer9.*' matches no MAC layer") != std::string::npos);
  const auto relu = map_error(
      "[default]\nweight = \"int8\"\nactivation = \"int8\"\n[[override]]\nlayers = "
      "\"layer1.relu\"\nweight = \"int4\"\n",
      net);
  CHECK(relu.find("is a relu, which has no MACs") != std::string::npos);
}

TEST_CASE(
    "precision map: an unknown format lists the valid ones, other errors name file and line") {
  const Network net = three_convs();
  const auto f = map_error("[default]\nweight = \"int9x\"\nactivation = \"int8\"\n", net);
  CHECK(f.find("map.toml:2:") == 0);
  CHECK(f.find("key 'default.weight': unknown number format 'int9x'") != std::string::npos);
  CHECK(f.find("fp8_e4m3") != std::string::npos);  // the list of valid formats
  CHECK(map_error("[default]\nweight = \"int8\"\nactivation = \"int8\"\nbits = 3\n", net)
            .find("map.toml:4:") == 0);
  CHECK(map_error("[default]\nweight = \"int8\"\n", net).find("have no format") !=
        std::string::npos);
  CHECK(map_error(
            "[default]\nweight = \"int8\"\nactivation = \"int8\"\ngranularity = \"cluster\"\n", net)
            .find("needs cluster_size") != std::string::npos);
  CHECK(
      map_error(
          "[default]\nweight = \"int8\"\nactivation = \"int8\"\n[[override]]\nweight = \"int4\"\n",
          net)
          .find("map.toml:4:1: key 'override.0.layers': missing") == 0);
  CHECK(map_error("[default]\nweight = 8\n", net).find("expected a string") != std::string::npos);
  CHECK(map_error("[default\n", net).find("map.toml:1:") == 0);
  CHECK_THROWS_AS(load_precision_map("/nonexistent/map.toml"), UserError);
}

TEST_CASE("precision map: overrides alone may cover every layer") {
  const Network net = three_convs();
  const auto map = resolve_precision_map(
      parse_precision_map(
          "[[override]]\nlayers = \"*\"\nweight = \"fp4_e2m1\"\nactivation = \"fp8_e5m2\"\n",
          "m.toml"),
      net);
  CHECK(map.at(*net.find("fc")).weight.name() == "fp4_e2m1");
  CHECK(map.at(*net.find("fc")).activation.name() == "fp8_e5m2");
}

TEST_CASE("precision map: a map written for another network is refused, naming both") {
  const Network net = three_convs();  // named after its file, three.toml
  const std::string body = "[default]\nweight = \"int8\"\nactivation = \"int8\"\n";
  CHECK(map_error("network = \"three\"\n" + body, net).empty());
  CHECK(map_error(body, net).empty());  // no key: any network
  const std::string e = map_error("description = \"d\"\nnetwork = \"resnet18\"\n" + body, net);
  CHECK(e.find("map.toml:2") != std::string::npos);
  CHECK(e.find("written for 'resnet18', not for 'three") != std::string::npos);
}

TEST_CASE("precision map: every error of a file is reported, each with its line and key") {
  // Three independent mistakes in two tables: the reader goes on after each.
  const std::string e = map_error(R"([default]
weight = "int9z"
activation = "int8"
[[override]]
layers = "layer1.*"
wieght = "int4"
cluster_size = 0
)",
                                  three_convs());
  CHECK(e.find("map.toml:2:10: key 'default.weight': unknown number format 'int9z'") == 0);
  CHECK(e.find("\nmap.toml:6:1: unknown key 'override.0.wieght' (did you mean "
               "'override.0.weight'?); [[override]] takes: layers, weight,") != std::string::npos);
  CHECK(e.find("\nmap.toml:7:16: key 'override.0.cluster_size': must be between 1 and 1048576, "
               "found 0") != std::string::npos);
  CHECK(std::count(e.begin(), e.end(), '\n') == 2);  // three lines, nothing else
}
